package io.streamtrain.bench;

/** Sleeps that turn an interrupt into an exception, so that a suite stops when the bench is interrupted. */
final class Sleep {

    private Sleep() {
    }

    static void millis(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
