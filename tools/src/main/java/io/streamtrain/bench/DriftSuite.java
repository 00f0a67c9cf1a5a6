package io.streamtrain.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

import io.streamtrain.data.Dataset;
import io.streamtrain.data.LabeledExample;
import io.streamtrain.learn.Learner;
import io.streamtrain.learn.NetworkSpec;
import io.streamtrain.learn.Reservoir;
import io.streamtrain.learn.Outputs;
import io.streamtrain.learn.Target;
import io.streamtrain.learn.drift.DriftResponse;
import io.streamtrain.learn.drift.DriftSettings;
import io.streamtrain.learn.drift.DriftWatch;
import io.streamtrain.plot.LineChart;

/**
 * {@code bench drift}: a labeled stream whose concept changes abruptly (from one example on, every class is
 * relabeled by a fixed permutation of the classes), learned test-then-train by a network spec while the learner's
 * own drift detectors ({@link DriftWatch}) watch its per-example error and its own drift actions
 * ({@link DriftResponse}) respond, exactly as the learner's processor runs them per mini-batch (no Kafka). For each
 * action, and for the same stream without the change (to count false alarms), it reports when the change was
 * detected and how many examples it took the model to win back 90% of its accuracy before the change. Unlabeled
 * examples of the dataset are left out: every example of the pass is scored.
 */
final class DriftSuite implements BenchSuite {

    /** Examples in the trailing window of the accuracy that decides the recovery. */
    static final int RECOVERY_WINDOW = 200;
    /** Examples before the change whose accuracy is the level to win back. */
    static final int BEFORE_WINDOW = 2_000;
    /** Examples after the change over which the dip is measured. */
    static final int DIP_WINDOW = 1_000;
    /** A point of the curves every this many examples. */
    static final int CURVE_EVERY = 100;
    /** rollback: a snapshot every this many steps, the last {@link #SNAPSHOTS_KEPT} kept, as the learner does. */
    static final int SNAPSHOT_EVERY = 1000;
    static final int SNAPSHOTS_KEPT = 10;
    /** Examples before and after the change in the close-up curves. */
    static final int ZOOM_BEFORE = 2_000;
    static final int ZOOM_AFTER = 6_000;

    @Override
    public String name() {
        return "drift";
    }

    @Override
    public String description() {
        return "an abrupt relabel in a labeled stream: detection delay, false alarms and recovery, per drift action";
    }

    /** What one pass saw. */
    record Pass(String action, boolean drifted, long firstDetection, String firstDetector, int falseAlarms,
            int detections, double before, double dip, long recovery, double examplesPerSecond, List<double[]> curve) {
    }

    @Override
    public Map<String, ResultTable> run(BenchContext context) throws Exception {
        BenchOptions o = context.options();
        Dataset dataset = QualityDatasets.resolve(o.driftDataset, o.labelColumn);
        long size = o.limit != null ? Math.min(o.limit, dataset.size().orElse(Long.MAX_VALUE))
                : dataset.size().orElse(-1);
        long driftAt = o.driftAt != null ? o.driftAt : size > 0 ? Math.min(35_000, size / 2) : 35_000;
        if (size > 0 && driftAt >= size) {
            throw new IllegalArgumentException("--drift-at " + driftAt + " is past the stream's " + size
                    + " examples");
        }
        NetworkSpec spec = BenchSpec.load(o.driftSpec).spec();
        int[] permutation = derangement(dataset.numClasses(), new Random(o.driftSeed));
        context.progress("drift: %s, %s examples, relabeled from example %d by %s; %s", dataset.name(),
                size < 0 ? "?" : Long.toString(size), driftAt, Arrays.toString(permutation),
                spec.name().orElse(o.driftSpec));
        ResultTable table = new ResultTable("drift: " + dataset.name() + (o.limit != null ? " (first " + o.limit
                + ")" : "") + ", every class relabeled from example " + driftAt + ", "
                + spec.name().orElse(o.driftSpec) + ", detectors " + String.join(" + ", o.driftDetectors),
                ResultTable.Column.text("action"),
                ResultTable.Column.text("stream"),
                ResultTable.Column.text("first detection (examples after the change)"),
                ResultTable.Column.text("false alarms"),
                ResultTable.Column.summary("accuracy before %", "%.2f"),
                ResultTable.Column.summary("next " + DIP_WINDOW + " %", "%.2f"),
                ResultTable.Column.text("back to 90% after (examples)"),
                ResultTable.Column.summary("examples/s", "%.0f"));
        LineChart chart = new LineChart("accuracy of the last " + RECOVERY_WINDOW + " examples, every class "
                + "relabeled at example " + driftAt, "examples", "accuracy").yRange(0, 1);
        long zoomFrom = Math.max(0, driftAt - ZOOM_BEFORE);
        long zoomTo = driftAt + ZOOM_AFTER;
        LineChart zoom = new LineChart("the change up close: accuracy of the last " + RECOVERY_WINDOW
                + " examples, examples " + zoomFrom + " to " + zoomTo, "examples", "accuracy").yRange(0, 1);
        List<Pass> passes = new ArrayList<>();
        List<String> actions = o.driftActions;
        for (String action : actions) {
            if (action.equals(DriftSettings.Action.CLEAR_REPLAY.text()) && spec.replay().isEmpty()) {
                context.progress("drift %s: skipped, the spec does not replay", action);
                table.note(action + ": not run, the spec does not replay (try --drift-spec "
                        + "classpath:specs/fashion-mnist-replay.yaml)");
                continue;
            }
            DriftSettings settings = new DriftSettings(o.driftDetectors, DriftSettings.Signal.ERROR,
                    DriftSettings.Action.of(action), o.driftLrFactor, o.driftLrSteps, 50, 0.002);
            Pass pass = pass(dataset, spec, settings, o.limit, driftAt, permutation, true);
            passes.add(pass);
            chart.add(series(action, pass.curve()));
            zoom.add(series(action, between(pass.curve(), zoomFrom, zoomTo)));
            context.progress("drift %s: first detection %s, %d false alarm(s), accuracy %.2f%% before, %.2f%% next "
                    + "%d, back to 90%% after %s examples, %.0f examples/s", action, delay(pass),
                    pass.falseAlarms(), 100 * pass.before(), 100 * pass.dip(), DIP_WINDOW, recovery(pass),
                    pass.examplesPerSecond());
            row(table, pass, "relabeled at " + driftAt);
        }
        DriftSettings quiet = new DriftSettings(o.driftDetectors, DriftSettings.Signal.ERROR,
                DriftSettings.Action.NONE, o.driftLrFactor, o.driftLrSteps, 50, 0.002);
        Pass control = pass(dataset, spec, quiet, o.limit, driftAt, permutation, false);
        context.progress("drift, the same stream without the change: %d detection(s)", control.detections());
        row(table, control, "unchanged");
        table.note("The learner's own detectors and actions (streamtrain.drift.*), stepped as its processor steps "
                + "them: each mini-batch predicted in one call, each labeled example scored and fed to the "
                + "detectors, the batch fitted, then the action. No Kafka.");
        table.note("First detection: examples from the change to the example that made a detector fire, and which; "
                + "false alarms: detections before the change (after it too, for the unchanged stream). Back to "
                + "90%: examples after the change until the accuracy of the last " + RECOVERY_WINDOW + " is at "
                + "least 90% of the accuracy of the " + BEFORE_WINDOW + " before the change.");
        table.note("raise-lr: the rate × " + o.driftLrFactor + " for " + o.driftLrSteps + " steps after the last "
                + "detection; rollback: to the newest of the last " + SNAPSHOTS_KEPT + " snapshots (one every "
                + SNAPSHOT_EVERY + " steps) at least " + DriftSettings.ROLLBACK_LOOKBACK + " examples before the "
                + "detection; clear-replay: the replay sample emptied. Targets: a detection within 300 examples, back to 90% within 1,000, no false alarm.");
        table.note("Machine: " + context.machine());
        if (o.plot != null) {
            Path file = o.plot.resolve("drift-" + dataset.name() + ".svg");
            chart.add(series("unchanged stream", control.curve()));
            chart.write(file);
            Path close = o.plot.resolve("drift-" + dataset.name() + "-change.svg");
            zoom.add(series("unchanged stream", between(control.curve(), zoomFrom, zoomTo)));
            zoom.write(close);
            table.note("Curves: " + file + ", and the change up close: " + close);
            context.progress("drift: curves written to %s and %s", file, close);
        }
        Map<String, ResultTable> tables = new LinkedHashMap<>();
        tables.put(name(), table);
        return tables;
    }

    private static void row(ResultTable table, Pass pass, String stream) {
        table.row(pass.action(), stream, delay(pass), Integer.toString(pass.falseAlarms()),
                Summary.of(List.of(100 * pass.before())), Summary.of(List.of(100 * pass.dip())), recovery(pass),
                Summary.of(List.of(pass.examplesPerSecond())));
    }

    private static String delay(Pass pass) {
        if (!pass.drifted()) {
            return "-";
        }
        return pass.firstDetection() < 0 ? "none" : pass.firstDetection() + " (" + pass.firstDetector() + ")";
    }

    private static String recovery(Pass pass) {
        if (!pass.drifted()) {
            return "-";
        }
        return pass.recovery() < 0 ? "not within the stream" : Long.toString(pass.recovery());
    }

    /** One test-then-train pass of a fresh network over the stream, relabeled from {@code driftAt} when asked. */
    static Pass pass(Dataset dataset, NetworkSpec spec, DriftSettings settings, Long limit, long driftAt,
            int[] permutation, boolean drift) {
        int batchSize = spec.batchSize();
        DriftWatch watch = DriftWatch.create(settings);
        DriftResponse response = new DriftResponse(settings);
        Reservoir replay = Reservoir.forSpec(spec);
        boolean keepSnapshots = settings.action() == DriftSettings.Action.ROLLBACK;
        TreeMap<Long, byte[]> kept = new TreeMap<>();
        DriftResponse.Snapshots snapshots = new DriftResponse.Snapshots() {
            @Override
            public long newestAtMost(long version) {
                Long v = kept.floorKey(version);
                return v == null ? -1 : v;
            }

            @Override
            public byte[] zip(long version) {
                return kept.get(version);
            }
        };
        double fixedRate = Double.NaN;
        boolean[] right = new boolean[RECOVERY_WINDOW];
        int rightInWindow = 0;
        long beforeRight = 0;
        long dipRight = 0;
        long firstDetection = -1;
        String firstDetector = null;
        int falseAlarms = 0;
        int detections = 0;
        long recovery = -1;
        List<double[]> curve = new ArrayList<>();
        List<LabeledExample> batch = new ArrayList<>(batchSize);
        long index = 0;
        int beforeWindow = (int) Math.max(1, Math.min(BEFORE_WINDOW, driftAt));
        long start = System.nanoTime();
        try (Learner learner = Learner.create(spec);
                Stream<LabeledExample> examples = (limit != null ? dataset.stream().limit(limit) : dataset.stream())
                        .filter(LabeledExample::isLabeled)) {
            Iterator<LabeledExample> it = examples.iterator();
            while (it.hasNext() || !batch.isEmpty()) {
                if (it.hasNext()) {
                    LabeledExample e = it.next();
                    int label = drift && index + batch.size() >= driftAt ? permutation[e.label()] : e.label();
                    batch.add(new LabeledExample(e.features(), label));
                    if (batch.size() < batchSize && it.hasNext()) {
                        continue;
                    }
                }
                float[][] features = new float[batch.size()][];
                Target[] targets = new Target[batch.size()];
                float[] weights = new float[batch.size()];
                for (int i = 0; i < batch.size(); i++) {
                    features[i] = batch.get(i).features();
                    targets[i] = Target.ofClass(batch.get(i).label());
                    weights[i] = 1f;
                }
                Outputs outputs = learner.predict(features);
                boolean detected = false;
                for (int i = 0; i < batch.size(); i++, index++) {
                    boolean ok = outputs.predictedClass(i) == targets[i].classIndex();
                    int slot = (int) (index % RECOVERY_WINDOW);
                    if (index >= RECOVERY_WINDOW && right[slot]) {
                        rightInWindow--;
                    }
                    right[slot] = ok;
                    rightInWindow += ok ? 1 : 0;
                    if (index >= driftAt - beforeWindow && index < driftAt && ok) {
                        beforeRight++;
                    }
                    if (index >= driftAt && index < driftAt + DIP_WINDOW && ok) {
                        dipRight++;
                    }
                    double before = beforeRight / (double) beforeWindow;
                    if (drift && recovery < 0 && index >= driftAt + RECOVERY_WINDOW
                            && rightInWindow >= 0.9 * before * RECOVERY_WINDOW) {
                        recovery = index + 1 - driftAt;
                    }
                    double loss = learner.loss(i, outputs, targets[i]);
                    for (DriftWatch.Detection d : watch.observe(true, !ok, loss)) {
                        detections++;
                        detected = true;
                        if (!drift || index < driftAt) {
                            falseAlarms++;
                        } else if (firstDetection < 0) {
                            firstDetection = index - driftAt;
                            firstDetector = d.detector();
                        }
                    }
                    if ((index + 1) % CURVE_EVERY == 0 && index + 1 >= RECOVERY_WINDOW) {
                        curve.add(new double[] {index + 1, rightInWindow / (double) RECOVERY_WINDOW});
                    }
                }
                if (replay != null) {
                    replay.train(learner, features, targets, weights);
                } else {
                    learner.train(features, targets, weights);
                }
                if (keepSnapshots && learner.version() % SNAPSHOT_EVERY == 0) {
                    kept.put(learner.version(), learner.exportZip());
                    while (kept.size() > SNAPSHOTS_KEPT) {
                        kept.pollFirstEntry();
                    }
                }
                fixedRate = response.afterStep(learner, fixedRate).fixedRate();
                if (detected) {
                    fixedRate = response.onDrift(learner, fixedRate, snapshots, replay).fixedRate();
                }
                batch.clear();
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Pass(drift ? settings.action().text() : "none", drift, firstDetection, firstDetector, falseAlarms,
                detections, beforeRight / (double) beforeWindow, dipRight / (double) DIP_WINDOW, recovery,
                index / seconds, curve);
    }

    /** A seeded permutation of the classes that moves every one. */
    static int[] derangement(int classes, Random random) {
        if (classes < 2) {
            throw new IllegalArgumentException("a relabel needs at least 2 classes, the dataset has " + classes);
        }
        int[] p = new int[classes];
        do {
            for (int i = 0; i < classes; i++) {
                p[i] = i;
            }
            for (int i = classes - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = p[i];
                p[i] = p[j];
                p[j] = t;
            }
        } while (!movesEvery(p));
        return p;
    }

    private static boolean movesEvery(int[] p) {
        for (int i = 0; i < p.length; i++) {
            if (p[i] == i) {
                return false;
            }
        }
        return true;
    }

    /** The points of a curve from {@code from} to {@code to} examples. */
    private static List<double[]> between(List<double[]> curve, long from, long to) {
        return curve.stream().filter(p -> p[0] >= from && p[0] <= to).toList();
    }

    private static LineChart.Series series(String name, List<double[]> curve) {
        double[] x = new double[curve.size()];
        double[] y = new double[curve.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = curve.get(i)[0];
            y[i] = curve.get(i)[1];
        }
        return new LineChart.Series(name, x, y);
    }
}
