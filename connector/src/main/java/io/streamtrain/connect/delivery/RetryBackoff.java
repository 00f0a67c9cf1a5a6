package io.streamtrain.connect.delivery;

/**
 * A bounded exponential backoff: {@code initial}, then doubling up to {@code max}, for at most {@code maxRetries}
 * retries in a row. Not thread-safe: one per task thread.
 */
public final class RetryBackoff {

    private final int maxRetries;
    private final long initialMs;
    private final long maxMs;
    private int retries;

    public RetryBackoff(int maxRetries, long initialMs, long maxMs) {
        if (maxRetries < 0 || initialMs < 0 || maxMs < initialMs) {
            throw new IllegalArgumentException("need 0 <= maxRetries, 0 <= initialMs <= maxMs");
        }
        this.maxRetries = maxRetries;
        this.initialMs = initialMs;
        this.maxMs = maxMs;
    }

    /** Counts one more retry; false when the retries are used up. */
    public boolean tryAgain() {
        if (retries >= maxRetries) {
            return false;
        }
        retries++;
        return true;
    }

    /** The wait before the current retry: {@code initial * 2^(retries - 1)}, at most {@code max}. */
    public long delayMs() {
        if (retries == 0) {
            return 0;
        }
        long delay = initialMs;
        for (int i = 1; i < retries && delay < maxMs; i++) {
            delay *= 2;
        }
        return Math.min(delay, maxMs);
    }

    /** The retries counted since the last {@link #reset()}. */
    public int retries() {
        return retries;
    }

    /** After a success: the next failure starts from the initial wait again. */
    public void reset() {
        retries = 0;
    }
}
