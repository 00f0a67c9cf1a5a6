package io.streamtrain.registry;

import java.time.Duration;
import java.util.Optional;

/**
 * Which failures are retried, and how long to wait before each retry: exponential backoff with a cap.
 *
 * @param maxRetries how many retries follow the first attempt
 * @param backoff    the wait before the first retry; doubled for each further one
 * @param backoffMax the longest wait, a {@code Retry-After} from the registry included
 */
record RetryPolicy(int maxRetries, Duration backoff, Duration backoffMax) {

    static RetryPolicy of(SchemaRegistryClientConfig config) {
        return new RetryPolicy(config.maxRetries(), config.retryBackoff(), config.retryBackoffMax());
    }

    /**
     * Whether a response with this status may succeed when sent again: 408 and 429 by definition,
     * 5xx because registries report a busy or leaderless backend that way. 501 (not implemented)
     * and 505 (HTTP version not supported) will fail the same way every time.
     */
    static boolean isRetriable(int httpStatus) {
        return httpStatus == 408 || httpStatus == 429
                || (httpStatus >= 500 && httpStatus <= 599 && httpStatus != 501 && httpStatus != 505);
    }

    /**
     * The wait before retry number {@code retry} (1 for the first retry): {@code backoff * 2^(retry-1)},
     * at least what the registry asked for in {@code Retry-After}, and at most {@code backoffMax}.
     */
    Duration delayBefore(int retry, Optional<Duration> retryAfter) {
        long cap = backoffMax.toMillis();
        long delay = backoff.toMillis();
        for (int i = 1; i < retry && delay < cap; i++) {
            delay = delay * 2;
        }
        delay = Math.min(delay, cap);
        if (retryAfter.isPresent()) {
            delay = Math.min(Math.max(delay, retryAfter.get().toMillis()), cap);
        }
        return Duration.ofMillis(delay);
    }
}
