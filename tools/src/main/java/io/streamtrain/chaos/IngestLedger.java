package io.streamtrain.chaos;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

import io.streamtrain.avro.Example;
import io.streamtrain.registry.ConfluentAvroSerde;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * What the connector wrote, read back as a user reads it (read_committed, from the start): the examples topic by
 * example id, with every second copy of an id compared to the first, and the DLQ by the source topic, partition and
 * offset in its context headers.
 */
final class IngestLedger implements AutoCloseable {

    private final String examplesTopic;
    private final String dlqTopic;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Deserializer<Example> examples;
    /** A fingerprint of the first copy of each id: the same source record maps to the same example. */
    private final Map<String, Integer> firstCopy = new HashMap<>();
    private final Map<String, Set<String>> idsByModel = new HashMap<>();
    private final Map<String, Set<String>> labeledIdsByModel = new HashMap<>();
    private final Set<String> deadLettered = new HashSet<>();
    private final Map<String, Integer> dlqReasons = new TreeMap<>();
    private long exampleRecords;
    private long duplicateRecords;
    private long conflictingDuplicates;
    private long dlqRecords;

    IngestLedger(String bootstrapServers, String registryUrl, String examplesTopic, String dlqTopic) {
        this.examplesTopic = examplesTopic;
        this.dlqTopic = dlqTopic;
        this.examples = ConfluentAvroSerde.specific(Example.class, Map.of("schema.registry.url", registryUrl), false)
                .deserializer();
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000),
                new StringDeserializer(), new ByteArrayDeserializer());
        OutputLedger.assignFromStart(consumer, List.of(examplesTopic, dlqTopic));
    }

    void poll(Duration time) {
        long deadline = System.nanoTime() + time.toNanos();
        do {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                if (record.topic().equals(examplesTopic)) {
                    addExample(examples.deserialize(record.topic(), record.headers(), record.value()));
                } else if (record.topic().equals(dlqTopic)) {
                    addDeadLetter(record);
                }
            }
        } while (System.nanoTime() < deadline);
    }

    private void addExample(Example e) {
        exampleRecords++;
        int fingerprint = Objects.hash(e.getModel(), e.getFeatures(), String.valueOf(e.getLabel()), e.getEventTime(),
                String.valueOf(e.getOrigin()));
        Integer first = firstCopy.putIfAbsent(e.getId(), fingerprint);
        if (first != null) {
            duplicateRecords++;
            if (first != fingerprint) {
                conflictingDuplicates++;
            }
            return;
        }
        idsByModel.computeIfAbsent(e.getModel(), k -> new HashSet<>()).add(e.getId());
        if (e.getLabel() != null) {
            labeledIdsByModel.computeIfAbsent(e.getModel(), k -> new HashSet<>()).add(e.getId());
        }
    }

    private void addDeadLetter(ConsumerRecord<String, byte[]> record) {
        dlqRecords++;
        String id = header(record, "__connect.errors.topic") + "-" + header(record, "__connect.errors.partition") + "-"
                + header(record, "__connect.errors.offset");
        deadLettered.add(id);
        String message = header(record, "__connect.errors.exception.message");
        int rule = message.indexOf("breaks rule '");
        String reason = rule < 0 ? message : message.substring(rule + 13, message.indexOf('\'', rule + 13));
        dlqReasons.merge(reason, 1, Integer::sum);
    }

    private static String header(ConsumerRecord<?, ?> record, String key) {
        Header h = record.headers().lastHeader(key);
        return h == null ? "?" : new String(h.value(), StandardCharsets.UTF_8);
    }

    /** Ids in the examples topic, distinct. */
    Set<String> exampleIds() {
        return firstCopy.keySet();
    }

    /** Distinct example ids of a model; only the labeled ones when {@code labeledOnly}. */
    Set<String> exampleIds(String model, boolean labeledOnly) {
        return (labeledOnly ? labeledIdsByModel : idsByModel).getOrDefault(model, Set.of());
    }

    /** Source ids ({@code <topic>-<partition>-<offset>}) in the DLQ, distinct. */
    Set<String> deadLettered() {
        return deadLettered;
    }

    /** DLQ records per rule of the connector's message. */
    Map<String, Integer> dlqReasons() {
        return dlqReasons;
    }

    long exampleRecords() {
        return exampleRecords;
    }

    /** Example records whose id was seen before. */
    long duplicateRecords() {
        return duplicateRecords;
    }

    /** Second copies whose content differs from the first copy's. */
    long conflictingDuplicates() {
        return conflictingDuplicates;
    }

    long dlqRecords() {
        return dlqRecords;
    }

    @Override
    public void close() {
        consumer.close();
        examples.close();
    }
}
