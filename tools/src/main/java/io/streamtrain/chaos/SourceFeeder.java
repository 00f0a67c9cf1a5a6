package io.streamtrain.chaos;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import io.streamtrain.data.LabeledExample;
import io.streamtrain.data.SyntheticStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Produces schemaless JSON records to a user topic for the connector, as an application would:
 * {@code {"model": "...", "x": [20 numbers], "label": "0" | "1" | null}}, round robin over the models, at a bounded
 * rate. Every {@code badEvery}-th record has a vector one number short, which the connector must dead-letter. Keeps
 * where each record landed, since the connector's example id is the record's {@code <topic>-<partition>-<offset>}.
 */
final class SourceFeeder implements Runnable {

    static final int FEATURES = 20;

    private final String bootstrapServers;
    private final String topic;
    private final List<String> models;
    private final int records;
    private final int badEvery;
    private final int rate;
    private final long seed;
    private final String[] ids;
    private final boolean[] bad;
    private final boolean[] labeled;
    private final String[] modelOf;
    private final AtomicReference<Exception> failure = new AtomicReference<>();

    SourceFeeder(String bootstrapServers, String topic, List<String> models, int records, int badEvery, int rate,
            long seed) {
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
        this.models = List.copyOf(models);
        this.records = records;
        this.badEvery = badEvery;
        this.rate = rate;
        this.seed = seed;
        this.ids = new String[records];
        this.bad = new boolean[records];
        this.labeled = new boolean[records];
        this.modelOf = new String[records];
    }

    @Override
    public void run() {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.LINGER_MS_CONFIG, 10);
        Iterator<LabeledExample> stream = new SyntheticStream(seed, FEATURES, 0.1).generator();
        long started = System.nanoTime();
        StringBuilder json = new StringBuilder(512);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config, new StringSerializer(),
                new StringSerializer())) {
            for (int n = 0; n < records && failure.get() == null; n++) {
                LabeledExample x = stream.next();
                String model = models.get(n % models.size());
                boolean isBad = badEvery > 0 && n % badEvery == badEvery - 1;
                json.setLength(0);
                json.append("{\"model\":\"").append(model).append("\",\"x\":[");
                float[] f = x.features();
                int length = isBad ? f.length - 1 : f.length;
                for (int i = 0; i < length; i++) {
                    json.append(i == 0 ? "" : ",").append(f[i]);
                }
                json.append("],\"label\":").append(x.isLabeled() ? "\"" + x.label() + "\"" : "null").append('}');
                bad[n] = isBad;
                labeled[n] = x.isLabeled();
                modelOf[n] = model;
                int index = n;
                producer.send(new ProducerRecord<>(topic, "k" + n, json.toString()), (metadata, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    } else {
                        ids[index] = metadata.topic() + "-" + metadata.partition() + "-" + metadata.offset();
                    }
                });
                if (rate > 0) {
                    long ahead = started + (long) ((n + 1) * 1e9 / rate) - System.nanoTime();
                    if (ahead > 1_000_000) {
                        Pause.millis(ahead / 1_000_000);
                    }
                }
            }
            producer.flush();
        } catch (RuntimeException e) {
            failure.compareAndSet(null, e);
        }
    }

    /** Why producing failed, or null. */
    Exception failure() {
        return failure.get();
    }

    int records() {
        return records;
    }

    /** The example id the connector gives each record: its {@code <topic>-<partition>-<offset>} (after the run). */
    Set<String> allIds() {
        return select(null, null, null);
    }

    /** Ids of the records the connector must dead-letter. */
    Set<String> badIds() {
        return select(true, null, null);
    }

    /** Ids of the good records of a model; only the labeled ones when {@code labeledOnly}. */
    Set<String> goodIds(String model, boolean labeledOnly) {
        return select(false, labeledOnly ? Boolean.TRUE : null, model);
    }

    private Set<String> select(Boolean isBad, Boolean isLabeled, String model) {
        Set<String> selected = new HashSet<>();
        for (int n = 0; n < records; n++) {
            if (ids[n] != null && (isBad == null || bad[n] == isBad) && (isLabeled == null || labeled[n] == isLabeled)
                    && (model == null || model.equals(modelOf[n]))) {
                selected.add(ids[n]);
            }
        }
        return selected;
    }
}
