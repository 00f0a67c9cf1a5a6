package io.streamtrain.learn.baseline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.SplittableRandom;

import io.streamtrain.embedded.Tries;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * The shallow baselines learn what they should, test-then-train, and whatever the input, what they predict is a
 * distribution over the classes.
 */
class BaselinesTest {

    @Test
    void theMajorityBaselineFavoursTheMostFrequentClassSoFar() {
        Baseline majority = Baseline.create("majority", 3, 3);
        double[] p = new double[3];
        majority.predict(new float[3], p);
        assertThat(p).containsExactly(1 / 3.0, 1 / 3.0, 1 / 3.0);
        for (int i = 0; i < 3; i++) {
            majority.train(new float[3], 2, 1f);
        }
        majority.train(new float[3], 0, 1f);
        majority.predict(new float[3], p);
        assertThat(p[2]).isGreaterThan(p[0]).isGreaterThan(p[1]);
        assertThat(p[0] + p[1] + p[2]).isCloseTo(1.0, Offset.offset(1e-12));
    }

    @Test
    void softmaxRegressionLearnsALinearConceptInOnePass() {
        assertThat(lastAccuracy(Baseline.create("softmax-regression", 20, 2), linear(20), 2, 6_000, 1_000))
                .isGreaterThan(0.9);
    }

    @Test
    void gaussianNaiveBayesLearnsTwoGaussianClassesInOnePass() {
        assertThat(lastAccuracy(Baseline.create("gaussian-nb", 10, 3), gaussians(10, 3), 3, 3_000, 1_000))
                .isGreaterThan(0.9);
        assertThat(lastAccuracy(Baseline.create("majority", 10, 3), gaussians(10, 3), 3, 3_000, 1_000))
                .as("the majority baseline, on three balanced classes").isLessThan(0.5);
    }

    @Test
    void unknownNamesAndImpossibleShapesAreRefused() {
        assertThatThrownBy(() -> Baseline.create("forest", 2, 2)).hasMessageContaining("unknown baseline 'forest'");
        assertThatThrownBy(() -> Baseline.create("gaussian-nb", 0, 2)).hasMessageContaining("features");
        assertThatThrownBy(() -> Baseline.create("majority", 2, 1)).hasMessageContaining("classes");
        assertThatThrownBy(() -> new SoftmaxRegression(2, 2, Double.NaN)).hasMessageContaining("learning rate");
    }

    /**
     * A baseline that is also given examples of weight 0 learns as its twin that is not. Gaussian naive Bayes once
     * took a weight of 0 on a class not seen yet for a mean of 0/0, and lost that class for good.
     */
    @Test
    void aWeightOfZeroChangesNothing() {
        for (String name : Baseline.NAMES) {
            Baseline twin = Baseline.create(name, 4, 3);
            Baseline given = Baseline.create(name, 4, 3);
            Stream stream = gaussians(4, 3);
            double[] expected = new double[3];
            double[] actual = new double[3];
            for (int i = 0; i < 300; i++) {
                Example e = stream.next();
                int label = i < 100 && e.label() == 2 ? 0 : e.label();
                twin.predict(e.x(), expected);
                given.predict(e.x(), actual);
                assertThat(actual).as("%s at %d", name, i).containsExactly(expected);
                twin.train(e.x(), label, 1f);
                given.train(e.x(), label, 1f);
                given.train(stream.next().x(), i % 3, i % 2 == 0 ? 0f : -0f);
            }
        }
    }

    /**
     * A feature near Float.MAX_VALUE, then one near 0 of a huge weight: the sum of squares, as Welford's update wrote
     * it, came out at -1e77 by rounding, the variance negative and the class's log-density NaN, so that every
     * prediction fell back to uniform.
     */
    @Test
    void gaussianNaiveBayesKeepsItsVariancesAboveZeroOnExtremeExamples() {
        Baseline b = Baseline.create("gaussian-nb", 1, 2);
        b.train(new float[] {Float.MAX_VALUE}, 0, 1f);
        b.train(new float[] {1f}, 0, Float.MAX_VALUE);
        b.train(new float[] {-5f}, 1, 1f);
        b.train(new float[] {-6f}, 1, 1f);
        double[] p = new double[2];
        b.predict(new float[] {1f}, p);
        assertThat(p[0]).isGreaterThan(0.99);
    }

    /** Any finite input, any label and weight: every prediction is a distribution, nothing throws. */
    @Test
    void whateverTheyAreFedTheyPredictADistribution() {
        Map<String, Integer> tally = Tries.run("baselines", r -> r.split(), r -> {
            int features = r.nextInt(1, 40);
            int classes = r.nextInt(2, 12);
            Baseline b = Baseline.create(Baseline.NAMES.get(r.nextInt(Baseline.NAMES.size())), features, classes);
            double[] p = new double[classes];
            for (int i = 0; i < 50; i++) {
                float[] x = new float[features];
                for (int f = 0; f < features; f++) {
                    x[f] = extreme(r);
                }
                b.predict(x, p);
                double sum = 0;
                for (double v : p) {
                    assertThat(v).isBetween(0.0, 1.0);
                    sum += v;
                }
                assertThat(sum).as("%s: probabilities sum", b.name()).isCloseTo(1.0,
                        Offset.offset(1e-9));
                b.train(x, r.nextInt(classes), r.nextInt(3) == 0 ? Float.MAX_VALUE : (float) r.nextDouble(1e-6, 10));
            }
            return b.name();
        });
        assertThat(tally).containsKeys(Baseline.NAMES.toArray(new String[0]));
    }

    private static float extreme(SplittableRandom r) {
        return switch (r.nextInt(8)) {
            case 0 -> Float.MAX_VALUE;
            case 1 -> -Float.MAX_VALUE;
            case 2 -> Float.MIN_VALUE;
            case 3 -> 0f;
            case 4 -> (float) r.nextDouble(-1e30, 1e30);
            default -> (float) r.nextGaussian();
        };
    }

    /** A labeled example. */
    private record Example(float[] x, int label) {
    }

    private interface Stream {
        Example next();
    }

    private static Stream linear(int features) {
        SplittableRandom r = new SplittableRandom(3);
        double[] w = new double[features];
        for (int f = 0; f < features; f++) {
            w[f] = r.nextGaussian();
        }
        return () -> {
            float[] x = new float[features];
            double dot = 0;
            for (int f = 0; f < features; f++) {
                x[f] = (float) r.nextGaussian();
                dot += w[f] * x[f];
            }
            return new Example(x, dot > 0 ? 1 : 0);
        };
    }

    private static Stream gaussians(int features, int classes) {
        SplittableRandom r = new SplittableRandom(4);
        return () -> {
            int label = r.nextInt(classes);
            float[] x = new float[features];
            for (int f = 0; f < features; f++) {
                x[f] = (float) (r.nextGaussian() + (f % classes == label ? 2.0 : 0.0));
            }
            return new Example(x, label);
        };
    }

    /** Test-then-train over {@code n} examples: the accuracy over the last {@code last}. */
    private static double lastAccuracy(Baseline b, Stream stream, int classes, int n, int last) {
        int right = 0;
        double[] p = new double[classes];
        for (int i = 0; i < n; i++) {
            Example e = stream.next();
            b.predict(e.x(), p);
            int best = 0;
            for (int c = 1; c < p.length; c++) {
                if (p[c] > p[best]) {
                    best = c;
                }
            }
            if (i >= n - last && best == e.label()) {
                right++;
            }
            b.train(e.x(), e.label(), 1f);
        }
        return right / (double) last;
    }
}
