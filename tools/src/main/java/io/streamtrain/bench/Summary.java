package io.streamtrain.bench;

import java.util.Arrays;
import java.util.Collection;

/**
 * The median, min and max of a figure measured in several runs. The median of an even number of runs is the mean of
 * the two middle ones. NaN values (a run that measured nothing) are left out; with none left every figure is NaN.
 */
public record Summary(double median, double min, double max, int runs) {

    /** Summarises the values of several runs. */
    public static Summary of(double... values) {
        double[] v = Arrays.stream(values).filter(d -> !Double.isNaN(d)).sorted().toArray();
        if (v.length == 0) {
            return new Summary(Double.NaN, Double.NaN, Double.NaN, 0);
        }
        int n = v.length;
        double median = n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
        return new Summary(median, v[0], v[n - 1], n);
    }

    public static Summary of(Collection<? extends Number> values) {
        return of(values.stream().mapToDouble(Number::doubleValue).toArray());
    }
}
