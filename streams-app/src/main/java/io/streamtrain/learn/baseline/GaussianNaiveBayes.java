package io.streamtrain.learn.baseline;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * Gaussian naive Bayes, learned online: per class, its weight and, per feature, a running mean and variance
 * (Welford's update, weighted). A class is predicted by its prior times the product of the features' normal
 * densities, in logs. Each variance has a floor of {@link #VARIANCE_FLOOR} plus a small share of the largest, so that a
 * feature that has been constant so far (a border pixel) does not decide alone.
 *
 * <p>What a prediction needs of a class (each variance's inverse, the sum of their logs, the largest) is kept per class
 * and made again from the state when that class learns or the floor moves: a pure function of the state, so a
 * restored instance predicts bit for bit as the original, at about a third of the cost of working it out per example.
 */
public final class GaussianNaiveBayes implements Baseline {

    static final String NAME = "gaussian-nb";
    static final double VARIANCE_FLOOR = 1e-3;

    private final int features;
    private final int classes;
    private final double[] weight;
    private final double[] mean;
    private final double[] m2;
    /** Per class, the largest of its variances before the floor; 0 for a class not seen. */
    private final double[] largest;
    /** Per class and feature, 1 / (variance + floor), for the floor in {@link #cachedFloor}. */
    private final double[] inverse;
    /** Per class, the sum over features of ln(2π (variance + floor)). */
    private final double[] logTerms;
    /** Per class, the floor its cached terms were made with; NaN when they must be made again. */
    private final double[] cachedFloor;

    public GaussianNaiveBayes(int features, int classes) {
        if (features < 1 || classes < 2) {
            throw new IllegalArgumentException("features must be positive and classes at least 2, were " + features
                    + " and " + classes);
        }
        this.features = features;
        this.classes = classes;
        this.weight = new double[classes];
        this.mean = new double[features * classes];
        this.m2 = new double[features * classes];
        this.largest = new double[classes];
        this.inverse = new double[features * classes];
        this.logTerms = new double[classes];
        this.cachedFloor = new double[classes];
        Arrays.fill(cachedFloor, Double.NaN);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void predict(float[] x, double[] out) {
        double total = 0;
        double largestVariance = 0;
        for (int c = 0; c < classes; c++) {
            total += weight[c];
            largestVariance = Math.max(largestVariance, largest[c]);
        }
        double floor = VARIANCE_FLOOR + 1e-9 * largestVariance;
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < classes; c++) {
            // add-one prior: a class not seen yet keeps a chance
            double log = Math.log((weight[c] + 1) / (total + classes));
            if (weight[c] > 0) {
                if (Double.doubleToRawLongBits(cachedFloor[c]) != Double.doubleToRawLongBits(floor)) {
                    cacheTerms(c, floor);
                }
                int row = c * features;
                double squares = 0;
                for (int f = 0; f < features; f++) {
                    double d = x[f] - mean[row + f];
                    squares += d * d * inverse[row + f];
                }
                log -= 0.5 * (logTerms[c] + squares);
            }
            out[c] = log;
            max = Math.max(max, log);
        }
        Probabilities.softmaxInPlace(out, classes, max);
    }

    /** Makes class {@code c}'s terms from its state and {@code floor}. */
    private void cacheTerms(int c, double floor) {
        int row = c * features;
        double logs = 0;
        for (int f = 0; f < features; f++) {
            double variance = m2[row + f] / weight[c] + floor;
            inverse[row + f] = 1 / variance;
            logs += Math.log(2 * Math.PI * variance);
        }
        logTerms[c] = logs;
        cachedFloor[c] = floor;
    }

    /** Class {@code c}'s largest variance from its state; its terms are made again at the next prediction. */
    private void stateChanged(int c) {
        double most = 0;
        if (weight[c] > 0) {
            int row = c * features;
            for (int f = 0; f < features; f++) {
                most = Math.max(most, m2[row + f] / weight[c]);
            }
        }
        largest[c] = most;
        cachedFloor[c] = Double.NaN;
    }

    @Override
    public void train(float[] x, int label, float w) {
        if (w == 0) {
            // the mean's step would be 0/0 for a class not seen yet
            return;
        }
        double before = weight[label];
        double after = before + w;
        weight[label] = after;
        int row = label * features;
        for (int f = 0; f < features; f++) {
            double d = x[f] - mean[row + f];
            mean[row + f] += d * w / after;
            // x - the new mean is d * before / after; written so, the sum of squares cannot go below 0 by rounding
            // (it did, by 1e99, on features near Float.MAX_VALUE, and a negative variance made every class NaN)
            m2[row + f] += w * d * (d * (before / after));
        }
        stateChanged(label);
    }

    @Override
    public void write(DataOutput out) throws IOException {
        BaselineState.writeHeader(out, NAME);
        out.writeInt(features);
        out.writeInt(classes);
        BaselineState.writeDoubles(out, weight);
        BaselineState.writeDoubles(out, mean);
        BaselineState.writeDoubles(out, m2);
    }

    @Override
    public void read(DataInput in) throws IOException {
        BaselineState.readHeader(in, NAME);
        BaselineState.readSize(in, NAME, "features", features);
        BaselineState.readSize(in, NAME, "classes", classes);
        double[] readWeight = BaselineState.readDoubles(in, weight.length);
        double[] readMean = BaselineState.readDoubles(in, mean.length);
        double[] readM2 = BaselineState.readDoubles(in, m2.length);
        System.arraycopy(readWeight, 0, weight, 0, weight.length);
        System.arraycopy(readMean, 0, mean, 0, mean.length);
        System.arraycopy(readM2, 0, m2, 0, m2.length);
        for (int c = 0; c < classes; c++) {
            stateChanged(c);
        }
    }
}
