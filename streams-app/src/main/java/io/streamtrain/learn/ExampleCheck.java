package io.streamtrain.learn;

import java.util.List;

import io.streamtrain.contract.RecordLimits;
import io.streamtrain.contract.RejectionRule;

/**
 * Checks one example against a model before it is predicted or enters a mini-batch, so that bad input becomes a
 * {@link Rejection} naming the field and the rule instead of an exception inside DL4J (or, worse, NaN weights).
 * Immutable; the rule codes are stable and written to the error topic.
 */
public final class ExampleCheck {

    /** The number of features is not the model's input size. Field {@code features}. */
    public static final String FEATURE_COUNT = RejectionRule.FEATURE_COUNT.code();
    /** A feature or a regression label is NaN or infinite. Field {@code features[i]} or {@code label}. */
    public static final String NON_FINITE = RejectionRule.NON_FINITE.code();
    /** A class index outside {@code [0, numClasses)}. Field {@code label}. */
    public static final String UNKNOWN_CLASS = RejectionRule.UNKNOWN_CLASS.code();
    /** A regression label for a classifier, or a class label for a regression model. Field {@code label}. */
    public static final String LABEL_KIND = RejectionRule.LABEL_KIND.code();
    /** A training weight below 0 (a NaN or infinite one breaks {@link #NON_FINITE}). Field {@code weight}. */
    public static final String NEGATIVE_WEIGHT = RejectionRule.NEGATIVE_WEIGHT.code();

    /** An example id outside {@link RecordLimits#idProblem}. Field {@code id} (or {@code exampleId}). */
    public static final String ID_LENGTH = RejectionRule.ID_LENGTH.code();

    private final int inputSize;
    private final boolean classification;
    private final int numClasses;

    public ExampleCheck(int inputSize, boolean classification, int numClasses) {
        if (inputSize < 1) {
            throw new IllegalArgumentException("inputSize must be positive, was " + inputSize);
        }
        if (classification && numClasses < 2) {
            throw new IllegalArgumentException("a classifier needs at least 2 classes, was " + numClasses);
        }
        this.inputSize = inputSize;
        this.classification = classification;
        this.numClasses = classification ? numClasses : 0;
    }

    /** The checks for a learner's model. */
    public static ExampleCheck forLearner(Learner learner) {
        return new ExampleCheck(learner.inputSize(), learner.isClassification(), learner.numClasses());
    }

    /**
     * The first problem with an example, features first; null when it can be used.
     *
     * @param features the feature vector
     * @param label    the label, or null for an example that is only to be predicted
     */
    public Rejection check(float[] features, Target label) {
        Rejection r = checkFeatures(features);
        return r != null || label == null ? r : checkLabel(label);
    }

    /** As {@link #check(float[], Target)}, for features as a list (a null element is not finite). */
    public Rejection check(List<Float> features, Target label) {
        Rejection r = checkFeatures(features);
        return r != null || label == null ? r : checkLabel(label);
    }

    /** The first problem with a feature list; null when it can be predicted. */
    public Rejection checkFeatures(List<Float> features) {
        if (features == null || features.size() != inputSize) {
            return featureCount(features == null ? -1 : features.size());
        }
        for (int i = 0; i < inputSize; i++) {
            Float f = features.get(i);
            if (f == null || !Float.isFinite(f)) {
                return nonFinite(i, f == null ? "missing (null)" : f.toString());
            }
        }
        return null;
    }

    /** The first problem with a feature vector; null when it can be predicted. */
    public Rejection checkFeatures(float[] features) {
        if (features == null || features.length != inputSize) {
            return featureCount(features == null ? -1 : features.length);
        }
        for (int i = 0; i < features.length; i++) {
            if (!Float.isFinite(features[i])) {
                return nonFinite(i, Float.toString(features[i]));
            }
        }
        return null;
    }

    private Rejection featureCount(int got) {
        return new Rejection("features", FEATURE_COUNT, "expected " + inputSize + " features, got "
                + (got < 0 ? "none" : got));
    }

    private static Rejection nonFinite(int i, String value) {
        return new Rejection("features[" + i + "]", NON_FINITE,
                "feature " + i + " is " + value + "; features must be finite numbers");
    }

    /**
     * The problem with an example's training weight; null when it can be trained with. Checked before the example
     * joins a mini-batch, since the training step refuses the whole batch for one bad weight.
     */
    public static Rejection checkWeight(float weight) {
        if (!Float.isFinite(weight)) {
            return new Rejection("weight", NON_FINITE, "the weight is " + weight + "; it must be a finite number >= 0");
        }
        if (weight < 0) {
            return new Rejection("weight", NEGATIVE_WEIGHT, "the weight is " + weight + "; it must be >= 0");
        }
        return null;
    }

    /** The problem with an example id; null when it can be used. */
    public static Rejection checkId(String field, String id) {
        String problem = RecordLimits.idProblem(id);
        return problem == null ? null : new Rejection(field, ID_LENGTH, problem);
    }

    /** The problem with a label; null when it can be trained on. */
    public Rejection checkLabel(Target label) {
        if (classification) {
            if (!label.isClass()) {
                return new Rejection("label", LABEL_KIND, "the model is a classifier, but the label is the"
                        + " regression value " + label.value());
            }
            int c = label.classIndex();
            if (c < 0 || c >= numClasses) {
                return new Rejection("label", UNKNOWN_CLASS, "class index " + c + " is not one of the model's "
                        + numClasses + " classes [0, " + numClasses + ")");
            }
            return null;
        }
        if (label.isClass()) {
            return new Rejection("label", LABEL_KIND, "the model is a regression model, but the label is the class"
                    + " index " + label.classIndex());
        }
        if (!Double.isFinite(label.value())) {
            return new Rejection("label", NON_FINITE, "the regression label is " + label.value()
                    + "; it must be a finite number");
        }
        if (!Float.isFinite((float) label.value())) {
            // the network computes in float: the target would become infinite and the loss NaN
            return new Rejection("label", NON_FINITE, "the regression label " + label.value()
                    + " is out of the float range (about 3.4e38) the network computes in");
        }
        return null;
    }
}
