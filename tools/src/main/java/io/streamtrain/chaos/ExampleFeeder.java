package io.streamtrain.chaos;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import io.streamtrain.avro.Example;
import io.streamtrain.avro.Label;
import io.streamtrain.contract.ReplicaKey;
import io.streamtrain.data.LabeledExample;
import io.streamtrain.data.SyntheticStream;
import io.streamtrain.registry.ConfluentAvroSerde;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Produces a reproducible stream of examples to {@code <prefix>.examples}, round robin over the models, at a bounded
 * rate, keyed as the learner takes them ({@link ReplicaKey#of}): by model id, or by {@code <model>#<shard>} when the
 * models are trained by several replicas, the shard a hash of the example id (a late label is keyed like its
 * example); with an idempotent producer that rides out a broker restart. One example in {@code duplicateEvery}
 * (picked at random) is sent a second time a little later, with the same id and content, as an at-least-once source
 * would redeliver it. One labeled example in {@value #LATE_LABEL_EVERY} (picked at random) is sent without its label,
 * and the label follows on {@code <prefix>.labels} a little later, as a delayed outcome would; it still counts as a
 * labeled example. Run it on a thread of its own; read its tallies after it ended.
 */
final class ExampleFeeder implements Runnable {

    /** How many examples later a duplicate follows its original: another mini-batch, often another commit. */
    private static final int DUPLICATE_LAG = 97;
    /** One labeled example in this many has its label sent later, on the labels topic. */
    static final int LATE_LABEL_EVERY = 8;
    /** How many examples later a late label follows its example. */
    private static final int LATE_LABEL_LAG = 211;

    private final String bootstrapServers;
    private final String registryUrl;
    private final String topic;
    private final String labelsTopic;
    private final List<String> models;
    private final int replicas;
    private final int examples;
    private final int duplicateEvery;
    private final int rate;
    private final long seed;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private final Map<String, Long> produced = new HashMap<>();
    private final Map<String, Long> labeled = new HashMap<>();
    private final Map<String, Long> duplicatesSent = new HashMap<>();
    private final Map<String, Long> lateLabelsSent = new HashMap<>();
    private final Set<String> ids = new HashSet<>();
    private volatile boolean done;
    private final int flipAt;

    /**
     * @param rate examples per second; 0 for as fast as the producer goes
     * @param duplicateEvery send one example in n twice (picked at random); 0 for never
     */
    ExampleFeeder(String bootstrapServers, String registryUrl, String topic, List<String> models, int examples,
            int duplicateEvery, int rate, long seed) {
        this(bootstrapServers, registryUrl, topic, models, 1, examples, duplicateEvery, rate, seed, 0);
    }

    /**
     * @param flipAt from this example on (counted over all models), every label is the other class: the concept
     *     changes, for the learner's drift detectors to see; 0 for never
     * @param replicas the replicas that train each model (its spec's {@code parallel.replicas}; 1: one task)
     */
    ExampleFeeder(String bootstrapServers, String registryUrl, String topic, List<String> models, int replicas,
            int examples, int duplicateEvery, int rate, long seed, int flipAt) {
        this.bootstrapServers = bootstrapServers;
        this.registryUrl = registryUrl;
        this.topic = topic;
        this.labelsTopic = topic.substring(0, topic.lastIndexOf('.')) + ".labels";
        this.models = List.copyOf(models);
        this.replicas = replicas;
        this.examples = examples;
        this.duplicateEvery = duplicateEvery;
        this.rate = rate;
        this.seed = seed;
        this.flipAt = flipAt;
    }

    @Override
    public void run() {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        // long enough to wait out a broker restart without giving up on a record
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 300_000);
        Iterator<LabeledExample> stream = new SyntheticStream(seed, 20, 0.1).generator();
        List<String> classes = List.of("0", "1");
        ArrayDeque<Pending> pending = new ArrayDeque<>();
        ArrayDeque<LateLabel> lateLabels = new ArrayDeque<>();
        // which examples are sent twice: its own generator, so that the data is the same with or without copies
        java.util.Random copies = new java.util.Random(seed ^ 0x5DEECE66DL);
        java.util.Random late = new java.util.Random(seed ^ 0x1A7EL);
        long started = System.nanoTime();
        // event times of now: the learner timestamps each prediction with its example's event time, and the broker
        // deletes records older than the topic's retention (7 days by default) at its next retention check, even
        // in a transaction not yet committed
        long eventTimeBase = System.currentTimeMillis();
        Map<String, Object> registry = Map.of("schema.registry.url", registryUrl);
        try (KafkaProducer<String, Example> producer = new KafkaProducer<>(config, new StringSerializer(),
                ConfluentAvroSerde.specific(Example.class, registry, false).serializer());
                KafkaProducer<String, Label> labelProducer = new KafkaProducer<>(config, new StringSerializer(),
                        ConfluentAvroSerde.specific(Label.class, registry, false).serializer())) {
            for (int n = 0; n < examples && failure.get() == null; n++) {
                String model = models.get(n % models.size());
                LabeledExample x = stream.next();
                if (flipAt > 0 && n >= flipAt && x.isLabeled()) {
                    x = new LabeledExample(x.features(), 1 - x.label());
                }
                Example example = x.toAvro(model, exampleId(model, n), Instant.ofEpochMilli(eventTimeBase + n),
                        classes);
                String key = ReplicaKey.of(model, example.getId(), replicas);
                if (x.isLabeled() && late.nextInt(LATE_LABEL_EVERY) == 0) {
                    lateLabels.add(new LateLabel(key, new Label(example.getId(), model, example.getLabel(),
                            example.getEventTime(), null), n + LATE_LABEL_LAG));
                    example = Example.newBuilder(example).setLabel(null).build();
                }
                send(producer, key, example);
                produced.merge(key, 1L, Long::sum);
                ids.add(example.getId());
                if (x.isLabeled()) {
                    labeled.merge(key, 1L, Long::sum);
                }
                if (duplicateEvery > 0 && copies.nextInt(duplicateEvery) == 0) {
                    pending.add(new Pending(key, example, n + DUPLICATE_LAG));
                }
                while (!lateLabels.isEmpty() && (lateLabels.peek().due() <= n || n == examples - 1)) {
                    LateLabel due = lateLabels.poll();
                    labelProducer.send(new ProducerRecord<>(labelsTopic, due.key(), due.label()), (metadata, e) -> {
                        if (e != null) {
                            failure.compareAndSet(null, e);
                        }
                    });
                    lateLabelsSent.merge(due.key(), 1L, Long::sum);
                }
                while (!pending.isEmpty() && (pending.peek().due() <= n || n == examples - 1)) {
                    Pending again = pending.poll();
                    send(producer, again.key(), again.example());
                    duplicatesSent.merge(again.key(), 1L, Long::sum);
                }
                if (rate > 0) {
                    long due = started + (long) ((n + 1) * 1e9 / rate);
                    long ahead = due - System.nanoTime();
                    if (ahead > 1_000_000) {
                        Pause.millis(ahead / 1_000_000);
                    }
                }
            }
            producer.flush();
            labelProducer.flush();
        } catch (RuntimeException e) {
            failure.compareAndSet(null, e);
        } finally {
            done = true;
        }
    }

    /** The id of the {@code n}th example of the stream (counted over all models), of {@code model}. */
    static String exampleId(String model, int n) {
        return model + "-" + n;
    }

    private void send(KafkaProducer<String, Example> producer, String key, Example example) {
        producer.send(new ProducerRecord<>(topic, key, example), (metadata, e) -> {
            if (e != null) {
                failure.compareAndSet(null, e);
            } else {
                sent.incrementAndGet();
            }
        });
    }

    /** Records acknowledged so far, duplicates included. */
    long sent() {
        return sent.get();
    }

    boolean done() {
        return done;
    }

    /** Why producing stopped early, or null. */
    Exception failure() {
        return failure.get();
    }

    /**
     * Distinct examples produced per key (after the run). The tallies are per record key: a model's id, or for a
     * model on several replicas {@code <model>#<shard>}, the replica that trains on them.
     */
    Map<String, Long> produced() {
        return produced;
    }

    /** Distinct labeled examples produced per key (after the run). */
    Map<String, Long> labeled() {
        return labeled;
    }

    /** Labels sent late, on the labels topic, per key (after the run); their examples count as labeled. */
    Map<String, Long> lateLabelsSent() {
        return lateLabelsSent;
    }

    /** Second copies sent per key (after the run). */
    Map<String, Long> duplicatesSent() {
        return duplicatesSent;
    }

    /** The ids of the distinct examples produced (after the run). */
    Set<String> ids() {
        return ids;
    }

    int examples() {
        return examples;
    }

    /** A second copy to send once the stream is at {@code due}. */
    private record Pending(String key, Example example, long due) {
    }

    /** A label to send once the stream is at {@code due}. */
    private record LateLabel(String key, Label label, long due) {
    }
}
