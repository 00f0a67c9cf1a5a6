package io.streamtrain.learn.drift;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/** A detector of an increase in the mean of a stream of values (a model's per-example error 0/1, or its loss). */
public sealed interface DriftDetector permits PageHinkley, Adwin {

    /**
     * Adds the next value; true when this value makes it detect an increase of the mean (it then starts over on the
     * values after it). Throws IllegalArgumentException for NaN or infinite values, naming the rule.
     */
    boolean add(double value);

    /** Its name in events and settings: "page-hinkley" or "adwin". */
    String name();

    /**
     * The test statistic of the last add (for PageHinkley the cumulative deviation above its minimum; for Adwin the
     * largest difference of means over the cut points checked, recent minus older, or 0).
     */
    double statistic();

    /** Values seen since it started, or last started over. */
    long count();

    /**
     * Writes its whole state so that read() gives a detector that behaves exactly as this one from here on (bit for
     * bit, for the same values).
     */
    void write(DataOutput out) throws IOException;

    /**
     * Reads what write() wrote (any detector: the first thing written says which); IllegalStateException naming the
     * problem for bytes that are not a detector's state.
     */
    static DriftDetector read(DataInput in) throws IOException {
        return StateFormat.read(in);
    }
}
