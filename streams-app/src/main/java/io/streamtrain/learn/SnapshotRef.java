package io.streamtrain.learn;

import java.util.OptionalLong;

import io.streamtrain.contract.RecordLimits;

/**
 * A snapshot of a model on the models topic, as a spec's {@code warmStart} names it: {@code topic:M@N} for version
 * {@code N} of model {@code M}, {@code topic:M} or {@code topic:M@latest} for the latest version that is complete
 * when the learner starts.
 *
 * @param model   the model whose snapshot it is
 * @param version the version, or empty for the latest
 */
public record SnapshotRef(String model, OptionalLong version) {

    /** How a spec's {@code warmStart} names a snapshot. */
    public static final String SCHEME = "topic:";

    public SnapshotRef {
        String problem = RecordLimits.modelIdProblem(model);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        if (version.isPresent() && version.getAsLong() < 0) {
            throw new IllegalArgumentException("a snapshot version is 0 or more, was " + version.getAsLong());
        }
    }

    /**
     * Reads {@code M@N}, {@code M@latest} or {@code M} (after the {@code topic:} scheme). The version is after the last
     * {@code @}, so a model id may itself hold one when the version is given.
     *
     * @throws IllegalArgumentException saying what is wrong with it
     */
    public static SnapshotRef parse(String text) {
        int at = text.lastIndexOf('@');
        if (at < 0) {
            return new SnapshotRef(text, OptionalLong.empty());
        }
        String model = text.substring(0, at);
        String version = text.substring(at + 1);
        if (version.equals("latest")) {
            return new SnapshotRef(model, OptionalLong.empty());
        }
        try {
            return new SnapshotRef(model, OptionalLong.of(Long.parseLong(version)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("the version after '@' must be a number or 'latest', was '" + version
                    + "'");
        }
    }

    @Override
    public String toString() {
        return SCHEME + model + "@" + (version.isPresent() ? String.valueOf(version.getAsLong()) : "latest");
    }
}
