package io.streamtrain.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;

import io.streamtrain.app.LearnerConfig;
import io.streamtrain.data.LabeledExample;
import io.streamtrain.data.SyntheticStream;
import io.streamtrain.snapshot.SnapshotException;
import io.streamtrain.snapshot.SnapshotReader;

/**
 * A serving replica ({@code streamtrain serve}) in this JVM, one instance with one stream thread: a learner trains
 * the spec until a snapshot is on the models topic and then idles, the replica loads it, and requests (unlabeled
 * examples) are sent to {@code <prefix>.requests}. Throughput: a burst sent as fast as the producer goes, requests
 * per second from the first send to the last prediction readable. Latency: request sent → prediction readable
 * (read_committed), at fixed offered loads, as the latency suite measures the learner.
 */
final class ServeSuite implements BenchSuite {

    private static final String MODEL = "bench";
    /** Requests of the throughput burst. */
    private static final int BURST = 20_000;
    /** The offered load of the burst: far above what one replica serves, so that it is sent at once. */
    private static final int AS_FAST_AS_POSSIBLE = 10_000_000;

    @Override
    public String name() {
        return "serve";
    }

    @Override
    public String description() {
        return "serving replica: requests per second and p50/p99 request → prediction readable, one instance, "
                + "batch 1 and micro-batched";
    }

    @Override
    public Map<String, ResultTable> run(BenchContext context) throws Exception {
        BenchOptions o = context.options();
        BenchSpec spec = BenchSpec.load(o.spec);
        Path specFile = spec.writeTo(context.work(), "serve");
        ResultTable table = new ResultTable("serve: one replica, " + spec.name() + " (exactly_once_v2, "
                + "commit.interval.ms 100)",
                ResultTable.Column.number("batch", "%.0f"),
                ResultTable.Column.text("load"),
                ResultTable.Column.number("offered req/s", "%.0f"),
                ResultTable.Column.summary("achieved req/s", "%.0f"),
                ResultTable.Column.summary("p50 ms", "%.1f"),
                ResultTable.Column.summary("p99 ms", "%.1f"),
                ResultTable.Column.summary("max ms", "%.0f"));
        Map<String, List<LatencySuite.LoadResult>> byLoad = new LinkedHashMap<>();
        for (int batch : o.serveBatches) {
            for (int run = 0; run < o.runs; run++) {
                for (LatencySuite.LoadResult r : runOnce(context, specFile, spec, run, batch)) {
                    byLoad.computeIfAbsent(batch + "@" + r.rate(), k -> new ArrayList<>()).add(r);
                    context.progress("serve batch %d run %d, %s: achieved %.0f req/s, p50 %.1f, p99 %.1f, max %.0f "
                            + "ms", batch, run + 1, r.rate() == AS_FAST_AS_POSSIBLE ? "burst" : r.rate() + " req/s",
                            r.achieved(), r.p50(), r.p99(), r.max());
                }
            }
        }
        byLoad.forEach((key, rs) -> {
            int rate = rs.get(0).rate();
            table.row(Integer.parseInt(key.substring(0, key.indexOf('@'))),
                    rate == AS_FAST_AS_POSSIBLE ? "burst of " + BURST : "fixed", rate == AS_FAST_AS_POSSIBLE
                            ? Double.NaN : rate, Summary.of(rs.stream().map(LatencySuite.LoadResult::achieved).toList()),
                    Summary.of(rs.stream().map(LatencySuite.LoadResult::p50).toList()),
                    Summary.of(rs.stream().map(LatencySuite.LoadResult::p99).toList()),
                    Summary.of(rs.stream().map(LatencySuite.LoadResult::max).toList()));
        });
        table.note(String.format("Fixed loads: %.1f s warm-up, then %.1f s measured, in increasing order; the burst "
                + "first. Batch: streamtrain.serve.batch.max (1: each request predicted at once; above: a model's "
                + "requests wait up to streamtrain.serve.batch.wait.ms, 5 ms, for a micro-batch, kept in a "
                + "changelogged store meanwhile). A fresh learner and replica per batch size and run.",
                o.latencySeconds / 3, o.latencySeconds));
        table.note("Requests: unlabeled examples of the spec's synthetic stream, sent by an idempotent producer "
                + "(linger.ms=0, acks=all); predictions read read_committed. The learner that made the snapshot "
                + "idles meanwhile in the same JVM.");
        table.note("Machine: " + context.machine());
        return Map.of(name(), table);
    }

    private List<LatencySuite.LoadResult> runOnce(BenchContext context, Path specFile, BenchSpec spec, int run,
            int batch) {
        BenchOptions o = context.options();
        BenchStack stack = context.stack();
        String prefix = "bench-serve-b" + batch + "-r" + (run + 1) + "-" + UUID.randomUUID().toString().substring(0, 6);
        stack.kafka().createTopic(prefix + ".examples", 1);
        stack.kafka().createTopic(prefix + ".requests", 1);
        SyntheticStream stream = new SyntheticStream(LimitSuite.SEED, spec.spec().inputSize(), 0.0);
        Iterator<LabeledExample> examples = stream.generator();
        List<LatencySuite.Phase> phases = new ArrayList<>();
        phases.add(new LatencySuite.Phase(AS_FAST_AS_POSSIBLE, 0, BURST));
        for (int rate : o.rates) {
            phases.add(new LatencySuite.Phase(rate, (int) Math.round(rate * o.latencySeconds / 3),
                    (int) Math.round(rate * o.latencySeconds)));
        }
        try (InProcessLearner learner = InProcessLearner.start(stack, prefix, specFile, o.learnerSettings,
                Map.of(LearnerConfig.SNAPSHOT_EVERY_STEPS, "20"))) {
            train(context, stack, prefix, spec, examples, stream);
            Map<String, String> replicaSettings = new LinkedHashMap<>(o.learnerSettings);
            replicaSettings.put(LearnerConfig.SERVE_BATCH_MAX, Integer.toString(batch));
            try (InProcessLearner replica = InProcessLearner.serve(stack, prefix, specFile, replicaSettings);
                 ExampleProducer producer = ExampleProducer.lowLatency(stack, prefix + ".requests", MODEL,
                         stream.classNames());
                 LatencySuite.PredictionReader reader = new LatencySuite.PredictionReader(stack, prefix + ".served",
                         phases)) {
                reader.start();
                // the first requests load the snapshot and warm the JIT; not counted
                for (int i = 0; i < 2000; i++) {
                    producer.send(unlabeled(examples.next()), "warm-" + i, Instant.now());
                }
                producer.flush();
                List<LatencySuite.LoadResult> results = new ArrayList<>();
                for (int p = 0; p < phases.size(); p++) {
                    LatencySuite.Phase phase = phases.get(p);
                    LatencySuite.send(producer, new UnlabeledIterator(examples), phase, p);
                    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                    while (phase.received.get() < phase.total() && System.nanoTime() < deadline) {
                        reader.throwFailure();
                        if (replica.failed()) {
                            throw new IllegalStateException("the serving replica failed in " + prefix);
                        }
                        Sleep.millis(20);
                    }
                    results.add(phase.result());
                }
                return results;
            }
        }
    }

    /** Trains the learner until the models topic has a snapshot of its model. */
    private static void train(BenchContext context, BenchStack stack, String prefix, BenchSpec spec,
            Iterator<LabeledExample> examples, SyntheticStream stream) {
        int count = 25 * spec.batchSize();
        try (ExampleProducer producer = ExampleProducer.bulk(stack, prefix + ".examples", MODEL,
                stream.classNames())) {
            for (int i = 0; i < count; i++) {
                producer.send(examples.next(), "train-" + i, Instant.now());
            }
            producer.flush();
        }
        SnapshotReader reader = new SnapshotReader(Map.of("bootstrap.servers", stack.bootstrapServers()),
                stack.registryConfig(), prefix + ".models", Duration.ofSeconds(30));
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (true) {
            try {
                long version = reader.fetch(MODEL, OptionalLong.empty()).description().getVersion();
                context.progress("serve %s: the learner published version %d", prefix, version);
                return;
            } catch (SnapshotException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("no snapshot of the learner of " + prefix + " within 2 min: "
                            + e.getMessage(), e);
                }
                Sleep.millis(200);
            }
        }
    }

    private static LabeledExample unlabeled(LabeledExample e) {
        return new LabeledExample(e.features(), LabeledExample.UNLABELED);
    }

    /** The stream's examples without their labels: requests to predict. */
    private record UnlabeledIterator(Iterator<LabeledExample> examples) implements Iterator<LabeledExample> {
        @Override
        public boolean hasNext() {
            return examples.hasNext();
        }

        @Override
        public LabeledExample next() {
            return unlabeled(examples.next());
        }
    }
}
