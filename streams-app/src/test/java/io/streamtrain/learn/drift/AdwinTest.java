package io.streamtrain.learn.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class AdwinTest {

    private static final long[] SEEDS = {1, 2, 3, 4, 5, 6, 7};

    @Test
    void detectsARiseOfTheErrorRateWithin300Values() {
        Streams.Run[] runs = Streams.errorRateRises(Adwin::standard, SEEDS);
        System.out.printf("adwin: error rate 0.15 -> 0.6 after 5,000 values detected after %s values (median %d)%n",
                Arrays.toString(Arrays.stream(runs).mapToInt(Streams.Run::delay).toArray()),
                Streams.Run.medianDelay(runs));
        assertThat(runs).allSatisfy(run -> assertThat(run).isEqualTo(new Streams.Run(0, run.delay())))
                .allSatisfy(run -> assertThat(run.delay()).isBetween(1, 300));
    }

    @Test
    void aStationaryErrorRateRaisesNoAlarmAndItsWindowHoldsItAll() {
        for (long seed : new long[] {1, 2, 3}) {
            SplittableRandom random = new SplittableRandom(seed);
            Adwin detector = Adwin.standard();
            long errors = 0;
            for (int i = 0; i < 50_000; i++) {
                double error = Streams.error(random, 0.15);
                errors += (long) error;
                assertThat(detector.add(error)).as("seed %d, value %d", seed, i).isFalse();
            }
            assertThat(detector.width()).isEqualTo(50_000);
            assertThat(detector.count()).isEqualTo(50_000);
            assertThat(detector.mean()).isEqualTo(errors / 50_000.0);
        }
    }

    @Test
    void aFallingErrorRateRaisesNoAlarmButShrinksTheWindow() {
        for (long seed : new long[] {1, 2, 3}) {
            SplittableRandom random = new SplittableRandom(seed);
            Adwin detector = Adwin.standard();
            assertThat(Streams.run(detector, 5000, () -> Streams.error(random, 0.6), 10_000,
                    () -> Streams.error(random, 0.15))).isEqualTo(new Streams.Run(0, 10_001));
            assertThat(detector.count()).isEqualTo(15_000);
            assertThat(detector.width()).isBetween(9_000L, 10_500L);
            assertThat(detector.mean()).isCloseTo(0.15, within(0.02));
        }
    }

    @Test
    void detectsARiseOfTheLoss() {
        for (long seed : SEEDS) {
            SplittableRandom random = new SplittableRandom(seed);
            Streams.Run run = Streams.run(Adwin.standard(), 5000, () -> Streams.loss(random, 0.3), 2000,
                    () -> Streams.loss(random, 1));
            assertThat(run.earlyAlarms()).isZero();
            assertThat(run.delay()).isBetween(1, 300);
        }
    }

    @Test
    void aRiseShrinksTheWindowToTheValuesAfterIt() {
        SplittableRandom random = new SplittableRandom(11);
        Adwin detector = Adwin.standard();
        Streams.Run run = Streams.run(detector, 5000, () -> Streams.error(random, 0.15), 1000,
                () -> Streams.error(random, 0.6));
        assertThat(run.earlyAlarms()).isZero();
        assertThat(detector.count()).isZero();
        assertThat(detector.statistic()).isGreaterThan(0.2);
        assertThat(detector.width()).isLessThan(5000 + run.delay()).isGreaterThanOrEqualTo(10);
        Streams.alarms(detector, 1000, () -> Streams.error(random, 0.6));
        assertThat(detector.width()).isLessThan(1000 + run.delay() + 100);
        assertThat(detector.mean()).isCloseTo(0.6, within(0.05));
        assertThat(detector.count()).isEqualTo(1000);
    }

    @Test
    void itsBucketsStayFewAsItsWindowGrows() {
        SplittableRandom random = new SplittableRandom(5);
        Adwin detector = Adwin.standard();
        for (int i = 0; i < 300_000; i++) {
            detector.add(i % 100_000 < 50_000 ? Streams.error(random, 0.1) : Streams.loss(random, 2));
            double bound = 5 * (Math.log(detector.width()) / Math.log(2) + 1);
            if (detector.buckets() > bound) {
                assertThat(detector.buckets()).as("buckets of a window of %d", detector.width())
                        .isLessThanOrEqualTo((int) bound);
            }
        }
        assertThat(detector.buckets()).isLessThanOrEqualTo(5 * 19);
    }

    @Test
    void checksTheCutsEvery32Adds() {
        Adwin detector = new Adwin(0.1);
        for (int i = 1; i <= 200; i++) {
            boolean detected = detector.add(i <= 100 ? 0 : 1);
            if (i % 32 != 0) {
                assertThat(detected).isFalse();
                assertThat(detector.statistic()).isZero();
            } else if (i > 100) {
                assertThat(detected).as("add %d", i).isTrue();
                assertThat(detector.statistic()).isGreaterThan(0.5);
                return;
            }
        }
        throw new AssertionError("no detection");
    }

    @Test
    void itsWindowIsTheValuesAddedWhileNothingChanged() {
        Adwin detector = Adwin.standard();
        for (int i = 1; i <= 5; i++) {
            detector.add(i);
        }
        assertThat(detector.width()).isEqualTo(5);
        assertThat(detector.mean()).isEqualTo(3);
        assertThat(detector.count()).isEqualTo(5);
        assertThat(detector.statistic()).isZero();
        assertThat(Adwin.standard().mean()).isZero();
        assertThat(Adwin.standard().width()).isZero();
    }

    @Test
    void refusesADeltaOutOfRange() {
        for (double delta : new double[] {0, 1, -0.5, 1.5, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThatThrownBy(() -> new Adwin(delta)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("adwin delta must be greater than 0 and less than 1, was " + delta);
        }
        assertThat(new Adwin(Double.MIN_VALUE).name()).isEqualTo("adwin");
        assertThat(new Adwin(Math.nextDown(1.0)).name()).isEqualTo("adwin");
    }

    @Test
    void refusesValuesThatAreNotFiniteAndStaysAsItWas() {
        Adwin detector = Adwin.standard();
        detector.add(0.5);
        for (double value : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
            assertThatThrownBy(() -> detector.add(value)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("adwin: a value must be a finite number, was " + value);
        }
        assertThat(detector.count()).isEqualTo(1);
        assertThat(detector.width()).isEqualTo(1);
        assertThat(detector.mean()).isEqualTo(0.5);
    }

    @Test
    void hugeValuesDoNotMakeItThrow() {
        Adwin detector = Adwin.standard();
        for (int i = 0; i < 1000; i++) {
            detector.add(i % 7 == 0 ? 1e300 : -1e300);
        }
        assertThat(detector.width()).isPositive();
        assertThat(detector.name()).isEqualTo("adwin");
    }

    @Test
    void standardSettingsAndName() {
        assertThat(Adwin.standard()).hasToString("adwin(delta=0.002, width=0, mean=0.0, count=0, statistic=0.0)");
        assertThat(Adwin.standard().name()).isEqualTo("adwin");
    }
}
