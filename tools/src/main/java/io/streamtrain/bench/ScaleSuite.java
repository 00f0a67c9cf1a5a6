package io.streamtrain.bench;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.stream.Stream;

import io.streamtrain.avro.Example;
import io.streamtrain.avro.ParamsChunk;
import io.streamtrain.avro.ParamsKind;
import io.streamtrain.avro.Prediction;
import io.streamtrain.contract.ReplicaKey;
import io.streamtrain.data.Dataset;
import io.streamtrain.data.LabeledExample;
import io.streamtrain.learn.Learner;
import io.streamtrain.learn.NetworkSpec;
import io.streamtrain.registry.ConfluentAvroSerde;
import io.streamtrain.snapshot.SnapshotKey;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;

/**
 * Data-parallel training on 1, 2 and 4 learner instances: one stream, one pass, test-then-train. The reference is a
 * single learner (no {@code parallel} block, one instance); each replicated run adds {@code parallel: {replicas: R}}
 * to the same spec and runs R instances of one application (one stream thread each), the stream keyed
 * {@code ReplicaKey.of(model, id, R)} into an examples topic of {@value #PARTITIONS} partitions. Reports examples/s
 * (from the committed predictions' {@code predictedAt}), the accuracy of the last {@code --window} examples of the
 * stream against the single learner's, the averaging rounds, the parameter bytes that crossed the broker per example
 * (the {@code .params} and {@code .global} record values, read back), and each round's cost from the records'
 * {@code sentAt}. From those it projects a cluster in which each instance has cores of its own
 * ({@link ScaleProjection}): on one 2-core machine the instances share the cores and the broker, so the measured
 * examples/s cannot grow with the instances.
 */
final class ScaleSuite implements BenchSuite {

    /** Partitions of every run's examples topic (and so of the learner's co-partitioned topics). */
    static final int PARTITIONS = 4;
    /** Examples of the warm-up pass, which is not counted. */
    static final int WARM_UP_EXAMPLES = 10_000;
    /** The accuracy goal: replicated within this many points of the single learner, last window. */
    static final double GOAL_POINTS = 1.0;

    @Override
    public String name() {
        return "scale";
    }

    @Override
    public String description() {
        return "1, 2 and 4 learner instances on one stream: examples/s, last-10k accuracy against a single learner, "
                + "parameter bytes per example, and a projected cluster";
    }

    /** One configuration: {@code replicas} replicas on as many instances; 1 is the single learner (no parallel). */
    record Config(int replicas, int averageEvery) {
        boolean single() {
            return replicas == 1;
        }

        String label() {
            return single() ? "single learner" : replicas + " replicas, K=" + averageEvery;
        }
    }

    /** What one averaging round cost, from its records. */
    record Round(long version, long firstContributionAt, long lastContributionAt, long globalAt, long bytes) {
        /** From the round's first contribution to its average: the round's span, waiting for the slowest replica. */
        long spanMs() {
            return globalAt - firstContributionAt;
        }

        /** From the round's last contribution to its average: commit, transfer and averaging. */
        long averagingMs() {
            return globalAt - lastContributionAt;
        }
    }

    /** One run's figures. */
    record Run(int replicas, long examples, double examplesPerSecond, double accuracy, double windowAccuracy,
            long rounds, long paramsBytes, long globalBytes, long changelogBytes, List<Round> completeRounds,
            String placement) {

        double paramBytesPerExample() {
            return (paramsBytes + globalBytes) / (double) examples;
        }

        double changelogBytesPerExample() {
            return changelogBytes / (double) examples;
        }

        double medianRoundBytes() {
            return Summary.of(completeRounds.stream().map(r -> (double) r.bytes()).toList()).median();
        }

        double medianSpanMs() {
            return Summary.of(completeRounds.stream().map(r -> (double) r.spanMs()).toList()).median();
        }

        double medianAveragingMs() {
            return Summary.of(completeRounds.stream().map(r -> (double) r.averagingMs()).toList()).median();
        }
    }

    @Override
    public Map<String, ResultTable> run(BenchContext context) throws Exception {
        BenchOptions o = context.options();
        Dataset dataset = QualityDatasets.resolve(o.scaleDataset, o.labelColumn);
        long size = o.scaleExamples != null ? Math.min(o.scaleExamples, dataset.size().orElse(Long.MAX_VALUE))
                : dataset.size().orElseThrow(() -> new IllegalArgumentException(dataset.name()
                        + " is an endless stream: give --scale-examples N"));
        if (size < 2L * o.window) {
            throw new IllegalArgumentException("scale: " + size + " examples is less than twice --window " + o.window);
        }
        BenchSpec spec = BenchSpec.load(o.scaleSpec);
        NetworkSpec network = spec.spec();
        QualityDatasets.requireFits(network, dataset);
        int maxReplicas = o.scaleReplicas.stream().mapToInt(Integer::intValue).max().orElse(1);
        String model = modelId(spec.name(), PARTITIONS, maxReplicas);
        List<Config> configs = configs(o.scaleReplicas, o.scaleAverageEvery);
        context.progress("scale: %s, %d examples, spec %s (batch %d), model id %s; %s", dataset.name(),
                size, spec.name(), spec.batchSize(), model,
                String.join(", ", configs.stream().map(Config::label).toList()));

        Encoded stream = encode(context.stack(), dataset, size, model);
        Map<Config, Path> specFiles = new LinkedHashMap<>();
        for (Config config : configs) {
            BenchSpec runSpec = config.single() ? spec
                    : spec.withParallel(config.replicas(), config.averageEvery(), o.scaleMaxWaitMs, o.scaleCombine,
                            o.scaleServerRate, o.scaleServerMomentum, o.scaleMaxStaleSteps);
            specFiles.put(config, runSpec.writeTo(context.work(), "scale-r" + config.replicas() + "-k"
                    + config.averageEvery()));
        }
        // a pass not counted: the first learner of this JVM ran far slower than the ones after it (JIT)
        int warmUp = (int) Math.min(size, WARM_UP_EXAMPLES);
        Run warm = measure(context, new Encoded(Arrays.copyOf(stream.values(), warmUp),
                Arrays.copyOf(stream.labels(), warmUp)), model, configs.get(0), specFiles.get(configs.get(0)), 0);
        context.progress("scale: warm-up, not counted: %d examples at %.0f examples/s", warmUp,
                warm.examplesPerSecond());
        for (Config config : configs) {
            long held = (long) config.replicas() * config.averageEvery() * spec.batchSize();
            if (!config.single() && held > o.scaleLead) {
                context.progress("scale: %s may hold %d examples while its rounds are open, more than --scale-lead "
                        + "%d: the producer will wait for predictions the rounds hold, and the replicas for examples",
                        config.label(), held, o.scaleLead);
            }
        }
        // run by run, each configuration in turn: a change in the machine's load falls on all of them alike
        Map<Config, List<Run>> runs = new LinkedHashMap<>();
        for (int r = 0; r < o.runs; r++) {
            for (Config config : configs) {
                Run run = measure(context, stream, model, config, specFiles.get(config), r + 1);
                runs.computeIfAbsent(config, k -> new ArrayList<>()).add(run);
                context.progress("scale %s run %d: %.0f examples/s, last %d %.2f%%, %d rounds, %.0f parameter "
                        + "bytes/example, placement %s", config.label(), r + 1, run.examplesPerSecond(), o.window,
                        100 * run.windowAccuracy(), run.rounds(), run.paramBytesPerExample(), run.placement());
            }
        }

        double[] cpu = roundCpu(network);
        context.progress("scale: a replica's round work %.2f ms, averaging %.2f ms per contribution (in-process, "
                + "%.0f parameters)", 1000 * cpu[0], 1000 * cpu[1], cpu[2]);
        double exampleBytes = Arrays.stream(stream.values()).mapToLong(v -> v.length).average().orElse(0);

        Map<String, ResultTable> tables = new LinkedHashMap<>();
        tables.put(name(), resultTable(runs, dataset.name(), size, o.window, spec.name(), spec.batchSize(),
                o.scaleLead, o.scaleCombine + ", serverRate: " + o.scaleServerRate + ", serverMomentum: "
                        + o.scaleServerMomentum + ", maxStaleSteps: " + o.scaleMaxStaleSteps,
                context.machine()));
        tables.put(name() + "-rounds", roundsTable(runs));
        List<Config> replicated = runs.keySet().stream().filter(c -> !c.single()).toList();
        Config single = runs.keySet().stream().filter(Config::single).findFirst().orElseThrow();
        if (!replicated.isEmpty()) {
            // the projection's per-round figures come from the most replicated run with the first K asked for
            int k = o.scaleAverageEvery.get(0);
            Config basis = replicated.stream().filter(c -> c.averageEvery() == k)
                    .max((a, b) -> Integer.compare(a.replicas(), b.replicas())).orElseThrow();
            double x = Summary.of(runs.get(single).stream().map(Run::examplesPerSecond).toList()).median();
            double p = Summary.of(runs.get(basis).stream().map(ScaleSuite::bytesPerCopy).toList()).median();
            double trip = Summary.of(runs.get(basis).stream().map(Run::medianAveragingMs).toList()).median() / 1000;
            ScaleProjection projection = new ScaleProjection(x, spec.batchSize(), basis.averageEvery(), p,
                    exampleBytes, cpu[0], cpu[1], Double.isNaN(trip) ? 0 : trip, o.scaleMaxStaleSteps);
            tables.put(name() + "-projection", projectionTable(projection, o.scaleProject, o.scaleLinks, basis,
                    context.machine()));
        }
        return tables;
    }

    /** The single learner, then each K and replica count. */
    static List<Config> configs(List<Integer> replicas, List<Integer> averageEvery) {
        List<Config> configs = new ArrayList<>();
        configs.add(new Config(1, 0));
        for (int k : averageEvery) {
            if (k < 1) {
                throw new IllegalArgumentException("--scale-average-every must be positive, was " + k);
            }
            for (int r : replicas) {
                if (r < 2 || r > PARTITIONS) {
                    throw new IllegalArgumentException("--scale-replicas takes 2 to " + PARTITIONS + " (the examples "
                            + "topic's partitions), not " + r);
                }
                configs.add(new Config(r, k));
            }
        }
        return configs;
    }

    /**
     * A model id whose shard keys {@code <model>#0 .. #(replicas-1)} go to different partitions of
     * {@code partitions}, shards 0 and 1 to partitions of different parity: so that each replica has a task, and
     * so an instance, of its own (Kafka Streams hands out the tasks of a sub-topology in partition order).
     */
    static String modelId(String base, int partitions, int replicas) {
        String stem = base.replaceAll("[^A-Za-z0-9-]", "-");
        for (int i = 0; i < 10_000; i++) {
            String model = i == 0 ? stem : stem + "-" + i;
            Set<Integer> used = new java.util.HashSet<>();
            boolean ok = true;
            for (int s = 0; s < replicas && ok; s++) {
                ok = used.add(partitionOf(ReplicaKey.shardKey(model, s), partitions));
            }
            if (ok && replicas >= 2) {
                ok = partitionOf(ReplicaKey.shardKey(model, 0), partitions) % 2
                        != partitionOf(ReplicaKey.shardKey(model, 1), partitions) % 2;
            }
            if (ok) {
                return model;
            }
        }
        throw new IllegalStateException("no model id found for " + replicas + " shards on " + partitions
                + " partitions");
    }

    /** The partition Kafka's producer picks for a String key. */
    static int partitionOf(String key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    /** Bytes of one copy of the parameters: the run's params and global bytes over the copies they carried. */
    static double bytesPerCopy(Run run) {
        // each complete round: one contribution per replica in, one average per replica back
        long bytes = 0;
        for (Round r : run.completeRounds()) {
            bytes += r.bytes();
        }
        long copies = 2L * run.replicas() * run.completeRounds().size();
        return copies == 0 ? Double.NaN : bytes / (double) copies;
    }

    // ---------------------------------------------------------------- one run

    private static Run measure(BenchContext context, Encoded stream, String model, Config config, Path specFile,
            int runNumber) throws Exception {
        long size = stream.values().length;
        BenchStack stack = context.stack();
        String prefix = "bench-scale-r" + config.replicas() + "-k" + config.averageEvery() + "-" + runNumber + "-"
                + UUID.randomUUID().toString().substring(0, 6);
        String examplesTopic = prefix + ".examples";
        stack.kafka().createTopic(examplesTopic, PARTITIONS);
        // the learner sizes the topics it creates by the examples topic: only once that is visible
        awaitTopic(stack, examplesTopic, PARTITIONS);
        try (ScaleInstances instances = ScaleInstances.start(stack, prefix, specFile, config.replicas(),
                examplesTopic, PARTITIONS, context.options().learnerSettings)) {
            // the learner creates its topics when it starts; the params and global topics only for replicas
            awaitTopic(stack, prefix + (config.single() ? ".predictions" : ".global"), PARTITIONS);
            List<Set<Integer>> placement = instances.placement(examplesTopic);
            int[] labels = stream.labels();
            int[] predicted = new int[(int) size];
            long[] predictedAt = new long[(int) size];
            try (Predictions predictions = new Predictions(stack, prefix + ".predictions", model, predicted,
                    predictedAt, instances)) {
                produce(stack, stream, examplesTopic, model, config.replicas(), context.options().scaleLead,
                        predictions);
                predictions.awaitAll();
            }
            int window = context.options().window;
            double rate = rate(predictedAt, 0);
            double accuracy = accuracy(predicted, labels, 0);
            double windowAccuracy = accuracy(predicted, labels, (int) size - window);
            long[] bytes = {0, 0};
            List<ParamsChunk> contributions = new ArrayList<>();
            List<Long> contributionBytes = new ArrayList<>();
            List<ParamsChunk> globals = new ArrayList<>();
            List<Long> globalBytes = new ArrayList<>();
            // a learner without replicas has no params or global topic
            if (!config.single()) {
                try (Serde<ParamsChunk> serde = ConfluentAvroSerde.specific(ParamsChunk.class,
                        stack.registryConfig(), false)) {
                    readAll(stack, prefix + ".params", (key, value) -> {
                        bytes[0] += value.length;
                        contributions.add(serde.deserializer().deserialize(prefix + ".params", value));
                        contributionBytes.add((long) value.length);
                    });
                    readAll(stack, prefix + ".global", (key, value) -> {
                        bytes[1] += value.length;
                        globals.add(serde.deserializer().deserialize(prefix + ".global", value));
                        globalBytes.add((long) value.length);
                    });
                }
            }
            Set<Long> versions = new java.util.TreeSet<>();
            readAll(stack, prefix + ".models", (key, value) -> {
                SnapshotKey k = SnapshotKey.parse(key);
                if (k != null && k.model().equals(model) && value != null) {
                    versions.add(k.version());
                }
            });
            long changelog = 0;
            for (String topic : changelogTopics(stack, instances.applicationId())) {
                long[] sum = {0};
                readAll(stack, topic, (key, value) -> sum[0] += value == null ? 0 : value.length);
                changelog += sum[0];
            }
            return new Run(config.replicas(), size, rate, accuracy, windowAccuracy,
                    config.single() ? 0 : versions.size(), bytes[0], bytes[1], changelog,
                    rounds(contributions, contributionBytes, globals, globalBytes),
                    placement(placement, model, config.replicas()));
        }
    }

    /** The stream of every run, encoded once: each example's record value (ids {@code e<n>}), and its label. */
    record Encoded(byte[][] values, int[] labels) {
    }

    /**
     * Encodes the first {@code size} examples as the learner reads them (Avro in the registry's wire format), once, so
     * that producing them during a run costs little CPU beside the learner's.
     */
    private static Encoded encode(BenchStack stack, Dataset dataset, long size, String model) {
        byte[][] values = new byte[(int) size][];
        int[] labels = new int[(int) size];
        List<String> classNames = dataset.classNames();
        Instant base = Instant.now();
        try (Serde<Example> serde = ConfluentAvroSerde.specific(Example.class, stack.registryConfig(), false);
                Stream<LabeledExample> stream = dataset.stream().limit(size)) {
            int i = 0;
            for (Iterator<LabeledExample> it = stream.iterator(); it.hasNext(); i++) {
                LabeledExample e = it.next();
                labels[i] = e.label();
                values[i] = serde.serializer().serialize("bench-scale.examples",
                        e.toAvro(model, "e" + i, base.plusMillis(i), classNames));
            }
        }
        return new Encoded(values, labels);
    }

    /**
     * Produces the stream keyed by shard. Closed loop: it stays at most {@code lead} examples ahead of the committed
     * predictions, so that the stream is live as the learner takes it and examples/s is the most a configuration
     * took. (On a backlog a round also takes longer: its records wait behind up to a fetch of examples.)
     */
    private static void produce(BenchStack stack, Encoded stream, String topic, String model, int replicas, int lead,
            Predictions predictions) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        AtomicReference<Exception> failure = new AtomicReference<>();
        byte[][] values = stream.values();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config, new StringSerializer(),
                new ByteArraySerializer())) {
            for (int i = 0; i < values.length && failure.get() == null; i++) {
                String id = "e" + i;
                producer.send(new ProducerRecord<>(topic, ReplicaKey.of(model, id, replicas), values[i]),
                        (meta, ex) -> {
                            if (ex != null) {
                                failure.compareAndSet(null, ex);
                            }
                        });
                if (i % 64 == 63) {
                    predictions.poll(0);
                    while (i + 1 - predictions.seen() > lead) {
                        predictions.poll(10);
                    }
                }
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("producing examples to " + topic + " failed: " + failure.get(),
                    failure.get());
        }
    }

    /** The committed predictions of a run, read as they come: each example's class and time. */
    private static final class Predictions implements AutoCloseable {

        private final String topic;
        private final String model;
        private final int[] predicted;
        private final long[] predictedAt;
        private final ScaleInstances instances;
        private final Serde<Prediction> serde;
        private final KafkaConsumer<String, byte[]> consumer;
        private final long deadline;
        private long seen;

        Predictions(BenchStack stack, String topic, String model, int[] predicted, long[] predictedAt,
                ScaleInstances instances) {
            this.topic = topic;
            this.model = model;
            this.predicted = predicted;
            this.predictedAt = predictedAt;
            this.instances = instances;
            Arrays.fill(predicted, -2);
            this.deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos() + predicted.length * 5_000_000L;
            this.serde = ConfluentAvroSerde.specific(Prediction.class, stack.registryConfig(), false);
            this.consumer = consumer(stack);
            List<TopicPartition> partitions = partitions(consumer, topic);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
        }

        long seen() {
            return seen;
        }

        void poll(long millis) {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(millis))) {
                Prediction p = serde.deserializer().deserialize(topic, r.value());
                if (!p.getModel().equals(model) || !p.getExampleId().startsWith("e")) {
                    continue;
                }
                int i = Integer.parseInt(p.getExampleId().substring(1));
                if (i < 0 || i >= predicted.length || predicted[i] != -2) {
                    continue;
                }
                predicted[i] = p.getPredictedClass() == null ? -1 : p.getPredictedClass();
                predictedAt[i] = p.getPredictedAt().toEpochMilli();
                seen++;
            }
            if (instances.failed()) {
                throw new IllegalStateException("an instance of " + instances.applicationId() + " failed after "
                        + seen + " of " + predicted.length + " predictions");
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + seen + " of " + predicted.length + " predictions came "
                        + "before the deadline");
            }
        }

        void awaitAll() {
            while (seen < predicted.length) {
                poll(200);
            }
        }

        @Override
        public void close() {
            consumer.close();
            serde.close();
        }
    }

    /**
     * Examples/s over the pass: from a tenth of the predictions (and not before {@code notBefore}) to the last, by the
     * predictions' own times; so that the start is not counted.
     */
    static double rate(long[] predictedAt, long notBefore) {
        long[] sorted = predictedAt.clone();
        Arrays.sort(sorted);
        long start = Math.max(notBefore, sorted[sorted.length / 10]);
        long end = sorted[sorted.length - 1];
        int from = Arrays.binarySearch(sorted, start);
        if (from < 0) {
            from = -from - 1;
        }
        while (from > 0 && sorted[from - 1] == start) {
            from--;
        }
        long counted = sorted.length - from;
        return end > start && counted > 1 ? counted / ((end - start) / 1000.0) : Double.NaN;
    }

    /** The share of examples from index {@code from} on whose prediction was their label. */
    static double accuracy(int[] predicted, int[] labels, int from) {
        long right = 0;
        long n = 0;
        for (int i = Math.max(0, from); i < labels.length; i++) {
            if (labels[i] < 0) {
                continue;
            }
            n++;
            right += predicted[i] == labels[i] ? 1 : 0;
        }
        return n == 0 ? Double.NaN : right / (double) n;
    }

    /**
     * The rounds that completed: the contributions to round {@code v} (those that carry global version
     * {@code v - 1}) and the averages of version {@code v} that went back, with their bytes and times.
     */
    static List<Round> rounds(List<ParamsChunk> contributions, List<Long> contributionBytes, List<ParamsChunk> globals,
            List<Long> globalBytes) {
        Map<Long, long[]> byRound = new TreeMap<>();
        // per round: first contribution, last contribution, first global, bytes, has parameters
        for (int i = 0; i < contributions.size(); i++) {
            ParamsChunk c = contributions.get(i);
            if (c.getKind() != ParamsKind.CONTRIBUTION) {
                continue;
            }
            long[] r = byRound.computeIfAbsent(c.getRound() + 1, v -> new long[] {Long.MAX_VALUE, 0, Long.MAX_VALUE,
                0, 0});
            long at = c.getSentAt().toEpochMilli();
            r[0] = Math.min(r[0], at);
            r[1] = Math.max(r[1], at);
            r[3] += contributionBytes.get(i);
        }
        for (int i = 0; i < globals.size(); i++) {
            ParamsChunk g = globals.get(i);
            // a GLOBAL carries its new version; a ROUND_OPEN the version before the round it opens
            long round = g.getKind() == ParamsKind.ROUND_OPEN ? g.getRound() + 1 : g.getRound();
            long[] r = byRound.computeIfAbsent(round, v -> new long[] {Long.MAX_VALUE, 0, Long.MAX_VALUE, 0, 0});
            r[3] += globalBytes.get(i);
            if (g.getKind() == ParamsKind.GLOBAL && g.getTotalFloats() > 0) {
                r[2] = Math.min(r[2], g.getSentAt().toEpochMilli());
                r[4] = 1;
            }
        }
        List<Round> rounds = new ArrayList<>();
        byRound.forEach((version, r) -> {
            if (r[4] == 1 && r[0] != Long.MAX_VALUE) {
                rounds.add(new Round(version, r[0], r[1], r[2], r[3]));
            }
        });
        return rounds;
    }

    /** Which shards each instance's tasks hold, e.g. {@code [0] [1] [2] [3]}; the single learner's is {@code [0]}. */
    static String placement(List<Set<Integer>> partitionsByInstance, String model, int replicas) {
        Map<Integer, Integer> shardOfPartition = new HashMap<>();
        for (int s = 0; s < replicas; s++) {
            shardOfPartition.put(partitionOf(replicas == 1 ? model : ReplicaKey.shardKey(model, s), PARTITIONS), s);
        }
        List<String> parts = new ArrayList<>();
        for (Set<Integer> partitions : partitionsByInstance) {
            List<Integer> shards = partitions.stream().filter(shardOfPartition::containsKey)
                    .map(shardOfPartition::get).sorted().toList();
            parts.add(shards.toString().replace(" ", ""));
        }
        return String.join(" ", parts);
    }

    // ---------------------------------------------------------------- reading topics back

    private static KafkaConsumer<String, byte[]> consumer(BenchStack stack) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 << 20);
        return new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
    }

    private static List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, String topic) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
        if (infos == null || infos.isEmpty()) {
            throw new IllegalStateException("no topic " + topic);
        }
        return infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
    }

    /** Every committed record of a topic, from the beginning to its end as it is now. */
    static void readAll(BenchStack stack, String topic, BiConsumer<String, byte[]> each) {
        try (KafkaConsumer<String, byte[]> consumer = consumer(stack)) {
            List<TopicPartition> partitions = partitions(consumer, topic);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    each.accept(r.key(), r.value());
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("cannot read " + topic + " to its end within 2 minutes");
                }
            }
        }
    }

    /** Waits until the broker lists {@code topic} with its {@code partitions}. */
    private static void awaitTopic(BenchStack stack, String topic, int partitions) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()))) {
            while (true) {
                if (admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(topic)
                        && admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic)
                                .partitions().size() == partitions) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the topic " + topic + " did not appear within 30 s");
                }
                Sleep.millis(100);
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot describe " + topic + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static List<String> changelogTopics(BenchStack stack, String applicationId) {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()))) {
            return admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
                    .filter(n -> n.startsWith(applicationId + "-") && n.endsWith("-changelog")).sorted().toList();
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot list the changelog topics of " + applicationId + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    // ---------------------------------------------------------------- costs measured without Kafka

    /**
     * The CPU of one round, in this JVM without Kafka, median of 21 after a warm-up: {@code [0]} a replica's (read
     * out its parameters, encode them as little-endian floats, decode an average of that size, add what it learned
     * since, set them), {@code [1]} the averaging step's per contribution (decode it and add it, weighted, to the
     * sum), in seconds; {@code [2]} the number of parameters.
     */
    static double[] roundCpu(NetworkSpec spec) {
        try (Learner learner = Learner.create(spec)) {
            float[] reference = learner.params();
            int n = reference.length;
            double[] sum = new double[n];
            List<Double> replica = new ArrayList<>();
            List<Double> average = new ArrayList<>();
            for (int rep = 0; rep < 26; rep++) {
                long t0 = System.nanoTime();
                float[] current = learner.params();
                ByteBuffer out = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
                out.asFloatBuffer().put(current);
                byte[] wire = out.array().clone();
                float[] global = new float[n];
                ByteBuffer.wrap(wire).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(global);
                for (int i = 0; i < n; i++) {
                    if (global[i] != reference[i]) {
                        current[i] = global[i] + (current[i] - reference[i]);
                    }
                }
                learner.setParams(current);
                long t1 = System.nanoTime();
                float[] contribution = new float[n];
                ByteBuffer.wrap(wire).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(contribution);
                double w = 0.25;
                for (int i = 0; i < n; i++) {
                    sum[i] += w * contribution[i];
                }
                long t2 = System.nanoTime();
                if (rep >= 5) {
                    replica.add((t1 - t0) / 1e9);
                    average.add((t2 - t1) / 1e9);
                }
            }
            return new double[] {Summary.of(replica).median(), Summary.of(average).median(), n};
        }
    }

    // ---------------------------------------------------------------- tables

    static ResultTable resultTable(Map<Config, List<Run>> runs, String dataset, long size, int window, String spec,
            int batch, int lead, String combine, Machine machine) {
        ResultTable table = new ResultTable("scale: one pass over " + dataset + " (" + size + " examples), "
                + "test-then-train, " + spec + " (batch " + batch + "); instances of one application, one stream "
                + "thread each",
                ResultTable.Column.text("configuration"),
                ResultTable.Column.number("instances", "%.0f"),
                ResultTable.Column.summary("examples/s", "%.0f"),
                ResultTable.Column.summary("last " + window + " %", "%.2f"),
                ResultTable.Column.summary("Δ vs single, pt", "%+.2f"),
                ResultTable.Column.summary("rounds", "%.0f"),
                ResultTable.Column.summary("param bytes/example", "%.0f"),
                ResultTable.Column.text("goal: within " + String.format(Locale.ROOT, "%.0f", GOAL_POINTS)
                        + " pt at 4 replicas"));
        List<Run> singleRuns = runs.entrySet().stream().filter(e -> e.getKey().single()).findFirst()
                .map(Map.Entry::getValue).orElseThrow();
        double reference = Summary.of(singleRuns.stream().map(r -> 100 * r.windowAccuracy()).toList()).median();
        for (Map.Entry<Config, List<Run>> e : runs.entrySet()) {
            Config c = e.getKey();
            List<Run> rs = e.getValue();
            Summary window100 = Summary.of(rs.stream().map(r -> 100 * r.windowAccuracy()).toList());
            Summary delta = Summary.of(rs.stream().map(r -> 100 * r.windowAccuracy() - reference).toList());
            String goal = c.single() ? "reference" : goal(delta.median());
            table.row(c.label(), c.replicas(),
                    Summary.of(rs.stream().map(Run::examplesPerSecond).toList()),
                    window100,
                    c.single() ? null : delta,
                    c.single() ? null : Summary.of(rs.stream().map(r -> (double) r.rounds()).toList()),
                    Summary.of(rs.stream().map(Run::paramBytesPerExample).toList()),
                    goal);
        }
        table.note(String.format(Locale.ROOT, "Measured on one machine of %d cores: the N instances share them and "
                + "the broker (in this JVM too), so examples/s cannot grow with N here as on a cluster. One "
                + "instance's stream thread leaves the other core to the broker and the producer; 2 instances can "
                + "use both; 4 only split them. What it shows is what replication costs in accuracy and bytes; "
                + "what a cluster would gain is in the projection.", machine.cpus()));
        table.note("Stream: produced live by a closed loop at most " + lead + " examples ahead of the committed "
                + "predictions, so examples/s is the most the configuration took. A replica holds the examples "
                + "that come while its round is open (maxStaleSteps 0), so the lead must cover R·K·B of them: "
                + "with 1000 at 4 replicas and K=16, the replicas waited for examples and took partial "
                + "mini-batches: about a point below one learner instead of half a point, and a fifth slower.");
        table.note("Runs: configuration after configuration within each run, after a single-learner pass of "
                + WARM_UP_EXAMPLES + " examples that is not counted (the JVM's first learners ran slower).");
        table.note("Examples/s: from the committed predictions' predictedAt, from a tenth of the predictions to the "
                + "last. Last " + window + ": the last " + window
                + " examples of the stream, predicted before trained on. Δ: points from the single learner's median.");
        table.note("Rounds: global versions of the model on the models topic. Param bytes/example: the record values "
                + "of <prefix>.params (contributions) and <prefix>.global (averages back) read from the topics, over "
                + "the examples of the pass (the snapshots on the models topic and the stores' changelogs not "
                + "counted here; see scale-rounds).");
        table.note("Replicated runs: the spec with parallel {replicas: R, averageEverySteps: K, combine: "
                + combine + "}; the stream keyed "
                + "ReplicaKey.of(model, id, R) into " + PARTITIONS + " partitions; R instances of one application "
                + "id, num.stream.threads=1, a state directory each. Single learner: the spec as it is, one "
                + "instance, the stream keyed by model id.");
        table.note("Machine: " + machine);
        return table;
    }

    /** Whether a difference in points is within the goal, in words. */
    static String goal(double deltaPoints) {
        if (Double.isNaN(deltaPoints)) {
            return "not measured";
        }
        return deltaPoints >= -GOAL_POINTS
                ? String.format(Locale.ROOT, "met (%+.2f pt)", deltaPoints)
                : String.format(Locale.ROOT, "missed by %.2f pt", -deltaPoints - GOAL_POINTS);
    }

    static ResultTable roundsTable(Map<Config, List<Run>> runs) {
        ResultTable table = new ResultTable("scale: what a round costs, from the records' sentAt and sizes",
                ResultTable.Column.text("configuration"),
                ResultTable.Column.summary("rounds", "%.0f"),
                ResultTable.Column.summary("bytes/round", "%.0f"),
                ResultTable.Column.summary("round ms", "%.0f"),
                ResultTable.Column.summary("averaging ms", "%.0f"),
                ResultTable.Column.summary("changelog bytes/example", "%.0f"),
                ResultTable.Column.text("shards by instance (first run)"));
        for (Map.Entry<Config, List<Run>> e : runs.entrySet()) {
            Config c = e.getKey();
            List<Run> rs = e.getValue();
            table.row(c.label(),
                    c.single() ? null : Summary.of(rs.stream().map(r -> (double) r.completeRounds().size()).toList()),
                    c.single() ? null : Summary.of(rs.stream().map(Run::medianRoundBytes).toList()),
                    c.single() ? null : Summary.of(rs.stream().map(Run::medianSpanMs).toList()),
                    c.single() ? null : Summary.of(rs.stream().map(Run::medianAveragingMs).toList()),
                    Summary.of(rs.stream().map(Run::changelogBytesPerExample).toList()),
                    rs.get(0).placement());
        }
        table.note("Per round, each figure the median over the run's complete rounds (a contribution from every "
                + "replica and the average back), then median [min–max] over runs. Bytes/round: its contributions "
                + "and averages (record values). Round ms: from its first contribution's sentAt to its average's "
                + "(waits for the slowest replica). Averaging ms: from its last contribution to its average (the "
                + "replica's commit, under exactly-once every commit.interval.ms, the transfer and the sum).");
        table.note("Changelog bytes/example: all the application's store changelogs (checkpoints; with replicas "
                + "also the reference parameters and the averaging step's contributions), over the examples.");
        table.note("Shards by instance: the replica shards whose partition each instance's task reads; a replica "
                + "with an instance of its own shows one shard per instance.");
        return table;
    }

    static ResultTable projectionTable(ScaleProjection p, List<Integer> instances, List<Double> linksMbit,
            Config basis, Machine machine) {
        ResultTable table = new ResultTable("scale: PROJECTED cluster, each instance on cores of its own (a "
                + "projection from the figures above, not a measurement)",
                ResultTable.Column.number("instances", "%.0f"),
                ResultTable.Column.number("link Mbit/s", "%.0f"),
                ResultTable.Column.number("projected examples/s", "%.0f"),
                ResultTable.Column.number("per instance", "%.0f"),
                ResultTable.Column.text("bound by"),
                ResultTable.Column.number("param bytes/example", "%.0f"),
                ResultTable.Column.number("rounds/s", "%.1f"),
                ResultTable.Column.number("steps/round", "%.0f"),
                ResultTable.Column.number("link use %", "%.0f"));
        for (int n : instances) {
            for (double mbit : linksMbit) {
                ScaleProjection.Point q = p.project(n, mbit * 1e6 / 8);
                table.row(n, mbit, q.rate(), q.rate() / n, q.bound(), q.paramBytesPerExample(),
                        n == 1 ? null : q.roundsPerSecond(), n == 1 ? null : q.stepsPerRound(),
                        100 * q.linkShare());
            }
        }
        table.note(String.format(Locale.ROOT, "Inputs, measured here: X = %.0f examples/s (the single learner's "
                + "median), B = %d, K = %d (as in the %s run), P = %.0f bytes per copy of the parameters (that run's "
                + "params and global bytes over its copies), S = %.0f bytes per example record, c = %.2f ms of a "
                + "replica's work per round and a = %.2f ms of averaging per contribution (in-process, without "
                + "Kafka), T0 = %.0f ms from a round's last contribution to its average (that run's median, on the "
                + "broker here), W = %d steps a replica takes while a round is open (maxStaleSteps).",
                p.singleRate(), p.batch(), p.averageEvery(), basis.label(), p.paramBytes(),
                p.exampleBytes(), 1000 * p.replicaRoundSeconds(), 1000 * p.averageSecondsPerContribution(),
                1000 * p.roundTripSeconds(), p.maxStaleSteps()));
        table.note("Formula: t = K·B / X seconds of training per round; compute = n·X·t / (t + c + n·a) (the "
                + "instance that also averages is the slowest and sets the pace); params per example p(n) = "
                + "(2n+1)·P / (n·K·B) (n contributions, n averages back, one snapshot); link = L / (S + p(n)) for a "
                + "single broker whose link carries L bytes/s in; projected = min(compute, link). A round takes at "
                + "least T(n) = T0 + (2n+1)·P / L. When W steps (w = W·B / X) take less than that, a replica waits "
                + "T(n) - w per round: a round is k = max(K, W) steps and comes every (k - W)·B / X + T(n) + c + n·a, "
                + "compute = n·k·B over that (W = 0, synchronous: t + T(n) + c + n·a). Otherwise the replicas never "
                + "wait; when K steps take less than T(n), rounds come every T(n) instead (steps/round above K), the "
                + "parameters take (2n+1)·P / T(n) bytes/s of the link and the examples the rest.");
        table.note("Assumptions: each instance runs as fast alone as the single learner here (same CPU, its own "
                + "cores); one broker, replication factor 1, its link the only network limit; a replica waits for a "
                + "round only as W says; store changelogs and the partition leaders' spread are left out. c leaves out the "
                + "stores' writes of the reference parameters and their changelog, so compute is an upper bound. T0 is "
                + "taken as measured here, where the averaging step shares a stream thread and 2 cores with training; "
                + "on a cluster it would likely be shorter, and the rounds more frequent. "
                + "Accuracy at a size not measured here is not projected.");
        table.note("Machine of the inputs: " + machine);
        return table;
    }
}
