package io.streamtrain.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.streamtrain.avro.ClassLabel;
import io.streamtrain.avro.Example;
import io.streamtrain.avro.Label;
import io.streamtrain.avro.RejectedRecord;
import io.streamtrain.avro.TrainingMetrics;
import io.streamtrain.learn.NetworkSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What stops waiting in the late-label join is counted, by why it stopped, and a label whose example stopped waiting
 * for it is rejected at once, not after a wait of its own.
 */
class LateLabelEvictionTest {

    private static final NetworkSpec SPEC = NetworkSpec.fromResource("specs/mlp-classifier.yaml");
    private static final int BATCH = SPEC.batchSize();
    private static final int MAX_PENDING = 40;
    private static final Duration WAIT = Duration.ofMinutes(10);

    private DrivenLearner learner;

    @TempDir
    Path stateDir;

    @BeforeEach
    void start() {
        learner = new DrivenLearner("ev", stateDir, model -> SPEC, settings -> settings
                .maxPendingLabels(MAX_PENDING)
                .labelWait(WAIT)
                .metricsInterval(Duration.ofSeconds(5))
                .metricsEveryExamples(1_000_000), Instant.ofEpochMilli(1_000_000));
    }

    @AfterEach
    void stop() {
        learner.close();
    }

    @Test
    void evictedAndExpiredExamplesAndLabelsAreCountedAndALabelForAnEvictedExampleIsRejectedAtOnce() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 2 * BATCH; i++) {
            String id = "u" + i;
            ids.add(id);
            learner.send("m", example(id));
        }
        // 64 predicted unlabeled examples wait; the bound is 40: the 24 oldest stop waiting
        assertThat(learner.predictions.readValuesToList()).hasSize(2 * BATCH);

        learner.send("m", label(ids.get(0)));
        List<RejectedRecord> rejected = learner.errors.readValuesToList();
        assertThat(rejected).as("rejected at once, with no wait").hasSize(1);
        assertThat(rejected.get(0).getRule()).isEqualTo("example-evicted");
        assertThat(rejected.get(0).getField()).isEqualTo("exampleId");
        assertThat(rejected.get(0).getMessage()).contains("'u0'", "more than 40 examples waited",
                "streamtrain.labels.max.pending", "not trained on");

        // a label for an example that is still waiting joins it
        learner.send("m", label(ids.get(2 * BATCH - 1)));
        // labels for examples that never come: 41 of them, one over the bound
        for (int i = 0; i <= MAX_PENDING; i++) {
            learner.send("m", label("never-" + i));
        }
        assertThat(learner.errors.readValuesToList()).extracting(RejectedRecord::getRule)
                .containsExactly("unmatched-label");

        // past the wait: the 39 examples still waiting and the 40 labels still waiting stop waiting
        learner.driver.advanceWallClockTime(WAIT.plusSeconds(1));
        List<RejectedRecord> expired = learner.errors.readValuesToList();
        assertThat(expired).hasSize(MAX_PENDING).allSatisfy(r -> {
            assertThat(r.getRule()).isEqualTo("unmatched-label");
            assertThat(r.getMessage()).contains("streamtrain.labels.wait.ms");
        });
        // a label for an expired example is rejected at once too
        learner.send("m", label(ids.get(BATCH)));
        assertThat(learner.errors.readValuesToList()).singleElement().satisfies(r -> {
            assertThat(r.getRule()).isEqualTo("example-evicted");
            assertThat(r.getMessage()).contains("after 600000 ms");
        });

        learner.driver.advanceWallClockTime(Duration.ofSeconds(6));
        List<TrainingMetrics> windows = learner.metrics.readValuesToList();
        assertThat(windows.stream().mapToLong(TrainingMetrics::getUnlabeledEvicted).sum()).isEqualTo(2 * BATCH
                - MAX_PENDING);
        assertThat(windows.stream().mapToLong(TrainingMetrics::getUnlabeledExpired).sum())
                .as("the 40 that waited, less the one whose label came").isEqualTo(MAX_PENDING - 1);
        assertThat(windows.stream().mapToLong(TrainingMetrics::getLabelsEvicted).sum()).isEqualTo(1);
        assertThat(windows.stream().mapToLong(TrainingMetrics::getLabelsExpired).sum()).isEqualTo(MAX_PENDING);
        assertThat(windows.stream().mapToLong(TrainingMetrics::getLateLabels).sum()).isEqualTo(1);
        assertThat(windows.stream().mapToLong(TrainingMetrics::getErrors).sum()).isEqualTo(2 + 1 + MAX_PENDING);
        assertThat(metric("unlabeled-evicted-total")).isEqualTo(2.0 * BATCH - MAX_PENDING);
        assertThat(metric("labels-expired-total")).isEqualTo(MAX_PENDING);
    }

    private double metric(String name) {
        return learner.driver.metrics().entrySet().stream()
                .filter(e -> e.getKey().name().equals(name) && "m".equals(e.getKey().tags().get("model")))
                .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue()).sum();
    }

    private static Example example(String id) {
        List<Float> x = new ArrayList<>(java.util.Collections.nCopies(SPEC.inputSize(), 0.25f));
        return Example.newBuilder().setId(id).setModel("m").setFeatures(x).setLabel(null)
                .setEventTime(Instant.ofEpochMilli(1_700_000_000_000L)).build();
    }

    private static Label label(String exampleId) {
        return Label.newBuilder().setExampleId(exampleId).setModel("m").setLabel(new ClassLabel(1, null))
                .setTime(Instant.ofEpochMilli(1_700_000_100_000L)).build();
    }
}
