package io.streamtrain.robustness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;

import io.streamtrain.app.LearnerApp;
import io.streamtrain.app.LearnerConfig;
import io.streamtrain.avro.ClassLabel;
import io.streamtrain.avro.Example;
import io.streamtrain.avro.ModelSnapshot;
import io.streamtrain.avro.Prediction;
import io.streamtrain.avro.RejectedRecord;
import io.streamtrain.embedded.ForkedLearner;
import io.streamtrain.robustness.Topics.Raw;
import io.streamtrain.snapshot.SnapshotKey;
import io.streamtrain.snapshot.SnapshotReader;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Serving replicas on the real broker and registry: requests served while the learner publishes new versions get
 * exactly one prediction each, from versions that move forward and are the learner's own; a pin holds the replicas
 * to a version and an unpin lets them go on; a replica killed with SIGKILL loses no request and serves none twice.
 */
@ExtendWith(RobustnessStack.Resolver.class)
class ServeIT {

    private static final int FEATURES = 20;

    private final RobustnessStack stack;
    private final Random random = new Random(23);
    private final Map<String, float[]> features = new HashMap<>();

    @TempDir
    Path dir;

    ServeIT(RobustnessStack stack) {
        this.stack = stack;
    }

    @Test
    void versionsSwapMidStreamWithOnePredictionPerRequestAndPinsHoldThem() throws Exception {
        String prefix = "srv";
        stack.broker().createTopic(prefix + ".examples", 1, Map.of());
        stack.broker().createTopic(prefix + ".requests", 1, Map.of());
        ExamplesTopicCorpus examples = new ExamplesTopicCorpus(stack.registryClient(), prefix + ".examples");
        ExamplesTopicCorpus requests = new ExamplesTopicCorpus(stack.registryClient(), prefix + ".requests");
        Map<String, Object> client = Map.of("bootstrap.servers", stack.broker().bootstrapServers());
        Map<String, Object> registry = Map.of("schema.registry.url", stack.registry().url());
        Map<String, String> settings = stack.learnerSettings(prefix);
        settings.put(LearnerConfig.MODEL_SPEC, "classpath:specs/mlp-classifier.yaml");
        settings.put(LearnerConfig.SNAPSHOT_EVERY_STEPS, "3");
        settings.put(LearnerConfig.SNAPSHOT_KEEP, "4");
        Path config = CliRun.propertiesFile(dir.resolve("learner.properties"), settings);
        Map<String, String> serveSettings = new HashMap<>(settings);
        serveSettings.put("state.dir", stack.stateDir(prefix + "-serve").toString());

        try (LearnerApp learner = LearnerApp.start(new LearnerConfig(settings))) {
            Topics.produce(client, prefix + ".examples", labeled(examples, "m", "first", 96));
            awaitVersion(client, registry, prefix, "m", 3);
            try (LearnerApp replica = LearnerApp.serve(new LearnerConfig(serveSettings))) {
                // requests while the learner trains on: new versions come in between them
                AtomicBoolean training = new AtomicBoolean(true);
                Thread trainer = new Thread(() -> {
                    for (int round = 0; round < 12 && training.get(); round++) {
                        Topics.produce(client, prefix + ".examples", labeled(examples, "m", "t" + round, 64));
                        pause(250);
                    }
                });
                trainer.start();
                List<String> sent = new ArrayList<>();
                for (int round = 0; round < 20; round++) {
                    Topics.produce(client, prefix + ".requests", unlabeled(requests, "m", "r" + round, 100, sent));
                    pause(150);
                }
                training.set(false);
                trainer.join();
                List<Prediction> served = awaitServed(client, registry, prefix, replica, sent.size());
                assertThat(served).extracting(Prediction::getExampleId).doesNotHaveDuplicates()
                        .containsExactlyInAnyOrderElementsOf(sent);
                List<Long> versions = served.stream().map(Prediction::getModelVersion).toList();
                assertThat(new TreeSet<>(versions)).as("versions served").hasSizeGreaterThan(1)
                        .allSatisfy(v -> assertThat(v % 3).isZero());
                for (int i = 1; i < versions.size(); i++) {
                    assertThat(versions.get(i)).as("served in order, versions only forward").isGreaterThanOrEqualTo(
                            versions.get(i - 1));
                }
                // each version served is the learner's: its snapshot in plain DL4J predicts the same
                SnapshotReader reader = new SnapshotReader(client, registry, prefix + ".models", Duration.ofSeconds(30));
                long last = versions.get(versions.size() - 1);
                assertSameOutputs(reader.fetch("m", OptionalLong.of(last)).zip(),
                        served.stream().filter(p -> p.getModelVersion() == last).limit(20).toList());

                // pinned to an older kept version, the replica serves it; unpinned, the latest again
                long latest = reader.fetch("m", OptionalLong.empty()).description().getVersion();
                long pinned = latest - 3;
                CliRun pin = CliRun.of("control", "--config", config.toString(), "pin", "m", Long.toString(pinned));
                assertThat(pin.exitCode()).as(pin.err()).isZero();
                assertThat(pin.out()).contains("serving version " + pinned);
                pause(2000);
                Topics.produce(client, prefix + ".requests", unlabeled(requests, "m", "p", 50, new ArrayList<>()));
                List<Prediction> pinnedServed = awaitServed(client, registry, prefix, replica, sent.size() + 50);
                assertThat(pinnedServed.subList(sent.size(), sent.size() + 50))
                        .allSatisfy(p -> assertThat(p.getModelVersion()).isEqualTo(pinned));
                assertSameOutputs(reader.fetch("m", OptionalLong.of(pinned)).zip(),
                        pinnedServed.subList(sent.size(), sent.size() + 10));

                CliRun unpin = CliRun.of("control", "--config", config.toString(), "unpin", "m");
                assertThat(unpin.exitCode()).as(unpin.err()).isZero();
                pause(2000);
                Topics.produce(client, prefix + ".requests", unlabeled(requests, "m", "u", 50, new ArrayList<>()));
                List<Prediction> after = awaitServed(client, registry, prefix, replica, sent.size() + 100);
                assertThat(after.subList(sent.size() + 50, sent.size() + 100))
                        .allSatisfy(p -> assertThat(p.getModelVersion()).isEqualTo(latest));

                // a request the model cannot take is an error with its rule, not a stop
                Example wrong = Example.newBuilder().setId("bad").setModel("m").setFeatures(List.of(1f, 2f))
                        .setEventTime(Instant.ofEpochMilli(1_700_000_000_000L)).build();
                Topics.produce(client, prefix + ".requests", List.of(new Raw("m", requests.bytes(wrong))));
                List<ConsumerRecord<String, RejectedRecord>> errors = Topics.readUntil(client, prefix + ".errors",
                        LearnerBadInputIT.deserializer(RejectedRecord.class, registry),
                        r -> r.stream().anyMatch(e -> e.value().getTopic().equals(prefix + ".requests")),
                        () -> replica.streams().state() != KafkaStreams.State.ERROR, Duration.ofSeconds(30));
                assertThat(errors).filteredOn(e -> e.value().getTopic().equals(prefix + ".requests"))
                        .singleElement().satisfies(e -> assertThat(e.value().getRule()).isEqualTo("feature-count"));
                assertThat(replica.streams().state()).isEqualTo(KafkaStreams.State.RUNNING);
            }
        }
    }

    @ParameterizedTest(name = "streamtrain.serve.batch.max={0}")
    @ValueSource(ints = {1, 32})
    void aReplicaKilledWithSigkillLosesNoRequestAndServesNoneTwice(int batchMax) throws Exception {
        String prefix = "srvk" + batchMax;
        stack.broker().createTopic(prefix + ".examples", 2, Map.of());
        stack.broker().createTopic(prefix + ".requests", 2, Map.of());
        ExamplesTopicCorpus examples = new ExamplesTopicCorpus(stack.registryClient(), prefix + ".examples");
        ExamplesTopicCorpus requests = new ExamplesTopicCorpus(stack.registryClient(), prefix + ".requests");
        Map<String, Object> client = Map.of("bootstrap.servers", stack.broker().bootstrapServers());
        Map<String, Object> registry = Map.of("schema.registry.url", stack.registry().url());
        Map<String, String> settings = stack.learnerSettings(prefix);
        settings.put(LearnerConfig.MODEL_SPEC, "classpath:specs/mlp-classifier.yaml");
        settings.put(LearnerConfig.SNAPSHOT_EVERY_STEPS, "2");
        // micro-batched, the requests waiting for theirs when the replica dies are in its changelogged store
        settings.put(LearnerConfig.SERVE_BATCH_MAX, Integer.toString(batchMax));
        settings.put(LearnerConfig.SERVE_BATCH_WAIT_MS, "20");
        // a dead replica is noticed in seconds
        settings.put("consumer.session.timeout.ms", "6000");
        settings.put("consumer.heartbeat.interval.ms", "1000");

        try (LearnerApp learner = LearnerApp.start(new LearnerConfig(settings))) {
            // two models on the two partitions, so that both replicas serve
            String other = otherPartitionThan("m");
            List<Raw> first = new ArrayList<>(labeled(examples, "m", "first", 64));
            first.addAll(labeled(examples, other, "first", 64));
            Topics.produce(client, prefix + ".examples", first);
            awaitVersion(client, registry, prefix, "m", 2);
            awaitVersion(client, registry, prefix, other, 2);
            List<ForkedLearner> replicas = new ArrayList<>();
            try {
                for (int i = 1; i <= 2; i++) {
                    Map<String, String> own = new HashMap<>(settings);
                    own.put("state.dir", stack.stateDir(prefix + "-replica-" + i).toString());
                    ForkedLearner replica = new ForkedLearner("replica-" + i, dir.resolve("replica-" + i), own,
                            "512m").serving();
                    long mark = replica.logMark();
                    replica.start();
                    replica.awaitLog(mark, "-> RUNNING", Duration.ofSeconds(90));
                    replicas.add(replica);
                }
                List<String> sent = new ArrayList<>();
                for (int round = 0; round < 30; round++) {
                    List<Raw> batch = new ArrayList<>(unlabeled(requests, "m", "a" + round, 50, sent));
                    batch.addAll(unlabeled(requests, other, "b" + round, 50, sent));
                    Topics.produce(client, prefix + ".requests", batch);
                    if (round == 12) {
                        replicas.get(0).kill();
                    }
                    pause(100);
                }
                List<ConsumerRecord<String, Prediction>> served = Topics.readUntil(client, prefix + ".served",
                        LearnerBadInputIT.deserializer(Prediction.class, registry), r -> r.size() >= sent.size(),
                        () -> true, Duration.ofSeconds(120));
                pause(2000);
                served = Topics.readUntil(client, prefix + ".served",
                        LearnerBadInputIT.deserializer(Prediction.class, registry), r -> r.size() >= sent.size(),
                        () -> true, Duration.ofSeconds(30));
                Set<String> ids = new HashSet<>();
                List<String> twice = new ArrayList<>();
                for (ConsumerRecord<String, Prediction> r : served) {
                    if (!ids.add(r.value().getExampleId())) {
                        twice.add(r.value().getExampleId());
                    }
                }
                assertThat(twice).as("served twice").isEmpty();
                assertThat(ids).as("every request served").containsExactlyInAnyOrderElementsOf(sent);
            } finally {
                replicas.forEach(ForkedLearner::close);
            }
        }
    }

    private static void awaitVersion(Map<String, Object> client, Map<String, Object> registry, String prefix,
            String model, long version) {
        Topics.readUntil(client, prefix + ".models", LearnerBadInputIT.deserializer(ModelSnapshot.class, registry),
                r -> r.stream().anyMatch(c -> c.value() != null && c.value().getModel().equals(model)
                        && c.value().getVersion() >= version), () -> true, Duration.ofSeconds(60));
    }

    /** A model id whose records go to the other partition of a two-partition topic than {@code model}'s. */
    private static String otherPartitionThan(String model) {
        for (int i = 2; ; i++) {
            if (SnapshotKey.partitionOf("m" + i, 2) != SnapshotKey.partitionOf(model, 2)) {
                return "m" + i;
            }
        }
    }

    private static List<Prediction> awaitServed(Map<String, Object> client, Map<String, Object> registry,
            String prefix, LearnerApp replica, int count) {
        List<Prediction> served = Topics.readUntil(client, prefix + ".served",
                        LearnerBadInputIT.deserializer(Prediction.class, registry), r -> r.size() >= count,
                        () -> replica.streams().state() != KafkaStreams.State.ERROR, Duration.ofSeconds(60))
                .stream().map(ConsumerRecord::value).toList();
        assertThat(served).hasSize(count);
        return served;
    }

    private void assertSameOutputs(byte[] zip, List<Prediction> predictions) throws Exception {
        MultiLayerNetwork net = ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(zip), false);
        assertThat(predictions).isNotEmpty();
        for (Prediction p : predictions) {
            try (INDArray in = Nd4j.create(new float[][] {features.get(p.getExampleId())});
                 INDArray out = net.output(in, false)) {
                for (int c = 0; c < 2; c++) {
                    assertThat(out.getFloat(0, c)).isCloseTo(p.getProbabilities().get(c), within(1e-6f));
                }
            }
        }
    }

    private List<Raw> labeled(ExamplesTopicCorpus corpus, String model, String tag, int count) {
        List<Raw> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            float[] x = vector();
            records.add(new Raw(model, corpus.bytes(example(model, model + "-" + tag + "-" + i, x,
                    x[0] + x[1] > 0 ? 1 : 0))));
        }
        return records;
    }

    /** Requests for {@code model}; their ids are added to {@code ids}, their features kept. */
    private List<Raw> unlabeled(ExamplesTopicCorpus corpus, String model, String tag, int count, List<String> ids) {
        List<Raw> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String id = model + "-" + tag + "-" + i;
            float[] x = vector();
            features.put(id, x);
            ids.add(id);
            records.add(new Raw(model, corpus.bytes(example(model, id, x, null))));
        }
        return records;
    }

    private float[] vector() {
        float[] x = new float[FEATURES];
        for (int f = 0; f < FEATURES; f++) {
            x[f] = (float) random.nextGaussian();
        }
        return x;
    }

    private static Example example(String model, String id, float[] x, Integer label) {
        List<Float> list = new ArrayList<>(x.length);
        for (float v : x) {
            list.add(v);
        }
        return Example.newBuilder().setId(id).setModel(model).setFeatures(list)
                .setLabel(label == null ? null : new ClassLabel(label, null))
                .setEventTime(Instant.ofEpochMilli(1_700_000_000_000L)).build();
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }


}
