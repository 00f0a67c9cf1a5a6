package io.streamtrain.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.LongStream;

import io.streamtrain.avro.ClassLabel;
import io.streamtrain.avro.Example;
import io.streamtrain.avro.ModelSnapshot;
import io.streamtrain.avro.Prediction;
import io.streamtrain.avro.TrainingMetrics;
import io.streamtrain.embedded.EmbeddedKafkaBroker;
import io.streamtrain.embedded.EmbeddedSchemaRegistry;
import io.streamtrain.embedded.ForkedLearner;
import io.streamtrain.registry.ConfluentAvroSerde;
import io.streamtrain.snapshot.SnapshotChunks;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Invariant 1 (docs/architecture.md) on the real broker and registry: the learner runs in a JVM of its own, is killed with
 * SIGKILL mid-stream and started again; afterwards every labeled example was trained on exactly once, there is
 * exactly one committed prediction per example, and the model went on from where it was.
 */
class ExactlyOnceCrashIT {

    private static final String PREFIX = "crash";
    private static final List<String> MODELS = List.of("model-a", "model-b");
    private static final int PER_MODEL = 12_000;

    private static EmbeddedKafkaBroker kafka;
    private static EmbeddedSchemaRegistry registry;

    @TempDir
    Path work;

    @BeforeAll
    static void startComponents() {
        kafka = EmbeddedKafkaBroker.start();
        registry = EmbeddedSchemaRegistry.start();
    }

    @AfterAll
    static void stopComponents() {
        if (registry != null) {
            registry.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void killedLearnerResumesWithEveryExampleTrainedOnceAndPredictedOnce() throws Exception {
        kafka.createTopic(PREFIX + ".examples", 2);
        Map<String, String> registryConfig = Map.of("schema.registry.url", registry.url());
        SeparableStream stream = new SeparableStream(42, 20, 0.1);
        Map<String, Long> labeled = new HashMap<>();
        // most of the stream first; the rest while the learner is down
        produce(registryConfig, stream, PER_MODEL * 7 / 10, labeled);

        Map<String, String> settings = new HashMap<>(registryConfig);
        settings.put("bootstrap.servers", kafka.bootstrapServers());
        settings.put("application.id", "crash-test");
        settings.put("state.dir", work.resolve("state").toString());
        settings.put("commit.interval.ms", "200");
        settings.put("streamtrain.topic.prefix", PREFIX);
        settings.put("streamtrain.checkpoint.every.batches", "25");
        settings.put("streamtrain.metrics.interval.ms", "300");
        // a snapshot every other step, each in two chunks (records of at most 96 KiB), all kept: every transaction
        // of the backlog publishes some, so the kill below lands while snapshots are being published
        settings.put(LearnerConfig.SNAPSHOT_EVERY_STEPS, "2");
        settings.put(LearnerConfig.SNAPSHOT_KEEP, "100000");
        settings.put("producer.max.request.size", Integer.toString(96 * 1024));

        Serde<Prediction> predictions = ConfluentAvroSerde.specific(Prediction.class, registryConfig, false);
        Serde<TrainingMetrics> metrics = ConfluentAvroSerde.specific(TrainingMetrics.class, registryConfig, false);
        Serde<ModelSnapshot> snapshots = ConfluentAvroSerde.specific(ModelSnapshot.class, registryConfig, false);
        try (ForkedLearner learner = new ForkedLearner("learner", work, settings, "768m");
                TopicReader<Prediction> predictionReader = new TopicReader<>(kafka.bootstrapServers(),
                        PREFIX + ".predictions", predictions.deserializer());
                TopicReader<TrainingMetrics> metricsReader = new TopicReader<>(kafka.bootstrapServers(),
                        PREFIX + ".metrics", metrics.deserializer())) {
            learner.start();
            // mid-stream: a good part of each model's predictions is committed, and much is still to do
            List<ConsumerRecord<String, Prediction>> before = predictionReader.readUntil(
                    r -> MODELS.stream().allMatch(m -> r.stream().filter(p -> p.key().equals(m)).count()
                            >= PER_MODEL * 4 / 10) || !learner.isAlive(), Duration.ofMinutes(3));
            assertThat(learner.isAlive()).as("learner alive before the kill; log:\n%s", learner.logTail(60))
                    .isTrue();
            learner.kill();
            int committedBeforeKill = before.size();
            assertThat(committedBeforeKill).as("predictions committed before the kill")
                    .isBetween(1, 2 * PER_MODEL - 1);

            produce(registryConfig, stream, PER_MODEL - PER_MODEL * 7 / 10, labeled);
            long restartedAt = System.currentTimeMillis();
            learner.start();
            Predicate<List<ConsumerRecord<String, TrainingMetrics>>> trainedAll = r -> MODELS.stream()
                    .allMatch(model -> lastMetrics(r, model) != null
                            && lastMetrics(r, model).getExamplesTrained() >= labeled.get(model));
            List<ConsumerRecord<String, TrainingMetrics>> windows = metricsReader.readUntil(trainedAll,
                    Duration.ofMinutes(5));
            assertThat(trainedAll.test(windows)).as("every labeled example trained on; learner log:\n%s",
                    learner.logTail(60)).isTrue();
            List<ConsumerRecord<String, Prediction>> all = predictionReader.readUntil(
                    r -> r.size() >= 2 * PER_MODEL, Duration.ofMinutes(2));
            // more time for a duplicate to show up, if there were one
            predictionReader.drain(Duration.ofSeconds(2));
            metricsReader.drain(Duration.ofSeconds(1));

            // exactly one committed prediction per example id
            Set<String> ids = new HashSet<>();
            List<String> duplicates = new ArrayList<>();
            for (ConsumerRecord<String, Prediction> r : all) {
                if (!ids.add(r.value().getExampleId())) {
                    duplicates.add(r.value().getExampleId());
                }
            }
            assertThat(duplicates).as("duplicate predictions").isEmpty();
            assertThat(ids).hasSize(2 * PER_MODEL);

            for (String model : MODELS) {
                // the number of examples trained equals the labeled examples produced, not one more
                TrainingMetrics last = lastMetrics(metricsReader.records(), model);
                assertThat(last.getExamplesTrained()).as("examples trained by %s", model)
                        .isEqualTo(labeled.get(model));

                // the restored model went on from where it was: versions never go back in the prediction stream
                List<Prediction> ofModel = all.stream().filter(r -> r.key().equals(model))
                        .sorted(Comparator.comparingLong(ConsumerRecord::offset))
                        .map(ConsumerRecord::value).toList();
                for (int i = 1; i < ofModel.size(); i++) {
                    assertThat(ofModel.get(i).getModelVersion()).as("model version of prediction %d of %s", i, model)
                            .isGreaterThanOrEqualTo(ofModel.get(i - 1).getModelVersion());
                }
                // ... and so did its accuracy: the first predictions after the restart are as good as the last ones
                // before the kill, where a model started afresh would be little better than a coin
                List<Prediction> beforeKill = ofModel.stream()
                        .filter(p -> p.getPredictedAt().toEpochMilli() < restartedAt).toList();
                beforeKill = beforeKill.subList(Math.max(0, beforeKill.size() - 300), beforeKill.size());
                List<Prediction> afterRestart = ofModel.stream()
                        .filter(p -> p.getPredictedAt().toEpochMilli() >= restartedAt).limit(300).toList();
                assertThat(afterRestart).as("predictions of %s after the restart", model).hasSizeGreaterThan(100);
                double accuracyBefore = accuracy(beforeKill);
                assertThat(accuracyBefore).as("accuracy of %s before the kill", model).isGreaterThan(0.75);
                assertThat(accuracy(afterRestart)).as("accuracy of %s right after the restart; its windows: %s; "
                        + "learner log:\n%s", model, windowAccuracies(metricsReader.records(), model),
                        learner.log().lines().filter(l -> l.contains("ModelRestore")).toList())
                        .isGreaterThan(accuracyBefore - 0.08);
                assertThat(last.getPrequentialAccuracy()).as("prequential accuracy of %s", model)
                        .isGreaterThan(0.8);
            }
            assertThat(learner.log()).contains("restored at version");

            // the snapshots, as a reader sees them: every even version up to the last, each chunk written once,
            // each version whole; what the killed transaction had published is not there, and was published again
            try (TopicReader<ModelSnapshot> modelsReader = new TopicReader<>(kafka.bootstrapServers(),
                    PREFIX + ".models", snapshots.deserializer())) {
                List<ConsumerRecord<String, ModelSnapshot>> chunks = modelsReader.drain(Duration.ofSeconds(3));
                for (String model : MODELS) {
                    long lastVersion = lastMetrics(metricsReader.records(), model).getModelVersion();
                    Map<Long, List<ModelSnapshot>> byVersion = new TreeMap<>();
                    Set<String> keys = new HashSet<>();
                    for (ConsumerRecord<String, ModelSnapshot> r : chunks) {
                        if (r.value() != null && r.value().getModel().equals(model)) {
                            assertThat(keys.add(r.key())).as("%s written once", r.key()).isTrue();
                            byVersion.computeIfAbsent(r.value().getVersion(), v -> new ArrayList<>()).add(r.value());
                        }
                    }
                    assertThat(byVersion.keySet()).as("versions of %s on the models topic", model)
                            .containsExactlyElementsOf(LongStream.rangeClosed(1, lastVersion / 2)
                                    .map(v -> 2 * v).boxed().toList());
                    byVersion.values().forEach(version -> {
                        assertThat(version).hasSizeGreaterThan(1);
                        SnapshotChunks.join(version);
                    });
                }
            }

            // SIGTERM, as docker stop or Ctrl-C: the main thread closes the learner, says so, and the JVM exits
            long stopMark = learner.logMark();
            long signalled = System.nanoTime();
            assertThat(learner.stop()).as("exit status after SIGTERM (128 + 15)").isEqualTo(143);
            assertThat(Duration.ofNanos(System.nanoTime() - signalled)).isLessThan(Duration.ofSeconds(15));
            assertThat(learner.logSince(stopMark)).contains("stopping the learner ...")
                    .containsPattern("stopped the learner \\(\\d+\\.\\d s\\)")
                    .doesNotContain("Exception", "ERROR");
        }
    }

    private static void produce(Map<String, String> registryConfig, SeparableStream stream, int perModel,
            Map<String, Long> labeled) {
        Serde<Example> serde = ConfluentAvroSerde.specific(Example.class, registryConfig, false);
        try (KafkaProducer<String, Example> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 20),
                new StringSerializer(), serde.serializer())) {
            for (int i = 0; i < perModel; i++) {
                for (String model : MODELS) {
                    Example e = stream.next(model);
                    if (e.getLabel() != null) {
                        labeled.merge(model, 1L, Long::sum);
                    }
                    producer.send(new ProducerRecord<>(PREFIX + ".examples", model, e));
                }
            }
        }
    }

    private static TrainingMetrics lastMetrics(List<ConsumerRecord<String, TrainingMetrics>> records, String model) {
        TrainingMetrics last = null;
        for (ConsumerRecord<String, TrainingMetrics> r : records) {
            if (r.key().equals(model)) {
                last = r.value();
            }
        }
        return last;
    }

    private static List<String> windowAccuracies(List<ConsumerRecord<String, TrainingMetrics>> records,
            String model) {
        return records.stream().filter(r -> r.key().equals(model))
                .map(r -> "v" + r.value().getModelVersion() + "/" + r.value().getAccuracy()).toList();
    }

    private static double accuracy(List<Prediction> predictions) {
        long scored = 0;
        long right = 0;
        for (Prediction p : predictions) {
            if (p.getLabel() instanceof ClassLabel label) {
                scored++;
                if (label.getIndex() == p.getPredictedClass()) {
                    right++;
                }
            }
        }
        return scored == 0 ? 0 : (double) right / scored;
    }
}
