package io.streamtrain.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import io.streamtrain.avro.ClassLabel;
import io.streamtrain.avro.ControlAnswer;
import io.streamtrain.avro.ControlCommand;
import io.streamtrain.avro.Example;
import io.streamtrain.embedded.Tries;
import io.streamtrain.learn.NetworkSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Generated records on the control topic, commands and bytes, with extreme values: every record gets exactly one
 * answer, with its id when it has one, and the learner goes on predicting and training (no exception reaches Kafka
 * Streams, nothing goes to the errors topic, every example still gets its prediction).
 */
class ControlInputProperties {

    private static final NetworkSpec SPEC = NetworkSpec.fromResource("specs/mlp-classifier.yaml");
    private static final String[] NAMES = {"snapshot", "pause", "resume", "set-lr", "rollback", "reset", "SNAPSHOT",
        " pause ", "", "rollback ", "set_lr", "drop-table", "\u0000", "\uD83D\uDE00"};

    @TempDir
    Path stateDir;

    @Test
    void everyRecordOnTheControlTopicIsAnsweredOnceAndTheLearnerGoesOn() {
        try (DrivenLearner learner = new DrivenLearner("cip", stateDir, model -> model.startsWith("m") ? SPEC : null,
                settings -> settings.snapshotEverySteps(1).snapshotKeep(2), Instant.ofEpochMilli(0))) {
            int[] examples = {0};
            long[] version = {0};
            Map<String, Integer> tally = Tries.run("control records", 400, random -> random.split(), random -> {
                // some examples between the commands, so that there are versions to roll back to and inboxes to step
                int n = random.nextInt(3) == 0 ? SPEC.batchSize() + random.nextInt(SPEC.batchSize()) : 0;
                for (int i = 0; i < n; i++) {
                    learner.send("m", example(random, "e" + examples[0]++));
                }
                String kind;
                if (random.nextInt(6) == 0) {
                    byte[] bytes = new byte[random.nextInt(40)];
                    random.nextBytes(bytes);
                    if (bytes.length > 0 && random.nextBoolean()) {
                        bytes[0] = 0;
                    }
                    learner.controlInput.pipeInput(random.nextBoolean() ? "m" : null, bytes.length == 0 ? null : bytes);
                    kind = "bytes";
                    List<ControlAnswer> answers = learner.controlLog.readValuesToList();
                    assertThat(answers).singleElement().satisfies(a -> {
                        assertThat(a.getOutcome()).isEqualTo("refused");
                        assertThat(a.getCommandId()).isNull();
                    });
                } else {
                    ControlCommand command = command(random, version[0]);
                    String key = random.nextInt(10) == 0 ? "other" : command.getModel();
                    learner.send(key, command);
                    List<ControlAnswer> answers = learner.controlLog.readValuesToList();
                    assertThat(answers).as("%s", command).singleElement().satisfies(a -> {
                        assertThat(a.getCommandId()).isEqualTo(command.getId());
                        assertThat(a.getOutcome()).isIn("done", "refused");
                        assertThat(a.getMessage()).isNotBlank();
                    });
                    kind = answers.get(0).getOutcome() + " " + command.getCommand().trim();
                    if (answers.get(0).getModelVersion() != null && command.getModel().equals("m")) {
                        version[0] = answers.get(0).getModelVersion();
                    }
                }
                assertThat(learner.errors.readValuesToList()).isEmpty();
                return kind.length() > 20 ? kind.substring(0, 20) : kind;
            });
            assertThat(tally.keySet()).contains("bytes", "done rollback", "done reset", "done set-lr", "done pause",
                    "refused set-lr", "refused rollback");
            // and it still learns: a full batch after all that is predicted
            learner.send("m", ControlCommand.newBuilder().setId("last").setModel("m").setCommand("resume")
                    .setIssuedAt(Instant.ofEpochMilli(0)).build());
            learner.predictions.readValuesToList();
            for (int i = 0; i < SPEC.batchSize(); i++) {
                learner.send("m", example(new SplittableRandom(i), "z" + i));
            }
            assertThat(learner.predictions.readValuesToList()).hasSizeGreaterThanOrEqualTo(SPEC.batchSize());
        }
    }

    /** A command, its version often near {@code recent} (the model's last known version), so that some can be kept. */
    private static ControlCommand command(SplittableRandom random, long recent) {
        String name = NAMES[random.nextInt(NAMES.length)];
        Long version = switch (random.nextInt(7)) {
            case 6 -> recent - random.nextInt(3);
            case 0 -> null;
            case 1 -> Long.MIN_VALUE;
            case 2 -> Long.MAX_VALUE;
            case 3 -> -1L;
            default -> (long) random.nextInt(40);
        };
        Double lr = switch (random.nextInt(9)) {
            case 0 -> null;
            case 1 -> Double.NaN;
            case 2 -> Double.POSITIVE_INFINITY;
            case 3 -> -0.0;
            case 4 -> Double.MIN_VALUE;
            case 5 -> Double.MAX_VALUE;
            case 6 -> 10.0;
            default -> Math.pow(10, -1 - random.nextInt(5));
        };
        String model = random.nextInt(8) == 0 ? "nobody" : random.nextInt(8) == 0 ? "m-unseen" : "m";
        return ControlCommand.newBuilder().setId(Long.toHexString(random.nextLong())).setModel(model).setCommand(name)
                .setVersion(version).setLearningRate(lr).setIssuedAt(Instant.ofEpochMilli(random.nextLong(0,
                        253_402_300_799_999L))).setIssuedBy(random.nextBoolean() ? null : "x".repeat(random.nextInt(300)))
                .build();
    }

    private static Example example(SplittableRandom random, String id) {
        List<Float> x = new ArrayList<>();
        for (int i = 0; i < SPEC.inputSize(); i++) {
            x.add((float) random.nextGaussian());
        }
        return Example.newBuilder().setId(id).setModel("m").setFeatures(x)
                .setLabel(new ClassLabel(random.nextInt(2), null))
                .setEventTime(Instant.ofEpochMilli(1_700_000_000_000L)).build();
    }
}
