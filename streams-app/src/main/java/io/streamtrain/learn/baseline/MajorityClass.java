package io.streamtrain.learn.baseline;

/**
 * Predicts the classes in proportion to how often each has been seen (add-one smoothed): its top class is the most
 * frequent one so far. What any learner must beat.
 */
public final class MajorityClass implements Baseline {

    static final String NAME = "majority";

    private final double[] counts;
    private double total;

    public MajorityClass(int classes) {
        if (classes < 2) {
            throw new IllegalArgumentException("classes must be at least 2, was " + classes);
        }
        this.counts = new double[classes];
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void predict(float[] features, double[] out) {
        double denominator = total + counts.length;
        for (int c = 0; c < counts.length; c++) {
            out[c] = (counts[c] + 1) / denominator;
        }
    }

    @Override
    public void train(float[] features, int label, float weight) {
        counts[label] += weight;
        total += weight;
    }
}
