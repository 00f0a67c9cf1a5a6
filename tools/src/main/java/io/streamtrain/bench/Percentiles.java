package io.streamtrain.bench;

import java.util.Arrays;

/**
 * Percentiles of a sample by the nearest-rank method: the p-th percentile is the smallest value with at least p% of
 * the sample at or below it, so that it is always a value that was observed.
 */
public final class Percentiles {

    private final long[] sorted;

    private Percentiles(long[] sorted) {
        this.sorted = sorted;
    }

    /** The percentiles of some values (copied). */
    public static Percentiles of(long[] values) {
        return of(values, values.length);
    }

    /** The percentiles of the first {@code count} values (copied). */
    public static Percentiles of(long[] values, int count) {
        long[] copy = Arrays.copyOf(values, count);
        Arrays.sort(copy);
        return new Percentiles(copy);
    }

    /** The number of values. */
    public int count() {
        return sorted.length;
    }

    /**
     * The p-th percentile, {@code 0 < p <= 100}.
     *
     * @throws IllegalStateException for an empty sample
     */
    public long percentile(double p) {
        if (!(p > 0 && p <= 100)) {
            throw new IllegalArgumentException("percentile must be in (0, 100], was " + p);
        }
        if (sorted.length == 0) {
            throw new IllegalStateException("no values");
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(1, rank) - 1];
    }

    public long min() {
        return percentile(Double.MIN_VALUE);
    }

    public long max() {
        return percentile(100);
    }

    public double mean() {
        if (sorted.length == 0) {
            throw new IllegalStateException("no values");
        }
        double sum = 0;
        for (long v : sorted) {
            sum += v;
        }
        return sum / sorted.length;
    }
}
