package io.streamtrain.topology;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;

import io.streamtrain.avro.ClassLabel;
import io.streamtrain.avro.Example;
import io.streamtrain.avro.ParamsChunk;
import io.streamtrain.contract.ReplicaKey;
import io.streamtrain.avro.Label;
import io.streamtrain.avro.ControlCommand;
import io.streamtrain.learn.NetworkSpec;
import io.streamtrain.registry.ConfluentAvroSerde;
import io.streamtrain.registry.InMemorySchemaRegistryClient;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * Learner processors on an in-memory store in {@link MockProcessorContext}s, without a broker or a driver: what the
 * tests of restore and of commits need to make processors, feed them examples and look at what they did.
 */
final class ProcessorHarness implements AutoCloseable {

    static final String MODEL = "m";

    private final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
    private final Serializer<Example> examples = ConfluentAvroSerde.specific(Example.class, registry, false)
            .serializer();
    private final Serializer<ParamsChunk> params = ConfluentAvroSerde.specific(ParamsChunk.class, registry, false)
            .serializer();
    private final Serializer<ControlCommand> commands = ConfluentAvroSerde.specific(ControlCommand.class, registry,
            false).serializer();
    private final Random random = new Random(3);
    private final KeyValueStore<String, byte[]> store = Stores.keyValueStoreBuilder(
            Stores.inMemoryKeyValueStore(LearnerSettings.STATE_STORE), Serdes.String(), Serdes.ByteArray())
            .withLoggingDisabled().build();
    /** Each processor made, with the context it runs in. */
    private final Map<LearnerProcessor, MockProcessorContext<String, SpecificRecord>> processors =
            new LinkedHashMap<>();
    private long offset;
    private int maxPending = 10_000;
    private UnaryOperator<LearnerSettings.Builder> tuning = UnaryOperator.identity();

    KeyValueStore<String, byte[]> store() {
        return store;
    }

    Random random() {
        return random;
    }

    /** How many unlabeled examples wait for a label, for the processors made from now on. */
    void maxPending(int pending) {
        this.maxPending = pending;
    }

    /** Other settings for the processors made from now on. */
    void tune(UnaryOperator<LearnerSettings.Builder> settings) {
        this.tuning = settings;
    }

    LearnerProcessor processor(NetworkSpec spec) {
        return processor(spec, context());
    }

    LearnerProcessor processor(NetworkSpec spec, MockProcessorContext<String, SpecificRecord> context) {
        LearnerProcessor processor = new LearnerProcessor(settings(spec));
        processor.init(context);
        processors.put(processor, context);
        return processor;
    }

    MockProcessorContext<String, SpecificRecord> contextOf(LearnerProcessor processor) {
        return processors.get(processor);
    }

    MockProcessorContext<String, SpecificRecord> context() {
        MockProcessorContext<String, SpecificRecord> context = new MockProcessorContext<>();
        context.setCurrentSystemTimeMs(1_000_000);
        store.init(context.getStateStoreContext(), store);
        context.addStateStore(store);
        return context;
    }

    LearnerSettings settings(NetworkSpec spec) {
        return tuning.apply(LearnerSettings.builder(
                LearnerTopics.under("r", type -> ConfluentAvroSerde.specific(type, registry, false)),
                () -> ConfluentAvroSerde.specific(Example.class, registry, false).deserializer(),
                () -> ConfluentAvroSerde.specific(Label.class, registry, false).deserializer(),
                model -> spec)
                .controlDeserializer(() -> ConfluentAvroSerde.specific(ControlCommand.class, registry, false)
                        .deserializer())
                .checkpointEveryBatches(2)
                .maxPendingLabels(maxPending)
                .labelWait(Duration.ofMinutes(10)))
                .build();
    }

    /** Processes an example whose record was written at {@code 1000 + its offset}. */
    void process(LearnerProcessor processor, Example e) {
        process(processor, e, 1_000L + offset);
    }

    /** Processes an example whose record was written at {@code timestamp}. */
    void process(LearnerProcessor processor, Example e, long timestamp) {
        processors.get(processor).setRecordMetadata("r.examples", 0, offset++);
        processor.process(new Record<>(MODEL, examples.serialize("r.examples", e), timestamp));
    }

    /** Processes an example under {@code key}: a replica's key, or another than the model id. */
    void process(LearnerProcessor processor, String key, Example e) {
        processors.get(processor).setRecordMetadata("r.examples", 0, offset++);
        processor.process(new Record<>(key, examples.serialize("r.examples", e), 1_000L + offset));
    }

    /** Processes a record of the global topic, keyed by the replica it is for. */
    void global(LearnerProcessor processor, ParamsChunk chunk) {
        processors.get(processor).setRecordMetadata("r.global", 0, offset++);
        processor.process(new Record<>(ReplicaKey.shardKey(chunk.getModel(), chunk.getReplica()),
                params.serialize("r.global", chunk), 1_000L + offset));
    }

    /** Processes a command of the control topic. */
    void command(LearnerProcessor processor, ControlCommand command) {
        processors.get(processor).setRecordMetadata("r.control", 0, offset++);
        processor.process(new Record<>(command.getModel(), commands.serialize("r.control", command), 1_000L + offset));
    }

    Example example(String id, Integer label, int features) {
        List<Float> x = new ArrayList<>(features);
        for (int i = 0; i < features; i++) {
            x.add((float) random.nextGaussian());
        }
        return Example.newBuilder().setId(id).setModel(MODEL).setFeatures(x)
                .setLabel(label == null ? null : new ClassLabel(label, null))
                .setEventTime(Instant.ofEpochMilli(1_700_000_000_000L)).build();
    }

    /** The values of {@code type} a processor forwarded, in order. */
    static <T> List<T> forwarded(MockProcessorContext<String, ?> context, Class<T> type) {
        return context.forwarded().stream().map(f -> f.record().value()).filter(type::isInstance).map(type::cast)
                .toList();
    }

    /** The model as a restarted task would load it from this store. */
    ModelRuntime restore(NetworkSpec spec) {
        return restore(spec, MODEL);
    }

    /** The model (or replica) under {@code key} as a restarted task would load it from this store. */
    ModelRuntime restore(NetworkSpec spec, String key) {
        LearnerSettings settings = settings(spec);
        LearnerStore learnerStore = new LearnerStore(store, 1 << 19);
        MockProcessorContext<String, SpecificRecord> context = context();
        LearnerMetrics metrics = new LearnerMetrics(context);
        Rejections rejections = new Rejections(context, new RecordBudget(settings.maxRecordBytes()), metrics,
                learnerStore);
        LateLabelJoin join = new LateLabelJoin(learnerStore, rejections, metrics, settings.labelWait(),
                settings.maxPendingLabels());
        return new ModelRestore(settings, learnerStore, join, context::currentSystemTimeMs).load(key);
    }

    @Override
    public void close() {
        processors.keySet().forEach(LearnerProcessor::close);
        store.close();
    }
}
