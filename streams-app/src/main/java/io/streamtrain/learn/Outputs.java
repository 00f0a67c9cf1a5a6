package io.streamtrain.learn;

import java.util.Arrays;

/**
 * What a network predicted for a batch of examples, one row each: for a classifier, each class's probability and
 * the most probable class; for a regression model, the predicted value. Immutable.
 */
public final class Outputs {

    private final int rows;
    private final int width;
    private final float[] values;
    private final int[] predicted;

    /**
     * @param rows   the number of examples
     * @param width  values per example: the number of classes, or 1 for regression
     * @param values row-major, {@code rows * width} values; owned by this instance from now on
     * @param classification whether the values are class probabilities
     */
    Outputs(int rows, int width, float[] values, boolean classification) {
        if (values.length != rows * width) {
            throw new IllegalArgumentException("expected " + rows * width + " values, got " + values.length);
        }
        this.rows = rows;
        this.width = width;
        this.values = values;
        this.predicted = classification ? argmax(rows, width, values) : null;
    }

    private static int[] argmax(int rows, int width, float[] values) {
        int[] best = new int[rows];
        for (int r = 0; r < rows; r++) {
            int base = r * width;
            int b = 0;
            for (int c = 1; c < width; c++) {
                if (values[base + c] > values[base + b]) {
                    b = c;
                }
            }
            best[r] = b;
        }
        return best;
    }

    /**
     * The outputs of one example as they were recorded when it was predicted: its class probabilities, or its one
     * regression value. Used to score a prediction whose label came later.
     */
    public static Outputs ofRow(float[] values, boolean classification) {
        if (!classification && values.length != 1) {
            throw new IllegalArgumentException("a regression output is one value, got " + values.length);
        }
        return new Outputs(1, values.length, values.clone(), classification);
    }

    /** One example's values: its class probabilities, or its regression value (a copy). */
    public float[] row(int row) {
        checkRow(row);
        return Arrays.copyOfRange(values, row * width, row * width + width);
    }

    /** The number of examples. */
    public int size() {
        return rows;
    }

    public boolean isClassification() {
        return predicted != null;
    }

    /** The probability of each class for one example (a copy). */
    public float[] probabilities(int row) {
        requireClassification();
        return Arrays.copyOfRange(values, row * width, row * width + width);
    }

    /** The probability of one class for one example. */
    public float probability(int row, int classIndex) {
        requireClassification();
        checkRow(row);
        if (classIndex < 0 || classIndex >= width) {
            throw new IndexOutOfBoundsException("class " + classIndex + " of " + width);
        }
        return values[row * width + classIndex];
    }

    /** The most probable class for one example (the lowest index among ties). */
    public int predictedClass(int row) {
        requireClassification();
        checkRow(row);
        return predicted[row];
    }

    /** The probability of the predicted class. */
    public float confidence(int row) {
        return probability(row, predictedClass(row));
    }

    /** The predicted value for one example of a regression model. */
    public double value(int row) {
        if (predicted != null) {
            throw new IllegalStateException("a classifier's outputs have no regression value");
        }
        checkRow(row);
        return values[row];
    }

    private void requireClassification() {
        if (predicted == null) {
            throw new IllegalStateException("a regression model's outputs have no class probabilities");
        }
    }

    private void checkRow(int row) {
        if (row < 0 || row >= rows) {
            throw new IndexOutOfBoundsException("row " + row + " of " + rows);
        }
    }
}
