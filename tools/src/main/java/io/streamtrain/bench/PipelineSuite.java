package io.streamtrain.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

import io.streamtrain.data.SyntheticStream;
import io.streamtrain.learn.NetworkSpec;

/**
 * Examples per second through the real broker and the learner: a backlog of examples is produced first, the learner
 * started, and the clock runs from when it has predicted a tenth of them until it has predicted them all (its own
 * {@code examples-total} metric), so that start-up is not counted. For each batch size and run the limit suite's
 * measurement is taken just before, in the same JVM, and the ratio is pipeline / limit. A second table measures Kafka
 * Streams alone on such a backlog ({@link StreamsCeiling}) and the bound it sets on the ratio.
 */
final class PipelineSuite implements BenchSuite {

    private static final String MODEL = "bench";

    @Override
    public String name() {
        return "pipeline";
    }

    @Override
    public String description() {
        return "examples/s through the broker and the learner, and its ratio to the DL4J limit";
    }

    @Override
    public Map<String, ResultTable> run(BenchContext context) throws Exception {
        BenchOptions o = context.options();
        List<BenchSpec> specs = new ArrayList<>();
        for (String spec : o.pipelineSpecs) {
            specs.add(BenchSpec.load(spec));
        }
        ResultTable table = new ResultTable("pipeline: broker + learner, "
                + String.join(" and ", specs.stream().map(BenchSpec::name).toList()),
                ResultTable.Column.text("spec"),
                ResultTable.Column.text("guarantee"),
                ResultTable.Column.number("batch", "%.0f"),
                ResultTable.Column.summary("pipeline ex/s", "%.0f"),
                ResultTable.Column.summary("limit ex/s", "%.0f"),
                ResultTable.Column.summary("ratio", "%.2f"),
                ResultTable.Column.text("target ≥ 0.9"));
        ResultTable ceiling = new ResultTable("pipeline: Kafka Streams alone, without the learner's work",
                ResultTable.Column.text("spec"),
                ResultTable.Column.text("guarantee"),
                ResultTable.Column.summary("Streams alone ex/s", "%.0f"),
                ResultTable.Column.text("bound on the ratio, by batch: C / (C + limit)"));
        Map<String, Profile.Report> profiles = new LinkedHashMap<>();
        List<String> profileNotes = new ArrayList<>();
        Map<BenchSpec, Map<String, Double>> limits = new LinkedHashMap<>();
        for (BenchSpec base : specs) {
            limits.put(base, measureSpec(context, base, table, profiles, profileNotes));
        }
        // after every pipeline run: its backlogs (200 MB each) and their deletion do not weigh on the learner's runs
        limits.forEach((base, limit) -> measureCeiling(context, base, limit, ceiling));
        table.note("Ratio: each run's pipeline figure over the limit measured just before it in the same JVM; the "
                + "broker runs in this JVM too and shares the CPUs.");
        table.note("Backlog: about " + o.seconds + " s of examples at the limit's rate (at most " + o.maxBacklog
                + "), produced before the learner starts; timed from 10% to 100% predicted.");
        table.note("Learner: the settings of streamtrain run (commit.interval.ms=100, no cache)"
                + (o.learnerSettings.isEmpty() ? "" : " with " + o.learnerSettings)
                + ", one partition, one model, 10% unlabeled examples.");
        profileNotes.forEach(table::note);
        table.note("Machine: " + context.machine());
        ceiling.note("Streams alone: the same kind of backlog read by a Kafka Streams application with the learner's "
                + "Kafka Streams settings (and --learner's), which puts each example's bytes into a slot of a "
                + "changelogged store and writes one record of " + StreamsCeiling.OUTPUT_BYTES + " bytes per "
                + "example, and nothing else: no decoding, no checks, no network; timed from 10% to 100% processed.");
        ceiling.note("Bound: the stream thread does Kafka Streams' work and DL4J's one after the other, so a "
                + "pipeline's ratio to the limit L is at most C / (C + L) for this C (each with its median); 0.9 "
                + "needs C ≥ 9 L.");
        ceiling.note("Machine: " + context.machine());
        Map<String, ResultTable> tables = new LinkedHashMap<>();
        tables.put(name(), table);
        tables.put(name() + "-ceiling", ceiling);
        profiles.forEach((label, report) -> tables.put(name() + "-profile-" + label,
                report.table("where the time goes: pipeline " + label, 25)));
        return tables;
    }

    /**
     * The rows of one spec: each guarantee and batch size, {@code --runs} times. Returns the limit's median by
     * guarantee and batch size ({@code guarantee/batch}).
     */
    private static Map<String, Double> measureSpec(BenchContext context, BenchSpec base, ResultTable table,
            Map<String, Profile.Report> profiles, List<String> profileNotes) {
        BenchOptions o = context.options();
        Map<String, Double> limits = new LinkedHashMap<>();
        for (String guarantee : o.guarantees) {
            for (int batch : o.batchSizes) {
                BenchSpec spec = base.withBatch(batch);
                Path specFile = spec.writeTo(context.work(), "pipeline-" + base.name() + "-b" + batch);
                NetworkSpec network = spec.spec();
                List<Double> pipeline = new ArrayList<>();
                List<Double> limit = new ArrayList<>();
                List<Double> ratio = new ArrayList<>();
                for (int run = 0; run < o.runs; run++) {
                    double l = LimitSuite.measure(network, batch, o.seconds);
                    long backlog = backlog(l, o.seconds, o.maxBacklog, batch);
                    String label = base.name() + "-" + guarantee + "-b" + batch + "-r" + (run + 1);
                    Path recording = o.profile && run == 0
                            ? o.out.resolve("profiles").resolve("pipeline-" + label + ".jfr") : null;
                    Result result = measure(context, network, specFile, guarantee, backlog, label, recording);
                    double p = result.examplesPerSecond();
                    if (result.profile() != null) {
                        profiles.put(label, result.profile());
                        context.out().println(result.profile().table("where the time goes: pipeline " + label, 12)
                                .toText());
                        profileNotes.add("Profile of " + label + ": " + result.profile().headline());
                    }
                    limit.add(l);
                    pipeline.add(p);
                    ratio.add(p / l);
                    context.progress("pipeline %s %s batch %d run %d: %.0f examples/s (%d examples), limit %.0f, "
                            + "ratio %.2f", base.name(), guarantee, batch, run + 1, p, backlog, l, p / l);
                }
                limits.put(guarantee + "/" + batch, Summary.of(limit).median());
                Summary r = Summary.of(ratio);
                table.row(base.name(), guarantee, batch, Summary.of(pipeline), Summary.of(limit), r,
                        r.median() >= 0.9 ? "met" : String.format("%.0f%% short", (0.9 - r.median()) / 0.9 * 100));
            }
        }
        return limits;
    }

    /** Kafka Streams alone on a backlog of the spec's examples, under each guarantee, {@code --runs} times. */
    private static void measureCeiling(BenchContext context, BenchSpec base, Map<String, Double> limits,
            ResultTable table) {
        BenchOptions o = context.options();
        NetworkSpec network = base.spec();
        // about 200 MB of examples, at most --max-backlog
        long backlog = Math.max(2000, Math.min(o.maxBacklog, 200_000_000L / (4L * network.inputSize() + 64)));
        for (String guarantee : o.guarantees) {
            List<Double> rates = new ArrayList<>();
            for (int run = 0; run < o.runs; run++) {
                String label = base.name() + "-" + guarantee + "-r" + (run + 1);
                double rate = ceiling(context, network, guarantee, backlog, label);
                rates.add(rate);
                context.progress("pipeline ceiling %s %s run %d: %.0f examples/s (%d examples)", base.name(),
                        guarantee, run + 1, rate, backlog);
            }
            Summary c = Summary.of(rates);
            List<String> bounds = new ArrayList<>();
            for (int batch : o.batchSizes) {
                Double limit = limits.get(guarantee + "/" + batch);
                if (limit != null) {
                    bounds.add(String.format("b%d %.2f", batch, serialBound(c.median(), limit)));
                }
            }
            table.row(base.name(), guarantee, c, String.join(", ", bounds));
        }
    }

    /**
     * The best ratio to the limit a pipeline can reach when one thread does Kafka Streams' work (at {@code ceiling}
     * examples/s alone) and DL4J's (at {@code limit}) one after the other: 1 / (1/C + 1/L) over L.
     */
    static double serialBound(double ceiling, double limit) {
        return ceiling / (ceiling + limit);
    }

    /** Examples per second Kafka Streams alone processes from a backlog ({@link StreamsCeiling}). */
    private static double ceiling(BenchContext context, NetworkSpec network, String guarantee, long backlog,
            String label) {
        BenchStack stack = context.stack();
        String prefix = "bench-ceiling-" + label.replace('_', '-') + "-" + UUID.randomUUID().toString().substring(0, 6);
        String topic = prefix + ".examples";
        stack.kafka().createTopic(topic, 1);
        SyntheticStream stream = new SyntheticStream(LimitSuite.SEED, network.inputSize(), LimitSuite.UNLABELED);
        try (ExampleProducer producer = ExampleProducer.bulk(stack, topic, MODEL, stream.classNames())) {
            producer.sendAll(stream.generator(), backlog, "e");
        }
        try (StreamsCeiling app = new StreamsCeiling(stack, topic, prefix, context.options().learnerSettings,
                guarantee)) {
            return timed("ceiling run " + label, backlog, app::processed, app::failed, () -> { });
        }
    }

    /**
     * The rate from when a tenth of the backlog is processed until all of it is, by polling {@code count}; start-up
     * is not counted. {@code onStart} runs when the clock starts.
     */
    private static double timed(String run, long backlog, LongSupplier count, BooleanSupplier failed,
            Runnable onStart) {
        long skip = Math.max(1, backlog / 10);
        long startCount = -1;
        long start = 0;
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos() + backlog * 2_000_000L;
        while (true) {
            long n = count.getAsLong();
            long now = System.nanoTime();
            if (startCount < 0 && n >= skip) {
                startCount = n;
                start = now;
                onStart.run();
            }
            if (n >= backlog) {
                return now > start ? (n - startCount) / ((now - start) / 1e9) : Double.NaN;
            }
            if (failed.getAsBoolean()) {
                throw new IllegalStateException("the application failed during " + run);
            }
            if (now > deadline) {
                throw new IllegalStateException(run + ": only " + n + " of " + backlog
                        + " examples processed before the deadline");
            }
            Sleep.millis(5);
        }
    }

    /** Examples for a run: about {@code seconds} at the limit's rate, a multiple of the batch size. */
    static long backlog(double limitRate, double seconds, long max, int batch) {
        long n = (long) Math.min(max, Math.max(20L * batch, limitRate * seconds));
        n = Math.max(n, 2000);
        return (n + batch - 1) / batch * batch;
    }

    /** A run's rate, and its profile when one was asked for. */
    record Result(double examplesPerSecond, Profile.Report profile) {
    }

    /**
     * Examples per second the learner predicts (and trains) from a backlog.
     *
     * @param recording where to write a profile of the learner's run (its JFR recording), or null for none
     */
    static Result measure(BenchContext context, NetworkSpec network, Path specFile, String guarantee, long backlog,
            String label, Path recording) {
        BenchStack stack = context.stack();
        String prefix = "bench-" + label.replace('_', '-') + "-" + UUID.randomUUID().toString().substring(0, 6);
        stack.kafka().createTopic(prefix + ".examples", 1);
        SyntheticStream stream = new SyntheticStream(LimitSuite.SEED, network.inputSize(), LimitSuite.UNLABELED);
        try (ExampleProducer producer = ExampleProducer.bulk(stack, prefix + ".examples", MODEL,
                stream.classNames())) {
            producer.sendAll(stream.generator(), backlog, "e");
        }
        Profile[] profile = {null};
        try (InProcessLearner learner = InProcessLearner.start(stack, prefix, specFile,
                context.options().learnerSettings, Map.of("processing.guarantee", guarantee))) {
            double rate = timed("pipeline run " + label, backlog, learner::examplesPredicted, learner::failed,
                    () -> profile[0] = recording != null ? Profile.start() : null);
            Profile.Report report = profile[0] != null ? profile[0].stop(recording) : null;
            profile[0] = null;
            return new Result(rate, report);
        } finally {
            if (profile[0] != null) {
                profile[0].stop(recording);
            }
        }
    }
}
