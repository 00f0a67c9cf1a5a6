package io.streamtrain.learn.baseline;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Multinomial logistic regression trained by plain stochastic gradient descent on the cross-entropy, one example at
 * a time: a weight per class and feature, and a bias per class. With two classes it is logistic regression. Features
 * are used as they come; on unscaled features a smaller learning rate is needed.
 */
public final class SoftmaxRegression implements Baseline {

    static final String NAME = "softmax-regression";
    /** The learning rate of {@link Baseline#create}. */
    static final double LEARNING_RATE = 0.01;

    private final int features;
    private final int classes;
    private final double learningRate;
    private final double[] weights;
    private final double[] bias;
    private final double[] scratch;

    public SoftmaxRegression(int features, int classes, double learningRate) {
        if (features < 1 || classes < 2) {
            throw new IllegalArgumentException("features must be positive and classes at least 2, were " + features
                    + " and " + classes);
        }
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("the learning rate must be finite and above 0, was " + learningRate);
        }
        this.features = features;
        this.classes = classes;
        this.learningRate = learningRate;
        this.weights = new double[features * classes];
        this.bias = new double[classes];
        this.scratch = new double[classes];
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void predict(float[] x, double[] out) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < classes; c++) {
            double z = bias[c];
            int row = c * features;
            for (int f = 0; f < features; f++) {
                z += weights[row + f] * x[f];
            }
            out[c] = z;
            max = Math.max(max, z);
        }
        Probabilities.softmaxInPlace(out, classes, max);
    }

    @Override
    public void train(float[] x, int label, float weight) {
        predict(x, scratch);
        for (int c = 0; c < classes; c++) {
            // the gradient of the cross-entropy against the logit of class c: p_c - [c == label]
            double step = learningRate * weight * (scratch[c] - (c == label ? 1 : 0));
            if (step == 0 || !Double.isFinite(step)) {
                continue;
            }
            int row = c * features;
            for (int f = 0; f < features; f++) {
                weights[row + f] -= step * x[f];
            }
            bias[c] -= step;
        }
    }

    /** Writes the learning rate too: read into a baseline with another one, the state would not train the same. */
    @Override
    public void write(DataOutput out) throws IOException {
        BaselineState.writeHeader(out, NAME);
        out.writeInt(features);
        out.writeInt(classes);
        BaselineState.writeDouble(out, learningRate);
        BaselineState.writeDoubles(out, weights);
        BaselineState.writeDoubles(out, bias);
    }

    @Override
    public void read(DataInput in) throws IOException {
        BaselineState.readHeader(in, NAME);
        BaselineState.readSize(in, NAME, "features", features);
        BaselineState.readSize(in, NAME, "classes", classes);
        double readRate = BaselineState.readDouble(in);
        if (Double.doubleToRawLongBits(readRate) != Double.doubleToRawLongBits(learningRate)) {
            throw new IllegalStateException(NAME + " state: it was written with learning rate " + readRate
                    + ", this one has " + learningRate);
        }
        double[] readWeights = BaselineState.readDoubles(in, weights.length);
        double[] readBias = BaselineState.readDoubles(in, bias.length);
        System.arraycopy(readWeights, 0, weights, 0, weights.length);
        System.arraycopy(readBias, 0, bias, 0, bias.length);
    }
}
