package io.streamtrain.data;

import java.util.Iterator;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import java.util.stream.Stream;

/**
 * A reproducible, endless, linearly separable two-class stream: standard normal features, and class 1 when
 * {@code w·x > 0} for a fixed standard normal {@code w} drawn from the seed. A fraction of the examples comes without a
 * label (to be predicted only). The same seed gives the same stream, example for example.
 */
public final class SyntheticStream implements Dataset {

    private final long seed;
    private final int features;
    private final double unlabeledFraction;

    /**
     * @param seed              the seed of the weights and of the examples
     * @param features          the number of features
     * @param unlabeledFraction the probability that an example has no label, in [0, 1]
     */
    public SyntheticStream(long seed, int features, double unlabeledFraction) {
        if (features < 1) {
            throw new IllegalArgumentException("features must be positive, was " + features);
        }
        if (!(unlabeledFraction >= 0 && unlabeledFraction <= 1)) {
            throw new IllegalArgumentException("unlabeledFraction must be in [0, 1], was " + unlabeledFraction);
        }
        this.seed = seed;
        this.features = features;
        this.unlabeledFraction = unlabeledFraction;
    }

    @Override
    public String name() {
        return "separable-" + features + "d";
    }

    @Override
    public int featureCount() {
        return features;
    }

    @Override
    public List<String> classNames() {
        return List.of("0", "1");
    }

    /** Empty: the stream never ends. */
    @Override
    public OptionalLong size() {
        return OptionalLong.empty();
    }

    /** The examples from the first; an endless stream: {@code limit} it. */
    @Override
    public Stream<LabeledExample> stream() {
        return Stream.generate(generator()::next);
    }

    /** The examples from the first, one by one. */
    public Iterator<LabeledExample> generator() {
        return new Generator();
    }

    private final class Generator implements Iterator<LabeledExample> {
        private final Random random = new Random(seed);
        private final float[] weights = new float[features];

        Generator() {
            for (int i = 0; i < features; i++) {
                weights[i] = (float) random.nextGaussian();
            }
        }

        @Override
        public boolean hasNext() {
            return true;
        }

        @Override
        public LabeledExample next() {
            float[] x = new float[features];
            double dot = 0;
            for (int i = 0; i < features; i++) {
                x[i] = (float) random.nextGaussian();
                dot += weights[i] * x[i];
            }
            boolean labeled = random.nextDouble() >= unlabeledFraction;
            return new LabeledExample(x, labeled ? (dot > 0 ? 1 : 0) : LabeledExample.UNLABELED);
        }
    }
}
