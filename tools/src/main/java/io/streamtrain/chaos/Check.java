package io.streamtrain.chaos;

/**
 * One invariant a campaign checked after its faults, with what it expected and what it found.
 *
 * @param invariant what must hold, in words
 * @param expected the figure it must have
 * @param observed the figure found
 * @param held whether it held
 */
public record Check(String invariant, String expected, String observed, boolean held) {

    static Check equal(String invariant, long expected, long observed) {
        return new Check(invariant, ChaosReport.count(expected), ChaosReport.count(observed), expected == observed);
    }
}
