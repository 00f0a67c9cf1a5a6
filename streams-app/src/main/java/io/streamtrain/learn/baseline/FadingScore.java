package io.streamtrain.learn.baseline;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * A contender's recent test-then-train loss and accuracy in a few numbers, whatever the window: exponentially
 * weighted means of the loss and of correctness (1 right, 0 wrong), each example weighing {@code 1 / window}, and the
 * count of examples scored. Until {@code window} examples have been scored, the means are plain running means (the
 * t-th example weighs {@code 1 / t}), so that the first values are not pulled toward 0; the weight of the t-th is thus
 * {@code 1 / min(t, window)}.
 *
 * <p>A loss is taken as it is between 0 and {@link #LOSS_CAP}; above the cap, infinite or not a number it counts as
 * the cap, below 0 as 0: one broken prediction never makes the mean infinite or NaN. Not thread-safe.
 */
public final class FadingScore {

    /**
     * The largest loss counted: the cross-entropy of a probability of 1e-7 for the right class, -ln(1e-7), about
     * 16.12. A contender that gives the right class less weighs no more than that.
     */
    public static final double LOSS_CAP = -Math.log(1e-7);

    private static final int FORMAT = 1;

    private final int window;
    private long count;
    private double loss;
    private double accuracy;

    /**
     * An empty score.
     *
     * @param window the number of examples the means mostly reflect, at least 1
     */
    public FadingScore(int window) {
        if (window < 1) {
            throw new IllegalArgumentException("window must be at least 1, was " + window);
        }
        this.window = window;
    }

    /** Adds one labeled example's loss (capped as the class says) and whether its predicted class was right. */
    public void add(double loss, boolean correct) {
        double capped = Double.isNaN(loss) ? LOSS_CAP : Math.max(0, Math.min(loss, LOSS_CAP));
        count++;
        double divisor = Math.min(count, window);
        this.loss += (capped - this.loss) / divisor;
        this.accuracy += ((correct ? 1 : 0) - this.accuracy) / divisor;
    }

    /** The windowed mean loss; NaN before any example. */
    public double loss() {
        return count == 0 ? Double.NaN : loss;
    }

    /** The windowed fraction of examples whose class was predicted right; NaN before any example. */
    public double accuracy() {
        return count == 0 ? Double.NaN : accuracy;
    }

    /** The examples scored since it was created. */
    public long count() {
        return count;
    }

    /** The window it was created with. */
    public int window() {
        return window;
    }

    /** Writes its state (a format byte, the count, each mean's raw bits): 25 bytes. */
    public void write(DataOutput out) throws IOException {
        out.writeByte(FORMAT);
        out.writeLong(count);
        BaselineState.writeDouble(out, loss);
        BaselineState.writeDouble(out, accuracy);
    }

    /**
     * Reads what {@link #write} wrote, into a score of {@code window}. The window is a setting, not part of the state:
     * given another one than the writer's, the means go on from where they were, at the new window's pace. Throws
     * IllegalStateException naming the problem for a format byte it does not know or numbers no score can hold
     * (a negative count, a mean that is not finite, means before any example); EOFException for bytes that end too
     * soon.
     */
    public static FadingScore read(int window, DataInput in) throws IOException {
        FadingScore s = new FadingScore(window);
        int format = in.readUnsignedByte();
        if (format != FORMAT) {
            throw new IllegalStateException("fading score state: format byte " + format + " is not supported"
                    + " (expected " + FORMAT + ")");
        }
        s.count = in.readLong();
        s.loss = BaselineState.readDouble(in);
        s.accuracy = BaselineState.readDouble(in);
        if (s.count < 0) {
            throw new IllegalStateException("fading score state: count " + s.count + " is negative");
        }
        if (!Double.isFinite(s.loss) || !Double.isFinite(s.accuracy)) {
            throw new IllegalStateException("fading score state: mean loss " + s.loss + " and accuracy " + s.accuracy
                    + " must be finite");
        }
        if (s.count == 0 && (s.loss != 0 || s.accuracy != 0)) {
            throw new IllegalStateException("fading score state: it has scored no example but holds means");
        }
        return s;
    }

    @Override
    public String toString() {
        return String.format("FadingScore[window=%d, count=%d, loss=%.4f, accuracy=%.4f]", window, count, loss(),
                accuracy());
    }
}
