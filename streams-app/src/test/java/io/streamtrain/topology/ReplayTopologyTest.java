package io.streamtrain.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.streamtrain.avro.ClassLabel;
import io.streamtrain.avro.DriftEvent;
import io.streamtrain.avro.Example;
import io.streamtrain.avro.Prediction;
import io.streamtrain.learn.NetworkSpec;
import io.streamtrain.learn.drift.DriftSettings;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Experience replay in the learner's processor: the reservoir is saved with each checkpoint and rebuilt exactly on a
 * restore, so a task that stops anywhere and starts again from its store predicts, trains and samples exactly as
 * one that never stopped; a drift can clear it, a reset empties it, and a spec that no longer replays (or keeps
 * fewer) leaves no slots behind.
 */
class ReplayTopologyTest {

    private static final String MLP = """
            inputSize: 20
            layers: [{type: dense, units: 32}]
            output: {type: classification, classes: 2}
            seed: 5
            batch: {size: 16, maxWaitMs: 100}
            """;
    private static final NetworkSpec SPEC = NetworkSpec.parse(MLP + "replay: {ratio: 3, capacity: 200}",
            NetworkSpec.Format.YAML);
    private static final int EXAMPLES = 1_500;
    private static final int FLIP_AT = 900;

    private final List<ProcessorHarness> harnesses = new ArrayList<>();

    @AfterEach
    void close() {
        harnesses.forEach(ProcessorHarness::close);
    }

    @Test
    void aTaskRestartedFromItsStoreAnywhereGoesOnExactlyAsOneThatNeverStopped() {
        List<Example> stream = stream(21, false);
        ProcessorHarness whole = harness(null);
        LearnerProcessor once = whole.processor(SPEC);
        stream.forEach(e -> whole.process(once, e));
        ModelRuntime a = whole.restore(SPEC);
        assertThat(a.replay.size()).as("full").isEqualTo(200);
        // the last 12 examples wait in the inbox for a batch of 16
        long labeled = stream.subList(0, EXAMPLES / 16 * 16).stream().filter(e -> e.getLabel() != null).count();
        assertThat(a.replay.seen()).as("every labeled example offered once").isEqualTo(labeled);
        assertThat(a.learner.examplesTrained()).as("new examples only").isEqualTo(labeled);
        assertThat(a.learner.version()).isEqualTo((EXAMPLES + 15) / 16 - 1);

        // stops: mid-batch, right after a checkpoint (every 3 batches here), and mid-interval, while the reservoir
        // still fills and after it is full
        for (int stop : new int[] {57, 96, 150, 613, 1_201}) {
            ProcessorHarness split = harness(null);
            LearnerProcessor before = split.processor(SPEC);
            stream.subList(0, stop).forEach(e -> split.process(before, e));
            LearnerProcessor after = split.processor(SPEC);
            stream.subList(stop, stream.size()).forEach(e -> split.process(after, e));

            List<Prediction> got = new ArrayList<>(predictions(split.contextOf(before)));
            got.addAll(predictions(split.contextOf(after)));
            assertThat(got).as("stopped at %d: the same predictions, once each", stop).usingRecursiveComparison()
                    .ignoringFields("predictedAt").isEqualTo(predictions(whole.contextOf(once)));
            ModelRuntime b = split.restore(SPEC);
            assertThat(b.learner.checkpoint()).as("stopped at %d: parameters and optimizer state", stop)
                    .isEqualTo(a.learner.checkpoint());
            assertSameReservoir(b, a, "stopped at " + stop);
            b.learner.close();
        }
        a.learner.close();
    }

    @Test
    void aDriftClearsTheReservoirOnceAndARestartKeepsItCleared() {
        DriftSettings drift = new DriftSettings(List.of("page-hinkley", "adwin"), DriftSettings.Signal.ERROR,
                DriftSettings.Action.CLEAR_REPLAY, 2, 20, 50, 0.002);
        List<Example> stream = stream(22, true);
        ProcessorHarness whole = harness(drift);
        LearnerProcessor once = whole.processor(SPEC);
        stream.forEach(e -> whole.process(once, e));
        List<DriftEvent> events = events(whole.contextOf(once));
        assertThat(events).as("the flip at %d is detected", FLIP_AT).isNotEmpty();
        assertThat(events.get(0).getOffset()).isGreaterThanOrEqualTo(FLIP_AT);
        assertThat(events.get(0).getAction()).isEqualTo("clear-replay");
        assertThat(events.get(0).getOutcome()).matches("replay reservoir cleared \\(200 past examples\\) at version "
                + "\\d+");
        ModelRuntime a = whole.restore(SPEC);
        long offeredSinceClear = a.replay.seen();
        assertThat(offeredSinceClear).as("offered since the last clear").isLessThan(EXAMPLES - FLIP_AT);

        ProcessorHarness split = harness(drift);
        LearnerProcessor before = split.processor(SPEC);
        int stop = (int) events.get(0).getOffset() + 40;
        stream.subList(0, stop).forEach(e -> split.process(before, e));
        LearnerProcessor after = split.processor(SPEC);
        stream.subList(stop, stream.size()).forEach(e -> split.process(after, e));
        List<DriftEvent> got = new ArrayList<>(events(split.contextOf(before)));
        got.addAll(events(split.contextOf(after)));
        assertThat(got).usingRecursiveComparison().ignoringFields("detectedAt").isEqualTo(events);
        ModelRuntime b = split.restore(SPEC);
        assertThat(b.learner.checkpoint()).isEqualTo(a.learner.checkpoint());
        assertSameReservoir(b, a, "after a clear");
        a.learner.close();
        b.learner.close();
    }

    @Test
    void aSpecThatKeepsFewerOrNoneLeavesNoSlotsBehind() {
        ProcessorHarness harness = harness(null);
        LearnerProcessor first = harness.processor(SPEC);
        stream(23, false).subList(0, 600).forEach(e -> harness.process(first, e));
        assertThat(replaySlots(harness)).isEqualTo(200);

        NetworkSpec fewer = NetworkSpec.parse(MLP + "replay: {ratio: 1, capacity: 50}", NetworkSpec.Format.YAML);
        ModelRuntime smaller = harness.restore(fewer);
        assertThat(smaller.replay.size()).isEqualTo(50);
        assertThat(replaySlots(harness)).isEqualTo(50);
        smaller.learner.close();

        NetworkSpec none = NetworkSpec.parse(MLP, NetworkSpec.Format.YAML);
        ModelRuntime without = harness.restore(none);
        assertThat(without.replay).isNull();
        assertThat(replaySlots(harness)).isZero();
        without.learner.close();
    }

    private static void assertSameReservoir(ModelRuntime got, ModelRuntime expected, String what) {
        assertThat(got.replay.seen()).as("%s: examples offered", what).isEqualTo(expected.replay.seen());
        assertThat(got.replay.size()).as("%s: examples kept", what).isEqualTo(expected.replay.size());
        for (int slot = 0; slot < expected.replay.size(); slot++) {
            assertThat(got.replay.features(slot)).as("%s: slot %d", what, slot)
                    .isEqualTo(expected.replay.features(slot));
            assertThat(got.replay.target(slot)).isEqualTo(expected.replay.target(slot));
            assertThat(got.replay.weight(slot)).isEqualTo(expected.replay.weight(slot));
        }
    }

    private static long replaySlots(ProcessorHarness harness) {
        try (var it = harness.store().prefixScan(StateKeys.replayPrefix(ProcessorHarness.MODEL),
                new org.apache.kafka.common.serialization.StringSerializer())) {
            long n = 0;
            while (it.hasNext()) {
                it.next();
                n++;
            }
            return n;
        }
    }

    private ProcessorHarness harness(DriftSettings drift) {
        ProcessorHarness harness = new ProcessorHarness();
        harness.tune(b -> (drift == null ? b : b.drift(drift)).checkpointEveryBatches(3));
        harnesses.add(harness);
        return harness;
    }

    /**
     * A learnable stream (the class is the sign of the first feature, swapped from {@link #FLIP_AT} on when asked);
     * one example in nine unlabeled, one in seven weighted 2.
     */
    private static List<Example> stream(long seed, boolean flip) {
        Random data = new Random(seed);
        List<Example> stream = new ArrayList<>();
        for (int i = 0; i < EXAMPLES; i++) {
            List<Float> x = new ArrayList<>(20);
            for (int f = 0; f < 20; f++) {
                x.add((float) data.nextGaussian());
            }
            int label = x.get(0) > 0 ? 1 : 0;
            if (flip && i >= FLIP_AT) {
                label = 1 - label;
            }
            stream.add(Example.newBuilder().setId("x" + i).setModel(ProcessorHarness.MODEL).setFeatures(x)
                    .setLabel(i % 9 == 4 ? null : new ClassLabel(label, null)).setWeight(i % 7 == 3 ? 2f : 1f)
                    .setEventTime(Instant.ofEpochMilli(1_700_000_000_000L)).build());
        }
        return stream;
    }

    private static List<Prediction> predictions(MockProcessorContext<String, ?> context) {
        return ProcessorHarness.forwarded(context, Prediction.class);
    }

    private static List<DriftEvent> events(MockProcessorContext<String, ?> context) {
        return ProcessorHarness.forwarded(context, DriftEvent.class);
    }
}
