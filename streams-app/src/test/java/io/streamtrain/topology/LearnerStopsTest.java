package io.streamtrain.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Properties;

import io.streamtrain.avro.ClassLabel;
import io.streamtrain.avro.Example;
import io.streamtrain.avro.Label;
import io.streamtrain.avro.Prediction;
import io.streamtrain.avro.RejectedRecord;
import io.streamtrain.avro.TrainingMetrics;
import io.streamtrain.app.LearnerApp;
import io.streamtrain.learn.NetworkSpec;
import io.streamtrain.registry.ConfluentAvroSerde;
import io.streamtrain.registry.InMemorySchemaRegistryClient;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.errors.StreamsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When the learner truly cannot go on (not the input's fault), the error says where it stopped: the record by topic,
 * partition and offset, and the exit status says whether to fix something or wait for an outage to pass.
 */
class LearnerStopsTest {

    private static final NetworkSpec SPEC = NetworkSpec.fromResource("specs/mlp-classifier.yaml");

    private final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();

    @TempDir
    Path stateDir;

    @Test
    void anErrorThatIsNotTheRecordsFaultNamesTheRecordAndGivesExitStatusOne() {
        LearnerTopics topics = new LearnerTopics(
                new Topic<>("s.examples", Serdes.String(), Serdes.ByteArray()),
                new Topic<>("s.labels", Serdes.String(), Serdes.ByteArray()),
                new Topic<>("s.predictions", Serdes.String(),
                        ConfluentAvroSerde.specific(Prediction.class, registry, false)),
                new Topic<>("s.metrics", Serdes.String(),
                        ConfluentAvroSerde.specific(TrainingMetrics.class, registry, false)),
                new Topic<>("s.errors", Serdes.String(),
                        ConfluentAvroSerde.specific(RejectedRecord.class, registry, false)));
        // a model whose spec cannot be had: the learner cannot build it, whatever the record says
        LearnerSettings settings = LearnerSettings.builder(topics,
                () -> ConfluentAvroSerde.specific(Example.class, registry, false).deserializer(),
                () -> ConfluentAvroSerde.specific(Label.class, registry, false).deserializer(),
                model -> {
                    if (model.equals("broken")) {
                        throw new IllegalStateException("no spec for model 'broken'");
                    }
                    return SPEC;
                }).build();
        StreamsBuilder builder = new StreamsBuilder();
        LearnerTopology.build(builder, settings);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "learner-stops");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        try (TopologyTestDriver driver = new TopologyTestDriver(builder.build(), props, Instant.ofEpochMilli(0))) {
            TestInputTopic<String, byte[]> input = driver.createInputTopic("s.examples",
                    Serdes.String().serializer(), Serdes.ByteArray().serializer());
            var serializer = ConfluentAvroSerde.specific(Example.class, registry, false).serializer();
            input.pipeInput("fine", serializer.serialize("s.examples", example("fine", "e0")));
            input.pipeInput("fine", serializer.serialize("s.examples", example("fine", "e1")));

            assertThatThrownBy(() -> input.pipeInput("broken",
                    serializer.serialize("s.examples", example("broken", "e2"))))
                    .isInstanceOf(StreamsException.class)
                    .satisfies(e -> {
                        String reason = LearnerApp.reason(e);
                        assertThat(reason).startsWith("while processing the record at s.examples-0@2: ")
                                .contains("cannot load model 'broken'", "no spec for model 'broken'");
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
