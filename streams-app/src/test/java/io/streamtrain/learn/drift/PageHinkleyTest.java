package io.streamtrain.learn.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class PageHinkleyTest {

    private static final long[] SEEDS = {1, 2, 3, 4, 5, 6, 7};

    /**
     * Other settings without fading that raise no false alarm on the noisy streams below. A fading factor alpha < 1
     * (the textbook's 0.9999) pulls the cumulative deviation back towards 0, so that it wanders around
     * {@code -delta / (1 - alpha)} with a spread of about {@code sd / sqrt(2 (1 - alpha))} (25 for errors at 0.15),
     * while its minimum stays where it fell: on a stationary error rate of 0.15 it raises one to three false alarms
     * in 50,000 values in most streams. {@link PageHinkley#standard()} does not fade.
     */
    private static PageHinkley steady() {
        return new PageHinkley(0.01, 75, 1, 30);
    }

    @Test
    void detectsARiseOfTheErrorRateWithin300Values() {
        Streams.Run[] standard = Streams.errorRateRises(PageHinkley::standard, SEEDS);
        Streams.Run[] steady = Streams.errorRateRises(PageHinkleyTest::steady, SEEDS);
        System.out.printf("page-hinkley: error rate 0.15 -> 0.6 after 5,000 values detected after %s values"
                + " (median %d), without fading after %s (median %d)%n", delays(standard),
                Streams.Run.medianDelay(standard), delays(steady), Streams.Run.medianDelay(steady));
        assertThat(standard).allSatisfy(run -> assertThat(run).isEqualTo(new Streams.Run(0, run.delay())))
                .allSatisfy(run -> assertThat(run.delay()).isBetween(1, 300));
        assertThat(steady).allSatisfy(run -> assertThat(run).isEqualTo(new Streams.Run(0, run.delay())))
                .allSatisfy(run -> assertThat(run.delay()).isBetween(1, 300));
    }

    @Test
    void aStationaryErrorRateRaisesNoAlarmWithoutFading() {
        for (long seed : new long[] {1, 2, 3}) {
            SplittableRandom random = new SplittableRandom(seed);
            assertThat(Streams.alarms(steady(), 50_000, () -> Streams.error(random, 0.15))).as("seed %d", seed)
                    .isZero();
        }
    }

    @Test
    void theStandardSettingsRaiseNoFalseAlarmWhereTheTextbooksFadingOnesDo() {
        int[] standard = new int[3];
        int[] fading = new int[3];
        for (int seed = 1; seed <= standard.length; seed++) {
            SplittableRandom random = new SplittableRandom(seed);
            standard[seed - 1] = Streams.alarms(PageHinkley.standard(), 50_000, () -> Streams.error(random, 0.15));
            SplittableRandom again = new SplittableRandom(seed);
            fading[seed - 1] = Streams.alarms(new PageHinkley(0.005, 50, 1 - 0.0001, 30), 50_000,
                    () -> Streams.error(again, 0.15));
        }
        System.out.println("page-hinkley: false alarms in 50,000 errors at 0.15: standard() " + Arrays.toString(
                standard) + ", delta 0.005 with alpha 0.9999 " + Arrays.toString(fading));
        assertThat(standard).containsOnly(0);
        assertThat(Arrays.stream(fading).sum()).as("why standard() does not fade").isPositive();
    }

    @Test
    void aFallingErrorRateRaisesNoAlarm() {
        for (long seed : new long[] {1, 2, 3}) {
            SplittableRandom random = new SplittableRandom(seed);
            PageHinkley detector = steady();
            assertThat(Streams.run(detector, 5000, () -> Streams.error(random, 0.6), 10_000,
                    () -> Streams.error(random, 0.15))).isEqualTo(new Streams.Run(0, 10_001));
            assertThat(detector.count()).isEqualTo(15_000);
        }
    }

    @Test
    void detectsARiseOfTheLoss() {
        for (long seed : SEEDS) {
            for (PageHinkley detector : new PageHinkley[] {PageHinkley.standard(), steady()}) {
                SplittableRandom random = new SplittableRandom(seed);
                Streams.Run run = Streams.run(detector, 5000, () -> Streams.loss(random, 0.3), 2000,
                        () -> Streams.loss(random, 1));
                assertThat(run.earlyAlarms()).isZero();
                assertThat(run.delay()).isBetween(1, 300);
            }
        }
    }

    @Test
    void theStatisticIsTheCumulativeDeviationAboveItsMinimum() {
        PageHinkley plain = new PageHinkley(0, 1.5, 1, 1);
        double[] expected = {0, 0, 2.0 / 3, 2.0 / 3 + 0.5};
        double[] values = {0, 0, 1, 1};
        for (int i = 0; i < values.length; i++) {
            assertThat(plain.add(values[i])).isFalse();
            assertThat(plain.statistic()).isCloseTo(expected[i], within(1e-12));
            assertThat(plain.count()).isEqualTo(i + 1);
        }
        assertThat(plain.add(1)).as("m = 2/3 + 1/2 + 2/5 > 1.5").isTrue();
        assertThat(plain.statistic()).isCloseTo(2.0 / 3 + 0.5 + 0.4, within(1e-12));
        assertThat(plain.count()).isZero();
        assertThat(plain.add(0)).isFalse();
        assertThat(plain.statistic()).isZero();
        assertThat(plain.count()).isEqualTo(1);

        PageHinkley fading = new PageHinkley(0.1, 50, 0.5, 1);
        fading.add(1); // mean 1, m = -0.1, M = -0.1
        fading.add(0); // mean 1/2, m = -0.05 - 0.6 = -0.65, M = -0.65
        assertThat(fading.statistic()).isZero();
        fading.add(1); // mean 2/3, m = -0.325 + 1/3 - 0.1
        assertThat(fading.statistic()).isCloseTo(-0.325 + 1.0 / 3 - 0.1 + 0.65, within(1e-12));
    }

    @Test
    void detectsOnlyAfterMinInstancesValues() {
        PageHinkley detector = new PageHinkley(0, 0.1, 1, 5);
        assertThat(detector.add(0)).isFalse();
        for (int i = 2; i <= 4; i++) {
            assertThat(detector.add(1)).isFalse();
            assertThat(detector.statistic()).isGreaterThan(0.1);
        }
        assertThat(detector.add(1)).isTrue();
        assertThat(detector.count()).isZero();
    }

    @Test
    void refusesSettingsOutOfRange() {
        assertThatThrownBy(() -> new PageHinkley(-0.1, 50, 1, 30))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("page-hinkley delta must be a finite number at least 0, was -0.1");
        assertThatThrownBy(() -> new PageHinkley(Double.NaN, 50, 1, 30))
                .hasMessage("page-hinkley delta must be a finite number at least 0, was NaN");
        assertThatThrownBy(() -> new PageHinkley(0.005, 0, 1, 30))
                .hasMessage("page-hinkley lambda must be a finite number greater than 0, was 0.0");
        assertThatThrownBy(() -> new PageHinkley(0.005, Double.POSITIVE_INFINITY, 1, 30))
                .hasMessage("page-hinkley lambda must be a finite number greater than 0, was Infinity");
        assertThatThrownBy(() -> new PageHinkley(0.005, 50, 0, 30))
                .hasMessage("page-hinkley alpha must be greater than 0 and at most 1, was 0.0");
        assertThatThrownBy(() -> new PageHinkley(0.005, 50, 1.01, 30))
                .hasMessage("page-hinkley alpha must be greater than 0 and at most 1, was 1.01");
        assertThatThrownBy(() -> new PageHinkley(0.005, 50, Double.NaN, 30))
                .hasMessage("page-hinkley alpha must be greater than 0 and at most 1, was NaN");
        assertThatThrownBy(() -> new PageHinkley(0.005, 50, 1, 0))
                .hasMessage("page-hinkley minInstances must be at least 1, was 0");
        assertThat(new PageHinkley(0, Double.MIN_VALUE, Double.MIN_VALUE, 1).name()).isEqualTo("page-hinkley");
    }

    @Test
    void refusesValuesThatAreNotFiniteAndStaysAsItWas() {
        PageHinkley detector = PageHinkley.standard();
        detector.add(0.5);
        for (double value : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
            assertThatThrownBy(() -> detector.add(value)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("page-hinkley: a value must be a finite number, was " + value);
        }
        assertThat(detector.count()).isEqualTo(1);
        assertThat(detector.statistic()).isZero();
    }

    @Test
    void standardSettingsAndName() {
        assertThat(PageHinkley.standard()).hasToString(
                "page-hinkley(delta=0.02, lambda=50.0, alpha=1.0, minInstances=30, count=0, statistic=0.0)");
        assertThat(PageHinkley.standard().name()).isEqualTo("page-hinkley");
    }

    @Test
    void itsStateIsReadBackExactlyAndWhatFollowsItIsLeftUnread() throws IOException {
        PageHinkley detector = PageHinkley.standard();
        SplittableRandom random = new SplittableRandom(9);
        Streams.alarms(detector, 777, () -> Streams.error(random, 0.3));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        detector.write(out);
        out.writeUTF("next");
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()));
        DriftDetector copy = DriftDetector.read(in);
        assertThat(in.readUTF()).isEqualTo("next");
        assertThat(copy).isInstanceOf(PageHinkley.class).hasToString(detector.toString());
        for (int i = 0; i < 5000; i++) {
            double value = Streams.error(random, i < 1000 ? 0.3 : 0.9);
            assertThat(copy.add(value)).isEqualTo(detector.add(value));
            assertThat(copy.statistic()).isEqualTo(detector.statistic());
        }
    }

    private static String delays(Streams.Run[] runs) {
        return Arrays.toString(Arrays.stream(runs).mapToInt(Streams.Run::delay).toArray());
    }
}
