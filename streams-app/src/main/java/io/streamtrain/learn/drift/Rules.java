package io.streamtrain.learn.drift;

/** The checks of the detectors' parameters and values, with messages that name the detector, the thing and the rule. */
final class Rules {

    private Rules() {
    }

    /** Refuses a value to add that is NaN or infinite. */
    static void finiteValue(String detector, double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException(detector + ": a value must be a finite number, was " + value);
        }
    }

    static double atLeastZero(String detector, String parameter, double value) {
        if (!(Double.isFinite(value) && value >= 0)) {
            throw invalid(detector, parameter, "must be a finite number at least 0", value);
        }
        return value;
    }

    static double positive(String detector, String parameter, double value) {
        if (!(Double.isFinite(value) && value > 0)) {
            throw invalid(detector, parameter, "must be a finite number greater than 0", value);
        }
        return value;
    }

    /** For a fading factor: {@code 0 < value <= 1}. */
    static double aboveZeroAtMostOne(String detector, String parameter, double value) {
        if (!(value > 0 && value <= 1)) {
            throw invalid(detector, parameter, "must be greater than 0 and at most 1", value);
        }
        return value;
    }

    /** For a confidence: {@code 0 < value < 1}. */
    static double betweenZeroAndOne(String detector, String parameter, double value) {
        if (!(value > 0 && value < 1)) {
            throw invalid(detector, parameter, "must be greater than 0 and less than 1", value);
        }
        return value;
    }

    static int atLeastOne(String detector, String parameter, int value) {
        if (value < 1) {
            throw invalid(detector, parameter, "must be at least 1", value);
        }
        return value;
    }

    private static IllegalArgumentException invalid(String detector, String parameter, String rule, Object value) {
        return new IllegalArgumentException(detector + " " + parameter + " " + rule + ", was " + value);
    }
}
