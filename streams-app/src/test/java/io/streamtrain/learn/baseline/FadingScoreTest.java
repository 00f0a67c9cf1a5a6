package io.streamtrain.learn.baseline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;

import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * The fading score is the plain mean until its window is full, an exponentially weighted mean after, never infinite
 * or NaN once it has a value, and comes back exactly from its state.
 */
class FadingScoreTest {

    private static final Offset<Double> CLOSE = Offset.offset(1e-12);

    @Test
    void beforeAnyExampleBothMeansAreNaN() {
        FadingScore s = new FadingScore(10);
        assertThat(s.loss()).isNaN();
        assertThat(s.accuracy()).isNaN();
        assertThat(s.count()).isZero();
    }

    @Test
    void untilTheWindowIsFullItIsThePlainMean() {
        FadingScore s = new FadingScore(1000);
        SplittableRandom r = new SplittableRandom(1);
        double sum = 0;
        int right = 0;
        for (int t = 1; t <= 1000; t++) {
            double loss = r.nextDouble(0, 3);
            boolean correct = r.nextInt(3) > 0;
            s.add(loss, correct);
            sum += loss;
            right += correct ? 1 : 0;
            assertThat(s.loss()).as("loss after %d", t).isCloseTo(sum / t, CLOSE);
            assertThat(s.accuracy()).as("accuracy after %d", t).isCloseTo(right / (double) t, CLOSE);
            assertThat(s.count()).isEqualTo(t);
        }
    }

    @Test
    void afterTheWindowEachExampleWeighsOneOverTheWindow() {
        int window = 20;
        FadingScore s = new FadingScore(window);
        SplittableRandom r = new SplittableRandom(2);
        double loss = 0;
        double accuracy = 0;
        for (int t = 1; t <= 500; t++) {
            double l = r.nextDouble(0, 3);
            boolean correct = r.nextBoolean();
            s.add(l, correct);
            double alpha = t <= window ? 1.0 / t : 1.0 / window;
            loss = (1 - alpha) * loss + alpha * l;
            accuracy = (1 - alpha) * accuracy + alpha * (correct ? 1 : 0);
            assertThat(s.loss()).as("loss after %d", t).isCloseTo(loss, CLOSE);
            assertThat(s.accuracy()).as("accuracy after %d", t).isCloseTo(accuracy, CLOSE);
        }
        FadingScore steady = new FadingScore(window);
        for (int t = 0; t < 100; t++) {
            steady.add(1, true);
        }
        steady.add(0, false);
        assertThat(steady.loss()).isCloseTo(1 - 1.0 / window, CLOSE);
        assertThat(steady.accuracy()).isCloseTo(1 - 1.0 / window, CLOSE);
    }

    @Test
    void aWindowOfOneIsTheLastExample() {
        FadingScore s = new FadingScore(1);
        s.add(3, true);
        s.add(0.25, false);
        assertThat(s.loss()).isEqualTo(0.25);
        assertThat(s.accuracy()).isEqualTo(0.0);
    }

    @Test
    void aLossAboveTheCapInfiniteOrNaNCountsAsTheCapAndBelowZeroAsZero() {
        assertThat(FadingScore.LOSS_CAP).isCloseTo(16.118, Offset.offset(1e-3));
        for (double broken : new double[] {1e300, Double.MAX_VALUE, Double.POSITIVE_INFINITY, Double.NaN}) {
            FadingScore s = new FadingScore(1);
            s.add(broken, false);
            assertThat(s.loss()).as("%s", broken).isEqualTo(FadingScore.LOSS_CAP);
        }
        FadingScore s = new FadingScore(1);
        s.add(Double.NEGATIVE_INFINITY, true);
        assertThat(s.loss()).isZero();

        FadingScore many = new FadingScore(100);
        for (int t = 0; t < 10_000; t++) {
            many.add(t % 2 == 0 ? Double.POSITIVE_INFINITY : Double.NaN, false);
            assertThat(many.loss()).isFinite().isBetween(0.0, FadingScore.LOSS_CAP);
        }
        assertThat(many.loss()).isCloseTo(FadingScore.LOSS_CAP, CLOSE);
    }

    @Test
    void aScoreReadFromItsStateGoesOnExactlyAsTheOriginal() {
        for (int written : new int[] {0, 7, 50, 3000}) {
            FadingScore original = new FadingScore(50);
            SplittableRandom r = new SplittableRandom(written);
            for (int t = 0; t < written; t++) {
                original.add(r.nextDouble(0, 5), r.nextBoolean());
            }
            byte[] state = write(original);
            assertThat(state).hasSize(25);
            FadingScore copy = read(50, state);
            assertThat(write(copy)).isEqualTo(state);
            for (int t = 0; t < 200; t++) {
                double loss = r.nextDouble(0, 5);
                boolean correct = r.nextBoolean();
                original.add(loss, correct);
                copy.add(loss, correct);
                assertThat(copy.count()).isEqualTo(original.count());
                assertThat(Double.doubleToRawLongBits(copy.loss()))
                        .isEqualTo(Double.doubleToRawLongBits(original.loss()));
                assertThat(Double.doubleToRawLongBits(copy.accuracy()))
                        .isEqualTo(Double.doubleToRawLongBits(original.accuracy()));
            }
        }
    }

    @Test
    void readIntoAnotherWindowTheMeansGoOnAtItsPace() {
        FadingScore original = new FadingScore(10);
        for (int t = 0; t < 100; t++) {
            original.add(2, true);
        }
        FadingScore copy = read(4, write(original));
        assertThat(copy.window()).isEqualTo(4);
        copy.add(0, false);
        assertThat(copy.loss()).isCloseTo(1.5, CLOSE);
        assertThat(copy.accuracy()).isCloseTo(0.75, CLOSE);
    }

    @Test
    void damagedStateIsRefused() {
        byte[] state = write(new FadingScore(5));
        state[0] = 9;
        assertThatThrownBy(() -> read(5, state)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("format byte 9 is not supported");
        assertThatThrownBy(() -> read(5, ByteBuffer.allocate(25).put((byte) 1).putLong(-3).array()))
                .hasMessageContaining("count -3 is negative");
        assertThatThrownBy(() -> read(5, ByteBuffer.allocate(25).put((byte) 1).putLong(4).putDouble(Double.NaN)
                .array())).hasMessageContaining("must be finite");
        assertThatThrownBy(() -> read(5, ByteBuffer.allocate(25).put((byte) 1).putLong(0).putDouble(1).array()))
                .hasMessageContaining("no example but holds means");
        assertThatThrownBy(() -> new FadingScore(0)).hasMessage("window must be at least 1, was 0");
    }

    static byte[] write(FadingScore s) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            s.write(new DataOutputStream(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static FadingScore read(int window, byte[] state) {
        try {
            return FadingScore.read(window, new DataInputStream(new ByteArrayInputStream(state)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
