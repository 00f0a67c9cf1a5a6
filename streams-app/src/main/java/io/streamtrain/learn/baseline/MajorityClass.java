package io.streamtrain.learn.baseline;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

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

    @Override
    public void write(DataOutput out) throws IOException {
        BaselineState.writeHeader(out, NAME);
        out.writeInt(counts.length);
        BaselineState.writeDouble(out, total);
        BaselineState.writeDoubles(out, counts);
    }

    @Override
    public void read(DataInput in) throws IOException {
        BaselineState.readHeader(in, NAME);
        BaselineState.readSize(in, NAME, "classes", counts.length);
        double readTotal = BaselineState.readDouble(in);
        double[] readCounts = BaselineState.readDoubles(in, counts.length);
        total = readTotal;
        System.arraycopy(readCounts, 0, counts, 0, counts.length);
    }
}
