package io.streamtrain.topology;

import java.util.List;
import java.util.Objects;

import io.streamtrain.learn.baseline.Baseline;
import io.streamtrain.learn.baseline.Race;

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
        Race.checkSettings(baselines, window, margin, patience);
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
