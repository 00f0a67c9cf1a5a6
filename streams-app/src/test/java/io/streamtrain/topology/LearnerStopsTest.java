package io.streamtrain.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Instant;
import java.util.function.Function;

import io.streamtrain.avro.ClassLabel;
import io.streamtrain.avro.Example;
import io.streamtrain.app.LearnerApp;
import io.streamtrain.learn.NetworkSpec;
import org.apache.kafka.streams.errors.StreamsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When the learner truly cannot go on (not the input's fault), the error says where it stopped: the record by topic,
 * partition and offset, and the exit status says whether to fix something or wait for an outage to pass.
 */
class LearnerStopsTest {

    private static final NetworkSpec SPEC = NetworkSpec.fromResource("specs/mlp-classifier.yaml");

    @TempDir
    Path stateDir;

    @Test
    void anErrorThatIsNotTheRecordsFaultNamesTheRecordAndGivesExitStatusOne() {
        // a model whose spec cannot be had: the learner cannot build it, whatever the record says
        Function<String, NetworkSpec> specs = model -> {
            if (model.equals("broken")) {
                throw new IllegalStateException("no spec for model 'broken'");
            }
            return SPEC;
        };
        try (DrivenLearner learner = new DrivenLearner("s", stateDir, specs, settings -> { },
                Instant.ofEpochMilli(0))) {
            learner.send("fine", example("fine", "e0"));
            learner.send("fine", example("fine", "e1"));

            assertThatThrownBy(() -> learner.send("broken", example("broken", "e2")))
                    .isInstanceOf(StreamsException.class)
                    .satisfies(e -> {
                        String reason = LearnerApp.reason(e);
                        assertThat(reason).startsWith("while processing the record at s.examples-0@2: ")
                                .contains("no spec for model 'broken'");
                        assertThat(LearnerApp.exitStatus(e)).isEqualTo(LearnerApp.EXIT_FATAL);
                    });
        }
    }

    @Test
    void kafkaStreamsOwnMessageLosesItsStackTraceAndKeepsItsRootCause() {
        var failure = new StreamsException("Exception caught in process. taskId=0_1, processor=learner, "
                + "topic=s.examples, partition=1, offset=42, stacktrace=java.lang.IllegalStateException: x\n\tat a.b",
                new IllegalStateException("the store is closed"));
        assertThat(LearnerApp.reason(failure)).isEqualTo("Exception caught in process. taskId=0_1, "
                + "processor=learner, topic=s.examples, partition=1, offset=42; caused by "
                + "java.lang.IllegalStateException: the store is closed");
        assertThat(LearnerApp.exitStatus(failure)).isEqualTo(LearnerApp.EXIT_FATAL);
        var outage = new IllegalStateException("gave up", new org.apache.kafka.common.errors.TimeoutException("t"));
        assertThat(LearnerApp.exitStatus(outage)).isEqualTo(LearnerApp.EXIT_OUTAGE);
    }

    private static Example example(String model, String id) {
        return Example.newBuilder().setId(id).setModel(model)
                .setFeatures(java.util.Collections.nCopies(SPEC.inputSize(), 0.5f))
                .setLabel(new ClassLabel(1, null)).setEventTime(Instant.ofEpochMilli(1_700_000_000_000L)).build();
    }

}
