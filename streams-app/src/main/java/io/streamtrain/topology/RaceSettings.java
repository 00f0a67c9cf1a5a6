package io.streamtrain.topology;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;

import io.streamtrain.learn.baseline.Baseline;

/**
 * Shallow baselines racing each classification model's network on the same examples, test-then-train, and whether
 * the predictions follow the leader.
 *
 * @param baselines names of the baselines ({@link Baseline#NAMES}); empty: no race
 * @param window    about how many of the last labeled examples the windowed loss and accuracy weigh
 * @param champion  whether each prediction comes from the race's champion instead of always from the network
 * @param margin    how much lower (relatively) a challenger's windowed loss must be than the champion's to take the lead
 * @param patience  for how many labeled examples in a row it must be so
 */
public record RaceSettings(List<String> baselines, int window, boolean champion, double margin, int patience) {

    public RaceSettings {
        baselines = List.copyOf(Objects.requireNonNull(baselines, "baselines"));
        for (String name : baselines) {
            if (!Baseline.NAMES.contains(name)) {
                throw new IllegalArgumentException("unknown baseline '" + name + "': one of " + Baseline.NAMES);
            }
        }
        if (new HashSet<>(baselines).size() != baselines.size()) {
            throw new IllegalArgumentException("a baseline is named twice: " + baselines);
        }
        if (window < 1) {
            throw new IllegalArgumentException("the window must be at least 1 example, was " + window);
        }
        if (!(margin >= 0 && margin < 1)) {
            throw new IllegalArgumentException("the margin must be in [0, 1), was " + margin);
        }
        if (patience < 0) {
            throw new IllegalArgumentException("the patience must be at least 0, was " + patience);
        }
        if (champion && baselines.isEmpty()) {
            throw new IllegalArgumentException("predictions from the champion need baselines to race");
        }
    }

    /** No race: the network alone. */
    public static RaceSettings off() {
        return new RaceSettings(List.of(), 1_000, false, 0.05, 500);
    }

    /** Whether baselines race the network. */
    public boolean enabled() {
        return !baselines.isEmpty();
    }
}
