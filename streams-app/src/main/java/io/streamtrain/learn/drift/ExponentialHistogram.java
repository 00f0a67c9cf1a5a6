package io.streamtrain.learn.drift;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * Adwin's window, compressed: buckets in rows, row {@code i} holding buckets of {@code 2^i} consecutive values, each
 * bucket keeping the sum of its values and the sum of their squared deviations from its mean. A new value is a bucket
 * of its own in row 0; when a row has more than {@value #MAX_PER_ROW} buckets its two oldest are merged into one
 * bucket of the next row. Higher rows hold older values, and in a row the buckets go from oldest to newest, so the
 * window from oldest to newest is: the top row's buckets, then the next row's, down to row 0's. It holds at most
 * {@value #MAX_PER_ROW} buckets per row and {@code log2(width) + 1} rows, and drops whole buckets from the old end.
 */
final class ExponentialHistogram {

    static final int MAX_PER_ROW = 5;
    /** Rows of buckets of up to 2^59 values: more than a window ever holds, and its width stays within a long. */
    static final int MAX_ROWS = 60;

    private double[][] sums = new double[8][MAX_PER_ROW + 1];
    private double[][] deviations = new double[8][MAX_PER_ROW + 1];
    private int[] sizes = new int[8];
    private int rows;
    private int buckets;
    private long width;
    private double total;

    /** Adds a value as the newest bucket, then merges the rows that have grown too long. */
    void add(double value) {
        append(0, value, 0);
        width++;
        total += value;
        for (int row = 0; sizes[row] > MAX_PER_ROW; row++) {
            long half = 1L << row;
            double sum = sums[row][0] + sums[row][1];
            double gap = sums[row][0] / half - sums[row][1] / half;
            double deviation = deviations[row][0] + deviations[row][1] + half / 2.0 * gap * gap;
            removeOldest(row, 2);
            append(row + 1, sum, deviation);
        }
    }

    private void append(int row, double sum, double deviation) {
        reach(row);
        sums[row][sizes[row]] = sum;
        deviations[row][sizes[row]] = deviation;
        sizes[row]++;
        buckets++;
    }

    /** Makes room for rows up to {@code row}. */
    private void reach(int row) {
        if (row >= sizes.length) {
            int capacity = Math.min(MAX_ROWS, Math.max(row + 1, 2 * sizes.length));
            int old = sizes.length;
            sums = Arrays.copyOf(sums, capacity);
            deviations = Arrays.copyOf(deviations, capacity);
            sizes = Arrays.copyOf(sizes, capacity);
            for (int r = old; r < capacity; r++) {
                sums[r] = new double[MAX_PER_ROW + 1];
                deviations[r] = new double[MAX_PER_ROW + 1];
            }
        }
        rows = Math.max(rows, row + 1);
    }

    private void removeOldest(int row, int n) {
        int left = sizes[row] - n;
        System.arraycopy(sums[row], n, sums[row], 0, left);
        System.arraycopy(deviations[row], n, deviations[row], 0, left);
        Arrays.fill(sums[row], left, sizes[row], 0);
        Arrays.fill(deviations[row], left, sizes[row], 0);
        sizes[row] = left;
        buckets -= n;
    }

    /** Drops the {@code n} oldest buckets, and sums what is left afresh. */
    void dropOldest(int n) {
        for (int i = 0; i < n; i++) {
            int top = rows - 1;
            width -= 1L << top;
            removeOldest(top, 1);
            while (rows > 0 && sizes[rows - 1] == 0) {
                rows--;
            }
        }
        resum();
    }

    /** Sums the buckets afresh, so that rounding errors of the running total do not pile up. */
    void resum() {
        double sum = 0;
        for (int row = rows - 1; row >= 0; row--) {
            for (int i = 0; i < sizes[row]; i++) {
                sum += sums[row][i];
            }
        }
        total = sum;
    }

    /** Values in the window. */
    long width() {
        return width;
    }

    /** The sum of the window's values. */
    double total() {
        return total;
    }

    int buckets() {
        return buckets;
    }

    int rows() {
        return rows;
    }

    /** Buckets in {@code row}, each of {@code 2^row} values. */
    int size(int row) {
        return sizes[row];
    }

    /** The sum of the values of bucket {@code i} of {@code row} (0 the oldest). */
    double sum(int row, int i) {
        return sums[row][i];
    }

    /** The sum of squared deviations from their mean of the values of bucket {@code i} of {@code row}. */
    double deviation(int row, int i) {
        return deviations[row][i];
    }

    void write(DataOutput out) throws IOException {
        out.writeDouble(total);
        out.writeInt(rows);
        for (int row = 0; row < rows; row++) {
            out.writeByte(sizes[row]);
            for (int i = 0; i < sizes[row]; i++) {
                out.writeDouble(sums[row][i]);
                out.writeDouble(deviations[row][i]);
            }
        }
    }

    /** Reads what {@link #write} wrote; refuses rows that the histogram cannot have. */
    static ExponentialHistogram read(DataInput in, String detector) throws IOException {
        ExponentialHistogram h = new ExponentialHistogram();
        double total = in.readDouble();
        int rows = in.readInt();
        StateFormat.require(rows >= 0 && rows <= MAX_ROWS, detector,
                rows + " rows of buckets, not between 0 and " + MAX_ROWS);
        for (int row = 0; row < rows; row++) {
            int size = in.readUnsignedByte();
            StateFormat.require(size <= MAX_PER_ROW, detector, "row " + row + " has " + size + " buckets, more than "
                    + MAX_PER_ROW);
            StateFormat.require(size > 0 || row < rows - 1, detector, "its top row " + row + " is empty");
            for (int i = 0; i < size; i++) {
                double sum = in.readDouble();
                double deviation = in.readDouble();
                StateFormat.require(!(deviation < 0), detector, "a bucket's squared deviations " + deviation
                        + " are negative");
                h.append(row, sum, deviation);
                h.width += 1L << row;
            }
            h.reach(row);
        }
        h.total = total;
        return h;
    }
}
