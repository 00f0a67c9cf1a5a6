package io.streamtrain.topology;

import java.util.List;
import java.util.Set;

import io.streamtrain.avro.ChampionSwitch;
import io.streamtrain.avro.ControlAnswer;
import io.streamtrain.avro.DriftEvent;
import io.streamtrain.avro.ModelSnapshot;
import io.streamtrain.avro.ParamsChunk;
import io.streamtrain.avro.Prediction;
import io.streamtrain.snapshot.SnapshotKey;
import io.streamtrain.avro.RejectedRecord;
import io.streamtrain.avro.ServingPin;
import io.streamtrain.avro.TrainingMetrics;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The learner topology: examples, late labels and commands in; predictions, metrics, rejected records, model
 * snapshots and answers to the commands out. Beside it, the averaging step of models trained by several replicas:
 * contributions in, global versions and their snapshots out. A pure function of
 * a {@link StreamsBuilder} and {@link LearnerSettings}; lifecycle and configuration live elsewhere.
 */
public final class LearnerTopology {

    private LearnerTopology() {
    }

    /** Adds the learner to {@code builder}. */
    public static void build(StreamsBuilder builder, LearnerSettings settings) {
        LearnerTopics topics = settings.topics();
        // one source for the four, so that a model's examples, labels, commands and (for a replica) averaged parameters
        // reach the same processor, in timestamp order
        KStream<String, SpecificRecord> outputs = builder
                .stream(settings.replicated()
                                ? List.of(topics.examples().name(), topics.labels().name(), topics.control().name(),
                                        topics.global().name())
                                : List.of(topics.examples().name(), topics.labels().name(), topics.control().name()),
                        Consumed.with(topics.examples().keySerde(), topics.examples().valueSerde())
                                .withTimestampExtractor(new RecordOrWallClockTimestamp(topics.global().name()))
                                .withName("read-examples-and-labels"))
                .process(new LearnerSupplier(settings), Named.as("learner"));

        outputs.split(Named.as("output-"))
                .branch((model, value) -> value instanceof Prediction, Branched.withConsumer(s -> s
                        .mapValues(v -> (Prediction) v, Named.as("as-prediction"))
                        .to(topics.predictions().name(), topics.predictions().produced()), "predictions"))
                .branch((model, value) -> value instanceof TrainingMetrics, Branched.withConsumer(s -> s
                        .mapValues(v -> (TrainingMetrics) v, Named.as("as-metrics"))
                        .to(topics.metrics().name(), topics.metrics().produced()), "metrics"))
                .branch((model, value) -> value instanceof RejectedRecord, Branched.withConsumer(s -> s
                        .mapValues(v -> (RejectedRecord) v, Named.as("as-rejected"))
                        .to(topics.errors().name(), topics.errors().produced()), "errors"))
                .branch((model, value) -> value instanceof ControlAnswer, Branched.withConsumer(s -> s
                        .mapValues(v -> (ControlAnswer) v, Named.as("as-control-answer"))
                        .to(topics.controlLog().name(), topics.controlLog().produced()), "control-log"))
                .branch((model, value) -> value instanceof ServingPin, Branched.withConsumer(s -> s
                        .mapValues(v -> (ServingPin) v, Named.as("as-pin"))
                        .to(topics.pins().name(), topics.pins().produced()), "pins"))
                // a null value is a tombstone of a snapshot chunk: nothing else is forwarded without a value
                .branch((key, value) -> value == null || value instanceof ModelSnapshot, Branched.withConsumer(s -> s
                        .mapValues(v -> (ModelSnapshot) v, Named.as("as-snapshot"))
                        .to(topics.models().name(), topics.models().produced()
                                .withStreamPartitioner(SnapshotKey.partitioner())), "models"))
                .branch((model, value) -> value instanceof DriftEvent, Branched.withConsumer(s -> s
                        .mapValues(v -> (DriftEvent) v, Named.as("as-drift-event"))
                        .to(topics.events().name(), topics.events().produced()), "events"))
                .branch((model, value) -> value instanceof ChampionSwitch, Branched.withConsumer(s -> s
                        .mapValues(v -> (ChampionSwitch) v, Named.as("as-champion-switch"))
                        .to(topics.champions().name(), topics.champions().produced()), "champions"))
                .branch((model, value) -> value instanceof ParamsChunk, Branched.withConsumer(s -> s
                        .mapValues(v -> (ParamsChunk) v, Named.as("as-contribution"))
                        .to(topics.params().name(), topics.params().produced()), "params"))
                .noDefaultBranch();

        if (!settings.replicated()) {
            // no spec trains a model on several replicas: the params and global topics are neither read nor needed
            return;
        }
        // the averaging step of models trained by several replicas: a sub-topology of its own, keyed by model id
        // read as bytes and decoded by the averaging step: a record it cannot use goes to the errors topic
        builder.stream(topics.params().name(), Consumed.with(Serdes.String(), Serdes.ByteArray())
                        .withName("read-params"))
                .process(new AveragerSupplier(settings), Named.as("averager"))
                .split(Named.as("averaged-"))
                .branch((key, value) -> value instanceof ParamsChunk, Branched.withConsumer(s -> s
                        .mapValues(v -> (ParamsChunk) v, Named.as("as-global"))
                        .to(topics.global().name(), topics.global().produced()), "global"))
                .branch((key, value) -> value instanceof RejectedRecord, Branched.withConsumer(s -> s
                        .mapValues(v -> (RejectedRecord) v, Named.as("as-rejected-params"))
                        .to(topics.errors().name(), topics.errors().produced()
                                .withName("write-rejected-params-" + topics.errors().name())), "errors"))
                .branch((key, value) -> value == null || value instanceof ModelSnapshot, Branched.withConsumer(s -> s
                        .mapValues(v -> (ModelSnapshot) v, Named.as("as-averaged-snapshot"))
                        .to(topics.models().name(), topics.models().produced()
                                .withName("write-averaged-" + topics.models().name())
                                .withStreamPartitioner(SnapshotKey.partitioner())), "models"))
                .noDefaultBranch();
    }

    private record AveragerSupplier(LearnerSettings settings)
            implements ProcessorSupplier<String, byte[], String, SpecificRecord> {

        @Override
        public Processor<String, byte[], String, SpecificRecord> get() {
            return new Averager(settings);
        }

        @Override
        public Set<StoreBuilder<?>> stores() {
            return Set.of(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(LearnerSettings.AVERAGER_STORE),
                    Serdes.String(), Serdes.ByteArray()).withCachingDisabled().withLoggingEnabled(java.util.Map.of()));
        }
    }

    private record LearnerSupplier(LearnerSettings settings)
            implements ProcessorSupplier<String, byte[], String, SpecificRecord> {

        @Override
        public Processor<String, byte[], String, SpecificRecord> get() {
            return new LearnerProcessor(settings);
        }

        @Override
        public Set<StoreBuilder<?>> stores() {
            StoreBuilder<KeyValueStore<String, byte[]>> store = Stores.keyValueStoreBuilder(
                    Stores.persistentKeyValueStore(LearnerSettings.STATE_STORE), Serdes.String(), Serdes.ByteArray())
                    // no cache: every write must reach the changelog in the order it was made
                    .withCachingDisabled()
                    .withLoggingEnabled(java.util.Map.of());
            return Set.of(store);
        }
    }
}
