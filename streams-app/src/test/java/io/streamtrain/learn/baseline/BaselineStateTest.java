package io.streamtrain.learn.baseline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * A baseline read from what another wrote goes on exactly as the other, bit for bit; the state of another format,
 * another baseline or other sizes is refused, saying which.
 */
class BaselineStateTest {

    private static final int FEATURES = 6;
    private static final int CLASSES = 4;

    @Test
    void aBaselineReadFromItsStatePredictsAndTrainsExactlyAsTheOriginal() {
        for (String name : Baseline.NAMES) {
            SplittableRandom stream = new SplittableRandom(11);
            Baseline original = Baseline.create(name, FEATURES, CLASSES);
            double[] p = new double[CLASSES];
            for (int i = 0; i < 300; i++) {
                float[] x = features(stream);
                original.predict(x, p);
                original.train(x, label(x), weight(stream));
            }
            byte[] state = write(original);
            Baseline copy = Baseline.create(name, FEATURES, CLASSES);
            read(copy, state);
            assertThat(write(copy)).as(name).isEqualTo(state);

            double[] q = new double[CLASSES];
            for (int i = 0; i < 300; i++) {
                float[] x = features(stream);
                original.predict(x, p);
                copy.predict(x, q);
                assertThat(bits(q)).as("%s, example %d after the copy", name, i).isEqualTo(bits(p));
                int label = label(x);
                float weight = weight(stream);
                original.train(x, label, weight);
                copy.train(x, label, weight);
            }
            assertThat(write(copy)).as(name).isEqualTo(write(original));
        }
    }

    @Test
    void aFreshBaselineRoundTripsToo() {
        for (String name : Baseline.NAMES) {
            byte[] state = write(Baseline.create(name, FEATURES, CLASSES));
            Baseline copy = Baseline.create(name, FEATURES, CLASSES);
            read(copy, state);
            assertThat(write(copy)).as(name).isEqualTo(state);
        }
    }

    @Test
    void anUnknownFormatByteIsRefused() {
        for (String name : Baseline.NAMES) {
            byte[] state = write(trained(name, FEATURES, CLASSES));
            state[0] = 7;
            Baseline fresh = Baseline.create(name, FEATURES, CLASSES);
            assertThatThrownBy(() -> read(fresh, state)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(name).hasMessageContaining("format byte 7 is not supported");
        }
    }

    @Test
    void otherSizesAreRefusedAndTheStateIsKept() {
        for (String name : Baseline.NAMES) {
            Baseline target = trained(name, FEATURES, CLASSES);
            byte[] before = write(target);
            byte[] otherClasses = write(trained(name, FEATURES, CLASSES + 1));
            assertThatThrownBy(() -> read(target, otherClasses)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(name).hasMessageContaining("written with " + (CLASSES + 1) + " classes")
                    .hasMessageContaining("this one has " + CLASSES);
            if (!name.equals("majority")) {
                byte[] otherFeatures = write(trained(name, FEATURES - 1, CLASSES));
                assertThatThrownBy(() -> read(target, otherFeatures)).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("written with " + (FEATURES - 1) + " features");
            }
            assertThat(write(target)).as(name).isEqualTo(before);
        }
    }

    /** The majority baseline knows no features: a state for any number of them fits it. */
    @Test
    void theMajorityStateDoesNotDependOnTheFeatures() {
        Baseline copy = Baseline.create("majority", 99, CLASSES);
        byte[] state = write(trained("majority", FEATURES, CLASSES));
        read(copy, state);
        assertThat(write(copy)).isEqualTo(state);
    }

    @Test
    void theStateOfAnotherBaselineIsRefused() {
        byte[] softmax = write(trained("softmax-regression", FEATURES, CLASSES));
        Baseline bayes = Baseline.create("gaussian-nb", FEATURES, CLASSES);
        assertThatThrownBy(() -> read(bayes, softmax)).isInstanceOf(IllegalStateException.class)
                .hasMessage("gaussian-nb state: it is the state of a softmax-regression baseline");
    }

    @Test
    void anotherLearningRateIsRefused() {
        byte[] state = write(new SoftmaxRegression(FEATURES, CLASSES, 0.5));
        Baseline standard = Baseline.create("softmax-regression", FEATURES, CLASSES);
        assertThatThrownBy(() -> read(standard, state)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("learning rate 0.5, this one has 0.01");
    }

    @Test
    void aStateThatEndsTooSoonIsRefusedAndTheStateIsKept() {
        for (String name : Baseline.NAMES) {
            Baseline target = trained(name, FEATURES, CLASSES);
            byte[] before = write(target);
            byte[] state = write(Baseline.create(name, FEATURES, CLASSES));
            byte[] cut = Arrays.copyOf(state, state.length - 3);
            assertThatThrownBy(() -> read(target, cut)).as(name).hasCauseInstanceOf(EOFException.class);
            assertThat(write(target)).as(name).isEqualTo(before);
        }
    }

    private static Baseline trained(String name, int features, int classes) {
        Baseline b = Baseline.create(name, features, classes);
        SplittableRandom r = new SplittableRandom(features * 31L + classes);
        for (int i = 0; i < 100; i++) {
            float[] x = new float[features];
            for (int f = 0; f < features; f++) {
                x[f] = (float) r.nextGaussian();
            }
            b.train(x, r.nextInt(classes), 1f);
        }
        return b;
    }

    /** Features in which the class is the largest of the first {@link #CLASSES}, with noise. */
    private static float[] features(SplittableRandom r) {
        float[] x = new float[FEATURES];
        for (int f = 0; f < FEATURES; f++) {
            x[f] = (float) (r.nextGaussian() * (1 + f));
        }
        return x;
    }

    private static int label(float[] x) {
        int best = 0;
        for (int c = 1; c < CLASSES; c++) {
            if (x[c] > x[best]) {
                best = c;
            }
        }
        return best;
    }

    private static float weight(SplittableRandom r) {
        return r.nextInt(5) == 0 ? 0f : (float) r.nextDouble(0.1, 3);
    }

    private static long[] bits(double[] p) {
        return Arrays.stream(p).mapToLong(Double::doubleToRawLongBits).toArray();
    }

    static byte[] write(Baseline b) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            b.write(new DataOutputStream(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static void read(Baseline b, byte[] state) {
        try {
            b.read(new DataInputStream(new ByteArrayInputStream(state)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
