package io.streamtrain.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import io.streamtrain.avro.ClassLabel;
import io.streamtrain.avro.Example;
import io.streamtrain.avro.Label;
import io.streamtrain.avro.Prediction;
import io.streamtrain.avro.RejectedRecord;
import io.streamtrain.avro.TrainingMetrics;
import io.streamtrain.learn.NetworkSpec;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LearnerTopologyTest {

    private static final NetworkSpec SPEC = NetworkSpec.fromResource("specs/mlp-classifier.yaml");

    private DrivenLearner learner;
    private TopologyTestDriver driver;
    private Serde<Example> examples;
    private Serde<Label> labels;
    private TestInputTopic<String, byte[]> input;
    private TestInputTopic<String, byte[]> labelInput;
    private TestOutputTopic<String, Prediction> predictions;
    private TestOutputTopic<String, TrainingMetrics> metrics;
    private TestOutputTopic<String, RejectedRecord> errors;
    private final Random random = new Random(7);
    private int nextId;

    @TempDir
    Path stateDir;

    @BeforeEach
    void setUp() {
        learner = new DrivenLearner("t", stateDir, model -> SPEC, settings -> settings
                .checkpointEveryBatches(2)
                .metricsInterval(Duration.ofSeconds(5))
                .metricsEveryExamples(1_000_000)
                .punctuateInterval(Duration.ofMillis(50))
                .dedupeWindow(1000)
                .maxPendingLabels(500)
                .labelWait(Duration.ofMinutes(10)), Instant.ofEpochMilli(1_000_000));
        driver = learner.driver;
        examples = learner.examples;
        labels = learner.labels;
        input = learner.exampleInput;
        labelInput = learner.labelInput;
        predictions = learner.predictions;
        metrics = learner.metrics;
        errors = learner.errors;
    }

    @AfterEach
    void tearDown() {
        learner.close();
    }

    @Test
    void predictsEachExampleBeforeTrainingOnItInMiniBatches() {
        for (int i = 0; i < 31; i++) {
            send(example("m", 20, 1));
        }
        assertThat(predictions.isEmpty()).as("a partial mini-batch waits").isTrue();
        send(example("m", 20, 0));
        List<Prediction> first = predictions.readValuesToList();
        assertThat(first).hasSize(32);
        assertThat(first).allSatisfy(p -> {
            assertThat(p.getModelVersion()).isZero();
            assertThat(p.getLoss()).isNotNull().isPositive();
            assertThat(p.getProbabilities()).hasSize(2);
            assertThat(p.getProbabilities().get(0) + p.getProbabilities().get(1)).isCloseTo(1f,
                    org.assertj.core.data.Offset.offset(1e-4f));
        });
        assertThat(first.get(0).getExampleId()).isEqualTo("m-0");

        for (int i = 0; i < 32; i++) {
            send(example("m", 20, 1));
        }
        assertThat(predictions.readValuesToList()).hasSize(32)
                .allSatisfy(p -> assertThat(p.getModelVersion()).as("made after one training step").isEqualTo(1));
    }

    @Test
    void unlabeledExamplesArePredictedButNotTrainedOn() {
        for (int i = 0; i < 32; i++) {
            send(example("m", 20, null));
        }
        for (int i = 0; i < 32; i++) {
            send(example("m", 20, null));
        }
        List<Prediction> all = predictions.readValuesToList();
        assertThat(all).hasSize(64).allSatisfy(p -> {
            assertThat(p.getModelVersion()).isZero();
            assertThat(p.getLoss()).isNull();
            assertThat(p.getLabel()).isNull();
        });
    }

    @Test
    void aPartialBatchIsProcessedOnceItHasWaitedTheSpecsLongestWait() {
        for (int i = 0; i < 5; i++) {
            send(example("m", 20, 1));
        }
        driver.advanceWallClockTime(Duration.ofMillis(SPEC.maxWaitMs() / 2));
        assertThat(predictions.isEmpty()).isTrue();
        driver.advanceWallClockTime(Duration.ofMillis(SPEC.maxWaitMs()));
        assertThat(predictions.readValuesToList()).hasSize(5);
    }

    @Test
    void modelsSharingTheTopicLearnApart() {
        for (int i = 0; i < 32; i++) {
            send(example("a", 20, 1));
            send(example("b", 20, 0));
        }
        var byModel = predictions.readKeyValuesToList();
        assertThat(byModel).hasSize(64);
        assertThat(byModel.stream().filter(kv -> kv.key.equals("a"))).hasSize(32)
                .allSatisfy(kv -> assertThat(kv.value.getModel()).isEqualTo("a"));
    }

    @Test
    void badRecordsGoToTheErrorsTopicWithTheirReasonAndTheGoodOnesAroundThemAreProcessed() {
        send(example("m", 20, 1));
        input.pipeInput("m", new byte[] {1, 2, 3});
        send(example("m", 19, 1));
        Example nan = example("m", 20, 1);
        nan.getFeatures().set(3, Float.NaN);
        send(nan);
        Example infinite = example("m", 20, 1);
        infinite.getFeatures().set(0, Float.POSITIVE_INFINITY);
        send(infinite);
        send(example("m", 20, 7));
        input.pipeInput("other", examples.serializer().serialize("t.examples", example("m", 20, 1)));
        input.pipeInput("m", null);
        send(example("m", 20, 0));

        List<RejectedRecord> rejected = errors.readValuesToList();
        assertThat(rejected).extracting(RejectedRecord::getRule).containsExactly(
                "undecodable", "feature-count", "non-finite", "non-finite", "unknown-class", "key-model-mismatch",
                "null-value");
        assertThat(rejected).allSatisfy(r -> {
            assertThat(r.getTopic()).isEqualTo("t.examples");
            assertThat(r.getMessage()).isNotBlank();
        });
        assertThat(rejected.get(1).getField()).isEqualTo("features");
        assertThat(rejected.get(1).getMessage()).contains("20").contains("19");
        assertThat(rejected.get(2).getField()).isEqualTo("features[3]");
        assertThat(rejected.get(4).getField()).isEqualTo("label");
        assertThat(rejected.get(0).getValue().array()).containsExactly(1, 2, 3);
        assertThat(rejected).extracting(RejectedRecord::getOffset).doesNotHaveDuplicates();

        driver.advanceWallClockTime(Duration.ofMillis(SPEC.maxWaitMs() + 100));
        assertThat(predictions.readValuesToList()).extracting(Prediction::getExampleId)
                .containsExactly("m-0", "m-6");
    }

    @Test
    void metricsReportTheWindowAndTheModelAtTheInterval() {
        for (int i = 0; i < 64; i++) {
            send(example("m", 20, i % 2));
        }
        send(example("m", 19, 1));
        driver.advanceWallClockTime(Duration.ofSeconds(6));
        List<TrainingMetrics> windows = metrics.readValuesToList();
        assertThat(windows).hasSize(1);
        TrainingMetrics m = windows.get(0);
        assertThat(m.getModel()).isEqualTo("m");
        assertThat(m.getExamples()).isEqualTo(64);
        assertThat(m.getLabeled()).isEqualTo(64);
        assertThat(m.getTrained()).isEqualTo(64);
        assertThat(m.getExamplesTrained()).isEqualTo(64);
        assertThat(m.getModelVersion()).isEqualTo(2);
        assertThat(m.getErrors()).isEqualTo(1);
        assertThat(m.getMeanLoss()).isPositive();
        assertThat(m.getAccuracy()).isBetween(0.0, 1.0);
        assertThat(m.getMae()).isNull();
        assertThat(m.getBackend()).isNotBlank();

        driver.advanceWallClockTime(Duration.ofSeconds(6));
        assertThat(metrics.isEmpty()).as("no window without examples").isTrue();
    }

    @Test
    void aRedeliveredExampleIsNeitherPredictedNorTrainedOnAgain() {
        List<Example> first = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            Example e = example("m", 20, i % 2);
            first.add(e);
            send(e);
        }
        // the same examples again, as a source redelivers them after a restart, then new ones
        first.forEach(this::send);
        for (int i = 0; i < 32; i++) {
            send(example("m", 20, i % 2));
        }
        List<Prediction> all = predictions.readValuesToList();
        assertThat(all).hasSize(64);
        assertThat(all).extracting(Prediction::getExampleId).doesNotHaveDuplicates();
        driver.advanceWallClockTime(Duration.ofSeconds(6));
        TrainingMetrics m = metrics.readValuesToList().get(0);
        assertThat(m.getExamplesTrained()).isEqualTo(64);
        assertThat(m.getDuplicates()).isEqualTo(32);
        assertThat(metric("duplicates-total", "m")).isEqualTo(32.0);
    }

    @Test
    void theDedupeWindowForgetsTheOldestIdsAndKeepsTheStoreBounded() {
        // window 1000, batches of 32: after 3200 examples about 1000 ids are kept, in a few segments
        for (int i = 0; i < 3200; i++) {
            send(example("m", 20, i % 2));
        }
        var store = driver.<String, byte[]>getKeyValueStore(LearnerSettings.STATE_STORE);
        long kept = 0;
        try (var it = store.prefixScan(StateKeys.dedupePrefix("m"), Serdes.String().serializer())) {
            while (it.hasNext()) {
                kept += RecentIds.decode(it.next().value).size();
            }
        }
        assertThat(kept).isBetween(1000L, 1000L + 32);
        // the oldest ids are forgotten: the first example again is taken as new
        predictions.readValuesToList();
        Example again = Example.newBuilder(example("m", 20, 1)).setId("m-0").build();
        for (int i = 0; i < 31; i++) {
            send(example("m", 20, 1));
        }
        send(again);
        assertThat(predictions.readValuesToList()).extracting(Prediction::getExampleId).contains("m-0");
    }

    @Test
    void theLearnersOwnMetricsAreInKafkaStreamsMetricsRegistry() {
        for (int i = 0; i < 64; i++) {
            send(example("m", 20, i % 2));
        }
        send(example("m", 19, 1));
        driver.advanceWallClockTime(Duration.ofSeconds(6));
        assertThat(metric("examples-total", "m")).isEqualTo(64.0);
        assertThat(metric("trained-total", "m")).isEqualTo(64.0);
        assertThat(metric("model-version", "m")).isEqualTo(2.0);
        assertThat(metric("model-errors-total", "m")).isEqualTo(1.0);
        assertThat(metric("loss", "m")).isPositive();
        assertThat(metric("accuracy", "m")).isBetween(0.0, 1.0);
        assertThat(metric("errors-total", null)).isEqualTo(1.0);
    }

    private double metric(String name, String model) {
        return driver.metrics().entrySet().stream()
                .filter(e -> e.getKey().group().equals(LearnerMetrics.GROUP) && e.getKey().name().equals(name)
                        && (model == null || model.equals(e.getKey().tags().get("model"))))
                .map(e -> ((Number) e.getValue().metricValue()).doubleValue())
                .findFirst().orElseThrow(() -> new AssertionError("no metric " + name + " for " + model));
    }

    @Test
    void checkpointsKeepTheStoreBounded() {
        // checkpoint every 2 batches: after 10 batches only what was trained since the last checkpoint is live
        for (int i = 0; i < 32 * 10 + 3; i++) {
            send(example("m", 20, i % 2));
        }
        ModelState state = ModelState.fromBytes(store().get(StateKeys.meta("m")));
        assertThat(liveEntries(state)).as("only the 3 examples waiting for a batch are live").hasSize(3);
        assertThat(state.checkpointGeneration).isEqualTo(4);
        assertThat(state.batchEnds).isEmpty();
    }

    @Test
    void examplesOverwriteTheSlotsOfCheckpointedOnesSoTheStoreStaysBounded() {
        // 1024 slots (the least): twice round the ring, half of it unlabeled, which forces checkpoints of its own
        int n = 2 * 1024 + 3;
        for (int i = 0; i < n; i++) {
            send(example("m", 20, i % 4 < 2 ? null : i % 2));
        }
        ModelState state = ModelState.fromBytes(store().get(StateKeys.meta("m")));
        assertThat(state.slots).isEqualTo(LearnerProcessor.MIN_SLOTS);
        List<String> keys = new ArrayList<>();
        try (var it = store().prefixScan(StateKeys.entryPrefix("m"), Serdes.String().serializer())) {
            it.forEachRemaining(kv -> keys.add(kv.key));
        }
        assertThat(keys).hasSize(LearnerProcessor.MIN_SLOTS);
        assertThat(liveEntries(state)).extracting(StoredExample::seq).containsExactly(n - 3L, n - 2L, n - 1L);
        assertThat(predictions.readValuesToList()).hasSize(n - 3);
    }

    @Test
    void onlyUnlabeledExamplesStillCheckpointBeforeTheRingIsFull() {
        for (int i = 0; i < 3 * 1024; i++) {
            send(example("m", 20, null));
        }
        ModelState state = ModelState.fromBytes(store().get(StateKeys.meta("m")));
        assertThat(state.checkpointGeneration).as("checkpoints without any training step").isPositive();
        assertThat(state.processedSeq - state.checkpointSeq + 32).isLessThanOrEqualTo(state.slots);
        assertThat(predictions.readValuesToList()).hasSize(3 * 1024);
    }

    @Test
    void aLateLabelScoresThePredictionMadeWhenItsExampleCameAndTrainsOnIt() {
        List<Example> unlabeled = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            Example e = example("m", 20, null);
            unlabeled.add(e);
            send(e);
        }
        List<Prediction> made = predictions.readValuesToList();
        assertThat(made).hasSize(32).allSatisfy(p -> assertThat(p.getLoss()).isNull());
        for (int i = 0; i < 32; i++) {
            sendLabel(label("m", unlabeled.get(i).getId(), i % 2));
        }
        assertThat(predictions.isEmpty()).as("a late label makes no second prediction").isTrue();
        driver.advanceWallClockTime(Duration.ofSeconds(6));
        TrainingMetrics m = metrics.readValuesToList().get(0);
        assertThat(m.getLateLabels()).isEqualTo(32);
        assertThat(m.getExamples()).as("predictions made, not the late-labeled examples trained").isEqualTo(32);
        assertThat(m.getLabeled()).isEqualTo(32);
        assertThat(m.getTrained()).isEqualTo(32);
        assertThat(m.getExamplesTrained()).isEqualTo(32);
        assertThat(m.getModelVersion()).isEqualTo(1);
        // the loss of the predictions made at the time, before any training step
        double expected = 0;
        for (int i = 0; i < 32; i++) {
            expected -= Math.log(Math.max(made.get(i).getProbabilities().get(i % 2), 1e-7));
        }
        assertThat(m.getMeanLoss()).isCloseTo(expected / 32, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(metric("late-labels-total", "m")).isEqualTo(32.0);
        assertThat(errors.isEmpty()).isTrue();
    }

    @Test
    void aLabelForAnExampleStillWaitingForItsMiniBatchJoinsItThere() {
        Example queued = example("m", 20, null);
        send(queued);
        sendLabel(label("m", queued.getId(), 1));
        for (int i = 0; i < 31; i++) {
            send(example("m", 20, null));
        }
        List<Prediction> made = predictions.readValuesToList();
        assertThat(made).hasSize(32);
        assertThat(made.get(0).getExampleId()).isEqualTo(queued.getId());
        assertThat(((ClassLabel) made.get(0).getLabel()).getIndex()).isEqualTo(1);
        assertThat(made.get(0).getLoss()).isNotNull();
        driver.advanceWallClockTime(Duration.ofSeconds(6));
        TrainingMetrics m = metrics.readValuesToList().get(0);
        assertThat(m.getExamples()).isEqualTo(32);
        assertThat(m.getTrained()).isEqualTo(1);
        assertThat(m.getLabeled()).isEqualTo(1);
        assertThat(m.getLateLabels()).isEqualTo(1);
    }

    @Test
    void aLabelThatComesBeforeItsExampleWaitsForIt() {
        Example early = example("m", 20, null);
        sendLabel(label("m", early.getId(), 1));
        send(early);
        for (int i = 0; i < 31; i++) {
            send(example("m", 20, 0));
        }
        Prediction p = predictions.readValuesToList().get(0);
        assertThat(p.getExampleId()).isEqualTo(early.getId());
        assertThat(((ClassLabel) p.getLabel()).getIndex()).isEqualTo(1);
        assertThat(p.getLoss()).isNotNull();
        driver.advanceWallClockTime(Duration.ofSeconds(6));
        TrainingMetrics m = metrics.readValuesToList().get(0);
        assertThat(m.getTrained()).isEqualTo(32);
        assertThat(m.getLateLabels()).isEqualTo(1);
    }

    @Test
    void aSecondLabelForAnExampleIsSkippedAsADuplicate() {
        Example e = example("m", 20, null);
        send(e);
        driver.advanceWallClockTime(Duration.ofMillis(SPEC.maxWaitMs() + 100));
        sendLabel(label("m", e.getId(), 1));
        sendLabel(label("m", e.getId(), 0));
        // a label waiting for its example, sent twice
        sendLabel(label("m", "later", 1));
        sendLabel(label("m", "later", 1));
        driver.advanceWallClockTime(Duration.ofSeconds(6));
        TrainingMetrics m = metrics.readValuesToList().get(0);
        assertThat(m.getDuplicates()).isEqualTo(2);
        assertThat(m.getTrained()).isEqualTo(1);
        assertThat(m.getLateLabels()).isEqualTo(1);
        assertThat(errors.isEmpty()).isTrue();
    }

    @Test
    void aLabelWhoseExampleNeverComesGoesToTheErrorsTopicOnceItHasWaited() {
        byte[] bytes = labels.serializer().serialize("t.labels", label("m", "never", 1));
        labelInput.pipeInput("m", bytes);
        driver.advanceWallClockTime(Duration.ofMinutes(5));
        assertThat(errors.isEmpty()).isTrue();
        driver.advanceWallClockTime(Duration.ofMinutes(6));
        RejectedRecord r = errors.readValue();
        assertThat(r.getRule()).isEqualTo(LearnerProcessor.UNMATCHED_LABEL);
        assertThat(r.getField()).isEqualTo("exampleId");
        assertThat(r.getTopic()).isEqualTo("t.labels");
        assertThat(r.getMessage()).contains("'never'", "600000 ms");
        assertThat(r.getValue().array()).isEqualTo(bytes);
        assertThat(errors.isEmpty()).isTrue();
    }

    @Test
    void beyondTheBoundTheOldestWaitingLabelsAreRejectedAndTheOldestWaitingExamplesForgotten() {
        // at most 500 wait on each side
        for (int i = 0; i < 503; i++) {
            sendLabel(label("m", "early-" + i, 1));
        }
        assertThat(errors.readValuesToList()).extracting(RejectedRecord::getMessage)
                .satisfiesExactly(m -> assertThat(m).contains("'early-0'"), m -> assertThat(m).contains("'early-1'"),
                        m -> assertThat(m).contains("'early-2'"));

        List<Example> unlabeled = new ArrayList<>();
        for (int i = 0; i < 32 * 16; i++) {
            Example e = example("m", 20, null);
            unlabeled.add(e);
            send(e);
        }
        // 512 predicted: the first 12 stopped waiting, so a label for one is rejected at once instead of joining
        sendLabel(label("m", unlabeled.get(0).getId(), 1));
        sendLabel(label("m", unlabeled.get(511).getId(), 1));
        driver.advanceWallClockTime(Duration.ofSeconds(6));
        TrainingMetrics m = metrics.readValuesToList().get(0);
        assertThat(m.getLateLabels()).isEqualTo(1);
        assertThat(m.getUnlabeledEvicted()).isEqualTo(12);
        assertThat(m.getLabelsEvicted()).as("early-0 to early-2").isEqualTo(3);
        assertThat(errors.readValuesToList()).singleElement().satisfies(r -> {
            assertThat(r.getRule()).isEqualTo("example-evicted");
            assertThat(r.getMessage()).contains("'" + unlabeled.get(0).getId() + "'");
        });
    }

    @Test
    void badLabelsGoToTheErrorsTopicWithTheirReason() {
        sendLabel(label("m", "x", 7));
        sendLabel(Label.newBuilder(label("m", "y", 1))
                .setLabel(io.streamtrain.avro.RegressionTarget.newBuilder().setValue(0.5).build()).build());
        sendLabel(label("m", "", 1));
        labelInput.pipeInput("m", new byte[] {0, 0, 0, 0});
        labelInput.pipeInput("m", null);
        labelInput.pipeInput("other", labels.serializer().serialize("t.labels", label("m", "z", 1)));
        sendLabel(label("bad\u0001model", "z", 1));
        List<RejectedRecord> rejected = errors.readValuesToList();
        assertThat(rejected).extracting(RejectedRecord::getRule).containsExactly("unknown-class", "label-kind",
                "id-length", "undecodable", "null-value", "key-model-mismatch", "model-id");
        assertThat(rejected).extracting(RejectedRecord::getField).containsExactly("label", "label", "exampleId",
                "value", "value", "key", "model");
        assertThat(rejected).allSatisfy(r -> assertThat(r.getTopic()).isEqualTo("t.labels"));
    }

    private KeyValueStore<String, byte[]> store() {
        return driver.getKeyValueStore(LearnerSettings.STATE_STORE);
    }

    private List<StoredExample> liveEntries(ModelState state) {
        List<StoredExample> live = new ArrayList<>();
        try (var it = store().prefixScan(StateKeys.entryPrefix("m"), Serdes.String().serializer())) {
            it.forEachRemaining(kv -> {
                StoredExample e = StoredExample.decode(kv.value);
                if (e.seq() > state.checkpointSeq) {
                    live.add(e);
                }
            });
        }
        live.sort(java.util.Comparator.comparingLong(StoredExample::seq));
        return live;
    }

    private void sendLabel(Label label) {
        labelInput.pipeInput(label.getModel(), labels.serializer().serialize("t.labels", label));
    }

    private static Label label(String model, String exampleId, int classIndex) {
        return Label.newBuilder().setExampleId(exampleId).setModel(model)
                .setLabel(ClassLabel.newBuilder().setIndex(classIndex).build())
                .setTime(Instant.ofEpochMilli(1_700_000_100_000L)).build();
    }

    private void send(Example example) {
        input.pipeInput(example.getModel(), examples.serializer().serialize("t.examples", example));
    }

    private Example example(String model, int features, Integer label) {
        List<Float> x = new ArrayList<>(Collections.nCopies(features, 0f));
        for (int i = 0; i < features; i++) {
            x.set(i, (float) random.nextGaussian());
        }
        return Example.newBuilder()
                .setId(model + "-" + nextId++)
                .setModel(model)
                .setFeatures(x)
                .setLabel(label == null ? null : ClassLabel.newBuilder().setIndex(label).build())
                .setEventTime(Instant.ofEpochMilli(1_700_000_000_000L + nextId))
                .build();
    }
}
