package io.streamtrain.registry;

import java.util.List;

/**
 * The registry's answer to a compatibility test.
 *
 * @param compatible whether the schema may be registered under the subject
 * @param messages   why not, as the registry words it (empty when compatible, or when the registry
 *                   gives no detail)
 */
public record CompatibilityResult(boolean compatible, List<String> messages) {

    /** Copies {@code messages} so the result is immutable. */
    public CompatibilityResult {
        messages = List.copyOf(messages);
    }

    /** The result for a subject that has no versions yet. */
    public static CompatibilityResult compatibleWithNothingRegistered() {
        return new CompatibilityResult(true, List.of());
    }
}
