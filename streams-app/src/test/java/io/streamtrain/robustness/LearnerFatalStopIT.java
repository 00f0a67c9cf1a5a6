package io.streamtrain.robustness;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import io.streamtrain.app.LearnerApp;
import io.streamtrain.app.LearnerConfig;
import io.streamtrain.avro.Example;
import io.streamtrain.avro.Prediction;
import io.streamtrain.embedded.CapturedLogs;
import io.streamtrain.robustness.LearnerCommand.Outcome;
import io.streamtrain.robustness.Topics.Raw;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * When the learner truly must stop, the operator learns why from its last log line and its exit status, not from a
 * stack trace somewhere above. The fatal error here is a common operator mistake: the network spec was changed (other
 * hidden layers) while the application id, and so the models' checkpoints, stayed the same.
 */
@ExtendWith(RobustnessStack.Resolver.class)
class LearnerFatalStopIT {

    private static final String PREFIX = "respec";
    private static final int EXAMPLES = 96;

    private final RobustnessStack stack;

    @TempDir
    Path dir;

    LearnerFatalStopIT(RobustnessStack stack) {
        this.stack = stack;
    }

    @Test
    void aCheckpointOfAnotherSpecStopsTheLearnerWithALastLineThatSaysWhyAndExitStatusOne() throws Exception {
        String examples = PREFIX + ".examples";
        stack.broker().createTopic(examples, 1, Map.of());
        ExamplesTopicCorpus corpus = new ExamplesTopicCorpus(stack.registryClient(), examples);
        Random random = new Random(11);
        List<Raw> records = new ArrayList<>();
        for (int i = 0; i < EXAMPLES; i++) {
            Example e = ExamplesTopicCorpus.good("e" + i, random);
            records.add(new Raw(e.getModel(), corpus.bytes(e)));
        }
        Map<String, Object> client = Map.of("bootstrap.servers", stack.broker().bootstrapServers());
        Map<String, Object> registry = Map.of("schema.registry.url", stack.registry().url());
        Map<String, String> settings = stack.learnerSettings(PREFIX);
        settings.put(LearnerConfig.CHECKPOINT_EVERY_BATCHES, "1");

        // the model trains under the shipped spec and is checkpointed
        try (LearnerApp learner = LearnerApp.start(new LearnerConfig(settings))) {
            Topics.produce(client, examples, records);
            Topics.readUntil(client, PREFIX + ".predictions", LearnerBadInputIT.deserializer(Prediction.class, registry),
                    r -> r.size() >= EXAMPLES, () -> learner.streams().state() != KafkaStreams.State.ERROR,
                    Duration.ofSeconds(60));
        }

        // the same application id, now with 32 units in the first hidden layer instead of 64
        String shipped = new String(getClass().getResourceAsStream("/specs/mlp-classifier.yaml").readAllBytes(),
                java.nio.charset.StandardCharsets.UTF_8);
        String changed = shipped.replaceFirst("units: 64", "units: 32");
        assertThat(changed).isNotEqualTo(shipped);
        Path spec = Files.writeString(dir.resolve("changed.yaml"), changed);
        Map<String, String> restart = new HashMap<>(settings);
        restart.put(LearnerConfig.MODEL_SPEC, spec.toString());

        List<String> lines;
        Outcome outcome;
        try (CapturedLogs logs = new CapturedLogs()) {
            outcome = LearnerCommand.run(dir, restart, Duration.ofSeconds(90));
            lines = logs.lines();
        }
        assertThat(outcome.exitCode()).as("exit status; it wrote: %s", outcome.err()).isEqualTo(1);
        assertThat(lines).isNotEmpty();
        String last = lines.get(lines.size() - 1);
        assertThat(last).as("the last log line")
                .startsWith("ERROR io.streamtrain.app.Main - the learner stopped with exit status 1")
                .contains("fix its cause and restart it")
                .contains("while restoring the models of task 0_0")
                .contains("cannot load model 'm'", "checkpoint was written for a different network",
                        "run the changed spec under a new application.id")
                .doesNotContain("\tat ");
    }
}
