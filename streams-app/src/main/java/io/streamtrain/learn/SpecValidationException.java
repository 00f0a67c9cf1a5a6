package io.streamtrain.learn;

import java.util.List;

/**
 * A network spec that cannot be used, with every problem found: each names the field path and the rule, for
 * example {@code layers[2].units: must be a positive integer, was -3}.
 */
public class SpecValidationException extends RuntimeException {

    private final List<String> violations;

    public SpecValidationException(String source, List<String> violations) {
        super(message(source, violations));
        this.violations = List.copyOf(violations);
    }

    /** Every problem found, in the order of the spec. */
    public List<String> violations() {
        return violations;
    }

    private static String message(String source, List<String> violations) {
        StringBuilder b = new StringBuilder("invalid network spec");
        if (source != null) {
            b.append(' ').append(source);
        }
        b.append(" (").append(violations.size()).append(violations.size() == 1 ? " problem):" : " problems):");
        for (String v : violations) {
            b.append("\n  - ").append(v);
        }
        return b.toString();
    }
}
