package io.streamtrain.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class SummaryTest {

    @Test
    void theMedianOfAnOddCountIsTheMiddleValue() {
        Summary s = Summary.of(5, 1, 9, 3, 7);
        assertThat(s.median()).isEqualTo(5);
        assertThat(s.min()).isEqualTo(1);
        assertThat(s.max()).isEqualTo(9);
        assertThat(s.runs()).isEqualTo(5);
    }

    @Test
    void theMedianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
        assertThat(Summary.of(List.of(4.0, 1.0, 3.0, 10.0)).median()).isEqualTo(3.5);
    }

    @Test
    void nanRunsAreLeftOutAndNothingMeasuredIsNan() {
        Summary s = Summary.of(2, Double.NaN, 4);
        assertThat(s.runs()).isEqualTo(2);
        assertThat(s.median()).isEqualTo(3);
        Summary none = Summary.of(Double.NaN);
        assertThat(none.runs()).isZero();
        assertThat(none.median()).isNaN();
    }

    @Test
    void aSingleRunIsItsOwnMedianMinAndMax() {
        assertThat(Summary.of(42)).isEqualTo(new Summary(42, 42, 42, 1));
    }
}
