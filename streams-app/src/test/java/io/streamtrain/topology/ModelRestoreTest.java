package io.streamtrain.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.streamtrain.avro.ClassLabel;
import io.streamtrain.avro.Example;
import io.streamtrain.avro.Label;
import io.streamtrain.avro.Prediction;
import io.streamtrain.avro.RejectedRecord;
import io.streamtrain.avro.TrainingMetrics;
import io.streamtrain.learn.Learner;
import io.streamtrain.learn.NetworkSpec;
import io.streamtrain.learn.Target;
import io.streamtrain.registry.ConfluentAvroSerde;
import io.streamtrain.registry.InMemorySchemaRegistryClient;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
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
    private static final String MODEL = "m";

    private final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
    private final Serializer<Example> examples = ConfluentAvroSerde.specific(Example.class, registry, false)
            .serializer();
    private final Random random = new Random(3);
    private KeyValueStore<String, byte[]> store;
    /** Each processor made, with the context it runs in. */
    private final java.util.Map<LearnerProcessor, MockProcessorContext<String, SpecificRecord>> processors =
            new java.util.LinkedHashMap<>();
    private long offset;
    private int maxPending = 10_000;

    @BeforeEach
    void makeStore() {
        store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(LearnerSettings.STATE_STORE),
                Serdes.String(), Serdes.ByteArray()).withLoggingDisabled().build();
    }

    @AfterEach
    void close() {
        processors.keySet().forEach(LearnerProcessor::close);
        store.close();
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
        MockProcessorContext<String, SpecificRecord> context = context();
        LearnerProcessor second = processor(SPEC, context);
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
        maxPending = 40;
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

    private ModelRuntime restore(NetworkSpec spec) {
        LearnerSettings settings = settings(spec);
        LearnerStore learnerStore = new LearnerStore(store, 1 << 19);
        MockProcessorContext<String, SpecificRecord> context = context();
        LearnerMetrics metrics = new LearnerMetrics(context);
        Rejections rejections = new Rejections(context, new RecordBudget(settings.maxRecordBytes()), metrics,
                learnerStore);
        LateLabelJoin join = new LateLabelJoin(learnerStore, rejections, metrics, settings.labelWait(),
                settings.maxPendingLabels());
        return new ModelRestore(settings, learnerStore, join, context::currentSystemTimeMs).load(MODEL);
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
        return processor(spec, context());
    }

    private LearnerProcessor processor(NetworkSpec spec, MockProcessorContext<String, SpecificRecord> context) {
        LearnerProcessor processor = new LearnerProcessor(settings(spec));
        processor.init(context);
        processors.put(processor, context);
        return processor;
    }

    private MockProcessorContext<String, SpecificRecord> context() {
        MockProcessorContext<String, SpecificRecord> context = new MockProcessorContext<>();
        context.setCurrentSystemTimeMs(1_000_000);
        store.init(context.getStateStoreContext(), store);
        context.addStateStore(store);
        return context;
    }

    private LearnerSettings settings(NetworkSpec spec) {
        return LearnerSettings.builder(new LearnerTopics(
                        new Topic<>("r.examples", Serdes.String(), Serdes.ByteArray()),
                        new Topic<>("r.labels", Serdes.String(), Serdes.ByteArray()),
                        new Topic<>("r.predictions", Serdes.String(),
                                ConfluentAvroSerde.specific(Prediction.class, registry, false)),
                        new Topic<>("r.metrics", Serdes.String(),
                                ConfluentAvroSerde.specific(TrainingMetrics.class, registry, false)),
                        new Topic<>("r.errors", Serdes.String(),
                                ConfluentAvroSerde.specific(RejectedRecord.class, registry, false))),
                () -> ConfluentAvroSerde.specific(Example.class, registry, false).deserializer(),
                () -> ConfluentAvroSerde.specific(Label.class, registry, false).deserializer(),
                model -> spec)
                .checkpointEveryBatches(2)
                .maxPendingLabels(maxPending)
                .labelWait(Duration.ofMinutes(10))
                .build();
    }

    private void process(LearnerProcessor processor, Example e) {
        processors.get(processor).setRecordMetadata("r.examples", 0, offset);
        processor.process(new Record<>(MODEL, examples.serialize("r.examples", e), 1_000L + offset++));
    }

    private Example example(String id, Integer label) {
        List<Float> x = new ArrayList<>(FEATURES);
        for (int i = 0; i < FEATURES; i++) {
            x.add((float) random.nextGaussian());
        }
        return Example.newBuilder().setId(id).setModel(MODEL).setFeatures(x)
                .setLabel(label == null ? null : new ClassLabel(label, null))
                .setEventTime(Instant.ofEpochMilli(1_700_000_000_000L)).build();
    }

    private static float[] toArray(List<Float> values) {
        float[] a = new float[values.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = values.get(i);
        }
        return a;
    }
}
