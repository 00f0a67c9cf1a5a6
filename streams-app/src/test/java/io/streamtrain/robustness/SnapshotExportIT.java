package io.streamtrain.robustness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import io.streamtrain.app.LearnerApp;
import io.streamtrain.app.LearnerConfig;
import io.streamtrain.avro.ClassLabel;
import io.streamtrain.avro.Example;
import io.streamtrain.avro.ModelSnapshot;
import io.streamtrain.avro.Prediction;
import io.streamtrain.robustness.Topics.Raw;
import io.streamtrain.snapshot.SnapshotKey;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Snapshots on the real broker and registry: the learner publishes them to its compacted models topic, `export` reads
 * one back from the cluster as a zip that plain DL4J restores into the network that made that version's predictions,
 * and a spec's {@code warmStart: topic:M@N} starts a new model from it.
 */
@ExtendWith(RobustnessStack.Resolver.class)
class SnapshotExportIT {

    private static final String PREFIX = "snapx";
    private static final int BATCH = 32;
    private static final int STEPS = 20;
    private static final int FEATURES = 20;

    private final RobustnessStack stack;

    @TempDir
    Path dir;

    SnapshotExportIT(RobustnessStack stack) {
        this.stack = stack;
    }

    @Test
    void exportedSnapshotsRestoreInPlainDl4jAndWarmStartANewModel() throws Exception {
        String examples = PREFIX + ".examples";
        stack.broker().createTopic(examples, 1, Map.of());
        ExamplesTopicCorpus corpus = new ExamplesTopicCorpus(stack.registryClient(), examples);
        Random random = new Random(11);
        Map<String, float[]> features = new HashMap<>();
        List<Raw> records = new ArrayList<>();
        for (int i = 0; i < STEPS * BATCH; i++) {
            records.add(new Raw("m", corpus.bytes(example("m", "e" + i, random, features))));
        }
        Map<String, Object> client = Map.of("bootstrap.servers", stack.broker().bootstrapServers());
        Map<String, Object> registry = Map.of("schema.registry.url", stack.registry().url());
        Map<String, String> settings = stack.learnerSettings(PREFIX);
        settings.put(LearnerConfig.MODEL_SPEC, "classpath:specs/mlp-classifier.yaml");
        settings.put(LearnerConfig.SNAPSHOT_EVERY_STEPS, "5");
        settings.put(LearnerConfig.SNAPSHOT_KEEP, "3");
        Path config = CliRun.propertiesFile(dir.resolve("learner.properties"), settings);

        List<ConsumerRecord<String, Prediction>> predictions;
        try (LearnerApp learner = LearnerApp.start(new LearnerConfig(settings))) {
            Topics.produce(client, examples, records);
            predictions = Topics.readUntil(client, PREFIX + ".predictions",
                    LearnerBadInputIT.deserializer(Prediction.class, registry), r -> r.size() >= STEPS * BATCH,
                    () -> learner.streams().state() != KafkaStreams.State.ERROR, Duration.ofSeconds(60));
        }
        assertThat(predictions).hasSize(STEPS * BATCH);

        // versions 5, 10, 15, 20 were published; keeping 3, the learner tombstoned version 5
        List<ConsumerRecord<String, ModelSnapshot>> onTopic = Topics.readUntil(client, PREFIX + ".models",
                LearnerBadInputIT.deserializer(ModelSnapshot.class, registry),
                r -> r.stream().anyMatch(c -> c.value() == null), () -> true, Duration.ofSeconds(30));
        Set<Long> published = new TreeSet<>();
        Set<Long> tombstoned = new TreeSet<>();
        for (ConsumerRecord<String, ModelSnapshot> r : onTopic) {
            (r.value() == null ? tombstoned : published).add(SnapshotKey.parse(r.key()).version());
        }
        assertThat(published).containsExactly(5L, 10L, 15L, 20L);
        assertThat(tombstoned).containsExactly(5L);
        try (Admin admin = Admin.create(client)) {
            ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, PREFIX + ".models");
            Config topicConfig = admin.describeConfigs(List.of(topic)).all().get(30, TimeUnit.SECONDS).get(topic);
            assertThat(topicConfig.get(TopicConfig.CLEANUP_POLICY_CONFIG).value())
                    .isEqualTo(TopicConfig.CLEANUP_POLICY_COMPACT);
        }

        // export, as the CLI does it in this JVM
        Path zip15 = dir.resolve("m-15.zip");
        CliRun export = CliRun.of("export", "--config", config.toString(), "--model", "m", "--version", "15", "--out",
                zip15.toString());
        assertThat(export.exitCode()).as(export.err()).isZero();
        // every example is labeled: version 15 had trained on each one predicted by versions 0 to 14
        long trainedBy15 = predictions.stream().filter(p -> p.value().getModelVersion() < 15).count();
        String trained = String.format(java.util.Locale.ROOT, "%,d", trainedBy15);
        assertThat(export.out()).contains("exported model m version 15", "(" + trained + " examples trained",
                "prequential accuracy", "over " + trained + " labeled");
        MultiLayerNetwork net15 = ModelSerializer.restoreMultiLayerNetwork(zip15.toFile(), true);
        List<Prediction> ofVersion15 = predictions.stream().map(ConsumerRecord::value)
                .filter(p -> p.getModelVersion() == 15).toList();
        assertThat(ofVersion15).isNotEmpty();
        assertSameOutputs(net15, ofVersion15, features);

        // a version that was tombstoned, and one never made: refused with what there is
        CliRun gone = CliRun.of("export", "--config", config.toString(), "--model", "m", "--version", "5", "--out",
                dir.resolve("m-5.zip").toString());
        assertThat(gone.exitCode()).isEqualTo(1);
        assertThat(gone.err()).contains("no version 5 of model 'm'", "versions [10, 15, 20]");
        assertThat(dir.resolve("m-5.zip")).doesNotExist();
        CliRun unknown = CliRun.of("export", "--config", config.toString(), "--model", "nobody", "--out",
                dir.resolve("x.zip").toString());
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err()).contains("no snapshot of model 'nobody'");

        // the packaged learner jar, as bin/streamtrain runs it: the latest version
        Path latest = dir.resolve("m-latest.zip");
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", Path.of("target", "streamtrain-streams-app.jar").toAbsolutePath().toString(), "export",
                "--config", config.toString(), "--model", "m", "--out", latest.toString())
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output).contains("exported model m version 20");
        MultiLayerNetwork net20 = ModelSerializer.restoreMultiLayerNetwork(latest.toFile(), true);
        assertThat(net20.getIterationCount()).isEqualTo(20);
        assertThat(net20.params().equalsWithEps(net15.params(), 0)).isFalse();

        // a new model warm-started from version 15 on the topic predicts as that network does
        // one full mini-batch, however the examples arrive: none is stepped alone by its wait on a slow machine
        Path spec = dir.resolve("m2.yaml");
        Files.writeString(spec, String.join("\n", "inputSize: 20", "warmStart: topic:m@15",
                "output: {type: classification, classes: 2}", "batch: {size: 32, maxWaitMs: 60000}", ""));
        settings.put(LearnerConfig.MODEL_SPEC_PREFIX + "m2", spec.toString());
        List<Raw> more = new ArrayList<>();
        for (int i = 0; i < BATCH; i++) {
            more.add(new Raw("m2", corpus.bytes(example("m2", "w" + i, random, features))));
        }
        try (LearnerApp learner = LearnerApp.start(new LearnerConfig(settings))) {
            Topics.produce(client, examples, more);
            List<Prediction> warm = Topics.readUntil(client, PREFIX + ".predictions",
                            LearnerBadInputIT.deserializer(Prediction.class, registry),
                            r -> r.stream().filter(p -> p.value().getModel().equals("m2")).count() >= BATCH,
                            () -> learner.streams().state() != KafkaStreams.State.ERROR, Duration.ofSeconds(60))
                    .stream().map(ConsumerRecord::value).filter(p -> p.getModel().equals("m2")).toList();
            assertThat(warm).hasSize(BATCH).allSatisfy(p -> assertThat(p.getModelVersion()).isZero());
            assertSameOutputs(net15, warm, features);
        }
    }

    private static void assertSameOutputs(MultiLayerNetwork net, List<Prediction> predictions,
            Map<String, float[]> features) {
        for (Prediction p : predictions) {
            try (INDArray in = Nd4j.create(new float[][] {features.get(p.getExampleId())});
                 INDArray out = net.output(in, false)) {
                for (int c = 0; c < 2; c++) {
                    assertThat(out.getFloat(0, c)).as("%s class %d", p.getExampleId(), c)
                            .isCloseTo(p.getProbabilities().get(c), within(1e-6f));
                }
            }
        }
    }

    private static Example example(String model, String id, Random random, Map<String, float[]> features) {
        float[] x = new float[FEATURES];
        List<Float> list = new ArrayList<>(FEATURES);
        for (int f = 0; f < FEATURES; f++) {
            x[f] = (float) random.nextGaussian();
            list.add(x[f]);
        }
        features.put(id, x);
        return Example.newBuilder().setId(id).setModel(model).setFeatures(list)
                .setLabel(new ClassLabel(x[0] + x[1] > 0 ? 1 : 0, null))
                .setEventTime(Instant.ofEpochMilli(1_700_000_000_000L)).build();
    }


}
