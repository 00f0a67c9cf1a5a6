package io.streamtrain.dashboard;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongSupplier;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import io.streamtrain.app.LearnerConfig;
import io.streamtrain.app.PlainJson;
import io.streamtrain.registry.ConfluentAvroDeserializer;
import io.streamtrain.registry.SchemaRegistryClient;
import io.streamtrain.registry.SchemaRegistryException;
import io.streamtrain.snapshot.SnapshotKey;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the learner's topics across the cluster for the dashboard: {@code <prefix>.metrics}, {@code .models},
 * {@code .events} and {@code .control.log}, read_committed, without a consumer group (it commits nothing and leaves
 * nothing behind). Metrics, events and answers are read from {@code history} ago; the models topic, compacted, from
 * its beginning, so every kept version shows. A topic that does not exist yet (the events topic before the first
 * event) is looked for again every few seconds. Records are decoded through the registry with their own writer
 * schema, so records of later schema versions show too; one that cannot be decoded is counted and skipped, never
 * fatal; while the registry or Kafka cannot be reached it says so in its status and tries again.
 */
final class DashboardFeed implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(DashboardFeed.class);
    private static final JsonFactory JSON = JsonFactory.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();
    private static final Duration POLL = Duration.ofMillis(250);
    private static final Duration DISCOVERY_INTERVAL = Duration.ofSeconds(5);
    private static final Duration RETRY_PAUSE = Duration.ofSeconds(2);
    private static final int MAX_PROBLEM_CHARS = 300;

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final ConfluentAvroDeserializer<GenericRecord> values;
    private final FeedHistory history;
    private final Duration lookBack;
    private final LongSupplier clock;
    private final String metricsTopic;
    private final String modelsTopic;
    private final String eventsTopic;
    private final String championsTopic;
    private final String controlLogTopic;
    private final Set<TopicPartition> assigned = new HashSet<>();
    private final Set<String> following = new TreeSet<>();
    private long skipped;
    /** Whether records were skipped since the status was last published. */
    private boolean skipsUnpublished;
    private String lastProblem;
    private String outage;
    private long lastDiscoveryMs = Long.MIN_VALUE / 2;
    private volatile boolean stopping;

    DashboardFeed(Map<String, Object> consumerConfig, SchemaRegistryClient registry, String prefix,
            Duration lookBack, FeedHistory history, LongSupplier clock) {
        this.consumer = new KafkaConsumer<>(LearnerConfig.readerConfig(consumerConfig, "streamtrain-dashboard"),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        this.values = ConfluentAvroDeserializer.generic(registry);
        this.history = history;
        this.lookBack = lookBack;
        this.clock = clock;
        this.metricsTopic = prefix + ".metrics";
        this.modelsTopic = prefix + ".models";
        this.eventsTopic = prefix + ".events";
        this.championsTopic = prefix + ".champions";
        this.controlLogTopic = prefix + ".control.log";
    }

    /** The topics it follows, whether they exist yet or not. */
    List<String> topics() {
        return List.of(metricsTopic, modelsTopic, eventsTopic, championsTopic, controlLogTopic);
    }

    @Override
    public void run() {
        try {
            publishStatus();
            while (!stopping) {
                step();
            }
        } catch (WakeupException e) {
            if (!stopping) {
                throw e;
            }
        } finally {
            consumer.close(Duration.ofSeconds(5));
            values.close();
        }
    }

    /** Ends {@link #run()} from any thread: the consumer wakes wherever it waits. */
    void stop() {
        stopping = true;
        consumer.wakeup();
    }

    private void step() {
        try {
            long now = clock.getAsLong();
            if (now - lastDiscoveryMs >= DISCOVERY_INTERVAL.toMillis()) {
                lastDiscoveryMs = now;
                discover();
            }
            if (assigned.isEmpty()) {
                pause(POLL);
                return;
            }
            ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
            boolean registryDown = false;
            for (TopicPartition tp : records.partitions()) {
                for (ConsumerRecord<byte[], byte[]> record : records.records(tp)) {
                    try {
                        take(record);
                    } catch (SchemaRegistryException e) {
                        // not the record's fault: read it again once the registry answers
                        consumer.seek(tp, record.offset());
                        registryDown = true;
                        setOutage("the schema registry cannot be used: " + e.getMessage());
                        break;
                    }
                }
            }
            publishSkips();
            if (registryDown) {
                pause(RETRY_PAUSE);
            } else if (outage != null) {
                setOutage(null);
            }
        } catch (WakeupException e) {
            throw e;
        } catch (KafkaException e) {
            setOutage("Kafka: " + e.getMessage());
            pause(RETRY_PAUSE);
        }
    }

    /** Assigns the partitions of the followed topics that exist, each new one from where it should start. */
    private void discover() {
        List<TopicPartition> fresh = new ArrayList<>();
        Set<String> found = new TreeSet<>();
        for (String topic : topics()) {
            List<PartitionInfo> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10));
            if (partitions == null || partitions.isEmpty()) {
                continue;
            }
            found.add(topic);
            for (PartitionInfo p : partitions) {
                TopicPartition tp = new TopicPartition(p.topic(), p.partition());
                if (!assigned.contains(tp)) {
                    fresh.add(tp);
                }
            }
        }
        if (fresh.isEmpty()) {
            if (!found.equals(following)) {
                following.clear();
                following.addAll(found);
                publishStatus();
            }
            return;
        }
        assigned.addAll(fresh);
        consumer.assign(assigned);
        List<TopicPartition> fromStart = fresh.stream().filter(tp -> tp.topic().equals(modelsTopic)).toList();
        consumer.seekToBeginning(fromStart);
        Map<TopicPartition, Long> since = new HashMap<>();
        long from = clock.getAsLong() - lookBack.toMillis();
        fresh.stream().filter(tp -> !tp.topic().equals(modelsTopic)).forEach(tp -> since.put(tp, from));
        if (!since.isEmpty()) {
            Map<TopicPartition, OffsetAndTimestamp> offsets = consumer.offsetsForTimes(since);
            List<TopicPartition> toEnd = new ArrayList<>();
            for (TopicPartition tp : since.keySet()) {
                OffsetAndTimestamp at = offsets.get(tp);
                if (at == null) {
                    toEnd.add(tp);
                } else {
                    consumer.seek(tp, at.offset());
                }
            }
            consumer.seekToEnd(toEnd);
        }
        following.clear();
        following.addAll(found);
        log.info("the dashboard follows {} ({} partitions)", following, assigned.size());
        publishStatus();
    }

    /** Decodes one record into the history; a record that cannot be decoded is counted and skipped. */
    void take(ConsumerRecord<byte[], byte[]> record) {
        String where = record.topic() + "-" + record.partition() + "@" + record.offset();
        try {
            if (record.topic().equals(modelsTopic)) {
                takeSnapshot(record);
                return;
            }
            if (record.value() == null || record.value().length == 0) {
                skip(where, "it has no value");
                return;
            }
            GenericRecord value = values.deserialize(record.topic(), record.value());
            String model = modelOf(value, record.key());
            if (model == null) {
                skip(where, "it names no model (no model field, no key)");
                return;
            }
            if (record.topic().equals(metricsTopic)) {
                history.add(FeedItem.METRICS, model, PlainJson.line(value, value.getSchema()));
            } else {
                boolean event = record.topic().equals(eventsTopic) || record.topic().equals(championsTopic);
                history.add(event ? FeedItem.EVENT : FeedItem.CONTROL, model,
                        wrapped(value, model, record.timestamp()));
            }
        } catch (SchemaRegistryException e) {
            if (isOutage(e)) {
                throw e;
            }
            // the registry answered, and it has no such schema (an id from elsewhere): the record's fault
            skip(where, e.getMessage());
        } catch (RuntimeException e) {
            // bytes not in the wire format, a schema the record does not fit, a value of the wrong shape
            skip(where, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
    }

    /** A registry that does not answer, fails, or refuses the dashboard: nothing can be decoded until it is back. */
    static boolean isOutage(SchemaRegistryException e) {
        int status = e.httpStatus();
        return status == SchemaRegistryException.NO_RESPONSE || status >= 500 || status == 401 || status == 403;
    }

    private void takeSnapshot(ConsumerRecord<byte[], byte[]> record) {
        String where = record.topic() + "-" + record.partition() + "@" + record.offset();
        SnapshotKey key = record.key() == null ? null : SnapshotKey.parse(new String(record.key(),
                StandardCharsets.UTF_8));
        if (key == null) {
            skip(where, "its key is not <model>/<version>/<chunk>");
            return;
        }
        if (key.chunk() != 0) {
            // every chunk carries the whole description: the first one tells it
            return;
        }
        if (record.value() == null) {
            history.add(FeedItem.SNAPSHOT_REMOVED, key.model(), json(g -> {
                g.writeStringField("model", key.model());
                g.writeNumberField("version", key.version());
            }));
            return;
        }
        GenericRecord value = values.deserialize(record.topic(), record.value());
        history.add(FeedItem.SNAPSHOT, key.model(), json(g -> {
            g.writeStringField("model", key.model());
            g.writeNumberField("version", key.version());
            writeLong(g, value, "examplesTrained");
            Object created = field(value, "createdAt");
            if (created instanceof Long ms) {
                g.writeStringField("createdAt", Instant.ofEpochMilli(ms).toString());
            } else if (created instanceof Instant at) {
                g.writeStringField("createdAt", at.toString());
            }
            Object trigger = field(value, "trigger");
            if (trigger != null) {
                g.writeStringField("trigger", trigger.toString());
            }
            writeLong(g, value, "totalBytes");
            writeLong(g, value, "chunks");
            writeLong(g, value, "labeled");
            for (String name : List.of("prequentialLoss", "prequentialAccuracy", "prequentialMae",
                    "prequentialRmse")) {
                if (field(value, name) instanceof Double d && Double.isFinite(d)) {
                    g.writeNumberField(name, d);
                }
            }
        }));
    }

    /** An event or an answer as the page takes it: what kind of record, when, and the record itself. */
    private static String wrapped(GenericRecord value, String model, long timestamp) {
        Schema schema = value.getSchema();
        return json(g -> {
            g.writeStringField("model", model);
            g.writeStringField("type", schema.getName());
            g.writeStringField("time", Instant.ofEpochMilli(Math.max(0, timestamp)).toString());
            g.writeFieldName("record");
            PlainJson.write(g, value, schema);
        });
    }

    private static String modelOf(GenericRecord value, byte[] key) {
        Object model = field(value, "model");
        if (model != null) {
            return model.toString();
        }
        return key == null ? null : new String(key, StandardCharsets.UTF_8);
    }

    private static Object field(GenericRecord value, String name) {
        return value.getSchema().getField(name) == null ? null : value.get(name);
    }

    private static void writeLong(JsonGenerator g, GenericRecord value, String name) throws IOException {
        if (field(value, name) instanceof Number n) {
            g.writeNumberField(name, n.longValue());
        }
    }

    private void skip(String where, String why) {
        skipped++;
        lastProblem = where + ": " + abbreviate(why);
        log.debug("the dashboard skipped {}", lastProblem);
        skipsUnpublished = true;
    }

    /**
     * Publishes the count of skipped records, once for all those {@link #take} skipped since the last time: a topic
     * full of undecodable records makes one status item per poll, not one per record, for every page open.
     */
    void publishSkips() {
        if (skipsUnpublished) {
            publishStatus();
        }
    }

    private void setOutage(String problem) {
        if (problem == null ? outage != null : !problem.equals(outage)) {
            outage = problem == null ? null : abbreviate(problem);
            if (problem != null) {
                log.warn("the dashboard cannot read its topics: {}", outage);
            }
            publishStatus();
        }
    }

    private void publishStatus() {
        skipsUnpublished = false;
        Set<String> waiting = new TreeSet<>(topics());
        waiting.removeAll(following);
        history.add(FeedItem.STATUS, null, json(g -> {
            g.writeArrayFieldStart("following");
            for (String t : following) {
                g.writeString(t);
            }
            g.writeEndArray();
            g.writeArrayFieldStart("waitingFor");
            for (String t : waiting) {
                g.writeString(t);
            }
            g.writeEndArray();
            g.writeNumberField("skipped", skipped);
            if (lastProblem != null) {
                g.writeStringField("lastSkipped", lastProblem);
            }
            if (outage != null) {
                g.writeStringField("outage", outage);
            }
        }));
    }

    private static String abbreviate(String s) {
        String one = s.replace('\n', ' ').replace('\r', ' ');
        return one.length() <= MAX_PROBLEM_CHARS ? one : one.substring(0, MAX_PROBLEM_CHARS) + "…";
    }

    private void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopping = true;
        }
    }

    /** Writes one JSON object with {@code body}'s fields. */
    static String json(JsonBody body) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            body.write(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write JSON to memory", e);
        }
        return out.toString();
    }

    /** The fields of a JSON object. */
    @FunctionalInterface
    interface JsonBody {
        void write(JsonGenerator g) throws IOException;
    }
}
