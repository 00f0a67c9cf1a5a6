package io.streamtrain.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.streamtrain.avro.ClassLabel;
import io.streamtrain.avro.Example;
import io.streamtrain.avro.Label;
import io.streamtrain.avro.Prediction;
import io.streamtrain.avro.RegressionTarget;
import io.streamtrain.avro.RejectedRecord;
import io.streamtrain.avro.TrainingMetrics;
import io.streamtrain.contract.RecordLimits;
import io.streamtrain.embedded.Tries;
import io.streamtrain.learn.NetworkSpec;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Generated streams of examples and labels, good and bad mixed, through the learner's topology. Whatever comes, the
 * learner goes on (no exception reaches Kafka Streams), and every record has exactly one fate that can be counted:
 * its prediction, its rejection with a rule, a skip as a redelivered duplicate, or a late label joined to its
 * example. Each try's records are run through a model of the learner (the oracle below: its mini-batches, its
 * late-label join, its dedupe window), and the outputs must match it record for record.
 *
 * <p>The seed is fixed, so CI runs the same inputs every time; {@code -Dstreamtrain.properties.tries=N} runs more
 * (see docs/reliability.md). Each try uses models of its own in one driver, so a try costs milliseconds.
 */
class LearnerInputProperties {

    private static final NetworkSpec SPEC = NetworkSpec.fromResource("specs/mlp-classifier.yaml");
    /** The first model of each try replays (a small sample, so that it fills and replaces within a try). */
    private static final NetworkSpec REPLAYING = NetworkSpec.parse(SPEC.json().replaceFirst("\\}$",
            ",\"replay\":{\"ratio\":2,\"capacity\":50}}"), NetworkSpec.Format.JSON);
    private static final int FEATURES = SPEC.inputSize();
    private static final int CLASSES = SPEC.numClasses();
    private static final int BATCH = SPEC.batchSize();
    private static final Duration LABEL_WAIT = Duration.ofMinutes(10);
    private static final long START_MS = 1_000_000L;

    private Path stateDir;
    private DrivenLearner learner;
    private TopologyTestDriver driver;
    private TestOutputTopic<String, Prediction> predictions;
    private TestOutputTopic<String, TrainingMetrics> metrics;
    private TestOutputTopic<String, RejectedRecord> errors;
    private int tryNumber;
    private final Map<String, Long> kinds = new TreeMap<>();
    private final Map<String, Long> rules = new TreeMap<>();
    /** Predictions by the learner of the race that served them, over all tries. */
    private final Map<String, Long> servedBy = new TreeMap<>();
    /** Records, predictions, rejections, skipped duplicates and joined labels over all tries. */
    private final long[] totals = new long[5];
    private long uniqueId;

    /** Tries in every build: about 20,000 records. */
    private static final int DEFAULT_TRIES = 100;
    /** The most records one try sends. */
    private static final int MAX_STEPS = 400;

    @BeforeEach
    void startLearner() throws Exception {
        stateDir = Files.createTempDirectory("learner-properties");
        // every model races the baselines with the leader serving (a short window and patience, so that leads change
        // within a try), the first model of each try replays
        learner = new DrivenLearner("p", stateDir, model -> model.endsWith("-a") ? REPLAYING : SPEC, settings -> settings
                .race(new RaceSettings(List.of("majority", "softmax-regression", "gaussian-nb"), 20, true, 0.02, 10))
                .checkpointEveryBatches(2)
                .metricsInterval(Duration.ofSeconds(5))
                .metricsEveryExamples(1_000_000)
                .punctuateInterval(Duration.ofSeconds(1))
                .dedupeWindow(5_000)
                .maxPendingLabels(5_000)
                .labelWait(LABEL_WAIT), Instant.ofEpochMilli(START_MS));
        driver = learner.driver;
        predictions = learner.predictions;
        metrics = learner.metrics;
        errors = learner.errors;
    }

    @AfterEach
    void stopLearner() throws Exception {
        learner.close();
        try (var paths = Files.walk(stateDir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void everyRecordIsPredictedRejectedSkippedOrJoinedAndTheLearnerGoesOn() {
        Tries.run("the learner, generated streams of examples and labels", DEFAULT_TRIES, LearnerInputProperties::stream,
                this::check);
        // one line for docs/reliability.md; reaching it means no input stopped the learner
        System.out.printf("generated campaign: %d tries, %d records, %d predicted, %d rejected with a rule, "
                + "%d redeliveries skipped, %d late labels joined, 0 stops%n", tryNumber, totals[0], totals[1],
                totals[2], totals[3], totals[4]);
        System.out.println("inputs by kind: " + kinds);
        System.out.println("rejected by rule: " + rules);
        System.out.println("predictions served by: " + servedBy);
        assertThat(servedBy.keySet()).as("the baselines took the lead in some tries").hasSizeGreaterThan(1);
    }

    private String check(Stream steps) {
        tryNumber++;
        String[] models = {"t" + tryNumber + "-a", "t" + tryNumber + "-\u03b2"};
        Oracle oracle = new Oracle(models);
        int records = 0;
        for (Step step : steps.steps()) {
            records += step.send(this, oracle, models);
            kinds.merge(step.kind(), 1L, Long::sum);
        }
        // past every partial mini-batch's wait, every late label's wait and the metrics window
        driver.advanceWallClockTime(LABEL_WAIT.plusMinutes(1));
        driver.advanceWallClockTime(Duration.ofSeconds(10));
        oracle.endOfStream();

        List<Prediction> predicted = predictions.readValuesToList();
        List<RejectedRecord> errorRecords = errors.readValuesToList();
        // a training step that extreme (finite) features would have left non-finite is undone: its labeled examples,
        // predicted already, come to the errors topic too, beside the records rejected on input
        List<RejectedRecord> rejected = errorRecords.stream()
                .filter(r -> !r.getRule().equals(BatchStep.NON_FINITE_STEP)).toList();
        List<RejectedRecord> undone = errorRecords.stream()
                .filter(r -> r.getRule().equals(BatchStep.NON_FINITE_STEP)).toList();
        List<TrainingMetrics> windows = metrics.readValuesToList();

        // a baseline's prediction is a distribution whatever the features; the network's can be NaN for an example of
        // extreme finite features (the forward pass overflows), which the race scores as the worst loss
        assertThat(predicted).as("every prediction names the learner of the race that made it")
                .allSatisfy(p -> assertThat(p.getServedBy()).isIn("network", "majority", "softmax-regression",
                        "gaussian-nb"));
        predicted.forEach(p -> servedBy.merge(String.valueOf(p.getServedBy()), 1L, Long::sum));
        assertThat(predicted.stream().filter(p -> !"network".equals(p.getServedBy())).toList())
                .as("a baseline's prediction is a distribution")
                .allSatisfy(p -> {
                    double sum = 0;
                    for (float f : p.getProbabilities()) {
                        assertThat(f).isBetween(0f, 1f);
                        sum += f;
                    }
                    assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-3));
                });
        Map<String, Integer> predictionsPerId = new HashMap<>();
        predicted.forEach(p -> predictionsPerId.merge(p.getModel() + "/" + p.getExampleId(), 1, Integer::sum));
        assertThat(predictionsPerId).as("one prediction per accepted example").containsOnlyKeys(oracle.accepted)
                .allSatisfy((id, n) -> assertThat(n).as(id).isEqualTo(1));
        assertThat(rulesOf(rejected)).as("the rule of each rejected record").isEqualTo(oracle.rejectedRules);
        assertThat(rejected).allSatisfy(r -> {
            assertThat(r.getMessage()).isNotBlank();
            assertThat(r.getField()).isNotBlank();
        });
        Map<String, Long> undonePerModel = new HashMap<>();
        assertThat(undone).as("an example of an undone step was predicted once").allSatisfy(r -> {
            assertThat(r.getOffset()).isEqualTo(-1);
            Matcher named = UNDONE_EXAMPLE.matcher(r.getMessage());
            assertThat(named.find()).as(r.getMessage()).isTrue();
            String id = named.group(1);
            if (Rejections.abbreviate(id).equals(id)) {
                // (an id of more than 100 characters is quoted cut short)
                assertThat(predictionsPerId).containsKey(named.group(2) + "/" + id);
            }
            undonePerModel.merge(named.group(2), 1L, Long::sum);
        });

        long duplicates = windows.stream().mapToLong(TrainingMetrics::getDuplicates).sum();
        long joined = windows.stream().mapToLong(TrainingMetrics::getLateLabels).sum();
        assertThat(duplicates).as("redeliveries skipped").isEqualTo(oracle.duplicates);
        assertThat(joined).as("late labels joined").isEqualTo(oracle.joined);
        assertThat(records).as("records seen = predicted + rejected on input + skipped + joined")
                .isEqualTo(predicted.size() + rejected.size() + duplicates + joined);
        for (String model : models) {
            List<TrainingMetrics> mine = windows.stream().filter(m -> m.getModel().equals(model)).toList();
            long trained = mine.stream().mapToLong(TrainingMetrics::getTrained).sum();
            long expected = oracle.trained.getOrDefault(model, 0L) - undonePerModel.getOrDefault(model, 0L);
            assertThat(trained).as("examples trained by %s", model).isEqualTo(expected);
            if (!mine.isEmpty()) {
                assertThat(mine.get(mine.size() - 1).getExamplesTrained()).isEqualTo(expected);
            }
        }
        errorRecords.forEach(r -> rules.merge(r.getRule(), 1L, Long::sum));
        totals[0] += records;
        totals[1] += predicted.size();
        totals[2] += rejected.size();
        totals[3] += duplicates;
        totals[4] += joined;
        return records == 0 ? "nothing sent" : rejected.isEmpty() ? "no rejections" : "with rejections";
    }

    /** The example and model an error of an undone training step names. */
    private static final Pattern UNDONE_EXAMPLE = Pattern.compile("^example '(.*)' of model '([^']*)' was predicted "
            + "but not trained on: ", Pattern.DOTALL);

    private static Map<String, Integer> rulesOf(List<RejectedRecord> rejected) {
        Map<String, Integer> rules = new TreeMap<>();
        rejected.forEach(r -> rules.merge(r.getRule(), 1, Integer::sum));
        return rules;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // What is sent

    /** One thing sent to the learner; {@link #send} returns how many records it was. */
    interface Step {
        int send(LearnerInputProperties test, Oracle oracle, String[] models);

        String kind();
    }

    /** A valid example with a fresh id, labeled or not, its values anywhere in their valid ranges. */
    record GoodExample(int model, Integer label, float[] features, long eventTime, float weight, String idBody,
            boolean takeWaitingLabelId) implements Step {
        @Override
        public int send(LearnerInputProperties test, Oracle oracle, String[] models) {
            String m = models[model];
            String id = takeWaitingLabelId && label == null ? oracle.earlyLabelIdFor(m) : null;
            if (id == null) {
                id = test.freshId(idBody);
            }
            Example e = example(m, id, features, label == null ? null : new ClassLabel(label, null), eventTime,
                    weight);
            test.sendExample(m, e);
            oracle.example(m, id, label != null);
            oracle.taken.add(e);
            return 1;
        }

        @Override
        public String kind() {
            return label == null ? "good unlabeled example" : "good labeled example";
        }
    }

    /** An example this model took before, sent again as an at-least-once source would. */
    record Redelivery(int pick) implements Step {
        @Override
        public int send(LearnerInputProperties test, Oracle oracle, String[] models) {
            Example e = oracle.pickTaken(pick);
            if (e == null) {
                return 0;
            }
            test.sendExample(e.getModel(), e);
            oracle.duplicates++;
            return 1;
        }

        @Override
        public String kind() {
            return "redelivered example";
        }
    }

    /** An example that breaks one rule, with the rule the learner must name. */
    record BadExample(String rule, String what, Function<Example, Example> spoil, String key)
            implements Step {
        @Override
        public int send(LearnerInputProperties test, Oracle oracle, String[] models) {
            String id = test.freshId("bad");
            Example e = spoil.apply(example(models[0], id, gaussian(FEATURES), new ClassLabel(1, null),
                    1_700_000_000_000L, 1f));
            test.sendExample(key == null ? e.getModel() : key.equals("<null>") ? null : key, e);
            oracle.rejected(rule);
            return 1;
        }

        @Override
        public String kind() {
            return "bad example: " + what;
        }
    }

    /** Bytes that are not an Avro record of the registry: random, truncated, a null value. */
    record BadBytes(byte[] value, boolean toLabels, String rule) implements Step {
        @Override
        public int send(LearnerInputProperties test, Oracle oracle, String[] models) {
            (toLabels ? test.learner.labelInput : test.learner.exampleInput).pipeInput(models[0], value);
            oracle.rejected(rule);
            return 1;
        }

        @Override
        public String kind() {
            return (toLabels ? "labels topic: " : "examples topic: ") + (value == null ? "null value" : "undecodable");
        }
    }

    /** A label for an example taken before (unlabeled, or labeled already), or a second label for one. */
    record LateLabel(int pick, int classIndex) implements Step {
        @Override
        public int send(LearnerInputProperties test, Oracle oracle, String[] models) {
            String[] target = oracle.pickForLabel(pick);
            if (target == null) {
                return 0;
            }
            test.sendLabel(target[0], label(target[0], target[1], classIndex, 1_700_000_100_000L));
            oracle.label(target[0], target[1]);
            return 1;
        }

        @Override
        public String kind() {
            return "late label";
        }
    }

    /** A label whose example has not come yet: it may come later (the oracle hands its id out), or never. */
    record EarlyLabel(int model, int classIndex) implements Step {
        @Override
        public int send(LearnerInputProperties test, Oracle oracle, String[] models) {
            String m = models[model];
            String id = test.freshId("early");
            test.sendLabel(m, label(m, id, classIndex, 1_700_000_100_000L));
            oracle.label(m, id);
            oracle.earlyLabel(m, id);
            return 1;
        }

        @Override
        public String kind() {
            return "label before its example";
        }
    }

    /** A label that breaks one rule. */
    record BadLabel(String rule, String what, Function<Label, Label> spoil, String key)
            implements Step {
        @Override
        public int send(LearnerInputProperties test, Oracle oracle, String[] models) {
            Label l = spoil.apply(label(models[0], test.freshId("bad-label"), 0, 1_700_000_100_000L));
            test.sendLabel(key == null ? l.getModel() : key, l);
            oracle.rejected(rule);
            return 1;
        }

        @Override
        public String kind() {
            return "bad label: " + what;
        }
    }

    private void sendExample(String key, Example e) {
        learner.send(key, e);
    }

    private void sendLabel(String key, Label l) {
        learner.send(key, l);
    }

    /** A fresh id: whatever the generated body, a unique suffix, within the id length limit. */
    private String freshId(String body) {
        String suffix = "#" + uniqueId++;
        String cut = body.length() + suffix.length() > RecordLimits.MAX_ID_CHARS
                ? body.substring(0, RecordLimits.MAX_ID_CHARS - suffix.length()) : body;
        // what the learner reads back: Avro writes strings as UTF-8, where a lone surrogate becomes '?'
        return new String((cut + suffix).getBytes(java.nio.charset.StandardCharsets.UTF_8),
                java.nio.charset.StandardCharsets.UTF_8);
    }

    static Example example(String model, String id, float[] features, Object label, long eventTime, float weight) {
        List<Float> x = new ArrayList<>(features.length);
        for (float f : features) {
            x.add(f);
        }
        return Example.newBuilder().setId(id).setModel(model).setFeatures(x).setLabel(label)
                .setEventTime(Instant.ofEpochMilli(eventTime)).setWeight(weight).build();
    }

    static Label label(String model, String exampleId, int classIndex, long time) {
        return Label.newBuilder().setExampleId(exampleId).setModel(model)
                .setLabel(ClassLabel.newBuilder().setIndex(classIndex).build())
                .setTime(Instant.ofEpochMilli(time)).build();
    }

    private static float[] gaussian(int n) {
        float[] x = new float[n];
        java.util.Random random = new java.util.Random(n);
        for (int i = 0; i < n; i++) {
            x[i] = (float) random.nextGaussian();
        }
        return x;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The generators: each draws from a try's own random source

    /** One try's records, shown briefly when the property fails (the whole would be megabytes). */
    record Stream(List<Step> steps) {
        @Override
        public String toString() {
            Map<String, Long> counts = new TreeMap<>();
            steps.forEach(s -> counts.merge(s.kind(), 1L, Long::sum));
            return steps.size() + " steps " + counts;
        }
    }

    static Stream stream(SplittableRandom r) {
        int n = 1 + r.nextInt(MAX_STEPS);
        List<Step> steps = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int kind = r.nextInt(62);
            steps.add(kind < 30 ? goodExample(r)
                    : kind < 34 ? new Redelivery(r.nextInt(10_000))
                    : kind < 44 ? badExample(r)
                    : kind < 47 ? badBytes(r)
                    : kind < 55 ? new LateLabel(r.nextInt(10_000), r.nextInt(CLASSES))
                    : kind < 58 ? new EarlyLabel(r.nextInt(2), r.nextInt(CLASSES))
                    : badLabel(r));
        }
        return new Stream(steps);
    }

    @SafeVarargs
    private static <T> T oneOf(SplittableRandom r, T... values) {
        return values[r.nextInt(values.length)];
    }

    /** A float anywhere a feature may be: mostly ordinary, sometimes at the edges of the finite floats. */
    private static float finiteFloat(SplittableRandom r) {
        return r.nextInt(20) > 0 ? (float) (r.nextDouble() * 20 - 10)
                : oneOf(r, Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL,
                        -0.0f, 0f, 1e30f, -1e30f);
    }

    /** A string of {@code length} characters drawn from {@code chars}, or from all of UTF-16 when null. */
    private static String string(SplittableRandom r, int length, char[] chars) {
        StringBuilder b = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            b.append(chars == null ? (char) r.nextInt(Character.MAX_VALUE + 1) : chars[r.nextInt(chars.length)]);
        }
        return b.toString();
    }

    private static String idBody(SplittableRandom r) {
        return switch (r.nextInt(3)) {
            case 0 -> string(r, r.nextInt(21), "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".toCharArray());
            case 1 -> string(r, r.nextInt(41), null);
            default -> string(r, 900 + r.nextInt(101), new char[] {'\u0000', '\uD800', '\uDFFF', '\u00e9', '\u4e2d', 'x'});
        };
    }

    private static long validTime(SplittableRandom r) {
        return r.nextBoolean() ? r.nextLong(RecordLimits.MIN_EVENT_TIME_MS, RecordLimits.MAX_EVENT_TIME_MS + 1)
                : oneOf(r, RecordLimits.MIN_EVENT_TIME_MS, RecordLimits.MAX_EVENT_TIME_MS,
                        System.currentTimeMillis() + Duration.ofDays(3650).toMillis());
    }

    private static long invalidTime(SplittableRandom r) {
        return switch (r.nextInt(3)) {
            case 0 -> oneOf(r, Long.MIN_VALUE, -1L, RecordLimits.MAX_EVENT_TIME_MS + 1, Long.MAX_VALUE,
                    -62_135_596_800_000L);
            case 1 -> r.nextLong(Long.MIN_VALUE, 0L);
            default -> r.nextLong(RecordLimits.MAX_EVENT_TIME_MS + 1, Long.MAX_VALUE);
        };
    }

    private static GoodExample goodExample(SplittableRandom r) {
        Integer label = r.nextInt(10) < 3 ? null : r.nextInt(CLASSES);
        float[] features = new float[FEATURES];
        for (int i = 0; i < FEATURES; i++) {
            features[i] = finiteFloat(r);
        }
        float weight = r.nextInt(11) > 0 ? 1f : oneOf(r, 0f, -0.0f, Float.MIN_VALUE, 1e6f, Float.MAX_VALUE);
        return new GoodExample(r.nextInt(2), label, features, validTime(r), weight, idBody(r), r.nextBoolean());
    }

    private static BadExample badExample(SplittableRandom r) {
        switch (r.nextInt(11)) {
            case 0: {
                long t = invalidTime(r);
                return new BadExample(LearnerProcessor.EVENT_TIME_RANGE, "event time "
                        + (t < 0 ? "negative" : "after 9999"), e -> withTime(e, t), null);
            }
            case 1: {
                float v = oneOf(r, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY);
                int i = r.nextInt(FEATURES);
                return new BadExample("non-finite", "feature " + v, e -> withFeature(e, i, v), null);
            }
            case 2: {
                int n = oneOf(r, 0, 1, FEATURES - 1, FEATURES + 1, 100_000);
                return new BadExample("feature-count", n + " features", e -> withFeatures(e, new float[n]), null);
            }
            case 3: {
                String id = oneOf(r, "", "x".repeat(RecordLimits.MAX_ID_CHARS + 1), "\u4e2d".repeat(100_000));
                return new BadExample("id-length", "id of " + id.length(), e -> withId(e, id), null);
            }
            case 4: {
                int c = oneOf(r, -1, CLASSES, Integer.MAX_VALUE, Integer.MIN_VALUE);
                return new BadExample("unknown-class", "class " + c, e -> withLabel(e, new ClassLabel(c, null)), null);
            }
            case 5: {
                double v = oneOf(r, 0.0, Double.NaN, 1e308);
                return new BadExample("label-kind", "regression label " + v,
                        e -> withLabel(e, new RegressionTarget(v)), null);
            }
            case 6: {
                String name = string(r, RecordLimits.MAX_CLASS_NAME_CHARS + 1 + r.nextInt(100), null);
                return new BadExample(LearnerProcessor.CLASS_NAME_LENGTH, "long class name",
                        e -> withLabel(e, new ClassLabel(0, name)), null);
            }
            case 7: {
                float w = oneOf(r, Float.NaN, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY);
                return new BadExample("non-finite", "weight " + w, e -> withWeight(e, w), null);
            }
            case 8: {
                float w = oneOf(r, -1f, -Float.MIN_VALUE, -Float.MAX_VALUE);
                return new BadExample("negative-weight", "weight " + w, e -> withWeight(e, w), null);
            }
            case 9: {
                String m = oneOf(r, "", " ", "a\u0000b", "line\nbreak", "m".repeat(RecordLimits.MAX_MODEL_ID_CHARS + 1));
                return new BadExample(LearnerProcessor.MODEL_ID, "model id", e -> withModel(e, m), m);
            }
            default: {
                String k = oneOf(r, "another-model", "<null>");
                return new BadExample("key-model-mismatch", "key " + k, e -> e, k);
            }
        }
    }

    private static BadBytes badBytes(SplittableRandom r) {
        boolean labels = r.nextBoolean();
        if (r.nextInt(4) == 0) {
            return new BadBytes(null, labels, "null-value");
        }
        byte[] body = new byte[r.nextInt(65)];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) r.nextInt(256);
        }
        byte[] bytes = body;
        if (r.nextBoolean()) {
            // the wire format's magic byte and a schema id no registry has, or a short body
            bytes = new byte[5 + body.length];
            bytes[1] = 0x7f;
            System.arraycopy(body, 0, bytes, 5, body.length);
        }
        // an empty value is no value, as for Kafka's own deserializers
        return new BadBytes(bytes, labels, bytes.length == 0 ? "null-value" : "undecodable");
    }

    private static BadLabel badLabel(SplittableRandom r) {
        switch (r.nextInt(6)) {
            case 0: {
                long t = invalidTime(r);
                return new BadLabel(LearnerProcessor.EVENT_TIME_RANGE, "time " + (t < 0 ? "negative" : "after 9999"),
                        l -> { l.setTime(Instant.ofEpochMilli(t)); return l; }, null);
            }
            case 1: {
                int c = oneOf(r, -1, CLASSES, Integer.MIN_VALUE);
                return new BadLabel("unknown-class", "class " + c,
                        l -> { l.setLabel(new ClassLabel(c, null)); return l; }, null);
            }
            case 2: {
                double v = oneOf(r, 1.5, Double.NaN);
                return new BadLabel("label-kind", "regression " + v,
                        l -> { l.setLabel(new RegressionTarget(v)); return l; }, null);
            }
            case 3: {
                String id = oneOf(r, "", "x".repeat(RecordLimits.MAX_ID_CHARS + 1));
                return new BadLabel("id-length", "example id of " + id.length(),
                        l -> { l.setExampleId(id); return l; }, null);
            }
            case 4:
                return new BadLabel("key-model-mismatch", "wrong key", l -> l, "another-model");
            default: {
                String name = string(r, RecordLimits.MAX_CLASS_NAME_CHARS + 1, null);
                return new BadLabel(LearnerProcessor.CLASS_NAME_LENGTH, "long class name",
                        l -> { l.setLabel(new ClassLabel(0, name)); return l; }, null);
            }
        }
    }

    private static Example withTime(Example e, long t) {
        e.setEventTime(Instant.ofEpochMilli(t));
        return e;
    }

    private static Example withFeature(Example e, int i, float v) {
        List<Float> x = new ArrayList<>(e.getFeatures());
        x.set(i, v);
        e.setFeatures(x);
        return e;
    }

    private static Example withFeatures(Example e, float[] features) {
        List<Float> x = new ArrayList<>(features.length);
        for (float f : features) {
            x.add(f);
        }
        e.setFeatures(x);
        return e;
    }

    private static Example withId(Example e, String id) {
        e.setId(id);
        return e;
    }

    private static Example withLabel(Example e, Object label) {
        e.setLabel(label);
        return e;
    }

    private static Example withWeight(Example e, float w) {
        e.setWeight(w);
        return e;
    }

    private static Example withModel(Example e, String m) {
        e.setModel(m);
        return e;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The oracle: what the learner must do with what was sent

    /**
     * A model of the learner's bookkeeping, per model: the examples waiting for their mini-batch (BATCH of them are
     * predicted at once), the predicted unlabeled examples waiting for a label, the labels waiting for their example.
     */
    static final class Oracle {
        final Set<String> accepted = new HashSet<>();
        final Map<String, Integer> rejectedRules = new TreeMap<>();
        final Map<String, Long> trained = new HashMap<>();
        final List<Example> taken = new ArrayList<>();
        long duplicates;
        long joined;
        private final Map<String, List<Entry>> inbox = new HashMap<>();
        private final Map<String, Map<String, Boolean>> awaiting = new HashMap<>();
        private final Map<String, Set<String>> waitingLabels = new HashMap<>();
        private final Map<String, List<String>> earlyLabelIds = new HashMap<>();
        private final Map<String, Boolean> labeledAtArrival = new LinkedHashMap<>();

        private static final class Entry {
            final String id;
            boolean labeled;
            final boolean predicted;

            Entry(String id, boolean labeled, boolean predicted) {
                this.id = id;
                this.labeled = labeled;
                this.predicted = predicted;
            }
        }

        Oracle(String[] models) {
            for (String m : models) {
                inbox.put(m, new ArrayList<>());
                awaiting.put(m, new HashMap<>());
                waitingLabels.put(m, new HashSet<>());
                earlyLabelIds.put(m, new ArrayList<>());
            }
        }

        void rejected(String rule) {
            rejectedRules.merge(rule, 1, Integer::sum);
        }

        String earlyLabelIdFor(String model) {
            List<String> ids = earlyLabelIds.get(model);
            return ids.isEmpty() ? null : ids.remove(0);
        }

        void example(String model, String id, boolean labeled) {
            accepted.add(model + "/" + id);
            labeledAtArrival.put(model + "/" + id, labeled);
            if (!labeled && waitingLabels.get(model).remove(id)) {
                labeled = true;
                joined++;
            }
            inbox.get(model).add(new Entry(id, labeled, false));
            maybeProcess(model);
        }

        /** One of the accepted examples, as it was sent, to be redelivered. */
        Example pickTaken(int pick) {
            return taken.isEmpty() ? null : taken.get(pick % taken.size());
        }

        String[] pickForLabel(int pick) {
            if (labeledAtArrival.isEmpty()) {
                return null;
            }
            String key = new ArrayList<>(labeledAtArrival.keySet()).get(pick % labeledAtArrival.size());
            int slash = key.indexOf('/');
            return new String[] {key.substring(0, slash), key.substring(slash + 1)};
        }

        void label(String model, String id) {
            for (Entry e : inbox.get(model)) {
                if (!e.labeled && !e.predicted && e.id.equals(id)) {
                    e.labeled = true;
                    joined++;
                    return;
                }
            }
            Map<String, Boolean> waiting = awaiting.get(model);
            if (waiting.containsKey(id)) {
                if (waiting.get(id)) {
                    duplicates++;
                } else {
                    waiting.put(id, true);
                    joined++;
                    inbox.get(model).add(new Entry(id, true, true));
                    maybeProcess(model);
                }
                return;
            }
            if (!waitingLabels.get(model).add(id)) {
                duplicates++;
            }
        }

        /** A label sent before its example: a later example of the model may take its id. */
        void earlyLabel(String model, String id) {
            earlyLabelIds.get(model).add(id);
        }

        private void maybeProcess(String model) {
            if (inbox.get(model).size() >= BATCH) {
                process(model);
            }
        }

        private void process(String model) {
            for (Entry e : inbox.get(model)) {
                if (e.labeled) {
                    trained.merge(model, 1L, Long::sum);
                }
                if (!e.predicted && !e.labeled) {
                    awaiting.get(model).put(e.id, false);
                }
            }
            inbox.get(model).clear();
        }

        void endOfStream() {
            for (String model : inbox.keySet()) {
                process(model);
                // labels whose example never came, or came labeled: rejected when their wait runs out
                waitingLabels.get(model).forEach(id -> rejected(LearnerProcessor.UNMATCHED_LABEL));
                waitingLabels.get(model).clear();
            }
        }
    }
}
