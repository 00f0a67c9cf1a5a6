package io.streamtrain.learn;

import java.util.Objects;

/**
 * Why an example cannot be used: the field at fault, a short stable rule code and a message for people.
 *
 * @param field   the field at fault, e.g. {@code features}, {@code features[3]} or {@code label}
 * @param rule    one of the stable codes {@link ExampleCheck#FEATURE_COUNT}, {@link ExampleCheck#NON_FINITE},
 *                {@link ExampleCheck#UNKNOWN_CLASS}, {@link ExampleCheck#LABEL_KIND},
 *                {@link ExampleCheck#NEGATIVE_WEIGHT}
 * @param message what was wrong and what was expected
 */
public record Rejection(String field, String rule, String message) {

    public Rejection {
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        return field + ": " + message + " [" + rule + "]";
    }
}
