package io.streamtrain.learn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class RoundCombinerTest {

    private static NetworkSpec.Parallel parallel(NetworkSpec.Combine combine, double rate, double momentum) {
        return new NetworkSpec.Parallel(3, 16, 5_000, combine, rate, momentum, 0);
    }

    @Test
    void anAverageAtRateOneWeighsEachContributionByItsExamplesAndNeedsNoLastVersion() {
        NetworkSpec.Parallel p = parallel(NetworkSpec.Combine.AVERAGE, 1, 0);
        assertThat(RoundCombiner.needsLast(p)).isFalse();
        RoundCombiner c = new RoundCombiner(p, null, 40, 2);
        c.add(new float[] {1, 10}, 10);
        c.add(new float[] {100, 100}, 0);
        c.add(new float[] {5, -2}, 30);
        assertThat(c.result(null)).containsExactly(4f, 1f);
    }

    @Test
    void aSumAppliesEveryReplicasChangeFromTheLastVersionInFull() {
        NetworkSpec.Parallel p = parallel(NetworkSpec.Combine.SUM, 1, 0);
        assertThat(RoundCombiner.needsLast(p)).isTrue();
        RoundCombiner c = new RoundCombiner(p, new float[] {1, 1}, 40, 2);
        c.add(new float[] {2, 1}, 10);
        c.add(new float[] {1.5f, 0}, 30);
        assertThat(c.result(null)).containsExactly(2.5f, 0f);
    }

    @Test
    void aRateScalesTheRoundsChange() {
        RoundCombiner c = new RoundCombiner(parallel(NetworkSpec.Combine.AVERAGE, 2, 0), new float[] {0, 0}, 20, 2);
        c.add(new float[] {1, 2}, 10);
        c.add(new float[] {3, 2}, 10);
        // the average change (2, 2), twice
        assertThat(c.result(null)).containsExactly(4f, 4f);
    }

    @Test
    void momentumCarriesAShareOfEachRoundsChangeIntoTheNextAsNesterovDoes() {
        NetworkSpec.Parallel p = parallel(NetworkSpec.Combine.AVERAGE, 0.5, 0.9);
        assertThat(RoundCombiner.needsLast(p)).isTrue();
        float[] velocity = new float[1];
        // round 1: change 1, v = 1, the model moves 0.5·(1 + 0.9·1) = 0.95
        RoundCombiner first = new RoundCombiner(p, new float[] {0}, 2, 1);
        first.add(new float[] {1}, 1);
        first.add(new float[] {1}, 1);
        float[] one = first.result(velocity);
        assertThat(one[0]).isCloseTo(0.95f, within(1e-6f));
        assertThat(velocity[0]).isEqualTo(1f);
        // round 2: the replicas moved 1 again: v = 0.9 + 1 = 1.9, the model moves 0.5·(1 + 0.9·1.9) = 1.355
        RoundCombiner second = new RoundCombiner(p, one, 2, 1);
        second.add(new float[] {one[0] + 1}, 2);
        float[] two = second.result(velocity);
        assertThat(two[0]).isCloseTo(0.95f + 1.355f, within(1e-6f));
        assertThat(velocity[0]).isCloseTo(1.9f, within(1e-6f));
        // a round that undoes the last: the velocity keeps part of where the rounds were going
        RoundCombiner third = new RoundCombiner(p, two, 2, 1);
        third.add(new float[] {two[0] - 1}, 2);
        third.result(velocity);
        assertThat(velocity[0]).isCloseTo(0.71f, within(1e-6f));
    }

    @Test
    void aCombinerRefusesWhatItCannotCombine() {
        NetworkSpec.Parallel sum = parallel(NetworkSpec.Combine.SUM, 1, 0);
        assertThatThrownBy(() -> new RoundCombiner(sum, null, 1, 2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("last global version");
        assertThatThrownBy(() -> new RoundCombiner(sum, new float[2], 0, 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has examples");
        RoundCombiner c = new RoundCombiner(sum, new float[2], 1, 2);
        assertThatThrownBy(() -> c.add(new float[3], 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("3 parameters to a round of 2");
        RoundCombiner m = new RoundCombiner(parallel(NetworkSpec.Combine.AVERAGE, 1, 0.9), new float[2], 1, 2);
        m.add(new float[2], 1);
        assertThatThrownBy(() -> m.result(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("velocity");
    }
}
