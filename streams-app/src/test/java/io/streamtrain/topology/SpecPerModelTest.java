package io.streamtrain.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import io.streamtrain.avro.ClassLabel;
import io.streamtrain.avro.Example;
import io.streamtrain.avro.Prediction;
import io.streamtrain.avro.RegressionTarget;
import io.streamtrain.avro.RejectedRecord;
import io.streamtrain.learn.NetworkSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Models that share a stream, each with its own spec; a model without one is rejected when so configured. */
class SpecPerModelTest {

    private static final Map<String, NetworkSpec> SPECS = Map.of(
            "churn", NetworkSpec.fromResource("specs/mlp-classifier.yaml"),
            "price", NetworkSpec.fromResource("specs/regression.yaml"));

    @TempDir
    Path stateDir;

    @Test
    void eachModelIsBuiltFromItsOwnSpecAndAnUnknownOneIsRejected() {
        try (DrivenLearner learner = new DrivenLearner("spm", stateDir, SPECS::get, settings -> { },
                Instant.ofEpochMilli(0))) {
            for (int i = 0; i < 32; i++) {
                learner.send("churn", example("churn", "c" + i, 20, new ClassLabel(i % 2, null)));
                learner.send("price", example("price", "p" + i, 10, new RegressionTarget((double) i)));
            }
            learner.send("other", example("other", "o1", 20, new ClassLabel(0, null)));

            List<Prediction> predictions = learner.predictions.readValuesToList();
            assertThat(predictions).filteredOn(p -> p.getModel().equals("churn")).hasSize(32)
                    .allSatisfy(p -> assertThat(p.getProbabilities()).hasSize(2));
            assertThat(predictions).filteredOn(p -> p.getModel().equals("price")).hasSize(32)
                    .allSatisfy(p -> assertThat(p.getPredictedValue()).isNotNull());
            List<RejectedRecord> rejected = learner.errors.readValuesToList();
            assertThat(rejected).singleElement().satisfies(r -> {
                assertThat(r.getRule()).isEqualTo("unknown-model");
                assertThat(r.getField()).isEqualTo("model");
                assertThat(r.getMessage()).contains("'other'", "streamtrain.model.unlisted=reject");
            });
            // a regression example for the classifier is the classifier's to refuse
            learner.send("churn", example("churn", "c-bad", 20, new RegressionTarget(1.0)));
            assertThat(learner.errors.readValuesToList()).extracting(RejectedRecord::getRule)
                    .containsExactly("label-kind");
        }
    }

    private static Example example(String model, String id, int features, Object label) {
        List<Float> x = new ArrayList<>(Collections.nCopies(features, 0.5f));
        return Example.newBuilder().setId(id).setModel(model).setFeatures(x).setLabel(label)
                .setEventTime(Instant.ofEpochMilli(1_700_000_000_000L)).build();
    }
}
