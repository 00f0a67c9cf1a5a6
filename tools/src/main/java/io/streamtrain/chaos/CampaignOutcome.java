package io.streamtrain.chaos;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What a campaign did and found.
 *
 * @param scenario its name
 * @param tried what was done, in words, for the "what was tried" column
 * @param seed the seed of its random choices (fault points, victims, data): the same seed picks the same points
 * @param disruptions the faults, in order
 * @param figures its figures, in the order they are reported
 * @param checks the invariants checked afterwards
 * @param wallTime from the first example produced to the last check
 * @param perModel a Markdown table of the figures per model (or per source partition)
 * @param diagnostics log tails of the components, for a failed check
 */
public record CampaignOutcome(String scenario, String tried, long seed, List<Disruption> disruptions,
        Map<String, String> figures, List<Check> checks, Duration wallTime, String perModel, String diagnostics) {

    public CampaignOutcome {
        disruptions = List.copyOf(disruptions);
        figures = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(figures));
        checks = List.copyOf(checks);
    }

    /** Whether every check held. */
    public boolean held() {
        return checks.stream().allMatch(Check::held);
    }

    /** The checks that did not hold. */
    public List<Check> failed() {
        return checks.stream().filter(c -> !c.held()).toList();
    }

    /** How many faults of a kind were injected. */
    public long count(Disruption.Kind kind) {
        return disruptions.stream().filter(d -> d.kind() == kind).count();
    }
}
