package io.streamtrain.robustness;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import io.streamtrain.app.LearnerApp;
import io.streamtrain.app.LearnerConfig;
import io.streamtrain.avro.ClassLabel;
import io.streamtrain.avro.Example;
import io.streamtrain.avro.ModelSnapshot;
import io.streamtrain.avro.ParamsChunk;
import io.streamtrain.avro.ParamsKind;
import io.streamtrain.avro.Prediction;
import io.streamtrain.contract.ReplicaKey;
import io.streamtrain.learn.NetworkSpec;
import io.streamtrain.robustness.Topics.Raw;
import io.streamtrain.snapshot.SnapshotChunks;
import io.streamtrain.snapshot.SnapshotKey;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * One model trained by two replicas in two learner instances on the real broker and registry: its examples keyed by
 * shard over two partitions, the replicas' parameters averaged by the averaging step (in whichever instance owns its
 * task) and adopted, every averaged version on the models topic as a zip plain DL4J reads into exactly the parameters
 * the replicas were sent.
 */
@ExtendWith(RobustnessStack.Resolver.class)
class ReplicatedTrainingIT {

    private static final String PREFIX = "repl";
    private static final int EXAMPLES = 3_200;
    private static final int FEATURES = 20;

    private final RobustnessStack stack;

    @TempDir
    Path dir;

    ReplicatedTrainingIT(RobustnessStack stack) {
        this.stack = stack;
    }

    @Test
    void twoInstancesTrainOneModelAndEveryAveragedVersionIsOnTheModelsTopic() throws Exception {
        String examples = PREFIX + ".examples";
        stack.broker().createTopic(examples, 2, Map.of());
        String spec = NetworkSpec.fromResource("specs/mlp-classifier.yaml").json().replaceFirst("\\}$",
                ",\"parallel\":{\"replicas\":2,\"averageEverySteps\":4,\"maxWaitMs\":500}}");
        Path specFile = Files.writeString(dir.resolve("m.json"), spec, StandardCharsets.UTF_8);
        ExamplesTopicCorpus corpus = new ExamplesTopicCorpus(stack.registryClient(), examples);
        Random random = new Random(23);
        Map<String, Integer> labels = new HashMap<>();
        List<Raw> records = new ArrayList<>();
        int[] perShard = new int[2];
        for (int i = 0; i < EXAMPLES; i++) {
            String id = "e" + i;
            List<Float> x = new ArrayList<>(FEATURES);
            for (int f = 0; f < FEATURES; f++) {
                x.add((float) random.nextGaussian());
            }
            int label = x.get(0) + x.get(1) > 0 ? 1 : 0;
            labels.put(id, label);
            perShard[ReplicaKey.shard(id, 2)]++;
            records.add(new Raw(ReplicaKey.of("m", id, 2), corpus.bytes(Example.newBuilder().setId(id).setModel("m")
                    .setFeatures(x).setLabel(new ClassLabel(label, null))
                    .setEventTime(java.time.Instant.ofEpochMilli(1_700_000_000_000L)).build())));
        }
        assertThat(Math.min(perShard[0], perShard[1])).as("both shards have examples").isGreaterThan(EXAMPLES / 3);
        Map<String, Object> client = Map.of("bootstrap.servers", stack.broker().bootstrapServers());
        Map<String, Object> registry = Map.of("schema.registry.url", stack.registry().url());
        Map<String, String> first = stack.learnerSettings(PREFIX);
        first.put(LearnerConfig.MODEL_SPEC, specFile.toString());
        first.put("num.stream.threads", "1");
        Map<String, String> second = new HashMap<>(first);
        second.put("state.dir", dir.resolve("second-state").toString());

        List<ConsumerRecord<String, Prediction>> predictions;
        try (LearnerApp a = LearnerApp.start(new LearnerConfig(first));
                LearnerApp b = LearnerApp.start(new LearnerConfig(second))) {
            // in waves, each after the version the wave before led to: a short backlog is trained through faster
            // than a round goes round (commits, the averaging step's transaction, a fetch), which is correct but
            // would show few rounds
            int waves = 8;
            int wave = EXAMPLES / waves;
            for (int w = 0; w < waves; w++) {
                Topics.produce(client, examples, records.subList(w * wave, (w + 1) * wave));
                long version = w + 1;
                List<ConsumerRecord<String, ModelSnapshot>> models = Topics.readUntil(client, PREFIX + ".models",
                        LearnerBadInputIT.deserializer(ModelSnapshot.class, registry),
                        r -> r.stream().anyMatch(c -> c.value() != null && c.value().getVersion() >= version),
                        () -> a.streams().state() != KafkaStreams.State.ERROR
                                && b.streams().state() != KafkaStreams.State.ERROR, Duration.ofSeconds(60));
                assertThat(models).as("combined version %s", version)
                        .anyMatch(c -> c.value() != null && c.value().getVersion() >= version);
            }
            predictions = Topics.readUntil(client, PREFIX + ".predictions",
                    LearnerBadInputIT.deserializer(Prediction.class, registry), r -> r.size() >= EXAMPLES,
                    () -> a.streams().state() != KafkaStreams.State.ERROR
                            && b.streams().state() != KafkaStreams.State.ERROR, Duration.ofSeconds(120));
        }
        assertThat(predictions).hasSize(EXAMPLES);
        assertThat(predictions).extracting(r -> r.value().getExampleId()).doesNotHaveDuplicates();
        assertThat(predictions).allSatisfy(r -> {
            assertThat(r.key()).isEqualTo("m");
            assertThat(r.value().getModel()).isEqualTo("m");
            assertThat(r.value().getGlobalVersion()).isNotNull();
            assertThat(r.value().getLocalSteps()).isNotNull().isNotNegative();
        });
        long lastGlobal = predictions.stream().mapToLong(r -> r.value().getGlobalVersion()).max().orElseThrow();
        assertThat(lastGlobal).as("rounds averaged and adopted").isGreaterThanOrEqualTo(5);
        // averaging does not stop it learning: the last thousand predictions against their labels, well above
        // chance and above the first wave's (a learner that learned nothing stays at half)
        long right = predictions.subList(EXAMPLES - 1000, EXAMPLES).stream()
                .filter(r -> r.value().getPredictedClass() == labels.get(r.value().getExampleId())).count();
        long rightFirst = predictions.subList(0, 400).stream()
                .filter(r -> r.value().getPredictedClass() == labels.get(r.value().getExampleId())).count();
        assertThat(right).as("right of the last 1,000").isGreaterThan(650);
        assertThat(right / 1000.0).as("against the first 400's %s", rightFirst / 400.0)
                .isGreaterThan(rightFirst / 400.0 + 0.1);

        // each round's average went to both replicas; read back, the last one whole
        Map<Long, Map<Integer, ByteBuffer>> sentToReplica0 = new TreeMap<>();
        Set<Integer> replicasSent = new TreeSet<>();
        for (ConsumerRecord<String, ParamsChunk> r : Topics.readUntil(client, PREFIX + ".global",
                LearnerBadInputIT.deserializer(ParamsChunk.class, registry),
                x -> x.stream().anyMatch(c -> c.value().getRound() >= lastGlobal), () -> true,
                Duration.ofSeconds(30))) {
            ParamsChunk g = r.value();
            assertThat(r.key()).isEqualTo(ReplicaKey.shardKey("m", g.getReplica()));
            if (g.getKind() == ParamsKind.GLOBAL && g.getTotalFloats() > 0) {
                replicasSent.add(g.getReplica());
                if (g.getReplica() == 0) {
                    sentToReplica0.computeIfAbsent(g.getRound(), k -> new TreeMap<>()).put(g.getChunk(), g.getData());
                }
            }
        }
        assertThat(replicasSent).containsExactly(0, 1);

        Map<Long, Map<Integer, ModelSnapshot>> snapshots = new TreeMap<>();
        for (ConsumerRecord<String, ModelSnapshot> r : Topics.readUntil(client, PREFIX + ".models",
                LearnerBadInputIT.deserializer(ModelSnapshot.class, registry),
                x -> x.stream().anyMatch(c -> c.value() != null && c.value().getVersion() >= lastGlobal), () -> true,
                Duration.ofSeconds(30))) {
            SnapshotKey key = SnapshotKey.parse(r.key());
            assertThat(key.model()).isEqualTo("m");
            if (r.value() != null) {
                assertThat(r.value().getTrigger()).isEqualTo("averaged");
                assertThat(snapshots.computeIfAbsent(key.version(), v -> new TreeMap<>()).put(key.chunk(), r.value()))
                        .as("version %s chunk %s written once", key.version(), key.chunk()).isNull();
            }
        }
        // every global version published once, in order, from 1
        assertThat(snapshots.keySet()).isEqualTo(sentToReplica0.keySet());
        long last = ((TreeMap<Long, ?>) snapshots).lastKey();
        assertThat(snapshots.keySet()).hasSize((int) last);
        assertThat(last).isGreaterThanOrEqualTo(lastGlobal);
        List<ModelSnapshot> lastChunks = new ArrayList<>(snapshots.get(last).values());
        MultiLayerNetwork net = ModelSerializer.restoreMultiLayerNetwork(
                new java.io.ByteArrayInputStream(SnapshotChunks.join(lastChunks)), false);
        float[] published = net.params().toFloatVector();
        List<ByteBuffer> parts = new ArrayList<>(sentToReplica0.get(last).values());
        ByteBuffer sent = ByteBuffer.allocate(parts.stream().mapToInt(ByteBuffer::remaining).sum())
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        parts.forEach(p -> sent.put(p.duplicate()));
        sent.flip();
        float[] adopted = new float[sent.remaining() / 4];
        sent.asFloatBuffer().get(adopted);
        assertThat(published).as("the snapshot is the average the replicas adopted").isEqualTo(adopted);
        assertThat(lastChunks.get(0).getExamplesTrained()).isPositive().isLessThanOrEqualTo(EXAMPLES);
    }
}
