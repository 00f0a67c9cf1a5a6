package io.streamtrain.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.streamtrain.data.LabeledExample;
import io.streamtrain.data.SyntheticStream;
import io.streamtrain.learn.Learner;
import io.streamtrain.learn.NetworkSpec;

/**
 * The DL4J limit: test-then-train examples per second of one {@link Learner} in this JVM, no Kafka, at each batch
 * size, on the synthetic separable stream (10% unlabeled, as in the pipeline suite).
 */
final class LimitSuite implements BenchSuite {

    /** Seed, features' fraction without label: the stream every throughput suite uses. */
    static final long SEED = 42;
    static final double UNLABELED = 0.1;
    private static final int POOL = 65_536;

    @Override
    public String name() {
        return "limit";
    }

    @Override
    public String description() {
        return "raw DL4J test-then-train examples/s, in-process, no Kafka";
    }

    @Override
    public Map<String, ResultTable> run(BenchContext context) {
        BenchOptions o = context.options();
        BenchSpec base = BenchSpec.load(o.spec);
        ResultTable table = new ResultTable("limit: DL4J test-then-train, " + base.name() + ", no Kafka",
                ResultTable.Column.number("batch", "%.0f"),
                ResultTable.Column.summary("examples/s", "%.0f"),
                ResultTable.Column.summary("µs/example", "%.1f"));
        for (int batch : o.batchSizes) {
            NetworkSpec spec = base.withBatch(batch).spec();
            List<Double> rates = new ArrayList<>();
            for (int run = 0; run < o.runs; run++) {
                double rate = measure(spec, batch, o.seconds);
                rates.add(rate);
                context.progress("limit batch %d run %d: %.0f examples/s", batch, run + 1, rate);
            }
            Summary s = Summary.of(rates);
            table.row(batch, s, new Summary(1e6 / s.median(), 1e6 / s.max(), 1e6 / s.min(), s.runs()));
        }
        table.note(String.format(Locale.ROOT, "Each run: a fresh network, %.1f s warm-up, then %.1f s measured; "
                + "predict the batch, score it, fit its labeled examples (10%% are unlabeled).",
                warmupSeconds(o.seconds), o.seconds));
        table.note("Machine: " + context.machine());
        Map<String, ResultTable> tables = new LinkedHashMap<>();
        tables.put(name(), table);
        return tables;
    }

    private static double warmupSeconds(double seconds) {
        return Math.min(2, Math.max(0.5, seconds / 3));
    }

    /** Examples test-then-trained per second by a fresh learner, measured after a warm-up. */
    static double measure(NetworkSpec spec, int batch, double seconds) {
        List<LabeledExample> pool = pool(spec.inputSize());
        try (Learner learner = Learner.create(spec)) {
            PrequentialRun run = new PrequentialRun(learner, batch, 1);
            int next = 0;
            long warmupEnd = System.nanoTime() + (long) (warmupSeconds(seconds) * 1e9);
            while (System.nanoTime() < warmupEnd) {
                run.add(pool.get(next));
                next = (next + 1) % POOL;
            }
            run.flush();
            long startExamples = run.examples();
            long start = System.nanoTime();
            long end = start + (long) (seconds * 1e9);
            long now;
            do {
                for (int i = 0; i < batch; i++) {
                    run.add(pool.get(next));
                    next = (next + 1) % POOL;
                }
                now = System.nanoTime();
            } while (now < end);
            return (run.examples() - startExamples) / ((now - start) / 1e9);
        }
    }

    private static List<LabeledExample> pool(int features) {
        return new SyntheticStream(SEED, features, UNLABELED).stream().limit(POOL).toList();
    }
}
