package io.streamtrain.robustness;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamtrain.learn.ExampleCheck;
import io.streamtrain.learn.Rejection;
import io.streamtrain.learn.Target;
import org.junit.jupiter.api.Test;

/**
 * Values that are finite as the Avro types carry them (a double label, a float weight) but that the network, which
 * computes in float, cannot train with: they are rejected before they reach a mini-batch, where a regression target
 * of 1e300 would become infinite and turn the model's weights to NaN, and a NaN weight would fail the whole batch.
 */
class HugeValuesTest {

    private final ExampleCheck regression = new ExampleCheck(3, false, 0);

    @Test
    void aRegressionLabelBeyondTheFloatRangeIsNonFinite() {
        for (double huge : new double[] {1e300, -1e300, 3.5e38, Double.MAX_VALUE}) {
            Rejection r = regression.check(new float[] {1, 2, 3}, Target.ofValue(huge));
            assertThat(r).as("label %s", huge).isNotNull();
            assertThat(r.rule()).isEqualTo(ExampleCheck.NON_FINITE);
            assertThat(r.field()).isEqualTo("label");
            assertThat(r.message()).contains("float range");
        }
        assertThat(regression.check(new float[] {1, 2, 3}, Target.ofValue(3.3e38))).isNull();
    }

    @Test
    void aWeightMustBeFiniteAndNotNegative() {
        assertThat(ExampleCheck.checkWeight(Float.NaN).rule()).isEqualTo(ExampleCheck.NON_FINITE);
        assertThat(ExampleCheck.checkWeight(Float.NEGATIVE_INFINITY).rule()).isEqualTo(ExampleCheck.NON_FINITE);
        assertThat(ExampleCheck.checkWeight(-0.5f).rule()).isEqualTo(ExampleCheck.NEGATIVE_WEIGHT);
        assertThat(ExampleCheck.checkWeight(-0.5f).field()).isEqualTo("weight");
        assertThat(ExampleCheck.checkWeight(0f)).isNull();
        assertThat(ExampleCheck.checkWeight(2.5f)).isNull();
    }
}
