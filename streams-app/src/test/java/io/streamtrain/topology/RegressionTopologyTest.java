package io.streamtrain.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.streamtrain.avro.Example;
import io.streamtrain.avro.Label;
import io.streamtrain.avro.Prediction;
import io.streamtrain.avro.RegressionTarget;
import io.streamtrain.avro.TrainingMetrics;
import io.streamtrain.learn.NetworkSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A regression model through the learner's topology: predicted values, squared-error losses, MAE and RMSE. */
class RegressionTopologyTest {

    private static final NetworkSpec SPEC = NetworkSpec.fromResource("specs/regression.yaml");
    private static final int FEATURES = SPEC.inputSize();
    private static final int BATCH = SPEC.batchSize();
    /** Mini-batches per metrics window: enough steps for the model to learn between the first and the last. */
    private static final int BATCHES_PER_WINDOW = 50;
    private static final double[] WEIGHTS = {0.5, -1.0, 0.25, 2.0, -0.75, 1.5, 0.0, -0.5, 1.0, 0.3};

    private final Random random = new Random(17);
    private DrivenLearner learner;
    private int nextId;

    @TempDir
    Path stateDir;

    @BeforeEach
    void start() {
        learner = new DrivenLearner("reg", stateDir, model -> SPEC, settings -> settings
                .metricsInterval(Duration.ofSeconds(5))
                .metricsEveryExamples(BATCHES_PER_WINDOW * BATCH)
                .labelWait(Duration.ofMinutes(10)), Instant.ofEpochMilli(1_000_000));
    }

    @AfterEach
    void stop() {
        learner.close();
    }

    @Test
    void predictsAValueScoresItsSquaredErrorAndReportsMaeAndRmsePerWindow() {
        List<Example> sent = new ArrayList<>();
        for (int i = 0; i < 4 * BATCHES_PER_WINDOW * BATCH; i++) {
            Example e = example(true);
            sent.add(e);
            learner.send("r", e);
        }
        List<Prediction> predictions = learner.predictions.readValuesToList();
        assertThat(predictions).hasSize(sent.size());
        for (int i = 0; i < predictions.size(); i++) {
            Prediction p = predictions.get(i);
            double target = ((RegressionTarget) sent.get(i).getLabel()).getValue();
            assertThat(p.getExampleId()).isEqualTo(sent.get(i).getId());
            assertThat(p.getPredictedValue()).as("a value, not a class").isNotNull();
            assertThat(p.getPredictedClass()).isNull();
            assertThat(p.getPredictedClassName()).isNull();
            assertThat(p.getProbabilities()).isEmpty();
            assertThat(p.getLabel()).isEqualTo(sent.get(i).getLabel());
            // mse: the loss of one prediction is its squared error (computed in float by the network)
            double error = p.getPredictedValue() - target;
            assertThat(p.getLoss()).isCloseTo(error * error, within(1e-4 * (1 + error * error)));
        }

        List<TrainingMetrics> windows = learner.metrics.readValuesToList();
        assertThat(windows).as("one window per %d batches", BATCHES_PER_WINDOW).hasSize(4);
        for (int w = 0; w < windows.size(); w++) {
            TrainingMetrics m = windows.get(w);
            List<Prediction> ofWindow = predictions.subList(w * BATCHES_PER_WINDOW * BATCH,
                    (w + 1) * BATCHES_PER_WINDOW * BATCH);
            double absolute = 0;
            double squared = 0;
            for (Prediction p : ofWindow) {
                absolute += Math.sqrt(p.getLoss());
                squared += p.getLoss();
            }
            assertThat(m.getLabeled()).isEqualTo(ofWindow.size());
            assertThat(m.getAccuracy()).as("no accuracy for regression").isNull();
            assertThat(m.getPrequentialAccuracy()).isNull();
            assertThat(m.getMae()).isCloseTo(absolute / ofWindow.size(), within(1e-3 * m.getMae()));
            assertThat(m.getRmse()).isCloseTo(Math.sqrt(squared / ofWindow.size()), within(1e-3 * m.getRmse()));
            assertThat(m.getMeanLoss()).isCloseTo(squared / ofWindow.size(), within(1e-3 * m.getMeanLoss()));
        }
        assertThat(windows.get(3).getMae()).as("it learns the linear target")
                .isLessThan(windows.get(0).getMae() * 0.7);
        assertThat(windows.get(3).getExamplesTrained()).isEqualTo(4L * BATCHES_PER_WINDOW * BATCH);
    }

    @Test
    void aLateRegressionLabelScoresThePredictionMadeWhenItsExampleCame() {
        List<Example> unlabeled = new ArrayList<>();
        for (int i = 0; i < BATCH; i++) {
            Example e = example(false);
            unlabeled.add(e);
            learner.send("r", e);
        }
        List<Prediction> predictions = learner.predictions.readValuesToList();
        assertThat(predictions).hasSize(BATCH).allSatisfy(p -> assertThat(p.getLoss()).isNull());
        double target = 3.25;
        learner.send("r", Label.newBuilder().setExampleId(unlabeled.get(0).getId()).setModel("r")
                .setLabel(new RegressionTarget(target)).setTime(Instant.ofEpochMilli(1_700_000_100_000L)).build());
        learner.driver.advanceWallClockTime(Duration.ofSeconds(6));
        TrainingMetrics m = learner.metrics.readValuesToList().get(0);
        double error = predictions.get(0).getPredictedValue() - target;
        assertThat(m.getLateLabels()).isEqualTo(1);
        assertThat(m.getLabeled()).isEqualTo(1);
        assertThat(m.getMae()).isCloseTo(Math.abs(error), within(1e-4 * (1 + Math.abs(error))));
        assertThat(m.getExamplesTrained()).as("the late-labeled example, trained on in a batch of its own")
                .isEqualTo(1);
    }

    private Example example(boolean labeled) {
        List<Float> x = new ArrayList<>(FEATURES);
        double y = 0;
        for (int i = 0; i < FEATURES; i++) {
            float v = (float) random.nextGaussian();
            x.add(v);
            y += WEIGHTS[i] * v;
        }
        return Example.newBuilder().setId("x" + nextId++).setModel("r").setFeatures(x)
                .setLabel(labeled ? new RegressionTarget(y) : null)
                .setEventTime(Instant.ofEpochMilli(1_700_000_000_000L)).build();
    }
}
