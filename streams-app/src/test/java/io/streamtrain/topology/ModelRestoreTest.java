package io.streamtrain.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.streamtrain.avro.ClassLabel;
import io.streamtrain.avro.ControlCommand;
import io.streamtrain.avro.Example;
import io.streamtrain.avro.Prediction;
import io.streamtrain.learn.Learner;
import io.streamtrain.learn.NetworkSpec;
import io.streamtrain.learn.Target;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Restore, replay and reslot on an in-memory store, without a broker or a driver: a processor takes examples in a
 * {@link MockProcessorContext}, and a second one, made on the same store as a restarted or moved task would be, must
 * hold exactly the model that an uninterrupted learner trained on the same mini-batches.
 */
class ModelRestoreTest {

    private static final NetworkSpec SPEC = NetworkSpec.fromResource("specs/mlp-classifier.yaml");
    private static final int FEATURES = SPEC.inputSize();
    private static final int BATCH = SPEC.batchSize();
    private static final String MODEL = ProcessorHarness.MODEL;

    private final ProcessorHarness harness = new ProcessorHarness();
    private final Random random = harness.random();
    private final KeyValueStore<String, byte[]> store = harness.store();

    @AfterEach
    void close() {
        harness.close();
    }

    @Test
    void aRestoredModelIsTheModelThatTrainedOnTheSameMiniBatchesBitForBit() {
        // checkpoints every 2 batches: 5 full batches leave one logged batch to replay and 10 examples waiting
        LearnerProcessor first = processor(SPEC);
        List<Example> sent = new ArrayList<>();
        for (int i = 0; i < 5 * BATCH + 10; i++) {
            // every fifth example unlabeled: a replayed batch must have the composition it was fitted with
            Example e = example("e" + i, i % 5 == 4 ? null : random.nextInt(2));
            sent.add(e);
            process(first, e);
        }
        ModelRuntime restored = restore(SPEC);

        Learner reference = Learner.create(SPEC);
        for (int b = 0; b < 5; b++) {
            train(reference, sent.subList(b * BATCH, (b + 1) * BATCH));
        }
        assertThat(restored.state.checkpointGeneration).as("checkpoints written").isEqualTo(1);
        assertThat(restored.state.batchEnds).as("the batch logged since the last checkpoint").hasSize(1);
        assertThat(restored.learner.version()).isEqualTo(5);
        assertThat(restored.learner.examplesTrained()).isEqualTo(reference.examplesTrained());
        assertThat(restored.learner.checkpoint()).as("parameters, updater state and counters")
                .isEqualTo(reference.checkpoint());
        assertThat(restored.inbox).extracting(StoredExample::id)
                .containsExactlyElementsOf(sent.subList(5 * BATCH, sent.size()).stream().map(Example::getId)
                        .toList());
        assertThat(restored.nextSeq).isEqualTo(5L * BATCH + 10);
        assertThat(restored.dedupe.remember("e3")).as("a taken id is remembered across the restart").isFalse();
        assertThat(restored.awaiting.contains("e4")).as("a predicted unlabeled example still waits for its label")
                .isTrue();
        reference.close();
        restored.learner.close();
    }

    @Test
    void aSecondProcessorOnTheStoreGoesOnWhereTheFirstStopped() {
        LearnerProcessor first = processor(SPEC);
        List<Example> sent = new ArrayList<>();
        for (int i = 0; i < 3 * BATCH + 5; i++) {
            Example e = example("a" + i, random.nextInt(2));
            sent.add(e);
            process(first, e);
        }
        // the task moves: a new processor restores from the store and takes the rest of the stream
        MockProcessorContext<String, SpecificRecord> context = harness.context();
        LearnerProcessor second = harness.processor(SPEC, context);
        for (int i = 0; i < BATCH - 5; i++) {
            Example e = example("b" + i, random.nextInt(2));
            sent.add(e);
            process(second, e);
        }
        List<Prediction> predictions = context.forwarded().stream()
                .map(MockProcessorContext.CapturedForward::record).map(Record::value)
                .filter(Prediction.class::isInstance).map(Prediction.class::cast).toList();
        assertThat(predictions).as("the restored examples and the new ones, one batch").hasSize(BATCH);
        assertThat(predictions).allSatisfy(p -> assertThat(p.getModelVersion()).isEqualTo(3));
        assertThat(predictions.get(0).getExampleId()).isEqualTo("a" + 3 * BATCH);

        Learner reference = Learner.create(SPEC);
        for (int b = 0; b < 4; b++) {
            train(reference, sent.subList(b * BATCH, (b + 1) * BATCH));
        }
        ModelRuntime restored = restore(SPEC);
        assertThat(restored.learner.checkpoint()).isEqualTo(reference.checkpoint());
        reference.close();
        restored.learner.close();
    }

    @Test
    void aLearningRateAndAPauseSetByCommandsAreRestoredAndTheReplayTrainsAtThatRate() {
        LearnerProcessor first = processor(SPEC);
        List<Example> sent = new ArrayList<>();
        for (int i = 0; i < 3 * BATCH; i++) {
            sent.add(example("a" + i, random.nextInt(2)));
            process(first, sent.get(sent.size() - 1));
        }
        harness.command(first, ControlCommand.newBuilder().setId("c1").setModel(MODEL).setCommand("set-lr")
                .setLearningRate(0.02).setIssuedAt(Instant.ofEpochMilli(0)).build());
        // three more mini-batches at the new rate: one checkpointed (every 2), the last replayed on restore
        for (int i = 0; i < 3 * BATCH; i++) {
            sent.add(example("b" + i, random.nextInt(2)));
            process(first, sent.get(sent.size() - 1));
        }
        harness.command(first, ControlCommand.newBuilder().setId("c2").setModel(MODEL).setCommand("pause")
                .setIssuedAt(Instant.ofEpochMilli(0)).build());

        Learner reference = Learner.create(SPEC);
        for (int b = 0; b < 6; b++) {
            if (b == 3) {
                reference.setLearningRate(0.02);
            }
            train(reference, sent.subList(b * BATCH, (b + 1) * BATCH));
        }
        ModelRuntime restored = restore(SPEC);
        assertThat(restored.state.batchEnds).as("a step to replay after the checkpoint").hasSize(1);
        assertThat(restored.learner.checkpoint()).isEqualTo(reference.checkpoint());
        assertThat(restored.state.paused).isTrue();
        assertThat(restored.state.learningRate).isEqualTo(0.02);
        restored.learner.close();

        // paused after the restore too: a processor on the store predicts and trains nothing
        MockProcessorContext<String, SpecificRecord> context = harness.context();
        LearnerProcessor second = harness.processor(SPEC, context);
        for (int i = 0; i < BATCH; i++) {
            process(second, example("c" + i, random.nextInt(2)));
        }
        assertThat(context.forwarded().stream().map(f -> f.record().value()).filter(Prediction.class::isInstance)
                .map(Prediction.class::cast)).hasSize(BATCH).allSatisfy(p -> assertThat(p.getModelVersion())
                        .isEqualTo(6));
        reference.close();
    }

    @Test
    void aLargerBatchThanTheRingWasMadeForMovesTheLiveExamplesToALargerRing() {
        LearnerProcessor first = processor(SPEC);
        List<String> waiting = new ArrayList<>();
        for (int i = 0; i < 2 * BATCH + 7; i++) {
            Example e = example("r" + i, random.nextInt(2));
            process(first, e);
            if (i >= 2 * BATCH) {
                waiting.add(e.getId());
            }
        }
        assertThat(new LearnerStore(store, 1 << 19).meta(MODEL).slots).isEqualTo(ModelRestore.MIN_SLOTS);

        // the same network with mini-batches of 600: a ring of 1,024 slots cannot hold two of them
        NetworkSpec larger = NetworkSpec.parse(new String(readSpec()).replace("size: 32", "size: 600"),
                NetworkSpec.Format.YAML);
        assertThat(larger.batchSize()).isEqualTo(600);
        ModelRuntime restored = restore(larger);
        assertThat(restored.state.slots).as("(checkpoint interval + 2) batches").isEqualTo(4 * 600);
        assertThat(new LearnerStore(store, 1 << 19).meta(MODEL).slots).as("stored").isEqualTo(4 * 600);
        assertThat(restored.inbox).extracting(StoredExample::id).containsExactlyElementsOf(waiting);
        assertThat(new LearnerStore(store, 1 << 19).examplesAfter(MODEL, restored.state.checkpointSeq))
                .extracting(StoredExample::id).containsExactlyElementsOf(waiting);
        assertThat(restored.learner.version()).isEqualTo(2);
        restored.learner.close();
    }

    @Test
    void theExamplesThatStoppedWaitingForALabelAreRememberedAcrossARestart() {
        harness.maxPending(40);
        LearnerProcessor first = processor(SPEC);
        for (int i = 0; i < 2 * BATCH; i++) {
            process(first, example("w" + i, null));
        }
        ModelRuntime restored = restore(SPEC);
        assertThat(restored.awaiting.size()).isEqualTo(40);
        assertThat(restored.dropped.size()).isEqualTo(2 * BATCH - 40);
        assertThat(restored.dropped.contains("w0")).isTrue();
        assertThat(restored.awaiting.contains("w" + (2 * BATCH - 1))).isTrue();
        restored.learner.close();
    }

    private byte[] readSpec() {
        try (var in = getClass().getResourceAsStream("/specs/mlp-classifier.yaml")) {
            return in.readAllBytes();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private ModelRuntime restore(NetworkSpec spec) {
        return harness.restore(spec);
    }

    private static void train(Learner learner, List<Example> batch) {
        List<float[]> features = new ArrayList<>();
        List<Target> targets = new ArrayList<>();
        for (Example e : batch) {
            if (e.getLabel() != null) {
                features.add(toArray(e.getFeatures()));
                targets.add(Target.ofClass(((ClassLabel) e.getLabel()).getIndex()));
            }
        }
        float[] weights = new float[features.size()];
        java.util.Arrays.fill(weights, 1f);
        learner.train(features.toArray(new float[0][]), targets.toArray(new Target[0]), weights);
    }

    private LearnerProcessor processor(NetworkSpec spec) {
        return harness.processor(spec);
    }

    private void process(LearnerProcessor processor, Example e) {
        harness.process(processor, e);
    }

    private Example example(String id, Integer label) {
        return harness.example(id, label, FEATURES);
    }

    private static float[] toArray(List<Float> values) {
        float[] a = new float[values.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = values.get(i);
        }
        return a;
    }
}
