package io.streamtrain.connect.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RetryBackoffTest {

    @Test
    void doublesUpToTheBoundForABoundedNumberOfRetries() {
        RetryBackoff backoff = new RetryBackoff(5, 100, 500);
        assertThat(backoff.delayMs()).isZero();
        long[] expected = {100, 200, 400, 500, 500};
        for (long delay : expected) {
            assertThat(backoff.tryAgain()).isTrue();
            assertThat(backoff.delayMs()).isEqualTo(delay);
        }
        assertThat(backoff.tryAgain()).isFalse();
        backoff.reset();
        assertThat(backoff.tryAgain()).isTrue();
        assertThat(backoff.delayMs()).isEqualTo(100);
    }

    @Test
    void neverOverflows() {
        RetryBackoff backoff = new RetryBackoff(1000, 1, Long.MAX_VALUE / 2);
        for (int i = 0; i < 1000; i++) {
            backoff.tryAgain();
        }
        assertThat(backoff.delayMs()).isPositive().isLessThanOrEqualTo(Long.MAX_VALUE / 2);
        assertThatThrownBy(() -> new RetryBackoff(1, 10, 5)).isInstanceOf(IllegalArgumentException.class);
    }
}
