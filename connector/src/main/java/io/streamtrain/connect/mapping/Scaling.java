package io.streamtrain.connect.mapping;

/** How a numeric feature is scaled before it goes into the feature vector. */
public sealed interface Scaling {

    /** Leaves values as they are. */
    Scaling NONE = new None();

    /** The scaled value of {@code x}. */
    double apply(double x);

    /** Leaves values as they are. */
    record None() implements Scaling {
        @Override
        public double apply(double x) {
            return x;
        }
    }

    /** Standardization: {@code (x - mean) / std}; std is positive. */
    record Standard(double mean, double std) implements Scaling {
        public Standard {
            if (!(std > 0) || !Double.isFinite(std) || !Double.isFinite(mean)) {
                throw new IllegalArgumentException("standard scaling needs a finite mean and a positive, finite std");
            }
        }

        @Override
        public double apply(double x) {
            return (x - mean) / std;
        }
    }

    /** Min-max normalization to [0, 1] for values in [min, max]: {@code (x - min) / (max - min)}; max > min. */
    record MinMax(double min, double max) implements Scaling {
        public MinMax {
            if (!Double.isFinite(min) || !Double.isFinite(max) || !(max > min)) {
                throw new IllegalArgumentException("min-max scaling needs finite min < max");
            }
        }

        @Override
        public double apply(double x) {
            return (x - min) / (max - min);
        }
    }
}
