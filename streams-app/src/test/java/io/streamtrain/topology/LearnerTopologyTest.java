package io.streamtrain.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.Random;

import io.streamtrain.avro.ClassLabel;
import io.streamtrain.avro.Example;
import io.streamtrain.avro.Prediction;
import io.streamtrain.avro.RejectedRecord;
import io.streamtrain.avro.TrainingMetrics;
import io.streamtrain.learn.NetworkSpec;
import io.streamtrain.registry.ConfluentAvroSerde;
import io.streamtrain.registry.InMemorySchemaRegistryClient;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LearnerTopologyTest {

    private static final NetworkSpec SPEC = NetworkSpec.fromResource("specs/mlp-classifier.yaml");

    private final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
    private final Serde<Example> examples = ConfluentAvroSerde.specific(Example.class, registry, false);
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> input;
    private TestOutputTopic<String, Prediction> predictions;
    private TestOutputTopic<String, TrainingMetrics> metrics;
    private TestOutputTopic<String, RejectedRecord> errors;
    private final Random random = new Random(7);
    private int nextId;

    @TempDir
    Path stateDir;

    @BeforeEach
    void setUp() {
        LearnerTopics topics = new LearnerTopics(
                new Topic<>("t.examples", Serdes.String(), Serdes.ByteArray()),
                new Topic<>("t.predictions", Serdes.String(),
                        ConfluentAvroSerde.specific(Prediction.class, registry, false)),
                new Topic<>("t.metrics", Serdes.String(),
                        ConfluentAvroSerde.specific(TrainingMetrics.class, registry, false)),
                new Topic<>("t.errors", Serdes.String(),
                        ConfluentAvroSerde.specific(RejectedRecord.class, registry, false)));
        LearnerSettings settings = new LearnerSettings(topics,
                () -> ConfluentAvroSerde.specific(Example.class, registry, false).deserializer(),
                model -> SPEC, 2, Duration.ofSeconds(5), 1_000_000, Duration.ofMillis(50), 1000);
        StreamsBuilder builder = new StreamsBuilder();
        LearnerTopology.build(builder, settings);

        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "learner-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(builder.build(), props, Instant.ofEpochMilli(1_000_000));
        input = driver.createInputTopic("t.examples", Serdes.String().serializer(), Serdes.ByteArray().serializer());
        predictions = driver.createOutputTopic("t.predictions", Serdes.String().deserializer(),
                topics.predictions().valueSerde().deserializer());
        metrics = driver.createOutputTopic("t.metrics", Serdes.String().deserializer(),
                topics.metrics().valueSerde().deserializer());
        errors = driver.createOutputTopic("t.errors", Serdes.String().deserializer(),
                topics.errors().valueSerde().deserializer());
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    @Test
    void predictsEachExampleBeforeTrainingOnItInMiniBatches() {
        for (int i = 0; i < 31; i++) {
            send(example("m", 20, 1));
        }
        assertThat(predictions.isEmpty()).as("a partial mini-batch waits").isTrue();
        send(example("m", 20, 0));
        List<Prediction> first = predictions.readValuesToList();
        assertThat(first).hasSize(32);
        assertThat(first).allSatisfy(p -> {
            assertThat(p.getModelVersion()).isZero();
            assertThat(p.getLoss()).isNotNull().isPositive();
            assertThat(p.getProbabilities()).hasSize(2);
            assertThat(p.getProbabilities().get(0) + p.getProbabilities().get(1)).isCloseTo(1f,
                    org.assertj.core.data.Offset.offset(1e-4f));
        });
        assertThat(first.get(0).getExampleId()).isEqualTo("m-0");

        for (int i = 0; i < 32; i++) {
            send(example("m", 20, 1));
        }
        assertThat(predictions.readValuesToList()).hasSize(32)
                .allSatisfy(p -> assertThat(p.getModelVersion()).as("made after one training step").isEqualTo(1));
    }

    @Test
    void unlabeledExamplesArePredictedButNotTrainedOn() {
        for (int i = 0; i < 32; i++) {
            send(example("m", 20, null));
        }
        for (int i = 0; i < 32; i++) {
            send(example("m", 20, null));
        }
        List<Prediction> all = predictions.readValuesToList();
        assertThat(all).hasSize(64).allSatisfy(p -> {
            assertThat(p.getModelVersion()).isZero();
            assertThat(p.getLoss()).isNull();
            assertThat(p.getLabel()).isNull();
        });
    }

    @Test
    void aPartialBatchIsProcessedOnceItHasWaitedTheSpecsLongestWait() {
        for (int i = 0; i < 5; i++) {
            send(example("m", 20, 1));
        }
        driver.advanceWallClockTime(Duration.ofMillis(SPEC.maxWaitMs() / 2));
        assertThat(predictions.isEmpty()).isTrue();
        driver.advanceWallClockTime(Duration.ofMillis(SPEC.maxWaitMs()));
        assertThat(predictions.readValuesToList()).hasSize(5);
    }

    @Test
    void modelsSharingTheTopicLearnApart() {
        for (int i = 0; i < 32; i++) {
            send(example("a", 20, 1));
            send(example("b", 20, 0));
        }
        var byModel = predictions.readKeyValuesToList();
        assertThat(byModel).hasSize(64);
        assertThat(byModel.stream().filter(kv -> kv.key.equals("a"))).hasSize(32)
                .allSatisfy(kv -> assertThat(kv.value.getModel()).isEqualTo("a"));
    }

    @Test
    void badRecordsGoToTheErrorsTopicWithTheirReasonAndTheGoodOnesAroundThemAreProcessed() {
        send(example("m", 20, 1));
        input.pipeInput("m", new byte[] {1, 2, 3});
        send(example("m", 19, 1));
        Example nan = example("m", 20, 1);
        nan.getFeatures().set(3, Float.NaN);
        send(nan);
        Example infinite = example("m", 20, 1);
        infinite.getFeatures().set(0, Float.POSITIVE_INFINITY);
        send(infinite);
        send(example("m", 20, 7));
        input.pipeInput("other", examples.serializer().serialize("t.examples", example("m", 20, 1)));
        input.pipeInput("m", null);
        send(example("m", 20, 0));

        List<RejectedRecord> rejected = errors.readValuesToList();
        assertThat(rejected).extracting(RejectedRecord::getRule).containsExactly(
                "undecodable", "feature-count", "non-finite", "non-finite", "unknown-class", "key-model-mismatch",
                "null-value");
        assertThat(rejected).allSatisfy(r -> {
            assertThat(r.getTopic()).isEqualTo("t.examples");
            assertThat(r.getMessage()).isNotBlank();
        });
        assertThat(rejected.get(1).getField()).isEqualTo("features");
        assertThat(rejected.get(1).getMessage()).contains("20").contains("19");
        assertThat(rejected.get(2).getField()).isEqualTo("features[3]");
        assertThat(rejected.get(4).getField()).isEqualTo("label");
        assertThat(rejected.get(0).getValue().array()).containsExactly(1, 2, 3);
        assertThat(rejected).extracting(RejectedRecord::getOffset).doesNotHaveDuplicates();

        driver.advanceWallClockTime(Duration.ofMillis(SPEC.maxWaitMs() + 100));
        assertThat(predictions.readValuesToList()).extracting(Prediction::getExampleId)
                .containsExactly("m-0", "m-6");
    }

    @Test
    void metricsReportTheWindowAndTheModelAtTheInterval() {
        for (int i = 0; i < 64; i++) {
            send(example("m", 20, i % 2));
        }
        send(example("m", 19, 1));
        driver.advanceWallClockTime(Duration.ofSeconds(6));
        List<TrainingMetrics> windows = metrics.readValuesToList();
        assertThat(windows).hasSize(1);
        TrainingMetrics m = windows.get(0);
        assertThat(m.getModel()).isEqualTo("m");
        assertThat(m.getExamples()).isEqualTo(64);
        assertThat(m.getLabeled()).isEqualTo(64);
        assertThat(m.getTrained()).isEqualTo(64);
        assertThat(m.getExamplesTrained()).isEqualTo(64);
        assertThat(m.getModelVersion()).isEqualTo(2);
        assertThat(m.getErrors()).isEqualTo(1);
        assertThat(m.getMeanLoss()).isPositive();
        assertThat(m.getAccuracy()).isBetween(0.0, 1.0);
        assertThat(m.getMae()).isNull();
        assertThat(m.getBackend()).isNotBlank();

        driver.advanceWallClockTime(Duration.ofSeconds(6));
        assertThat(metrics.isEmpty()).as("no window without examples").isTrue();
    }

    @Test
    void aRedeliveredExampleIsNeitherPredictedNorTrainedOnAgain() {
        List<Example> first = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            Example e = example("m", 20, i % 2);
            first.add(e);
            send(e);
        }
        // the same examples again, as a source redelivers them after a restart, then new ones
        first.forEach(this::send);
        for (int i = 0; i < 32; i++) {
            send(example("m", 20, i % 2));
        }
        List<Prediction> all = predictions.readValuesToList();
        assertThat(all).hasSize(64);
        assertThat(all).extracting(Prediction::getExampleId).doesNotHaveDuplicates();
        driver.advanceWallClockTime(Duration.ofSeconds(6));
        TrainingMetrics m = metrics.readValuesToList().get(0);
        assertThat(m.getExamplesTrained()).isEqualTo(64);
        assertThat(m.getDuplicates()).isEqualTo(32);
        assertThat(metric("duplicates-total", "m")).isEqualTo(32.0);
    }

    @Test
    void theDedupeWindowForgetsTheOldestIdsAndKeepsTheStoreBounded() {
        // window 1000, batches of 32: after 3200 examples about 1000 ids are kept, in a few segments
        for (int i = 0; i < 3200; i++) {
            send(example("m", 20, i % 2));
        }
        var store = driver.<String, byte[]>getKeyValueStore(LearnerSettings.STATE_STORE);
        long kept = 0;
        try (var it = store.prefixScan(StateKeys.dedupePrefix("m"), Serdes.String().serializer())) {
            while (it.hasNext()) {
                kept += RecentIds.decode(it.next().value).size();
            }
        }
        assertThat(kept).isBetween(1000L, 1000L + 32);
        // the oldest ids are forgotten: the first example again is taken as new
        predictions.readValuesToList();
        Example again = Example.newBuilder(example("m", 20, 1)).setId("m-0").build();
        for (int i = 0; i < 31; i++) {
            send(example("m", 20, 1));
        }
        send(again);
        assertThat(predictions.readValuesToList()).extracting(Prediction::getExampleId).contains("m-0");
    }

    @Test
    void theLearnersOwnMetricsAreInKafkaStreamsMetricsRegistry() {
        for (int i = 0; i < 64; i++) {
            send(example("m", 20, i % 2));
        }
        send(example("m", 19, 1));
        driver.advanceWallClockTime(Duration.ofSeconds(6));
        assertThat(metric("examples-total", "m")).isEqualTo(64.0);
        assertThat(metric("trained-total", "m")).isEqualTo(64.0);
        assertThat(metric("model-version", "m")).isEqualTo(2.0);
        assertThat(metric("model-errors-total", "m")).isEqualTo(1.0);
        assertThat(metric("loss", "m")).isPositive();
        assertThat(metric("accuracy", "m")).isBetween(0.0, 1.0);
        assertThat(metric("errors-total", null)).isEqualTo(1.0);
    }

    private double metric(String name, String model) {
        return driver.metrics().entrySet().stream()
                .filter(e -> e.getKey().group().equals(LearnerMetrics.GROUP) && e.getKey().name().equals(name)
                        && (model == null || model.equals(e.getKey().tags().get("model"))))
                .map(e -> ((Number) e.getValue().metricValue()).doubleValue())
                .findFirst().orElseThrow(() -> new AssertionError("no metric " + name + " for " + model));
    }

    @Test
    void checkpointsKeepTheStoreBounded() {
        // checkpoint every 2 batches: after 10 batches only what was trained since the last checkpoint remains
        for (int i = 0; i < 32 * 10 + 3; i++) {
            send(example("m", 20, i % 2));
        }
        var store = driver.<String, byte[]>getKeyValueStore(LearnerSettings.STATE_STORE);
        List<String> entries = new ArrayList<>();
        try (var it = store.prefixScan(StateKeys.entryPrefix("m"), Serdes.String().serializer())) {
            it.forEachRemaining(kv -> entries.add(kv.key));
        }
        assertThat(entries).as("only the 3 examples waiting for a batch are kept").hasSize(3);
        ModelState state = ModelState.fromBytes(store.get(StateKeys.meta("m")));
        assertThat(state.checkpointGeneration).isEqualTo(4);
        assertThat(state.batchEnds).isEmpty();
    }

    private void send(Example example) {
        input.pipeInput(example.getModel(), examples.serializer().serialize("t.examples", example));
    }

    private Example example(String model, int features, Integer label) {
        List<Float> x = new ArrayList<>(Collections.nCopies(features, 0f));
        for (int i = 0; i < features; i++) {
            x.set(i, (float) random.nextGaussian());
        }
        return Example.newBuilder()
                .setId(model + "-" + nextId++)
                .setModel(model)
                .setFeatures(x)
                .setLabel(label == null ? null : ClassLabel.newBuilder().setIndex(label).build())
                .setEventTime(Instant.ofEpochMilli(1_700_000_000_000L + nextId))
                .build();
    }
}
