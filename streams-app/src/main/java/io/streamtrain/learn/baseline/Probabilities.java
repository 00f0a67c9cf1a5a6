package io.streamtrain.learn.baseline;

/** Turning scores into probabilities. */
final class Probabilities {

    private Probabilities() {
    }

    /**
     * Replaces the first {@code n} scores (logits or log-probabilities, {@code max} the largest) by their softmax; a
     * score that is not a number counts as the lowest, and when none is finite the classes are equally likely.
     */
    static void softmaxInPlace(double[] scores, int n, double max) {
        if (!Double.isFinite(max)) {
            java.util.Arrays.fill(scores, 0, n, 1.0 / n);
            return;
        }
        double sum = 0;
        for (int c = 0; c < n; c++) {
            double e = Double.isNaN(scores[c]) ? 0 : Math.exp(scores[c] - max);
            scores[c] = e;
            sum += e;
        }
        for (int c = 0; c < n; c++) {
            scores[c] /= sum;
        }
    }
}
