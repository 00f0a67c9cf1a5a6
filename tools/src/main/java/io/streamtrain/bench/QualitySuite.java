package io.streamtrain.bench;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.streamtrain.data.CsvDataset;
import io.streamtrain.data.Dataset;
import io.streamtrain.data.LabeledExample;
import io.streamtrain.learn.Learner;
import io.streamtrain.learn.NetworkSpec;
import io.streamtrain.learn.baseline.Baseline;
import io.streamtrain.plot.LineChart;

/**
 * Learning quality on a real dataset: one pass in stream order, test-then-train, for each network spec (as the
 * learner does it, without Kafka) and each MOA learner on exactly the same examples in the same order. Reports the
 * prequential accuracy over the whole pass and over the last {@code --window} labeled examples, with examples/s.
 */
final class QualitySuite implements BenchSuite {

    @Override
    public String name() {
        return "quality";
    }

    @Override
    public String description() {
        return "prequential accuracy (all, last 10k) of the network specs and MOA learners on the same stream";
    }

    /** One pass's figures. */
    record Pass(double accuracy, double windowAccuracy, double examplesPerSecond, long examples,
            List<double[]> curve) {
    }

    @Override
    public Map<String, ResultTable> run(BenchContext context) throws Exception {
        BenchOptions o = context.options();
        Dataset dataset = QualityDatasets.resolve(o.dataset, o.labelColumn);
        if (dataset.size().isEmpty() && o.limit == null) {
            throw new IllegalArgumentException(dataset.name() + " is an endless stream: give --limit N");
        }
        if (o.csvOut != null) {
            long written = CsvDataset.write(dataset, o.limit, o.csvOut);
            context.progress("quality: wrote %d examples of %s to %s; scoring from that file", written,
                    dataset.name(), o.csvOut);
            dataset = CsvDataset.builder(o.csvOut).labelColumn("label").classNames(dataset.classNames()).build();
        }
        long size = o.limit != null ? Math.min(o.limit, dataset.size().orElse(Long.MAX_VALUE))
                : dataset.size().orElse(-1);
        context.progress("quality: %s, %s examples, %d features, %d classes", dataset.name(),
                size < 0 ? "?" : Long.toString(size), dataset.featureCount(), dataset.numClasses());
        ResultTable table = new ResultTable("quality: one pass over " + dataset.name()
                + (o.limit != null ? " (first " + o.limit + ")" : "") + " in stream order, test-then-train",
                ResultTable.Column.text("learner"),
                ResultTable.Column.summary("accuracy %", "%.2f"),
                ResultTable.Column.summary("last " + o.window + " %", "%.2f"),
                ResultTable.Column.summary("examples/s", "%.0f"),
                ResultTable.Column.text("target last ≥ 88% and > MOA best"));
        Map<String, List<Pass>> results = new LinkedHashMap<>();
        LineChart chart = new LineChart("one pass over " + dataset.name() + ", test-then-train (first run)",
                "labeled examples", "accuracy").yRange(0, 1);
        for (String location : without("none", o.qualitySpecs)) {
            BenchSpec spec = BenchSpec.load(location);
            String label = spec.name() + " (batch " + spec.batchSize() + ")";
            for (int run = 0; run < o.runs; run++) {
                Pass pass = network(dataset, spec.spec(), o.limit, o.window);
                results.computeIfAbsent(label, k -> new ArrayList<>()).add(pass);
                if (run == 0) {
                    chart.add(series(spec.name() + ", prequential", pass.curve(), 1));
                    chart.add(series(spec.name() + ", last " + o.window, pass.curve(), 2));
                }
                context.progress("quality %s run %d: accuracy %.2f%%, last %d %.2f%%, %.0f examples/s", label, run + 1,
                        100 * pass.accuracy(), o.window, 100 * pass.windowAccuracy(), pass.examplesPerSecond());
            }
        }
        Map<String, List<Pass>> baselines = new LinkedHashMap<>();
        for (String name : without("none", o.baselines)) {
            // deterministic: one pass says it all
            Pass pass = baseline(dataset, name, o.limit, o.window);
            baselines.put("baseline " + name, List.of(pass));
            chart.add(series(name + ", prequential", pass.curve(), 1));
            context.progress("quality baseline %s: accuracy %.2f%%, last %d %.2f%%, %.0f examples/s", name,
                    100 * pass.accuracy(), o.window, 100 * pass.windowAccuracy(), pass.examplesPerSecond());
        }
        Optional<List<String>> moaClassPath = without("none", o.moaLearners).isEmpty() ? Optional.of(List.of())
                : moaClassPath();
        Map<String, List<Pass>> moa = new LinkedHashMap<>();
        if (moaClassPath.isEmpty()) {
            table.note("MOA learners not run: MOA is not on the class path and no bench-lib/ directory with its jar "
                    + "was found next to the application (./mvnw package copies it to tools/target/bench-lib/).");
        } else {
            for (String learner : without("none", o.moaLearners)) {
                for (int run = 0; run < o.runs; run++) {
                    Pass pass = moa(context, moaClassPath.get(), o, learner);
                    moa.computeIfAbsent("MOA " + learner, k -> new ArrayList<>()).add(pass);
                    context.progress("quality MOA %s run %d: accuracy %.2f%%, last %d %.2f%%, %.0f examples/s",
                            learner, run + 1, 100 * pass.accuracy(), o.window, 100 * pass.windowAccuracy(),
                            pass.examplesPerSecond());
                }
            }
        }
        double moaBest = moa.values().stream()
                .mapToDouble(ps -> Summary.of(ps.stream().map(Pass::windowAccuracy).toList()).median())
                .filter(d -> !Double.isNaN(d)).max().orElse(Double.NaN);
        for (Map.Entry<String, List<Pass>> e : results.entrySet()) {
            Summary window = Summary.of(e.getValue().stream().map(p -> 100 * p.windowAccuracy()).toList());
            String target = String.format("%s 88%% by %.2f pt", window.median() >= 88 ? "above" : "below",
                    Math.abs(window.median() - 88));
            if (!Double.isNaN(moaBest)) {
                target += String.format("; %s MOA best by %.2f pt", window.median() > 100 * moaBest ? "above" : "below",
                        Math.abs(window.median() - 100 * moaBest));
            }
            row(table, e.getKey(), e.getValue(), target);
        }
        for (Map.Entry<String, List<Pass>> e : baselines.entrySet()) {
            row(table, e.getKey(), e.getValue(), "");
        }
        for (Map.Entry<String, List<Pass>> e : moa.entrySet()) {
            row(table, e.getKey(), e.getValue(), "");
        }
        table.note("Networks: the spec's batch; each batch predicted in one call, scored, then its labeled examples "
                + "fitted in one call, as the learner does (no Kafka). MOA: one example at a time (predict, then "
                + "train), in a JVM of its own; accuracy counts the class with most votes.");
        table.note("Baselines (io.streamtrain.learn.baseline, the learner's own code): one example at a time, "
                + "predict then train, one pass (they are deterministic). majority: the most frequent class so far; "
                + "softmax-regression: multinomial logistic regression, SGD at 0.01; gaussian-nb: Gaussian naive Bayes "
                + "with running means and variances.");
        table.note("Runs repeat the same seeded pass: accuracies agree between runs, examples/s varies.");
        table.note("Machine: " + context.machine());
        if (o.plot != null) {
            Path file = o.plot.resolve("quality-" + dataset.name() + ".svg");
            chart.write(file);
            table.note("Learning curves (networks, first run; a point every " + CURVE_EVERY + " labeled examples): "
                    + file);
            context.progress("quality: learning curves written to %s", file);
        }
        Map<String, ResultTable> tables = new LinkedHashMap<>();
        tables.put(name(), table);
        return tables;
    }

    /** The list without the word that stands for "none of them" (and blank entries). */
    static List<String> without(String none, List<String> values) {
        return values.stream().map(String::trim).filter(v -> !v.isEmpty() && !v.equals(none)).toList();
    }

    private static void row(ResultTable table, String label, List<Pass> passes, String target) {
        table.row(label,
                Summary.of(passes.stream().map(p -> 100 * p.accuracy()).toList()),
                Summary.of(passes.stream().map(p -> 100 * p.windowAccuracy()).toList()),
                Summary.of(passes.stream().map(Pass::examplesPerSecond).toList()),
                target);
    }

    /** Labeled examples between two points of a learning curve. */
    static final int CURVE_EVERY = 500;

    /** Column {@code column} of a learning curve against its labeled examples. */
    static LineChart.Series series(String name, List<double[]> curve, int column) {
        double[] x = new double[curve.size()];
        double[] y = new double[curve.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = curve.get(i)[0];
            y[i] = curve.get(i)[column];
        }
        return new LineChart.Series(name, x, y);
    }

    /** One test-then-train pass of a fresh network. */
    static Pass network(Dataset dataset, NetworkSpec spec, Long limit, int window) {
        QualityDatasets.requireFits(spec, dataset);
        try (Learner learner = Learner.create(spec);
                Stream<LabeledExample> examples = limit != null ? dataset.stream().limit(limit) : dataset.stream()) {
            PrequentialRun run = new PrequentialRun(learner, spec.batchSize(), window).curveEvery(CURVE_EVERY);
            long start = System.nanoTime();
            for (Iterator<LabeledExample> it = examples.iterator(); it.hasNext(); ) {
                run.add(it.next());
            }
            run.flush();
            double seconds = (System.nanoTime() - start) / 1e9;
            return new Pass(run.score().totalAccuracy(), run.windowAccuracy(), run.examples() / seconds,
                    run.examples(), run.curve());
        }
    }

    /** One test-then-train pass of a fresh shallow baseline, one example at a time. */
    static Pass baseline(Dataset dataset, String name, Long limit, int window) {
        Baseline b = Baseline.create(name, dataset.featureCount(), dataset.numClasses());
        double[] p = new double[dataset.numClasses()];
        boolean[] recent = new boolean[Math.max(1, window)];
        long labeled = 0;
        long right = 0;
        long recentRight = 0;
        long examples = 0;
        List<double[]> curve = new ArrayList<>();
        long start = System.nanoTime();
        try (Stream<LabeledExample> stream = limit != null ? dataset.stream().limit(limit) : dataset.stream()) {
            for (Iterator<LabeledExample> it = stream.iterator(); it.hasNext(); ) {
                LabeledExample e = it.next();
                examples++;
                b.predict(e.features(), p);
                if (!e.isLabeled()) {
                    continue;
                }
                int best = 0;
                for (int c = 1; c < p.length; c++) {
                    if (p[c] > p[best]) {
                        best = c;
                    }
                }
                boolean ok = best == e.label();
                int slot = (int) (labeled % recent.length);
                if (labeled >= recent.length && recent[slot]) {
                    recentRight--;
                }
                recent[slot] = ok;
                recentRight += ok ? 1 : 0;
                right += ok ? 1 : 0;
                labeled++;
                b.train(e.features(), e.label(), 1f);
                if (labeled % CURVE_EVERY == 0) {
                    curve.add(new double[] {labeled, right / (double) labeled,
                            recentRight / (double) Math.min(labeled, recent.length)});
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Pass(labeled == 0 ? Double.NaN : right / (double) labeled,
                labeled == 0 ? Double.NaN : recentRight / (double) Math.min(labeled, recent.length),
                examples / seconds, examples, curve);
    }

    /** One pass of a MOA learner in a JVM of its own. */
    private static Pass moa(BenchContext context, List<String> classPath, BenchOptions o, String learner)
            throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = List.of(java, "-Xmx2g", "-XX:+UseParallelGC", "-cp",
                String.join(File.pathSeparator, classPath), MoaBaseline.class.getName(),
                o.dataset, o.labelColumn, Long.toString(o.limit == null ? -1 : o.limit), Integer.toString(o.window),
                learner);
        Path log = Files.createTempFile(context.work(), "moa-", ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        try {
            if (!process.waitFor(6, TimeUnit.HOURS)) {
                throw new IllegalStateException("MOA " + learner + " did not finish within 6 hours");
            }
        } finally {
            process.destroyForcibly();
        }
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        for (String line : lines) {
            if (line.startsWith(MoaBaseline.RESULT + " ")) {
                String[] f = line.split(" ");
                long examples = Long.parseLong(f[1]);
                double seconds = Double.parseDouble(f[4]);
                return new Pass(Double.parseDouble(f[2]), Double.parseDouble(f[3]), examples / seconds, examples,
                        List.of());
            }
        }
        throw new IllegalStateException("MOA " + learner + " failed (exit " + process.exitValue() + "):\n"
                + String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size())));
    }

    /**
     * The class path of a JVM that can run {@link MoaBaseline}: this one's, plus the jars of a {@code bench-lib/}
     * directory next to the application's jar (or its classes directory) when MOA is not on it already.
     */
    static Optional<List<String>> moaClassPath() {
        List<String> path = new ArrayList<>(List.of(System.getProperty("java.class.path")
                .split(File.pathSeparator)));
        if (onClassPath("moa.classifiers.Classifier")) {
            return Optional.of(path);
        }
        try {
            Path code = Path.of(QualitySuite.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path benchLib = code.getParent().resolve("bench-lib");
            if (!Files.isDirectory(benchLib)) {
                return Optional.empty();
            }
            try (Stream<Path> jars = Files.list(benchLib)) {
                List<String> found = jars.filter(p -> p.toString().endsWith(".jar")).map(Path::toString).sorted()
                        .toList();
                if (found.stream().noneMatch(j -> Path.of(j).getFileName().toString().startsWith("moa-"))) {
                    return Optional.empty();
                }
                path.addAll(found);
            }
            return Optional.of(path);
        } catch (URISyntaxException | IOException e) {
            throw new UncheckedIOException(new IOException("cannot locate bench-lib/: " + e.getMessage(), e));
        }
    }

    private static boolean onClassPath(String className) {
        try {
            Class.forName(className, false, QualitySuite.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
