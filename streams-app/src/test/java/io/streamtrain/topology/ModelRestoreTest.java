package io.streamtrain.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import io.streamtrain.avro.ClassLabel;
import io.streamtrain.avro.ControlCommand;
import io.streamtrain.avro.Example;
import io.streamtrain.avro.Prediction;
import io.streamtrain.avro.RejectedRecord;
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

    @Test
    void aTrainingStepThatLeavesTheNetworkNonFiniteIsUndoneAndItsLabeledExamplesGoToTheErrorsTopic() {
        // 6 batches; the 4th holds an example of extreme (finite) features, which overflows the network
        LearnerProcessor processor = processor(SPEC);
        List<List<Example>> batches = new ArrayList<>();
        for (int b = 0; b < 6; b++) {
            List<Example> batch = new ArrayList<>();
            for (int i = 0; i < BATCH; i++) {
                String id = "e" + (b * BATCH + i);
                Example e = b == 3 && i == 5
                        ? Example.newBuilder(example(id, 1)).setFeatures(Collections.nCopies(FEATURES,
                                3e38f)).build()
                        : example(id, i % 8 == 7 ? null : random.nextInt(2));
                batch.add(e);
                process(processor, e);
            }
            batches.add(batch);
        }
        var context = harness.contextOf(processor);

        List<RejectedRecord> errors = ProcessorHarness.forwarded(context,
                RejectedRecord.class);
        List<String> labeledOfFourth = batches.get(3).stream().filter(e -> e.getLabel() != null).map(Example::getId)
                .toList();
        assertThat(errors).as("one error per labeled example of the undone step, none for its unlabeled ones")
                .hasSize(labeledOfFourth.size());
        for (int i = 0; i < errors.size(); i++) {
            RejectedRecord r = errors.get(i);
            assertThat(r.getRule()).isEqualTo("non-finite-step");
            assertThat(r.getField()).isEqualTo("features");
            assertThat(r.getTopic()).isEqualTo("r.examples");
            assertThat(r.getOffset()).isEqualTo(-1);
            assertThat(r.getMessage()).startsWith("example '" + labeledOfFourth.get(i) + "' of model 'm' was "
                    + "predicted but not trained on").contains("stays at version 3");
        }
        List<Prediction> predictions = ProcessorHarness.forwarded(context, Prediction.class);
        assertThat(predictions).hasSize(6 * BATCH);
        assertThat(predictions.subList(4 * BATCH, 5 * BATCH)).as("the 5th batch: by the network before the "
                + "undone step").allSatisfy(p -> assertThat(p.getModelVersion()).isEqualTo(3));
        assertThat(predictions.subList(5 * BATCH, 6 * BATCH)).allSatisfy(p -> {
            assertThat(p.getModelVersion()).isEqualTo(4);
            assertThat(p.getProbabilities()).allSatisfy(q -> assertThat(q).isBetween(0f, 1f));
        });

        Learner reference = Learner.create(SPEC);
        for (int b : new int[] {0, 1, 2, 4, 5}) {
            train(reference, batches.get(b));
        }
        ModelRuntime restored = restore(SPEC);
        assertThat(restored.learner.isFinite()).isTrue();
        assertThat(restored.learner.checkpoint()).as("the network trained on every batch but the undone one, as a "
                + "restart restores it").isEqualTo(reference.checkpoint());
        reference.close();
        restored.learner.close();
    }

    @Test
    void anUndoneStepLeavesTheReservoirAndTheRacingBaselinesAsIfItsExamplesHadNeverBeenTrainedOn() {
        NetworkSpec spec = NetworkSpec.parse("""
                inputSize: 20
                layers: [{type: dense, units: 32}]
                output: {type: classification, classes: 2}
                seed: 5
                batch: {size: 16, maxWaitMs: 100}
                replay: {ratio: 2, capacity: 40}
                """, NetworkSpec.Format.YAML);
        List<List<Example>> batches = new ArrayList<>();
        for (int b = 0; b < 6; b++) {
            List<Example> batch = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                batch.add(example("e" + (b * 16 + i), random.nextInt(2)));
            }
            batches.add(batch);
        }
        Example poison = Example.newBuilder(batches.get(3).get(9)).setFeatures(Collections.nCopies(20,
                -3e38f)).build();
        RaceSettings race = new RaceSettings(List.of("majority", "softmax-regression", "gaussian-nb"), 50, false,
                0.05, 50);
        harness.tune(b -> b.race(race));
        LearnerProcessor poisoned = processor(spec);
        for (int b = 0; b < 6; b++) {
            for (int i = 0; i < 16; i++) {
                process(poisoned, b == 3 && i == 9 ? poison : batches.get(b).get(i));
            }
        }
        assertThat(ProcessorHarness.forwarded(harness.contextOf(poisoned), RejectedRecord.class))
                .as("the 4th step undone").hasSize(16).allSatisfy(r -> assertThat(r.getRule()).isEqualTo(
                        "non-finite-step"));
        ModelRuntime afterUndo = restore(spec);

        try (ProcessorHarness clean = new ProcessorHarness()) {
            clean.tune(b -> b.race(race));
            LearnerProcessor reference = clean.processor(spec);
            for (int b : new int[] {0, 1, 2, 4, 5}) {
                batches.get(b).forEach(e -> clean.process(reference, e));
            }
            ModelRuntime expected = clean.restore(spec);
            assertThat(afterUndo.learner.checkpoint()).as("network").isEqualTo(expected.learner.checkpoint());
            assertThat(afterUndo.replay.seen()).as("examples offered to the reservoir")
                    .isEqualTo(expected.replay.seen()).isEqualTo(5 * 16);
            for (int slot = 0; slot < expected.replay.size(); slot++) {
                assertThat(afterUndo.replay.features(slot)).as("slot %d", slot)
                        .isEqualTo(expected.replay.features(slot));
            }
            assertThat(afterUndo.raceModels()).as("what the baselines learned").isEqualTo(expected.raceModels());
            List<Prediction> live = ProcessorHarness.forwarded(harness.contextOf(poisoned), Prediction.class);
            List<Prediction> reached = ProcessorHarness.forwarded(clean.contextOf(reference), Prediction.class);
            assertThat(live.subList(5 * 16, 6 * 16)).extracting(Prediction::getProbabilities).as("the live network "
                    + "after the undone step predicts as one that never saw it")
                    .isEqualTo(reached.subList(4 * 16, 5 * 16).stream().map(Prediction::getProbabilities).toList());
            expected.learner.close();
        }
        afterUndo.learner.close();
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
