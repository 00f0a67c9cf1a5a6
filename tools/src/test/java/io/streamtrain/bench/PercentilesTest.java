package io.streamtrain.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;

class PercentilesTest {

    @Test
    void nearestRankOfOneToAHundred() {
        long[] values = LongStream.rangeClosed(1, 100).map(i -> 101 - i).toArray();
        Percentiles p = Percentiles.of(values);
        assertThat(p.percentile(50)).isEqualTo(50);
        assertThat(p.percentile(95)).isEqualTo(95);
        assertThat(p.percentile(99)).isEqualTo(99);
        assertThat(p.percentile(100)).isEqualTo(100);
        assertThat(p.min()).isEqualTo(1);
        assertThat(p.max()).isEqualTo(100);
        assertThat(p.mean()).isEqualTo(50.5);
    }

    @Test
    void aPercentileIsAlwaysAnObservedValue() {
        Percentiles p = Percentiles.of(new long[] {10, 20, 30, 40});
        assertThat(p.percentile(50)).isEqualTo(20);
        assertThat(p.percentile(51)).isEqualTo(30);
        assertThat(p.percentile(99)).isEqualTo(40);
    }

    @Test
    void onlyTheFirstCountValuesAreTakenAndTheInputIsNotChanged() {
        long[] values = {5, 1, 9, 0, 0};
        Percentiles p = Percentiles.of(values, 3);
        assertThat(p.count()).isEqualTo(3);
        assertThat(p.max()).isEqualTo(9);
        assertThat(p.min()).isEqualTo(1);
        assertThat(values).containsExactly(5, 1, 9, 0, 0);
    }

    @Test
    void anEmptySampleOrABadPercentileIsAnError() {
        assertThatThrownBy(() -> Percentiles.of(new long[0]).percentile(50)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> Percentiles.of(new long[] {1}).percentile(0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Percentiles.of(new long[] {1}).percentile(101))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
