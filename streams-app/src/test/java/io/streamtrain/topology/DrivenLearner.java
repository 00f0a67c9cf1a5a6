package io.streamtrain.topology;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;

import io.streamtrain.avro.ControlAnswer;
import io.streamtrain.avro.ControlCommand;
import io.streamtrain.avro.DriftEvent;
import io.streamtrain.avro.Example;
import io.streamtrain.avro.Label;
import io.streamtrain.avro.ModelSnapshot;
import io.streamtrain.avro.Prediction;
import io.streamtrain.avro.RejectedRecord;
import io.streamtrain.avro.ServingPin;
import io.streamtrain.avro.TrainingMetrics;
import io.streamtrain.learn.NetworkSpec;
import io.streamtrain.registry.ConfluentAvroSerde;
import io.streamtrain.registry.InMemorySchemaRegistryClient;
import io.streamtrain.snapshot.SnapshotChunks;
import io.streamtrain.snapshot.SnapshotException;
import io.streamtrain.snapshot.SnapshotKey;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/**
 * The learner's topology in a {@link TopologyTestDriver}, with an in-memory registry: the topics under a prefix,
 * serdes to write examples and labels as a producer would, and the outputs to read. The tests of this package share
 * it; each says its settings.
 */
final class DrivenLearner implements AutoCloseable {

    final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
    final Serde<Example> examples = ConfluentAvroSerde.specific(Example.class, registry, false);
    final Serde<Label> labels = ConfluentAvroSerde.specific(Label.class, registry, false);
    final String prefix;
    final TopologyTestDriver driver;
    final TestInputTopic<String, byte[]> exampleInput;
    final TestInputTopic<String, byte[]> labelInput;
    final TestOutputTopic<String, Prediction> predictions;
    final TestOutputTopic<String, TrainingMetrics> metrics;
    final TestOutputTopic<String, RejectedRecord> errors;
    private final TestOutputTopic<String, ModelSnapshot> models;
    private final List<TestRecord<String, ModelSnapshot>> modelRecords = new ArrayList<>();
    final TestInputTopic<String, byte[]> controlInput;
    final TestOutputTopic<String, ServingPin> pins;
    final TestOutputTopic<String, ControlAnswer> controlLog;
    final TestOutputTopic<String, DriftEvent> events;
    final Serde<ControlCommand> commands = ConfluentAvroSerde.specific(ControlCommand.class, registry, false);

    /**
     * @param settings sets what the test needs on a builder with the learner's defaults
     * @param wallClock the driver's wall clock at the start
     */
    DrivenLearner(String prefix, Path stateDir, Function<String, NetworkSpec> specs,
            Consumer<LearnerSettings.Builder> settings, Instant wallClock) {
        this.prefix = prefix;
        LearnerTopics topics = LearnerTopics.under(prefix, type -> ConfluentAvroSerde.specific(type, registry, false));
        LearnerSettings.Builder builder = LearnerSettings.builder(topics,
                () -> ConfluentAvroSerde.specific(Example.class, registry, false).deserializer(),
                () -> ConfluentAvroSerde.specific(Label.class, registry, false).deserializer(), specs)
                .controlDeserializer(() -> ConfluentAvroSerde.specific(ControlCommand.class, registry, false)
                        .deserializer())
                // what a rollback reads: the snapshots this driver's learner has written
                .snapshotSource(this::zipOnTopic);
        settings.accept(builder);
        StreamsBuilder streams = new StreamsBuilder();
        LearnerTopology.build(streams, builder.build());
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, prefix + "-learner");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(streams.build(), props, wallClock);
        exampleInput = driver.createInputTopic(prefix + ".examples", Serdes.String().serializer(),
                Serdes.ByteArray().serializer());
        labelInput = driver.createInputTopic(prefix + ".labels", Serdes.String().serializer(),
                Serdes.ByteArray().serializer());
        predictions = driver.createOutputTopic(prefix + ".predictions", Serdes.String().deserializer(),
                topics.predictions().valueSerde().deserializer());
        metrics = driver.createOutputTopic(prefix + ".metrics", Serdes.String().deserializer(),
                topics.metrics().valueSerde().deserializer());
        errors = driver.createOutputTopic(prefix + ".errors", Serdes.String().deserializer(),
                topics.errors().valueSerde().deserializer());
        models = driver.createOutputTopic(prefix + ".models", Serdes.String().deserializer(),
                topics.models().valueSerde().deserializer());
        controlInput = driver.createInputTopic(prefix + ".control", Serdes.String().serializer(),
                Serdes.ByteArray().serializer());
        pins = driver.createOutputTopic(prefix + ".pins", Serdes.String().deserializer(),
                topics.pins().valueSerde().deserializer());
        controlLog = driver.createOutputTopic(prefix + ".control.log", Serdes.String().deserializer(),
                topics.controlLog().valueSerde().deserializer());
        events = driver.createOutputTopic(prefix + ".events", Serdes.String().deserializer(),
                topics.events().valueSerde().deserializer());
    }

    /** Sends an example under a key, as a producer writes it (Confluent wire format). */
    void send(String key, Example example) {
        exampleInput.pipeInput(key, examples.serializer().serialize(prefix + ".examples", example));
    }

    /** Sends a label under a key, as a producer writes it. */
    void send(String key, Label label) {
        labelInput.pipeInput(key, labels.serializer().serialize(prefix + ".labels", label));
    }

    /** Sends a command under a key, as the CLI writes it. */
    void send(String key, ControlCommand command) {
        controlInput.pipeInput(key, commands.serializer().serialize(prefix + ".control", command));
    }

    /** Every record written to the models topic so far, in order (a null value is a tombstone). */
    List<TestRecord<String, ModelSnapshot>> modelRecords() {
        modelRecords.addAll(models.readRecordsToList());
        return List.copyOf(modelRecords);
    }

    /** A version's zip as the models topic has it: its chunks put together, unless tombstoned. */
    private byte[] zipOnTopic(String model, long version) {
        Map<Integer, ModelSnapshot> chunks = new TreeMap<>();
        for (TestRecord<String, ModelSnapshot> r : modelRecords()) {
            SnapshotKey key = SnapshotKey.parse(r.key());
            if (key != null && key.model().equals(model) && key.version() == version) {
                if (r.value() == null) {
                    chunks.remove(key.chunk());
                } else {
                    chunks.put(key.chunk(), r.value());
                }
            }
        }
        if (chunks.isEmpty()) {
            throw new SnapshotException("no version " + version + " of model '" + model + "' on the models topic");
        }
        return SnapshotChunks.join(new ArrayList<>(chunks.values()));
    }

    @Override
    public void close() {
        driver.close();
    }
}
