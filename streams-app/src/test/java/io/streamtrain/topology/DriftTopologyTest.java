package io.streamtrain.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.streamtrain.avro.ClassLabel;
import io.streamtrain.avro.DriftEvent;
import io.streamtrain.avro.Example;
import io.streamtrain.avro.ModelSnapshot;
import io.streamtrain.learn.NetworkSpec;
import io.streamtrain.learn.drift.DriftSettings;
import io.streamtrain.snapshot.SnapshotChunks;
import io.streamtrain.snapshot.SnapshotException;
import io.streamtrain.snapshot.SnapshotKey;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Drift detection in the learner's processor: a concept that flips (the labels of a learnable stream swapped) is
 * detected soon after the flip, each detection written once as a {@link DriftEvent} with what was done; a raised
 * learning rate lasts its steps and goes back; a stream that does not change raises nothing. And a task that stops
 * mid-stream and restarts from its store goes on exactly as one that never stopped: the same events, the same
 * network bit for bit, the same detectors.
 */
class DriftTopologyTest {

    private static final NetworkSpec SPEC = NetworkSpec.fromResource("specs/mlp-classifier.yaml");
    private static final int FEATURES = SPEC.inputSize();
    private static final int FLIP_AT = 3_000;
    private static final int EXAMPLES = 4_500;

    private final List<ProcessorHarness> harnesses = new ArrayList<>();

    @AfterEach
    void close() {
        harnesses.forEach(ProcessorHarness::close);
    }

    @Test
    void aFlippedConceptIsDetectedSoonAfterTheFlipAndTheRaisedRateGoesBack() {
        DriftSettings drift = settings(DriftSettings.Action.RAISE_LR);
        ProcessorHarness harness = harness(drift);
        LearnerProcessor processor = harness.processor(SPEC);
        Random data = new Random(11);
        for (int i = 0; i < EXAMPLES; i++) {
            harness.process(processor, example(data, i));
        }
        List<DriftEvent> events = events(harness.contextOf(processor));
        assertThat(events).as("detections").isNotEmpty();
        assertThat(events).allSatisfy(e -> {
            assertThat(e.getModel()).isEqualTo(ProcessorHarness.MODEL);
            assertThat(e.getDetector()).isIn("page-hinkley", "adwin");
            assertThat(e.getSignal()).isEqualTo("error");
            assertThat(e.getAction()).isEqualTo("raise-lr");
            assertThat(e.getOutcome()).startsWith("learning rate ");
            assertThat(e.getStatistic()).isPositive();
            assertThat(e.getEvidence()).isPositive();
        });
        DriftEvent first = events.get(0);
        assertThat(first.getOffset()).as("the first detection, after the flip at %d", FLIP_AT)
                .isBetween((long) FLIP_AT, FLIP_AT + 300L);
        assertThat(first.getExampleId()).isEqualTo("x" + first.getOffset());
        assertThat(events).extracting(DriftEvent::getDetector).as("both detectors saw it").contains("page-hinkley",
                "adwin");

        ModelRuntime restored = harness.restore(SPEC);
        assertThat(restored.state.learningRate).as("the raise lasted its 20 steps, then the spec's rate again")
                .isNaN();
        restored.learner.close();
    }

    @Test
    void aRollbackGoesBackToTheNewestSnapshotKeptBeforeTheDrift() {
        DriftSettings drift = settings(DriftSettings.Action.ROLLBACK);
        ProcessorHarness harness = harness(drift);
        List<MockProcessorContext<String, SpecificRecord>> contexts = withSnapshots(harness, drift);
        LearnerProcessor processor = harness.processor(SPEC);
        contexts.add(harness.contextOf(processor));
        Random data = new Random(14);
        for (int i = 0; i < EXAMPLES; i++) {
            harness.process(processor, example(data, i));
        }
        DriftEvent first = events(harness.contextOf(processor)).get(0);
        Matcher rolled = Pattern.compile("rolled back to the parameters and optimizer state of version (\\d+), "
                + "training on as version (\\d+)").matcher(first.getOutcome());
        assertThat(rolled.matches()).as("the outcome: %s", first.getOutcome()).isTrue();
        long to = Long.parseLong(rolled.group(1));
        long lookback = (DriftSettings.ROLLBACK_LOOKBACK + SPEC.batchSize() - 1) / SPEC.batchSize();
        assertThat(to).as("a kept snapshot (every 20 steps), before the drift")
                .isNotZero().isLessThanOrEqualTo(first.getModelVersion() + 1 - lookback);
        assertThat(to % 20).isZero();
        assertThat(to).isGreaterThan(first.getModelVersion() + 1 - lookback - 20);
        assertThat(Long.parseLong(rolled.group(2))).as("versions go on").isGreaterThan(first.getModelVersion());
    }

    /** Snapshots every 20 steps, read back from what the harness's processors (added to the list) forwarded. */
    private static List<MockProcessorContext<String, SpecificRecord>> withSnapshots(ProcessorHarness harness,
            DriftSettings drift) {
        List<MockProcessorContext<String, SpecificRecord>> contexts = new ArrayList<>();
        harness.tune(b -> b.drift(drift).snapshotEverySteps(20)
                .snapshotSource((model, version) -> zipForwarded(contexts, model, version)));
        return contexts;
    }

    /** A version's zip from the snapshot chunks the processors forwarded (the models topic of this harness). */
    private static byte[] zipForwarded(List<MockProcessorContext<String, SpecificRecord>> contexts, String model,
            long version) {
        Map<Integer, ModelSnapshot> chunks = new TreeMap<>();
        for (MockProcessorContext<String, SpecificRecord> context : contexts) {
            for (MockProcessorContext.CapturedForward<? extends String, ? extends SpecificRecord> f
                    : context.forwarded()) {
                SnapshotKey key = SnapshotKey.parse(f.record().key());
                if (key != null && key.model().equals(model) && key.version() == version
                        && f.record().value() instanceof ModelSnapshot chunk) {
                    chunks.put(key.chunk(), chunk);
                }
            }
        }
        if (chunks.isEmpty()) {
            throw new SnapshotException("no version " + version + " of " + model + " was forwarded");
        }
        return SnapshotChunks.join(new ArrayList<>(chunks.values()));
    }

    @Test
    void aStreamThatDoesNotChangeRaisesNoDrift() {
        ProcessorHarness harness = harness(settings(DriftSettings.Action.RAISE_LR));
        LearnerProcessor processor = harness.processor(SPEC);
        Random data = new Random(12);
        for (int i = 0; i < EXAMPLES; i++) {
            harness.process(processor, example(data, i, false));
        }
        assertThat(events(harness.contextOf(processor))).isEmpty();
    }

    @Test
    void aTaskRestartedFromItsStoreGoesOnExactlyAsOneThatNeverStopped() {
        for (DriftSettings.Action action : DriftSettings.Action.values()) {
            DriftSettings drift = settings(action);
            // one task over the whole stream; snapshots every 20 steps, for a rollback to find one
            ProcessorHarness whole = harness(drift);
            List<MockProcessorContext<String, SpecificRecord>> wholeContexts = withSnapshots(whole, drift);
            LearnerProcessor once = whole.processor(SPEC);
            wholeContexts.add(whole.contextOf(once));
            Random data = new Random(13);
            List<Example> stream = new ArrayList<>();
            for (int i = 0; i < EXAMPLES; i++) {
                stream.add(example(data, i));
            }
            stream.forEach(e -> whole.process(once, e));

            // another that stops at a point past the flip, while a raised rate may be on, and starts again
            ProcessorHarness split = harness(drift);
            List<MockProcessorContext<String, SpecificRecord>> splitContexts = withSnapshots(split, drift);
            LearnerProcessor before = split.processor(SPEC);
            splitContexts.add(split.contextOf(before));
            int stop = FLIP_AT + 371;
            stream.subList(0, stop).forEach(e -> split.process(before, e));
            LearnerProcessor after = split.processor(SPEC);
            splitContexts.add(split.contextOf(after));
            stream.subList(stop, stream.size()).forEach(e -> split.process(after, e));

            List<DriftEvent> expected = events(whole.contextOf(once));
            List<DriftEvent> got = new ArrayList<>(events(split.contextOf(before)));
            got.addAll(events(split.contextOf(after)));
            assertThat(expected).as("%s: detections", action).isNotEmpty();
            assertThat(got).as("%s: the same events, once each", action).usingRecursiveComparison()
                    .ignoringFields("detectedAt").isEqualTo(expected);
            if (action == DriftSettings.Action.ROLLBACK) {
                assertThat(expected.get(0).getOutcome()).startsWith("rolled back to ");
            }

            ModelRuntime a = whole.restore(SPEC);
            ModelRuntime b = split.restore(SPEC);
            assertThat(b.learner.checkpoint()).as("%s: parameters and optimizer state", action)
                    .isEqualTo(a.learner.checkpoint());
            assertThat(Double.valueOf(b.state.learningRate)).as("%s: the rate in force", action)
                    .isEqualTo(Double.valueOf(a.state.learningRate));
            assertThat(b.state.drift).as("%s: the detectors' and the action's state", action)
                    .isEqualTo(a.state.drift);
            a.learner.close();
            b.learner.close();
        }
    }

    private static DriftSettings settings(DriftSettings.Action action) {
        return new DriftSettings(List.of("page-hinkley", "adwin"), DriftSettings.Signal.ERROR, action, 5, 20, 50,
                0.002);
    }

    private ProcessorHarness harness(DriftSettings drift) {
        ProcessorHarness harness = new ProcessorHarness();
        harness.tune(b -> b.drift(drift));
        harnesses.add(harness);
        return harness;
    }

    /** A learnable stream: the class is the sign of the first feature, swapped from {@link #FLIP_AT} on. */
    private static Example example(Random data, int i) {
        return example(data, i, true);
    }

    private static Example example(Random data, int i, boolean flip) {
        List<Float> x = new ArrayList<>(FEATURES);
        for (int f = 0; f < FEATURES; f++) {
            x.add((float) data.nextGaussian());
        }
        int label = x.get(0) > 0 ? 1 : 0;
        if (flip && i >= FLIP_AT) {
            label = 1 - label;
        }
        return Example.newBuilder().setId("x" + i).setModel(ProcessorHarness.MODEL).setFeatures(x)
                .setLabel(new ClassLabel(label, null)).setEventTime(Instant.ofEpochMilli(1_700_000_000_000L)).build();
    }

    private static List<DriftEvent> events(MockProcessorContext<String, SpecificRecord> context) {
        return context.forwarded().stream().map(MockProcessorContext.CapturedForward::record).map(Record::value)
                .filter(DriftEvent.class::isInstance).map(DriftEvent.class::cast).toList();
    }
}
