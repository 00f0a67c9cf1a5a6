package io.streamtrain.robustness;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;

import io.streamtrain.app.LearnerApp;
import io.streamtrain.app.LearnerConfig;
import io.streamtrain.avro.ClassLabel;
import io.streamtrain.avro.ControlAnswer;
import io.streamtrain.avro.Example;
import io.streamtrain.avro.Prediction;
import io.streamtrain.learn.Learner;
import io.streamtrain.learn.NetworkSpec;
import io.streamtrain.learn.Target;
import io.streamtrain.robustness.Topics.Raw;
import io.streamtrain.snapshot.SnapshotReader;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code streamtrain control} against a running learner on the real broker and registry: each command answered once
 * on the control log; after {@code rollback M N} the learner's parameters are those of a fresh learner warm-started
 * from snapshot N and fed the same examples, bit for bit; a refused command and a bad command line say why.
 */
@ExtendWith(RobustnessStack.Resolver.class)
class ControlIT {

    private static final String PREFIX = "ctlx";
    private static final int BATCH = 32;

    private final RobustnessStack stack;
    private final Random random = new Random(17);
    private int sent;

    @TempDir
    Path dir;

    ControlIT(RobustnessStack stack) {
        this.stack = stack;
    }

    @Test
    void rollbackOverTheCliTrainsOnAsAWarmStartFromThatSnapshot() throws Exception {
        String examples = PREFIX + ".examples";
        stack.broker().createTopic(examples, 1, Map.of());
        ExamplesTopicCorpus corpus = new ExamplesTopicCorpus(stack.registryClient(), examples);
        // full mini-batches only: the first example of a batch waits up to a minute for the rest
        Path spec = dir.resolve("mlp.yaml");
        Files.writeString(spec, new String(getClass().getResourceAsStream("/specs/mlp-classifier.yaml").readAllBytes(),
                StandardCharsets.UTF_8).replace("maxWaitMs: 100", "maxWaitMs: 60000"));
        Map<String, Object> client = Map.of("bootstrap.servers", stack.broker().bootstrapServers());
        Map<String, Object> registry = Map.of("schema.registry.url", stack.registry().url());
        Map<String, String> settings = stack.learnerSettings(PREFIX);
        settings.put(LearnerConfig.MODEL_SPEC, spec.toString());
        settings.put(LearnerConfig.SNAPSHOT_EVERY_STEPS, "5");
        settings.put(LearnerConfig.SNAPSHOT_KEEP, "3");
        Path config = CliRun.propertiesFile(dir.resolve("learner.properties"), settings);

        Batches after;
        try (LearnerApp learner = LearnerApp.start(new LearnerConfig(settings))) {
            produce(client, corpus, examples, 10);
            awaitPredictions(client, registry, learner, 10 * BATCH);

            CliRun refused = CliRun.of("control", "--config", config.toString(), "rollback", "m", "1");
            assertThat(refused.exitCode()).isEqualTo(1);
            assertThat(refused.err()).contains("rollback m: refused: version 1 of model 'm' is not on the models "
                    + "topic; it keeps versions [5, 10]", "(model version 10)");

            CliRun rollback = CliRun.of("control", "--config", config.toString(), "rollback", "m", "5");
            assertThat(rollback.exitCode()).as(rollback.err()).isZero();
            assertThat(rollback.out()).contains("rollback m: done: training on from the parameters and optimizer "
                    + "state of version 5 as version 11");

            after = produce(client, corpus, examples, 2);
            awaitPredictions(client, registry, learner, 12 * BATCH);
            CliRun snapshot = CliRun.of("control", "--config", config.toString(), "snapshot", "m");
            assertThat(snapshot.exitCode()).as(snapshot.err()).isZero();
            assertThat(snapshot.out()).contains("snapshot m: done: published a snapshot of version 13");

            CliRun pause = CliRun.of("control", "--config", config.toString(), "pause", "m", "--timeout", "30");
            assertThat(pause.exitCode()).as(pause.err()).isZero();
            assertThat(pause.out()).contains("pause m: done: paused: predicting only, no training (model version 13)");
        }

        SnapshotReader reader = new SnapshotReader(client, registry, PREFIX + ".models", Duration.ofSeconds(30));
        byte[] zip5 = reader.fetch("m", OptionalLong.of(5)).zip();
        byte[] zip13 = reader.fetch("m", OptionalLong.of(13)).zip();
        Path file5 = Files.write(dir.resolve("m-5.zip"), zip5);
        NetworkSpec warm = NetworkSpec.parse("inputSize: 20\nwarmStart: " + file5 + "\noutput: {type: "
                + "classification, classes: 2}\n", NetworkSpec.Format.YAML);
        try (Learner fresh = Learner.create(warm)) {
            // what the learner trained on after the rollback: two mini-batches, as sent
            for (int b = 0; b < after.features().size(); b++) {
                fresh.train(after.features().get(b), after.targets().get(b), null);
            }
            MultiLayerNetwork ours = ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(zip13),
                    true);
            MultiLayerNetwork theirs = ModelSerializer.restoreMultiLayerNetwork(
                    new ByteArrayInputStream(fresh.exportZip()), true);
            assertThat(ours.params().equalsWithEps(theirs.params(), 0)).as("parameters bit for bit").isTrue();
            assertThat(ours.getUpdater().getStateViewArray().equalsWithEps(theirs.getUpdater().getStateViewArray(), 0))
                    .as("Adam's state bit for bit").isTrue();
        }

        // exactly one answer per command, read as a user reads it
        List<ConsumerRecord<String, ControlAnswer>> answers = Topics.readUntil(client, PREFIX + ".control.log",
                LearnerBadInputIT.deserializer(ControlAnswer.class, registry), r -> r.size() >= 4, () -> true,
                Duration.ofSeconds(30));
        assertThat(answers).extracting(r -> r.value().getCommand())
                .containsExactly("rollback", "rollback", "snapshot", "pause");
        assertThat(answers).extracting(r -> r.value().getCommandId()).doesNotHaveDuplicates();

        // a bad command line is refused before anything is sent
        CliRun bad = CliRun.of("control", "--config", config.toString(), "explode", "m");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("unknown command 'explode'");
        CliRun badRate = CliRun.of("control", "--config", config.toString(), "set-lr", "m", "fast");
        assertThat(badRate.exitCode()).isEqualTo(2);
        assertThat(badRate.err()).contains("set-lr: the learning rate must be a number, was 'fast'");
        // no learner answers: the learner is stopped
        CliRun unanswered = CliRun.of("control", "--config", config.toString(), "resume", "m", "--timeout", "3");
        assertThat(unanswered.exitCode()).isEqualTo(3);
        assertThat(unanswered.err()).contains("no answer to resume m within 3 s on ctlx.control.log");
    }

    /** Mini-batches as they were sent. */
    private record Batches(List<float[][]> features, List<Target[]> targets) {
    }

    /** Produces {@code batches} full mini-batches of labeled examples, and returns them. */
    private Batches produce(Map<String, Object> client, ExamplesTopicCorpus corpus, String topic, int batches) {
        List<Raw> records = new ArrayList<>();
        Batches sentBatches = new Batches(new ArrayList<>(), new ArrayList<>());
        for (int b = 0; b < batches; b++) {
            float[][] x = new float[BATCH][20];
            Target[] y = new Target[BATCH];
            for (int i = 0; i < BATCH; i++) {
                List<Float> features = new ArrayList<>();
                for (int f = 0; f < 20; f++) {
                    x[i][f] = (float) random.nextGaussian();
                    features.add(x[i][f]);
                }
                int label = x[i][0] + x[i][3] > 0 ? 1 : 0;
                y[i] = Target.ofClass(label);
                records.add(new Raw("m", corpus.bytes(Example.newBuilder().setId("e" + sent++).setModel("m")
                        .setFeatures(features).setLabel(new ClassLabel(label, null))
                        .setEventTime(Instant.ofEpochMilli(1_700_000_000_000L)).build())));
            }
            sentBatches.features().add(x);
            sentBatches.targets().add(y);
        }
        Topics.produce(client, topic, records);
        return sentBatches;
    }

    private static void awaitPredictions(Map<String, Object> client, Map<String, Object> registry, LearnerApp learner,
            int count) {
        List<ConsumerRecord<String, Prediction>> predictions = Topics.readUntil(client, PREFIX + ".predictions",
                LearnerBadInputIT.deserializer(Prediction.class, registry), r -> r.size() >= count,
                () -> learner.streams().state() != KafkaStreams.State.ERROR, Duration.ofSeconds(60));
        assertThat(predictions).hasSize(count);
    }


}
