package io.streamtrain.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;

import io.streamtrain.avro.ClassLabel;
import io.streamtrain.avro.Example;
import io.streamtrain.avro.ModelSnapshot;
import io.streamtrain.avro.Prediction;
import io.streamtrain.avro.RejectedRecord;
import io.streamtrain.avro.ServingPin;
import io.streamtrain.learn.Learner;
import io.streamtrain.learn.NetworkSpec;
import io.streamtrain.learn.Target;
import io.streamtrain.registry.ConfluentAvroSerde;
import io.streamtrain.registry.InMemorySchemaRegistryClient;
import io.streamtrain.snapshot.SnapshotChunks;
import io.streamtrain.snapshot.SnapshotKey;
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

/**
 * The serving topology in a {@link TopologyTestDriver}: snapshots and pins piped into its global stores, requests
 * into its requests topic. One prediction per request, from the version served at that moment (the latest, or the
 * pinned one), micro-batched or not with the same outputs; bad requests to the errors topic with their rule.
 */
class ServeTopologyTest {

    private static final NetworkSpec SPEC = NetworkSpec.fromResource("specs/mlp-classifier.yaml");
    private static final Duration REFRESH = Duration.ofMillis(100);
    private static final Duration WAIT = Duration.ofMillis(20);

    @TempDir
    Path stateDir;

    private final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
    private final Serde<ModelSnapshot> snapshots = ConfluentAvroSerde.specific(ModelSnapshot.class, registry, false);
    private final Serde<ServingPin> pins = ConfluentAvroSerde.specific(ServingPin.class, registry, false);
    private final Serde<Example> examples = ConfluentAvroSerde.specific(Example.class, registry, false);
    private final Random random = new Random(9);
    private final Map<String, float[]> features = new HashMap<>();
    private final List<Served> drivers = new ArrayList<>();
    private Learner learner;

    /** One serving replica in a driver. */
    private final class Served {
        final TopologyTestDriver driver;
        final TestInputTopic<String, byte[]> models;
        final TestInputTopic<String, byte[]> pinInput;
        final TestInputTopic<String, byte[]> requests;
        final TestOutputTopic<String, Prediction> served;
        final TestOutputTopic<String, RejectedRecord> errors;

        Served(int batchMax) {
            ServeSettings settings = new ServeSettings(
                    new Topic<>("s.requests", Serdes.String(), Serdes.ByteArray()),
                    new Topic<>("s.served", Serdes.String(), ConfluentAvroSerde.specific(Prediction.class, registry,
                            false)),
                    new Topic<>("s.errors", Serdes.String(), ConfluentAvroSerde.specific(RejectedRecord.class,
                            registry, false)),
                    "s.models", "s.pins",
                    () -> ConfluentAvroSerde.specific(Example.class, registry, false).deserializer(),
                    () -> ConfluentAvroSerde.specific(ModelSnapshot.class, registry, false).deserializer(),
                    () -> ConfluentAvroSerde.specific(ServingPin.class, registry, false).deserializer(),
                    REFRESH, LearnerSettings.DEFAULT_MAX_RECORD_BYTES, Duration.ZERO, batchMax, WAIT);
            StreamsBuilder builder = new StreamsBuilder();
            ServeTopology.build(builder, settings);
            Properties props = new Properties();
            props.put(StreamsConfig.APPLICATION_ID_CONFIG, "serve-test-" + batchMax);
            props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
            props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.resolve("b" + batchMax).toString());
            driver = new TopologyTestDriver(builder.build(), props, Instant.ofEpochMilli(1_000_000));
            models = driver.createInputTopic("s.models", Serdes.String().serializer(), Serdes.ByteArray().serializer());
            pinInput = driver.createInputTopic("s.pins", Serdes.String().serializer(), Serdes.ByteArray().serializer());
            requests = driver.createInputTopic("s.requests", Serdes.String().serializer(),
                    Serdes.ByteArray().serializer());
            served = driver.createOutputTopic("s.served", Serdes.String().deserializer(),
                    settings.served().valueSerde().deserializer());
            errors = driver.createOutputTopic("s.errors", Serdes.String().deserializer(),
                    settings.errors().valueSerde().deserializer());
            drivers.add(this);
        }

        void publish(byte[] zip, long version) {
            SnapshotChunks.Description d = new SnapshotChunks.Description("m", version, version * 32,
                    Instant.ofEpochMilli(0), "every-steps", SPEC.json(), 0, null, null, null, null);
            for (ModelSnapshot chunk : SnapshotChunks.cut(d, zip, 16 * 1024)) {
                models.pipeInput(new SnapshotKey("m", version, chunk.getChunk()).text(),
                        snapshots.serializer().serialize("s.models", chunk));
            }
        }

        void pin(Long version) {
            pinInput.pipeInput("m", pins.serializer().serialize("s.pins", new ServingPin("m", version,
                    Instant.ofEpochMilli(0), "c")));
            driver.advanceWallClockTime(REFRESH);
        }

        void request(String id) {
            requests.pipeInput("m", examples.serializer().serialize("s.requests", Example.newBuilder().setId(id)
                    .setModel("m").setFeatures(toList(features.computeIfAbsent(id, k -> vector())))
                    .setEventTime(Instant.ofEpochMilli(1_700_000_000_000L)).build()));
        }
    }

    @BeforeEach
    void train() {
        learner = Learner.create(SPEC);
    }

    @AfterEach
    void close() {
        drivers.forEach(d -> d.driver.close());
        learner.close();
    }

    @Test
    void microBatchedRequestsGetTheSamePredictionsAsOneAtATimeOnceEach() {
        step(3);
        byte[] zip3 = learner.exportZip();
        Served single = new Served(1);
        Served batched = new Served(8);
        single.publish(zip3, 3);
        batched.publish(zip3, 3);
        for (int i = 0; i < 20; i++) {
            single.request("r" + i);
            batched.request("r" + i);
        }
        List<Prediction> one = single.served.readValuesToList();
        assertThat(one).hasSize(20);
        // two full micro-batches at once; the 4 left when the first of them has waited its 20 ms
        assertThat(batched.served.readValuesToList()).hasSize(16);
        batched.driver.advanceWallClockTime(WAIT);
        List<Prediction> rest = batched.served.readValuesToList();
        assertThat(rest).hasSize(4);
        Map<String, Prediction> byId = new HashMap<>();
        one.forEach(p -> byId.put(p.getExampleId(), p));
        for (Prediction p : rest) {
            assertThat(p.getModelVersion()).isEqualTo(3);
            for (int c = 0; c < 2; c++) {
                assertThat(p.getProbabilities().get(c)).isCloseTo(byId.get(p.getExampleId()).getProbabilities()
                        .get(c), within(1e-6f));
            }
        }
        assertThat(one).allSatisfy(p -> assertThat(p.getModelVersion()).isEqualTo(3));
        batched.driver.advanceWallClockTime(WAIT);
        assertThat(batched.served.readValuesToList()).as("nothing twice").isEmpty();
        assertThat(batched.errors.isEmpty()).isTrue();
    }

    @Test
    void aNewerVersionSwapsInOnTheNextRefreshAndAPinHoldsAnOlderOne() {
        Served replica = new Served(1);
        step(3);
        byte[] zip3 = learner.exportZip();
        replica.publish(zip3, 3);
        replica.request("a");
        step(3);
        byte[] zip6 = learner.exportZip();
        replica.publish(zip6, 6);
        replica.request("b");
        replica.driver.advanceWallClockTime(REFRESH);
        replica.request("c");
        replica.pin(3L);
        replica.request("d");
        replica.pin(null);
        replica.request("e");
        // a pin of a version that is not on the topic: the latest
        replica.pin(5L);
        replica.request("f");
        assertThat(replica.served.readValuesToList()).extracting(Prediction::getExampleId, Prediction::getModelVersion)
                .containsExactly(tuple("a", 3L), tuple("b", 3L),
                        tuple("c", 6L), tuple("d", 3L),
                        tuple("e", 6L), tuple("f", 6L));
    }

    @Test
    void aRequestThatCannotBeServedGoesToTheErrorsTopicWithItsRule() {
        Served replica = new Served(4);
        replica.request("before-any-snapshot");
        step(1);
        replica.publish(learner.exportZip(), 1);
        replica.requests.pipeInput("m", new byte[] {1, 2, 3});
        replica.requests.pipeInput("other", examples.serializer().serialize("s.requests", Example.newBuilder()
                .setId("k").setModel("m").setFeatures(toList(vector()))
                .setEventTime(Instant.ofEpochMilli(1_700_000_000_000L)).build()));
        replica.requests.pipeInput("m", examples.serializer().serialize("s.requests", Example.newBuilder()
                .setId("short").setModel("m").setFeatures(List.of(1f))
                .setEventTime(Instant.ofEpochMilli(1_700_000_000_000L)).build()));
        replica.requests.pipeInput("m", examples.serializer().serialize("s.requests", Example.newBuilder()
                .setId("label").setModel("m").setFeatures(toList(vector())).setLabel(new ClassLabel(7, null))
                .setEventTime(Instant.ofEpochMilli(1_700_000_000_000L)).build()));
        replica.requests.pipeInput("m", (byte[]) null);
        assertThat(replica.errors.readValuesToList()).extracting(RejectedRecord::getRule).containsExactly(
                "unknown-model", "undecodable", "key-model-mismatch", "feature-count", "unknown-class", "null-value");
        replica.driver.advanceWallClockTime(WAIT);
        assertThat(replica.served.isEmpty()).isTrue();
    }

    private void step(int steps) {
        for (int s = 0; s < steps; s++) {
            float[][] x = new float[32][];
            Target[] y = new Target[32];
            for (int i = 0; i < 32; i++) {
                x[i] = vector();
                y[i] = Target.ofClass(x[i][0] > 0 ? 1 : 0);
            }
            learner.train(x, y, null);
        }
    }

    private float[] vector() {
        float[] x = new float[SPEC.inputSize()];
        for (int f = 0; f < x.length; f++) {
            x[f] = (float) random.nextGaussian();
        }
        return x;
    }

    private static List<Float> toList(float[] x) {
        List<Float> list = new ArrayList<>(x.length);
        for (float v : x) {
            list.add(v);
        }
        return list;
    }
}
