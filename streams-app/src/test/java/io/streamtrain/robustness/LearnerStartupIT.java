package io.streamtrain.robustness;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import io.streamtrain.app.LearnerApp;
import io.streamtrain.app.LearnerConfig;
import io.streamtrain.embedded.FreePorts;
import io.streamtrain.robustness.LearnerCommand.Outcome;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A learner that cannot start says why and exits non-zero within a bound, instead of hanging: its input topic is
 * missing (and it is told not to create topics), or the cluster cannot be reached at all.
 */
@ExtendWith(RobustnessStack.Resolver.class)
class LearnerStartupIT {

    /** How long a run may take before it counts as a hang. */
    private static final Duration BOUND = Duration.ofSeconds(60);

    private final RobustnessStack stack;

    @TempDir
    Path dir;

    LearnerStartupIT(RobustnessStack stack) {
        this.stack = stack;
    }

    @Test
    void aMissingTopicIsNamedAndTheLearnerExitsNonZero() {
        Map<String, String> settings = stack.learnerSettings("missing");
        settings.put("streamtrain.topics.create", "false");
        Outcome outcome = LearnerCommand.run(dir, settings, BOUND);
        assertThat(outcome.exitCode()).as("exit code; it wrote: %s", outcome.err()).isNotZero();
        assertThat(outcome.err()).contains("missing.examples", "do not exist", "streamtrain.topics.create=true");
    }

    @Test
    void theEventsAndChampionsTopicsAreNeededOnlyWhenSomethingWritesToThem() {
        Map<String, String> settings = stack.learnerSettings("noevents");
        settings.put("streamtrain.topics.create", "false");
        settings.put("streamtrain.drift.detectors", "adwin");
        for (String suffix : new String[] {".examples", ".labels", ".control", ".predictions", ".metrics", ".errors",
            ".control.log"}) {
            stack.broker().createTopic("noevents" + suffix, 1, Map.of());
        }
        for (String suffix : new String[] {".models", ".pins"}) {
            stack.broker().createTopic("noevents" + suffix, 1, Map.of("cleanup.policy", "compact"));
        }
        Outcome outcome = LearnerCommand.run(dir, settings, BOUND);
        assertThat(outcome.exitCode()).as("exit code; it wrote: %s", outcome.err()).isNotZero();
        assertThat(outcome.err()).contains("noevents.events", "do not exist")
                .doesNotContain("noevents.predictions", "noevents.champions");

        // baselines racing write to the champions topic
        settings.remove("streamtrain.drift.detectors");
        settings.put("streamtrain.baselines", "majority");
        outcome = LearnerCommand.run(dir, settings, BOUND);
        assertThat(outcome.exitCode()).as("exit code; it wrote: %s", outcome.err()).isNotZero();
        assertThat(outcome.err()).contains("noevents.champions", "do not exist").doesNotContain("noevents.events");

        // without drift detection and baselines the same topics are enough
        settings.remove("streamtrain.baselines");
        try (LearnerApp learner = LearnerApp.start(new LearnerConfig(settings))) {
            assertThat(learner.streams().state()).isNotEqualTo(KafkaStreams.State.ERROR);
        }
    }

    @Test
    void anUnreachableClusterFailsTheStartWithinABound() {
        assertUnreachableClusterFails("unreachable", "true");
    }

    @Test
    void anUnreachableClusterFailsTheStartAlsoWithoutCreatingTopics() {
        assertUnreachableClusterFails("unreachable2", "false");
    }

    private void assertUnreachableClusterFails(String prefix, String createTopics) {
        Map<String, String> settings = stack.learnerSettings(prefix);
        String nobody = "127.0.0.1:" + FreePorts.pick();
        settings.put("bootstrap.servers", nobody);
        settings.put("streamtrain.topics.create", createTopics);
        // the bound of the start-up check (30 s unless the admin client's own timeout is set)
        settings.put("default.api.timeout.ms", "3000");
        settings.put("request.timeout.ms", "3000");
        Outcome outcome = LearnerCommand.run(dir, settings, BOUND);
        assertThat(outcome.exitCode()).as("exit code; it wrote: %s", outcome.err()).isNotZero();
        assertThat(outcome.err()).contains("the Kafka cluster at " + nobody + " did not answer within 3000 ms",
                "is bootstrap.servers right");
    }
}
