package io.streamtrain.learn.drift;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;

/** Seeded streams for the detectors' tests: a model's per-example errors (0 or 1) and loss-like values. */
final class Streams {

    private Streams() {
    }

    /** 1 with probability {@code p}, else 0: whether the model got an example wrong. */
    static double error(SplittableRandom random, double p) {
        return random.nextDouble() < p ? 1 : 0;
    }

    /** A loss-like value: exponential with mean {@code mean}, capped at 5. */
    static double loss(SplittableRandom random, double mean) {
        return Math.min(5, -mean * Math.log(1 - random.nextDouble()));
    }

    /** Where a detector first detected in a stream that changes after {@code before} values. */
    record Run(int earlyAlarms, int delay) {

        /** The median of the delays of some runs. */
        static int medianDelay(Run... runs) {
            int[] delays = Arrays.stream(runs).mapToInt(Run::delay).sorted().toArray();
            return delays[delays.length / 2];
        }
    }

    /**
     * Feeds {@code before} values of {@code old}, then up to {@code after} of {@code changed} until the detector
     * detects.
     *
     * @return the alarms before the change, and the values after it up to and including the one that detected
     *         ({@code after + 1} when none did)
     */
    static Run run(DriftDetector detector, int before, DoubleSupplier old, int after, DoubleSupplier changed) {
        int early = 0;
        for (int i = 0; i < before; i++) {
            if (detector.add(old.getAsDouble())) {
                early++;
            }
        }
        for (int i = 1; i <= after; i++) {
            if (detector.add(changed.getAsDouble())) {
                return new Run(early, i);
            }
        }
        return new Run(early, after + 1);
    }

    /** The detections in {@code n} values. */
    static int alarms(DriftDetector detector, int n, DoubleSupplier values) {
        int alarms = 0;
        for (int i = 0; i < n; i++) {
            if (detector.add(values.getAsDouble())) {
                alarms++;
            }
        }
        return alarms;
    }

    /** A fresh detector for each seed: the runs of an abrupt rise of the error rate from 0.15 to 0.6 after 5,000. */
    static Run[] errorRateRises(Supplier<DriftDetector> detector, long... seeds) {
        return Arrays.stream(seeds).mapToObj(seed -> {
            SplittableRandom random = new SplittableRandom(seed);
            return run(detector.get(), 5000, () -> error(random, 0.15), 1000, () -> error(random, 0.6));
        }).toArray(Run[]::new);
    }
}
