package io.streamtrain.learn;

/**
 * The label of one example: a class index for a classifier, or a value for a regression model. Immutable.
 *
 * <p>A target may hold a non-finite value or an out-of-range class; {@link ExampleCheck} rejects those before
 * they reach a {@link Learner}.
 */
public final class Target {

    private final boolean classLabel;
    private final int classIndex;
    private final double value;

    private Target(boolean classLabel, int classIndex, double value) {
        this.classLabel = classLabel;
        this.classIndex = classIndex;
        this.value = value;
    }

    /** A class label, by its index in the model's classes. */
    public static Target ofClass(int classIndex) {
        return new Target(true, classIndex, Double.NaN);
    }

    /** A regression target. */
    public static Target ofValue(double value) {
        return new Target(false, -1, value);
    }

    /** True for a class label, false for a regression value. */
    public boolean isClass() {
        return classLabel;
    }

    /** The class index; only for a class label. */
    public int classIndex() {
        if (!classLabel) {
            throw new IllegalStateException("not a class label: " + this);
        }
        return classIndex;
    }

    /** The regression value; only for a regression target. */
    public double value() {
        if (classLabel) {
            throw new IllegalStateException("not a regression value: " + this);
        }
        return value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Target t && t.classLabel == classLabel && t.classIndex == classIndex
                && Double.compare(t.value, value) == 0;
    }

    @Override
    public int hashCode() {
        return classLabel ? classIndex : Double.hashCode(value) * 31 + 1;
    }

    @Override
    public String toString() {
        return classLabel ? "class " + classIndex : "value " + value;
    }
}
