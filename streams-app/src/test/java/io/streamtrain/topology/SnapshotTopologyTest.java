package io.streamtrain.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import io.streamtrain.avro.ClassLabel;
import io.streamtrain.avro.Example;
import io.streamtrain.avro.ModelSnapshot;
import io.streamtrain.avro.Prediction;
import io.streamtrain.learn.NetworkSpec;
import io.streamtrain.snapshot.SnapshotChunks;
import io.streamtrain.snapshot.SnapshotKey;
import org.apache.kafka.streams.test.TestRecord;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Snapshots on the models topic: every N training steps, in chunks that fit a record, only the last K versions kept
 * (older ones tombstoned), and each one a zip that plain DL4J reads into the network that made the predictions of
 * that version.
 */
class SnapshotTopologyTest {

    private static final NetworkSpec SPEC = NetworkSpec.fromResource("specs/mlp-classifier.yaml");
    private static final int BATCH = SPEC.batchSize();

    @TempDir
    Path stateDir;

    @Test
    void aSnapshotEveryNStepsInChunksWithTheLastKKeptAndEachReadableByPlainDl4j() throws Exception {
        // the smallest record budget: 32 KiB chunks, so the 20-64-64-2 network's zip needs several
        try (DrivenLearner learner = new DrivenLearner("snap", stateDir, model -> SPEC, settings -> settings
                .snapshotEverySteps(3).snapshotKeep(2).maxRecordBytes(LearnerSettings.MIN_MAX_RECORD_BYTES),
                Instant.ofEpochMilli(0))) {
            Random random = new Random(7);
            Map<String, float[]> features = new LinkedHashMap<>();
            // 10 full mini-batches: versions 1 to 10, snapshots of 3, 6 and 9
            for (int i = 0; i < 10 * BATCH; i++) {
                float[] x = new float[SPEC.inputSize()];
                for (int f = 0; f < x.length; f++) {
                    x[f] = (float) random.nextGaussian();
                }
                String id = "e" + i;
                features.put(id, x);
                learner.send("m", example(id, x, x[0] > 0 ? 1 : 0));
            }
            List<Prediction> predictions = learner.predictions.readValuesToList();
            assertThat(predictions).hasSize(10 * BATCH);
            List<TestRecord<String, ModelSnapshot>> records = learner.modelRecords();

            Map<Long, List<ModelSnapshot>> byVersion = new LinkedHashMap<>();
            List<String> tombstones = new ArrayList<>();
            for (TestRecord<String, ModelSnapshot> r : records) {
                SnapshotKey key = SnapshotKey.parse(r.key());
                assertThat(key).as("key %s", r.key()).isNotNull();
                assertThat(key.model()).isEqualTo("m");
                if (r.value() == null) {
                    tombstones.add(r.key());
                } else {
                    assertThat(r.value().getChunk()).isEqualTo(key.chunk());
                    assertThat(r.value().getVersion()).isEqualTo(key.version());
                    byVersion.computeIfAbsent(key.version(), v -> new ArrayList<>()).add(r.value());
                }
            }
            assertThat(byVersion).containsOnlyKeys(3L, 6L, 9L);
            int chunksOf3 = byVersion.get(3L).size();
            assertThat(chunksOf3).as("chunks of a ~70 KB zip in 32 KiB").isGreaterThan(1);
            // keep 2: the third snapshot tombstones every chunk of the first, after writing its own
            assertThat(tombstones).hasSize(chunksOf3)
                    .allSatisfy(k -> assertThat(SnapshotKey.parse(k).version()).isEqualTo(3L));
            assertThat(records.get(records.size() - 1).value()).isNull();

            for (Map.Entry<Long, List<ModelSnapshot>> version : byVersion.entrySet()) {
                ModelSnapshot first = version.getValue().get(0);
                assertThat(first.getTrigger()).isEqualTo(SnapshotPublisher.EVERY_STEPS);
                assertThat(first.getExamplesTrained()).isEqualTo(version.getKey() * BATCH);
                assertThat(first.getLabeled()).isEqualTo(version.getKey() * BATCH);
                assertThat(first.getPrequentialAccuracy()).isBetween(0.0, 1.0);
                assertThat(first.getPrequentialRmse()).isNull();
                assertThat(NetworkSpec.parse(first.getSpec(), NetworkSpec.Format.JSON).toString())
                        .isEqualTo(SPEC.toString());
                byte[] zip = SnapshotChunks.join(version.getValue());
                assertThat(zip).hasSize((int) first.getTotalBytes());
                // plain DL4J: the network that made the predictions stamped with this version
                MultiLayerNetwork net = ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(zip), true);
                List<Prediction> made = predictions.stream()
                        .filter(p -> p.getModelVersion() == version.getKey()).toList();
                assertThat(made).hasSize(BATCH);
                for (Prediction p : made) {
                    try (INDArray in = Nd4j.create(new float[][] {features.get(p.getExampleId())});
                         INDArray out = net.output(in, false)) {
                        for (int c = 0; c < 2; c++) {
                            assertThat(out.getFloat(0, c)).isCloseTo(p.getProbabilities().get(c), within(1e-6f));
                        }
                    }
                }
                assertThat(net.getUpdater().getStateViewArray()).as("Adam's state").isNotNull();
                assertThat(net.getIterationCount()).isEqualTo((int) (long) version.getKey());
            }
        }
    }

    @Test
    void periodicSnapshotsAreOffAtZero() {
        try (DrivenLearner learner = new DrivenLearner("nosnap", stateDir, model -> SPEC,
                settings -> settings.snapshotEverySteps(0), Instant.ofEpochMilli(0))) {
            for (int i = 0; i < 4 * BATCH; i++) {
                learner.send("m", example("e" + i, new float[SPEC.inputSize()], i % 2));
            }
            assertThat(learner.predictions.readValuesToList()).hasSize(4 * BATCH);
            assertThat(learner.modelRecords()).isEmpty();
        }
    }

    private static Example example(String id, float[] x, int label) {
        List<Float> features = new ArrayList<>(x.length);
        for (float v : x) {
            features.add(v);
        }
        return Example.newBuilder().setId(id).setModel("m").setFeatures(features)
                .setLabel(new ClassLabel(label, null)).setEventTime(Instant.ofEpochMilli(1_700_000_000_000L)).build();
    }
}
