package io.streamtrain.learn.baseline;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.List;

/**
 * A shallow learner of one example at a time, to race the network on the same stream, test-then-train: it predicts
 * an example's class probabilities, then learns from its label. The oldest advice of the field is that deep learning
 * is not always the answer; these are the usual first answers instead. Not thread-safe.
 */
public interface Baseline {

    /** Its name in tables and settings: {@code majority}, {@code softmax-regression}, {@code gaussian-nb}. */
    String name();

    /**
     * The probability of each class for {@code features}, summing to 1; into {@code out} (of the number of classes).
     */
    void predict(float[] features, double[] out);

    /**
     * Learns from one labeled example, weighted by {@code weight} (finite, at least 0). A weight of 0, which the
     * learner accepts, changes nothing.
     */
    void train(float[] features, int label, float weight);

    /**
     * Writes its whole learned state, so that a checkpoint can carry it: a format byte, its name and sizes, then every
     * number bit for bit. {@link #read} on a fresh baseline of the same name, features and classes gives one that
     * predicts and trains exactly as this one from here on.
     */
    void write(DataOutput out) throws IOException;

    /**
     * Replaces its learned state with what {@link #write} wrote. Throws IllegalStateException naming the problem for a
     * format byte it does not know, the state of another baseline, or sizes other than its own; EOFException for
     * bytes that end too soon. On any failure it keeps the state it had.
     */
    void read(DataInput in) throws IOException;

    /** The baselines there are, by name. */
    List<String> NAMES = List.of(MajorityClass.NAME, SoftmaxRegression.NAME, GaussianNaiveBayes.NAME);

    /** A fresh baseline of this name for {@code features} features and {@code classes} classes. */
    static Baseline create(String name, int features, int classes) {
        return switch (name) {
            case MajorityClass.NAME -> new MajorityClass(classes);
            case SoftmaxRegression.NAME -> new SoftmaxRegression(features, classes, SoftmaxRegression.LEARNING_RATE);
            case GaussianNaiveBayes.NAME -> new GaussianNaiveBayes(features, classes);
            default -> throw new IllegalArgumentException("unknown baseline '" + name + "': one of " + NAMES);
        };
    }
}
