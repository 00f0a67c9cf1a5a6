package io.streamtrain.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.streamtrain.avro.ClassLabel;
import io.streamtrain.avro.ControlAnswer;
import io.streamtrain.avro.ControlCommand;
import io.streamtrain.avro.Example;
import io.streamtrain.avro.ModelSnapshot;
import io.streamtrain.avro.Prediction;
import io.streamtrain.learn.Learner;
import io.streamtrain.learn.NetworkSpec;
import io.streamtrain.learn.Target;
import io.streamtrain.snapshot.SnapshotChunks;
import io.streamtrain.snapshot.SnapshotKey;
import org.apache.kafka.streams.test.TestRecord;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control topic: each command answered once on the control log, taking effect after the examples before it;
 * after {@code rollback M N} the model trains on exactly as a fresh learner warm-started from snapshot N would;
 * malformed and impossible commands are refused with the reason and change nothing.
 */
class ControlTopologyTest {

    private static final NetworkSpec SPEC = NetworkSpec.fromResource("specs/mlp-classifier.yaml");
    private static final int BATCH = SPEC.batchSize();

    @TempDir
    Path stateDir;
    @TempDir
    Path work;

    private final Random random = new Random(3);
    private DrivenLearner learner;
    private int sent;

    @BeforeEach
    void start() {
        learner = new DrivenLearner("ctl", stateDir, model -> model.equals("m") || model.equals("fresh") ? SPEC : null,
                settings -> settings.snapshotEverySteps(2).snapshotKeep(3), Instant.ofEpochMilli(0));
    }

    @AfterEach
    void stop() {
        learner.close();
    }

    @Test
    void rollbackTrainsOnAsAFreshLearnerWarmStartedFromThatSnapshot() throws Exception {
        List<float[][]> batches = new ArrayList<>();
        List<Target[]> targets = new ArrayList<>();
        for (int b = 0; b < 5; b++) {
            batch(batches, targets);
        }
        // versions 1 to 5: snapshots of 2 and 4
        assertThat(answer(command("rollback", 2L, null))).satisfies(a -> {
            assertThat(a.getOutcome()).as(a.getMessage()).isEqualTo("done");
            assertThat(a.getMessage()).isEqualTo("training on from the parameters and optimizer state of "
                    + "version 2 as version 6");
            assertThat(a.getModelVersion()).isEqualTo(6L);
        });
        // two more mini-batches after the rollback, then the model as it is now
        List<float[][]> after = new ArrayList<>();
        List<Target[]> afterTargets = new ArrayList<>();
        batch(after, afterTargets);
        batch(after, afterTargets);
        assertThat(answer(command("snapshot", null, null)).getMessage())
                .isEqualTo("version 8 is on the models topic already");
        byte[] now = zip(8);

        Path snapshot2 = Files.write(work.resolve("m-2.zip"), zip(2));
        NetworkSpec warm = NetworkSpec.parse("inputSize: 20\nwarmStart: " + snapshot2 + "\noutput: {type: "
                + "classification, classes: 2}\n", NetworkSpec.Format.YAML);
        try (Learner fresh = Learner.create(warm)) {
            for (int b = 0; b < after.size(); b++) {
                fresh.train(after.get(b), afterTargets.get(b), null);
            }
            MultiLayerNetwork ours = ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(now), true);
            MultiLayerNetwork theirs = ModelSerializer.restoreMultiLayerNetwork(
                    new ByteArrayInputStream(fresh.exportZip()), true);
            assertThat(ours.params().equalsWithEps(theirs.params(), 0)).as("parameters bit for bit").isTrue();
            assertThat(ours.getUpdater().getStateViewArray()
                    .equalsWithEps(theirs.getUpdater().getStateViewArray(), 0)).as("Adam's state").isTrue();
            assertThat(ours.getIterationCount()).isEqualTo(theirs.getIterationCount()).isEqualTo(4);
        }
    }

    @Test
    void pauseResumeSetLrResetAndSnapshotAnswerOnceAndActAfterTheExamplesBeforeThem() {
        batch(null, null);
        // half a batch waits; the pause steps it first, under the model as it was
        for (int i = 0; i < BATCH / 2; i++) {
            send();
        }
        ControlAnswer pause = answer(command("pause", null, null));
        assertThat(pause.getOutcome()).isEqualTo("done");
        assertThat(pause.getMessage()).isEqualTo("paused: predicting only, no training");
        assertThat(pause.getModelVersion()).as("the waiting half batch was trained on").isEqualTo(2L);
        batch(null, null);
        batch(null, null);
        List<Prediction> paused = learner.predictions.readValuesToList();
        assertThat(paused.subList(paused.size() - 2 * BATCH, paused.size()))
                .allSatisfy(p -> assertThat(p.getModelVersion()).isEqualTo(2L))
                .allSatisfy(p -> assertThat(p.getLoss()).as("still scored").isNotNull());
        assertThat(answer(command("pause", null, null)).getMessage()).isEqualTo("paused already");

        assertThat(answer(command("resume", null, null)).getMessage()).isEqualTo("resumed training");
        batch(null, null);
        assertThat(answer(command("set-lr", null, 0.05)).getMessage())
                .isEqualTo("learning rate 0.05 from version 3 on");
        batch(null, null);
        // version 4 was published by its step (every 2 steps)
        assertThat(answer(command("snapshot", null, null)).getMessage())
                .isEqualTo("version 4 is on the models topic already");
        batch(null, null);
        assertThat(answer(command("snapshot", null, null)).getMessage())
                .isEqualTo("published a snapshot of version 5");
        assertThat(snapshotTriggers()).containsExactly("every-steps", "every-steps", "command");

        ControlAnswer reset = answer(command("reset", null, null));
        assertThat(reset.getMessage()).isEqualTo("a fresh network from the spec as version 6");
        assertThat(answer(command("snapshot", null, null)).getMessage())
                .isEqualTo("published a snapshot of version 6");
        try (Learner fresh = Learner.create(SPEC)) {
            MultiLayerNetwork reset6 = restore(zip(6));
            MultiLayerNetwork spec = restore(fresh.exportZip());
            assertThat(reset6.params().equalsWithEps(spec.params(), 0)).isTrue();
        }
        // every command answered once, in order, with its id
        assertThat(learner.controlLog.readValuesToList()).isEmpty();
    }

    @Test
    void malformedAndImpossibleCommandsAreRefusedWithTheReasonAndChangeNothing() {
        batch(null, null);
        batch(null, null);
        assertRefused(command("rollback", 1L, null), "version 1 of model 'm' is not on the models topic; it keeps "
                + "versions [2]");
        assertRefused(command("rollback", null, null), "rollback needs the version to go back to");
        assertRefused(command("set-lr", null, null), "set-lr needs a learningRate above 0 and at most 10.0, was "
                + "null");
        assertRefused(command("set-lr", null, -1e-3), "was -0.001");
        assertRefused(command("set-lr", null, Double.NaN), "was NaN");
        assertRefused(command("set-lr", null, 11.0), "was 11.0");
        assertRefused(command("explode", null, null), "unknown command 'explode': one of snapshot, pause, "
                + "resume, set-lr, rollback, reset, pin, unpin");
        assertRefused(ControlCommand.newBuilder(command("pause", null, null)).setModel("fresh").build(), "fresh",
                "model 'fresh' has no state in this learner yet (no example of it has come)");
        assertRefused(ControlCommand.newBuilder(command("pause", null, null)).setModel("nobody").build(),
                "nobody", "model 'nobody' has no spec");
        assertRefused(command("pause", null, null), "other", "the record key must be the model id 'm'");

        learner.controlInput.pipeInput("m", new byte[] {0, 0, 0, 0, 7, 1});
        learner.controlInput.pipeInput("m", (byte[]) null);
        List<ControlAnswer> answers = learner.controlLog.readValuesToList();
        assertThat(answers).hasSize(2).allSatisfy(a -> {
            assertThat(a.getOutcome()).isEqualTo("refused");
            assertThat(a.getCommandId()).isNull();
            assertThat(a.getSource()).startsWith("ctl.control-0@");
        });
        assertThat(answers.get(0).getMessage()).startsWith("not a ControlCommand: ");
        assertThat(answers.get(1).getMessage()).isEqualTo("a command record must have a value");

        // nothing changed: it trains on, version 3
        batch(null, null);
        assertThat(answer(command("snapshot", null, null)).getModelVersion()).isEqualTo(3L);
        assertThat(learner.errors.readValuesToList()).isEmpty();
    }

    private void assertRefused(ControlCommand command, String message) {
        assertRefused(command, "m", message);
    }

    private void assertRefused(ControlCommand command, String key, String message) {
        learner.send(key, command);
        List<ControlAnswer> answers = learner.controlLog.readValuesToList();
        assertThat(answers).singleElement().satisfies(a -> {
            assertThat(a.getOutcome()).isEqualTo("refused");
            assertThat(a.getMessage()).contains(message);
            assertThat(a.getCommandId()).isEqualTo(command.getId());
        });
    }

    private ControlAnswer answer(ControlCommand command) {
        learner.send(command.getModel(), command);
        List<ControlAnswer> answers = learner.controlLog.readValuesToList();
        assertThat(answers).hasSize(1);
        assertThat(answers.get(0).getCommandId()).isEqualTo(command.getId());
        assertThat(answers.get(0).getCommand()).isEqualTo(command.getCommand());
        return answers.get(0);
    }

    private int commands;

    private ControlCommand command(String name, Long version, Double learningRate) {
        return ControlCommand.newBuilder().setId("c" + ++commands).setModel("m").setCommand(name).setVersion(version)
                .setLearningRate(learningRate).setIssuedAt(Instant.ofEpochMilli(1_700_000_000_000L)).build();
    }

    /** Sends one full mini-batch of labeled examples and keeps what it sent. */
    private void batch(List<float[][]> batches, List<Target[]> targets) {
        float[][] x = new float[BATCH][];
        Target[] y = new Target[BATCH];
        for (int i = 0; i < BATCH; i++) {
            Object[] sentExample = send();
            x[i] = (float[]) sentExample[0];
            y[i] = Target.ofClass((int) sentExample[1]);
        }
        if (batches != null) {
            batches.add(x);
            targets.add(y);
        }
    }

    private Object[] send() {
        float[] x = new float[SPEC.inputSize()];
        List<Float> features = new ArrayList<>();
        for (int f = 0; f < x.length; f++) {
            x[f] = (float) random.nextGaussian();
            features.add(x[f]);
        }
        int label = x[0] > 0 ? 1 : 0;
        learner.send("m", Example.newBuilder().setId("e" + sent++).setModel("m").setFeatures(features)
                .setLabel(new ClassLabel(label, null)).setEventTime(Instant.ofEpochMilli(1_700_000_000_000L))
                .build());
        return new Object[] {x, label};
    }

    private byte[] zip(long version) {
        List<ModelSnapshot> chunks = new ArrayList<>();
        for (TestRecord<String, ModelSnapshot> r : learner.modelRecords()) {
            if (r.value() != null && SnapshotKey.parse(r.key()).version() == version) {
                chunks.add(r.value());
            }
        }
        return SnapshotChunks.join(chunks);
    }

    private List<String> snapshotTriggers() {
        return learner.modelRecords().stream().filter(r -> r.value() != null && r.value().getChunk() == 0)
                .map(r -> r.value().getTrigger()).toList();
    }

    private static MultiLayerNetwork restore(byte[] zip) {
        try {
            return ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(zip), true);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
