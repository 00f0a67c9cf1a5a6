package io.streamtrain.learn.drift;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * ADWIN2 (Bifet and Gavaldà, Learning from Time-Changing Data with Adaptive Windowing, SDM 2007): keeps a window of
 * the recent values, as long as nothing says their mean has changed, and detects an increase when it cuts the
 * window's old part off because the recent part's mean is higher.
 *
 * <p>The window is an {@link ExponentialHistogram} (at most 5 buckets per row). Every {@value #CHECK_PERIOD} adds
 * it checks the cut points between buckets, from the oldest end: a cut splits the window into older values W0 and
 * recent W1, each at least {@value #MIN_SIDE}, and is significant when their means differ by more than
 * {@code eps = sqrt(2/m * var * ln(2/d)) + 2/(3m) * ln(2/d)}, with {@code m = 1 / (1/n0 + 1/n1)}, {@code var} the
 * window's variance and {@code d = delta / max(ln n, 1)} for a window of {@code n} values. At a significant cut it
 * drops W0 and checks the shorter window again, until no cut is significant. {@link #add} returns true when a
 * dropped cut had the recent mean above the older (the model got worse): {@link #count()} starts over, the window
 * keeps what the cuts left. A drop of the mean (the model getting better) only shrinks the window.
 *
 * <p>Memory is O(log n) buckets for a window of n values; an add is O(1), and a check, one add in
 * {@value #CHECK_PERIOD}, O(log n) per cut. Values must be finite; values beyond about 1e150 in magnitude make its
 * sums of squares overflow, and from then on it detects nothing. Not thread-safe.
 */
public final class Adwin implements DriftDetector {

    static final String NAME = "adwin";
    /** Adds between two checks of the cut points. */
    static final int CHECK_PERIOD = 32;
    /** The fewest values on each side of a cut. */
    static final int MIN_SIDE = 10;

    private final double delta;
    private final ExponentialHistogram window;
    /** Adds since the last check, 0 to {@value #CHECK_PERIOD} - 1. */
    private int sinceCheck;
    private long count;
    private double statistic;

    /**
     * A detector with confidence {@code delta}: smaller, fewer false alarms and later detections.
     *
     * @param delta greater than 0 and less than 1
     * @throws IllegalArgumentException naming delta and its rule when it is out of range
     */
    public Adwin(double delta) {
        this(Rules.betweenZeroAndOne(NAME, "delta", delta), new ExponentialHistogram());
    }

    private Adwin(double delta, ExponentialHistogram window) {
        this.delta = delta;
        this.window = window;
    }

    /** The usual confidence: delta 0.002. */
    public static Adwin standard() {
        return new Adwin(0.002);
    }

    @Override
    public boolean add(double value) {
        Rules.finiteValue(NAME, value);
        window.add(value);
        count++;
        statistic = 0;
        sinceCheck++;
        if (sinceCheck < CHECK_PERIOD) {
            return false;
        }
        sinceCheck = 0;
        window.resum();
        if (cutWhileSignificant()) {
            count = 0;
            return true;
        }
        return false;
    }

    /** Checks the cut points and drops the old part at each significant one; true when one was an increase. */
    private boolean cutWhileSignificant() {
        boolean increase = false;
        long cut;
        while ((cut = significantCut()) != 0) {
            increase |= cut > 0;
            window.dropOldest((int) Math.abs(cut));
        }
        return increase;
    }

    /**
     * Checks the cut points from the oldest end, raising {@link #statistic} to the largest recent-minus-older
     * difference of means seen.
     *
     * @return 0 when no cut is significant, else the number of buckets of the older part of the first significant
     *         cut, negative when the recent part's mean is the lower
     */
    private long significantCut() {
        long n = window.width();
        if (n < 2L * MIN_SIDE) {
            return 0;
        }
        double variance = variance(n);
        double log = Math.log(2 / (delta / Math.max(Math.log(n), 1)));
        double total = window.total();
        long n0 = 0;
        double sum0 = 0;
        int older = 0;
        for (int row = window.rows() - 1; row >= 0; row--) {
            for (int i = 0; i < window.size(row); i++) {
                n0 += 1L << row;
                sum0 += window.sum(row, i);
                older++;
                long n1 = n - n0;
                if (n1 < MIN_SIDE) {
                    return 0;
                }
                if (n0 < MIN_SIDE) {
                    continue;
                }
                double difference = (total - sum0) / n1 - sum0 / n0;
                statistic = Math.max(statistic, difference);
                double m = 1 / (1.0 / n0 + 1.0 / n1);
                double epsilon = Math.sqrt(2 / m * variance * log) + 2 / (3 * m) * log;
                if (Math.abs(difference) > epsilon) {
                    return difference > 0 ? older : -older;
                }
            }
        }
        return 0;
    }

    /** The variance of the window's values, from its buckets' sums and squared deviations. */
    private double variance(long n) {
        long seen = 0;
        double sum = 0;
        double deviation = 0;
        for (int row = window.rows() - 1; row >= 0; row--) {
            long size = 1L << row;
            for (int i = 0; i < window.size(row); i++) {
                double bucketSum = window.sum(row, i);
                if (seen > 0) {
                    double gap = bucketSum / size - sum / seen;
                    deviation += (double) seen * size / (seen + size) * gap * gap;
                }
                deviation += window.deviation(row, i);
                sum += bucketSum;
                seen += size;
            }
        }
        return deviation / n;
    }

    @Override
    public String name() {
        return NAME;
    }

    /**
     * The largest difference of means, recent minus older, over the cut points checked in the last add (those of all
     * its checks, when it cut), or 0 when it checked none or none had the recent mean higher. It checks one add in
     * {@value #CHECK_PERIOD}; a detecting add's statistic is at least the difference at the cut that detected.
     */
    @Override
    public double statistic() {
        return statistic;
    }

    /** Values added since it was made or last detected an increase; the window may be shorter, or longer. */
    @Override
    public long count() {
        return count;
    }

    /** Values in its window. */
    public long width() {
        return window.width();
    }

    /** The mean of its window, 0 when it is empty. */
    public double mean() {
        long n = window.width();
        return n == 0 ? 0 : window.total() / n;
    }

    /** Buckets in its window, for tests of its memory. */
    int buckets() {
        return window.buckets();
    }

    @Override
    public void write(DataOutput out) throws IOException {
        StateFormat.write(out, StateFormat.ADWIN, body -> {
            body.writeDouble(delta);
            body.writeInt(sinceCheck);
            body.writeLong(count);
            body.writeDouble(statistic);
            window.write(body);
        });
    }

    /** Reads the fields {@link #write} wrote, after the frame; refuses fields that do not hold together. */
    static Adwin readBody(DataInput in) throws IOException {
        double delta = Rules.betweenZeroAndOne(NAME, "delta", in.readDouble());
        int sinceCheck = in.readInt();
        long count = in.readLong();
        double statistic = in.readDouble();
        StateFormat.require(sinceCheck >= 0 && sinceCheck < CHECK_PERIOD, NAME,
                "adds since the last check " + sinceCheck + " not between 0 and " + (CHECK_PERIOD - 1));
        StateFormat.require(count >= 0, NAME, "count " + count + " is negative");
        StateFormat.require(!(statistic < 0), NAME, "statistic " + statistic + " is negative");
        Adwin a = new Adwin(delta, ExponentialHistogram.read(in, NAME));
        a.sinceCheck = sinceCheck;
        a.count = count;
        a.statistic = statistic;
        return a;
    }

    @Override
    public String toString() {
        return NAME + "(delta=" + delta + ", width=" + width() + ", mean=" + mean() + ", count=" + count
                + ", statistic=" + statistic + ")";
    }
}
