package io.streamtrain.learn.drift;

import java.util.List;
import java.util.Locale;

/**
 * How a model's stream is watched for drift, and what is done when a detector fires.
 *
 * @param detectors the detectors by name ({@code page-hinkley}, {@code adwin}); empty: no drift detection
 * @param signal what they watch
 * @param action what the learner does on a detection
 * @param lrFactor {@link Action#RAISE_LR}: the learning rate is multiplied by this
 * @param lrSteps {@link Action#RAISE_LR}: for this many training steps after the last detection
 * @param pageHinkleyLambda Page-Hinkley's threshold: how far its cumulative deviation may rise above its minimum
 * @param adwinDelta ADWIN's confidence: the smaller, the surer it must be of a change
 */
public record DriftSettings(List<String> detectors, Signal signal, Action action, double lrFactor, int lrSteps,
        double pageHinkleyLambda, double adwinDelta) {

    /**
     * {@link Action#ROLLBACK}: how many examples before a detection the drift is taken to have begun. The detectors
     * find an abrupt change within this many examples (bench drift: 39 for ADWIN, ~120 for Page-Hinkley).
     */
    public static final int ROLLBACK_LOOKBACK = 300;

    /** The detectors there are. */
    public static final List<String> DETECTORS = List.of("page-hinkley", "adwin");

    /** What the detectors watch, per labeled example scored when it came. */
    public enum Signal {
        /** 1 for a wrong class, else 0 (classification); a regression model's detectors watch its loss. */
        ERROR,
        /** The prediction's loss. */
        LOSS;

        public String text() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** What the learner does on a detection. */
    public enum Action {
        /** Only the event. */
        NONE,
        /** The learning rate times {@code lrFactor} for {@code lrSteps} steps, then back to what it was. */
        RAISE_LR,
        /** The optimizer's state zeroed: it adapts again from the new gradients. */
        RESET_OPTIMIZER,
        /**
         * Back to the parameters and optimizer state of the newest kept snapshot taken before the drift: at least
         * {@link DriftSettings#ROLLBACK_LOOKBACK} examples' worth of training steps before the detection.
         */
        ROLLBACK,
        /** The model's replay reservoir emptied, so that steps stop replaying the old concept; it fills again. */
        CLEAR_REPLAY;

        public String text() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        /** The action a setting names: {@link #text()} of one of them. */
        public static Action of(String text) {
            for (Action a : values()) {
                if (a.text().equals(text)) {
                    return a;
                }
            }
            throw new IllegalArgumentException("unknown drift action '" + text + "': one of none, raise-lr, "
                    + "reset-optimizer, rollback, clear-replay");
        }
    }

    public DriftSettings {
        detectors = List.copyOf(detectors);
        for (String d : detectors) {
            if (!DETECTORS.contains(d)) {
                throw new IllegalArgumentException("unknown drift detector '" + d + "': one of " + DETECTORS);
            }
        }
        if (detectors.stream().distinct().count() != detectors.size()) {
            throw new IllegalArgumentException("a drift detector is named twice: " + detectors);
        }
        if (!(lrFactor > 0) || Double.isInfinite(lrFactor)) {
            throw new IllegalArgumentException("the drift learning-rate factor must be finite and above 0, was "
                    + lrFactor);
        }
        if (lrSteps < 1) {
            throw new IllegalArgumentException("the drift learning-rate steps must be at least 1, was " + lrSteps);
        }
        if (!(pageHinkleyLambda > 0) || Double.isInfinite(pageHinkleyLambda)) {
            throw new IllegalArgumentException("Page-Hinkley's lambda must be finite and above 0, was "
                    + pageHinkleyLambda);
        }
        if (!(adwinDelta > 0 && adwinDelta < 1)) {
            throw new IllegalArgumentException("ADWIN's delta must be above 0 and below 1, was " + adwinDelta);
        }
    }

    /** No drift detection. */
    public static DriftSettings off() {
        return new DriftSettings(List.of(), Signal.ERROR, Action.NONE, 2, 50, 50, 0.002);
    }

    public boolean enabled() {
        return !detectors.isEmpty();
    }

    /** A fresh detector of this name, with these settings. */
    DriftDetector detector(String name) {
        return switch (name) {
            case "page-hinkley" -> new PageHinkley(0.02, pageHinkleyLambda, 1, 30);
            case "adwin" -> new Adwin(adwinDelta);
            default -> throw new IllegalArgumentException("unknown drift detector '" + name + "'");
        };
    }
}
