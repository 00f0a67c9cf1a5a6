package io.streamtrain.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RetryPolicyTest {

    @ParameterizedTest
    @ValueSource(ints = {408, 429, 500, 502, 503, 504, 507, 599})
    void retriesTransientStatuses(int status) {
        assertThat(RetryPolicy.isRetriable(status)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(ints = {200, 204, 301, 400, 401, 403, 404, 405, 409, 415, 422, 501, 505})
    void neverRetriesAnswersThatWillNotChange(int status) {
        assertThat(RetryPolicy.isRetriable(status)).isFalse();
    }

    @Test
    void backoffDoublesUpToTheCap() {
        RetryPolicy policy = new RetryPolicy(10, Duration.ofMillis(100), Duration.ofMillis(1000));

        assertThat(policy.delayBefore(1, Optional.empty())).isEqualTo(Duration.ofMillis(100));
        assertThat(policy.delayBefore(2, Optional.empty())).isEqualTo(Duration.ofMillis(200));
        assertThat(policy.delayBefore(3, Optional.empty())).isEqualTo(Duration.ofMillis(400));
        assertThat(policy.delayBefore(4, Optional.empty())).isEqualTo(Duration.ofMillis(800));
        assertThat(policy.delayBefore(5, Optional.empty())).isEqualTo(Duration.ofMillis(1000));
        assertThat(policy.delayBefore(60, Optional.empty())).isEqualTo(Duration.ofMillis(1000));
    }

    @Test
    void honoursRetryAfterWithinTheCap() {
        RetryPolicy policy = new RetryPolicy(3, Duration.ofMillis(100), Duration.ofMillis(5000));

        assertThat(policy.delayBefore(1, Optional.of(Duration.ofSeconds(2)))).isEqualTo(Duration.ofSeconds(2));
        assertThat(policy.delayBefore(1, Optional.of(Duration.ofSeconds(60)))).isEqualTo(Duration.ofSeconds(5));
        assertThat(policy.delayBefore(1, Optional.of(Duration.ZERO))).isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void zeroBackoffStaysZero() {
        RetryPolicy policy = new RetryPolicy(3, Duration.ZERO, Duration.ZERO);

        assertThat(policy.delayBefore(3, Optional.empty())).isEqualTo(Duration.ZERO);
    }
}
