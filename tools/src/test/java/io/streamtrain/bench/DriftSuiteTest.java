package io.streamtrain.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

import io.streamtrain.data.SyntheticStream;
import io.streamtrain.learn.NetworkSpec;
import io.streamtrain.learn.drift.DriftSettings;
import org.junit.jupiter.api.Test;

class DriftSuiteTest {

    private static final NetworkSpec SPEC = NetworkSpec.fromResource("specs/mlp-classifier.yaml");

    @Test
    void theRelabelMovesEveryClassAndIsTheSameForASeed() {
        for (int classes = 2; classes <= 12; classes++) {
            int[] p = DriftSuite.derangement(classes, new Random(classes));
            assertThat(Arrays.stream(p).sorted().toArray()).as("a permutation").containsExactly(
                    java.util.stream.IntStream.range(0, classes).toArray());
            for (int c = 0; c < classes; c++) {
                assertThat(p[c]).as("class %d of %d moves", c, classes).isNotEqualTo(c);
            }
            assertThat(DriftSuite.derangement(classes, new Random(classes))).isEqualTo(p);
        }
        assertThatThrownBy(() -> DriftSuite.derangement(1, new Random(1)))
                .hasMessageContaining("at least 2 classes");
    }

    @Test
    void aPassFindsTheChangeAfterItAndNothingInTheSameStreamWithoutIt() {
        DriftSettings settings = new DriftSettings(List.of("page-hinkley", "adwin"), DriftSettings.Signal.ERROR,
                DriftSettings.Action.RAISE_LR, 2, 50, 50, 0.002);
        SyntheticStream stream = new SyntheticStream(5, SPEC.inputSize(), 0.1);

        DriftSuite.Pass changed = DriftSuite.pass(stream, SPEC, settings, 8_000L, 4_000, new int[] {1, 0}, true);
        DriftSuite.Pass same = DriftSuite.pass(stream, SPEC, settings, 8_000L, 4_000, new int[] {1, 0}, false);

        assertThat(changed.firstDetection()).as("examples from the change to the first detection")
                .isBetween(0L, 300L);
        assertThat(changed.firstDetector()).isIn("page-hinkley", "adwin");
        assertThat(changed.falseAlarms()).isZero();
        assertThat(changed.before()).as("accuracy before the change").isGreaterThan(0.8);
        assertThat(changed.dip()).as("the next 1000, after every label flipped").isLessThan(changed.before());
        assertThat(changed.recovery()).as("won back within the stream").isPositive();
        assertThat(changed.curve()).isNotEmpty().allSatisfy(p -> assertThat(p[1]).isBetween(0.0, 1.0));
        assertThat(same.detections()).as("detections in the unchanged stream").isZero();
        assertThat(same.action()).isEqualTo("none");
    }
}
