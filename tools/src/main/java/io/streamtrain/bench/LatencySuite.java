package io.streamtrain.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import io.streamtrain.avro.Prediction;
import io.streamtrain.data.LabeledExample;
import io.streamtrain.data.SyntheticStream;
import io.streamtrain.registry.ConfluentAvroSerde;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Latency from an event being produced to its prediction being readable: a producer in this JVM sends examples at a
 * fixed rate (the send call is the moment of production), a read_committed consumer in this JVM reads the predictions
 * topic, and each prediction's latency is the time between the two, on the same monotonic clock. For each processing
 * guarantee and commit interval a fresh learner runs; it goes through the loads in increasing order, each with a
 * warm-up that is not counted.
 */
final class LatencySuite implements BenchSuite {

    private static final String MODEL = "bench";

    @Override
    public String name() {
        return "latency";
    }

    @Override
    public String description() {
        return "event produced → prediction readable, p50/p95/p99, at fixed offered loads";
    }

    @Override
    public Map<String, ResultTable> run(BenchContext context) throws Exception {
        BenchOptions o = context.options();
        BenchSpec base = BenchSpec.load(o.spec);
        int batch = o.latencyBatch != null ? o.latencyBatch : base.batchSize();
        BenchSpec spec = base.withBatch(batch);
        Path specFile = spec.writeTo(context.work(), "latency-b" + batch);
        ResultTable table = new ResultTable("latency: produced → prediction readable (ms), " + base.name()
                + ", batch " + batch,
                ResultTable.Column.text("guarantee"),
                ResultTable.Column.number("commit ms", "%.0f"),
                ResultTable.Column.number("offered ev/s", "%.0f"),
                ResultTable.Column.summary("achieved ev/s", "%.0f"),
                ResultTable.Column.summary("p50", "%.1f"),
                ResultTable.Column.summary("p95", "%.1f"),
                ResultTable.Column.summary("p99", "%.1f"),
                ResultTable.Column.summary("max", "%.0f"),
                ResultTable.Column.text("target p99 ≤ commit + 20"));
        Map<String, Profile.Report> profiles = new LinkedHashMap<>();
        for (String guarantee : o.guarantees) {
            for (long commitMs : o.commitIntervals) {
                Map<Integer, List<LoadResult>> byRate = new LinkedHashMap<>();
                for (int run = 0; run < o.runs; run++) {
                    List<LoadResult> results = runLearner(context, specFile, guarantee, commitMs, run, profiles);
                    for (LoadResult r : results) {
                        byRate.computeIfAbsent(r.rate(), k -> new ArrayList<>()).add(r);
                        context.progress("latency %s commit %d ms run %d at %d ev/s: p50 %.1f, p95 %.1f, p99 %.1f ms,"
                                + " max %.0f ms, achieved %.0f ev/s", guarantee, commitMs, run + 1, r.rate(), r.p50(),
                                r.p95(), r.p99(), r.max(), r.achieved());
                    }
                }
                for (Map.Entry<Integer, List<LoadResult>> e : byRate.entrySet()) {
                    List<LoadResult> rs = e.getValue();
                    Summary p99 = Summary.of(rs.stream().map(LoadResult::p99).toList());
                    String target = "";
                    if (e.getKey() == 2000) {
                        double limit = commitMs + 20;
                        target = p99.median() <= limit ? "met"
                                : String.format("%.0f ms over", p99.median() - limit);
                    }
                    table.row(guarantee, commitMs, e.getKey(),
                            Summary.of(rs.stream().map(LoadResult::achieved).toList()),
                            Summary.of(rs.stream().map(LoadResult::p50).toList()),
                            Summary.of(rs.stream().map(LoadResult::p95).toList()), p99,
                            Summary.of(rs.stream().map(LoadResult::max).toList()), target);
                }
            }
        }
        double warmup = o.latencySeconds / 3;
        table.note(String.format("Each load: %.1f s warm-up, then %.1f s measured; the learner goes through the loads "
                + "in increasing order. Achieved: predictions of measured events per second of sending; below the "
                + "offered load the learner fell behind and latency grows with the run.", warmup, o.latencySeconds));
        table.note("Producer: linger.ms=0, acks=all, idempotent. Consumer: read_committed, default fetch settings. "
                + "The learner runs with the settings of streamtrain run (its producer's linger.ms is 5 ms) apart "
                + "from processing.guarantee and commit.interval.ms"
                + (o.learnerSettings.isEmpty() ? "" : ", and " + o.learnerSettings) + ".");
        table.note("Target applies at 2000 ev/s only.");
        table.note("Machine: " + context.machine());
        profiles.forEach((label, report) -> table.note("Profile of " + label + ": " + report.headline()));
        Map<String, ResultTable> tables = new LinkedHashMap<>();
        tables.put(name(), table);
        profiles.forEach((label, report) -> tables.put(name() + "-profile-" + label,
                report.table("where the time goes: latency " + label, 25)));
        return tables;
    }

    /** One load's figures, in milliseconds. */
    record LoadResult(int rate, double achieved, double p50, double p95, double p99, double max) {
    }

    /**
     * Runs a fresh learner through the loads.
     *
     * @param profiles where the profile of each load of the first run goes, with {@code --profile}
     */
    private List<LoadResult> runLearner(BenchContext context, Path specFile, String guarantee, long commitMs,
            int run, Map<String, Profile.Report> profiles) {
        BenchOptions o = context.options();
        BenchStack stack = context.stack();
        String prefix = "bench-lat-" + guarantee.replace('_', '-') + "-c" + commitMs + "-r" + (run + 1) + "-"
                + UUID.randomUUID().toString().substring(0, 6);
        stack.kafka().createTopic(prefix + ".examples", 1);
        SyntheticStream stream = new SyntheticStream(LimitSuite.SEED, BenchSpec.load(o.spec).spec().inputSize(),
                LimitSuite.UNLABELED);
        Iterator<LabeledExample> examples = stream.generator();
        List<Phase> phases = new ArrayList<>();
        for (int rate : o.rates) {
            int warm = (int) Math.round(rate * o.latencySeconds / 3);
            int measured = (int) Math.round(rate * o.latencySeconds);
            phases.add(new Phase(rate, warm, measured));
        }
        try (InProcessLearner learner = InProcessLearner.start(stack, prefix, specFile, o.learnerSettings, Map.of(
                "processing.guarantee", guarantee, "commit.interval.ms", Long.toString(commitMs)));
                ExampleProducer producer = ExampleProducer.lowLatency(stack, prefix + ".examples", MODEL,
                        stream.classNames());
                PredictionReader reader = new PredictionReader(stack, prefix + ".predictions", phases)) {
            reader.start();
            prime(learner, producer, examples, specBatch(specFile), prefix);
            List<LoadResult> results = new ArrayList<>();
            for (int p = 0; p < phases.size(); p++) {
                Phase phase = phases.get(p);
                String label = guarantee + "-c" + commitMs + "-" + phase.rate;
                Profile profile = o.profile && run == 0 ? Profile.start() : null;
                send(producer, examples, phase, p);
                long drainDeadline = System.nanoTime() + Duration.ofSeconds(30).toNanos() + commitMs * 3_000_000L;
                while (phase.received.get() < phase.total() && System.nanoTime() < drainDeadline) {
                    reader.throwFailure();
                    if (learner.failed()) {
                        throw new IllegalStateException("the learner failed during latency run " + prefix);
                    }
                    Sleep.millis(20);
                }
                if (profile != null) {
                    Profile.Report report = profile.stop(o.out.resolve("profiles").resolve("latency-" + label
                            + ".jfr"));
                    profiles.put(label, report);
                    context.out().println(report.table("where the time goes: latency " + label, 12).toText());
                }
                results.add(phase.result());
            }
            return results;
        }
    }

    /**
     * Gets the learner past its first-example costs (loading ND4J's natives, building the network, JIT) before any
     * load is timed: sends some batches' worth of examples and waits until they are predicted.
     */
    private static void prime(InProcessLearner learner, ExampleProducer producer, Iterator<LabeledExample> examples,
            int batch, String prefix) {
        int count = Math.max(1000, 20 * batch);
        for (int i = 0; i < count; i++) {
            producer.send(examples.next(), "warm-" + i, Instant.now());
        }
        producer.flush();
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (learner.examplesPredicted() < count) {
            if (learner.failed() || System.nanoTime() > deadline) {
                throw new IllegalStateException("the learner of " + prefix + " did not predict " + count
                        + " warm-up examples within 2 minutes");
            }
            Sleep.millis(20);
        }
    }

    private static int specBatch(Path specFile) {
        return BenchSpec.load(specFile.toString()).batchSize();
    }

    /** Sends a phase's events at its rate; records when each was sent. */
    static void send(ExampleProducer producer, Iterator<LabeledExample> examples, Phase phase, int index) {
        long start = System.nanoTime();
        double perNano = phase.rate / 1e9;
        int total = phase.total();
        int sent = 0;
        while (sent < total) {
            long due = Math.min(total, (long) ((System.nanoTime() - start) * perNano) + 1);
            while (sent < due) {
                phase.sentNanos[sent] = System.nanoTime();
                producer.send(examples.next(), index + "-" + sent, Instant.now());
                sent++;
            }
            LockSupport.parkNanos(200_000);
        }
        producer.flush();
        phase.sendEnd = System.nanoTime();
    }

    /** The events of one load: when each was sent and how long its prediction took. */
    static final class Phase {
        final int rate;
        final int warmup;
        final int measured;
        final long[] sentNanos;
        final long[] latencyNanos;
        final AtomicInteger received = new AtomicInteger();
        volatile long sendEnd;
        private long lastReceived;

        Phase(int rate, int warmup, int measured) {
            this.rate = rate;
            this.warmup = warmup;
            this.measured = measured;
            this.sentNanos = new long[warmup + measured];
            this.latencyNanos = new long[warmup + measured];
        }

        int total() {
            return warmup + measured;
        }

        /** Called by the reader thread for each prediction. */
        void arrived(int seq, long now) {
            if (seq < 0 || seq >= sentNanos.length || latencyNanos[seq] != 0) {
                return;
            }
            latencyNanos[seq] = Math.max(1, now - sentNanos[seq]);
            lastReceived = Math.max(lastReceived, now);
            received.incrementAndGet();
        }

        LoadResult result() {
            long[] measuredLatencies = new long[measured];
            int n = 0;
            for (int i = warmup; i < total(); i++) {
                if (latencyNanos[i] != 0) {
                    measuredLatencies[n++] = latencyNanos[i];
                }
            }
            if (n == 0) {
                return new LoadResult(rate, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
            }
            Percentiles p = Percentiles.of(measuredLatencies, n);
            double seconds = (Math.max(lastReceived, sentNanos[total() - 1]) - sentNanos[warmup]) / 1e9;
            double achieved = n / Math.max(seconds, 1e-9);
            return new LoadResult(rate, Math.min(achieved, rate * 1.0), p.percentile(50) / 1e6,
                    p.percentile(95) / 1e6, p.percentile(99) / 1e6, p.max() / 1e6);
        }
    }

    /** Reads a predictions topic from the start, read_committed, and times each prediction's arrival. */
    static final class PredictionReader extends Thread implements AutoCloseable {
        private final KafkaConsumer<String, Prediction> consumer;
        private final Serde<Prediction> serde;
        private final List<Phase> phases;
        private final AtomicReference<Exception> failure = new AtomicReference<>();
        private volatile boolean running = true;

        PredictionReader(BenchStack stack, String topic, List<Phase> phases) {
            super("bench-prediction-reader");
            setDaemon(true);
            this.phases = phases;
            this.serde = ConfluentAvroSerde.specific(Prediction.class, stack.registryConfig(), false);
            this.consumer = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                    new StringDeserializer(), serde.deserializer());
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
        }

        @Override
        public void run() {
            try {
                while (running) {
                    for (ConsumerRecord<String, Prediction> r : consumer.poll(Duration.ofMillis(100))) {
                        long now = System.nanoTime();
                        String id = r.value().getExampleId();
                        if (id.startsWith("warm-")) {
                            continue;
                        }
                        int dash = id.indexOf('-');
                        int phase = Integer.parseInt(id, 0, dash, 10);
                        int seq = Integer.parseInt(id, dash + 1, id.length(), 10);
                        phases.get(phase).arrived(seq, now);
                    }
                }
            } catch (RuntimeException e) {
                if (running) {
                    failure.set(e);
                }
            } finally {
                consumer.close();
                serde.close();
            }
        }

        void throwFailure() {
            Exception e = failure.get();
            if (e != null) {
                throw new IllegalStateException("reading the predictions failed: " + e.getMessage(), e);
            }
        }

        @Override
        public void close() {
            running = false;
            consumer.wakeup();
            try {
                join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
