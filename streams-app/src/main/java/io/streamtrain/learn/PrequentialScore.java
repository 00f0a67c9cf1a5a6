package io.streamtrain.learn;

import java.nio.ByteBuffer;

/**
 * Test-then-train scoring of one model: every labeled example is scored on the prediction made before the model
 * trained on it. Keeps a window (reset by the caller, for example when it publishes metrics) and totals since the
 * model was created.
 *
 * <p>Accuracy averages over class labels, MAE and RMSE over regression labels, the mean loss over both; a value with
 * nothing to average is NaN (accuracy of a regression model, anything over an empty window). Not thread-safe.
 * {@link #toBytes()} is a small snapshot to checkpoint with the model.
 */
public final class PrequentialScore {

    private static final int MAGIC = 0x53545053; // "STPS"
    private static final byte FORMAT_VERSION = 1;
    private static final int BYTES = 4 + 1 + 2 * Sums.BYTES;

    private final Sums window = new Sums();
    private final Sums total = new Sums();

    /** An empty score. */
    public PrequentialScore() {
    }

    /** Adds a classifier's prediction for one example. */
    public void addClassification(double loss, boolean correct) {
        window.addClass(loss, correct);
        total.addClass(loss, correct);
    }

    /** Adds a regression model's prediction for one example, with its error {@code prediction - label}. */
    public void addRegression(double loss, double error) {
        window.addValue(loss, error);
        total.addValue(loss, error);
    }

    /**
     * Adds the prediction in one row of a batch against its label.
     *
     * @param loss the loss {@link Learner#loss} computed for it
     */
    public void add(double loss, Outputs outputs, int row, Target label) {
        if (outputs.isClassification()) {
            addClassification(loss, outputs.predictedClass(row) == label.classIndex());
        } else {
            addRegression(loss, outputs.value(row) - label.value());
        }
    }

    /** Starts a new window; the totals go on. */
    public void resetWindow() {
        window.clear();
    }

    /** Labeled examples scored in the window. */
    public long windowCount() {
        return window.count();
    }

    public double windowMeanLoss() {
        return window.meanLoss();
    }

    /** The fraction of the window's class labels that were predicted right. */
    public double windowAccuracy() {
        return window.accuracy();
    }

    public double windowMae() {
        return window.mae();
    }

    public double windowRmse() {
        return window.rmse();
    }

    /** Labeled examples scored since the model was created. */
    public long totalCount() {
        return total.count();
    }

    /** Right predictions since the model was created. */
    public long totalCorrect() {
        return total.correct;
    }

    /** The prequential accuracy: the fraction of every class label since the model was created predicted right. */
    public double totalAccuracy() {
        return total.accuracy();
    }

    public double totalMeanLoss() {
        return total.meanLoss();
    }

    public double totalMae() {
        return total.mae();
    }

    public double totalRmse() {
        return total.rmse();
    }

    /** A snapshot of {@value #BYTES} bytes: magic, format version, then the window's and the totals' sums. */
    public byte[] toBytes() {
        ByteBuffer b = ByteBuffer.allocate(BYTES);
        b.putInt(MAGIC).put(FORMAT_VERSION);
        window.write(b);
        total.write(b);
        return b.array();
    }

    /** Reads a snapshot written by {@link #toBytes()}. */
    public static PrequentialScore fromBytes(byte[] bytes) {
        if (bytes.length < 5) {
            throw new IllegalArgumentException("not a prequential score snapshot: " + bytes.length + " bytes");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        if (b.getInt() != MAGIC) {
            throw new IllegalArgumentException("not a prequential score snapshot: bad magic");
        }
        byte format = b.get();
        if (format != FORMAT_VERSION) {
            throw new IllegalArgumentException("prequential score format version " + format
                    + " is not supported (this build reads version " + FORMAT_VERSION + ")");
        }
        if (bytes.length != BYTES) {
            throw new IllegalArgumentException("corrupt prequential score snapshot: " + bytes.length
                    + " bytes, expected " + BYTES);
        }
        PrequentialScore s = new PrequentialScore();
        s.window.read(b);
        s.total.read(b);
        return s;
    }

    @Override
    public String toString() {
        return String.format("PrequentialScore[total n=%d loss=%.4f accuracy=%.4f rmse=%.4f;"
                        + " window n=%d loss=%.4f accuracy=%.4f mae=%.4f rmse=%.4f]",
                totalCount(), totalMeanLoss(), totalAccuracy(), totalRmse(),
                windowCount(), windowMeanLoss(), windowAccuracy(), windowMae(), windowRmse());
    }

    private static final class Sums {
        static final int BYTES = 3 * Long.BYTES + 3 * Double.BYTES;

        long classified;
        long correct;
        long regressed;
        double loss;
        double absError;
        double squaredError;

        void addClass(double l, boolean ok) {
            classified++;
            if (ok) {
                correct++;
            }
            loss += l;
        }

        void addValue(double l, double error) {
            regressed++;
            loss += l;
            absError += Math.abs(error);
            squaredError += error * error;
        }

        long count() {
            return classified + regressed;
        }

        void clear() {
            classified = 0;
            correct = 0;
            regressed = 0;
            loss = 0;
            absError = 0;
            squaredError = 0;
        }

        double meanLoss() {
            long n = count();
            return n == 0 ? Double.NaN : loss / n;
        }

        double accuracy() {
            return classified == 0 ? Double.NaN : (double) correct / classified;
        }

        double mae() {
            return regressed == 0 ? Double.NaN : absError / regressed;
        }

        double rmse() {
            return regressed == 0 ? Double.NaN : Math.sqrt(squaredError / regressed);
        }

        void write(ByteBuffer b) {
            b.putLong(classified).putLong(correct).putLong(regressed)
                    .putDouble(loss).putDouble(absError).putDouble(squaredError);
        }

        void read(ByteBuffer b) {
            classified = b.getLong();
            correct = b.getLong();
            regressed = b.getLong();
            loss = b.getDouble();
            absError = b.getDouble();
            squaredError = b.getDouble();
        }
    }
}
