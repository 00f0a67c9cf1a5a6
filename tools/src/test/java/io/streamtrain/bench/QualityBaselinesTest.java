package io.streamtrain.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamtrain.data.Dataset;
import org.junit.jupiter.api.Test;

class QualityBaselinesTest {

    @Test
    void eachBaselineMakesOnePassOverTheTabularStreamAndIsScoredAsTheNetworksAre() {
        Dataset separable = QualityDatasets.resolve(QualityDatasets.SEPARABLE, "label");
        assertThat(separable.featureCount()).isEqualTo(20);
        assertThat(separable.size()).as("endless").isEmpty();

        QualitySuite.Pass logistic = QualitySuite.baseline(separable, "softmax-regression", 5_000L, 1_000);
        QualitySuite.Pass majority = QualitySuite.baseline(separable, "majority", 5_000L, 1_000);

        assertThat(logistic.examples()).isEqualTo(5_000);
        assertThat(logistic.windowAccuracy()).as("last 1000, a linear concept").isGreaterThan(0.95);
        assertThat(majority.windowAccuracy()).as("two balanced classes").isBetween(0.4, 0.6);
        assertThat(logistic.curve()).hasSize(5_000 / QualitySuite.CURVE_EVERY)
                .allSatisfy(p -> assertThat(p[1]).isBetween(0.0, 1.0));
        assertThat(QualitySuite.baseline(separable, "softmax-regression", 5_000L, 1_000).windowAccuracy())
                .as("deterministic").isEqualTo(logistic.windowAccuracy());
    }
}
