package io.streamtrain.connect.config;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/** One of a fixed set of words, in any case. */
public final class OneOf implements ConfigDef.Validator, ConfigDef.Recommender {

    private final List<String> allowed;

    private OneOf(List<String> allowed) {
        this.allowed = List.copyOf(allowed);
    }

    /** The lower-case names of an enum's constants. */
    public static OneOf names(Class<? extends Enum<?>> type) {
        return new OneOf(Arrays.stream(type.getEnumConstants()).map(e -> e.name().toLowerCase(Locale.ROOT)).toList());
    }

    @Override
    public void ensureValid(String name, Object value) {
        String text = value == null ? null : value.toString().trim().toLowerCase(Locale.ROOT);
        if (text == null || !allowed.contains(text)) {
            throw new ConfigException(name, value, "must be " + this);
        }
    }

    @Override
    public List<Object> validValues(String name, java.util.Map<String, Object> parsedConfig) {
        return List.copyOf(allowed);
    }

    @Override
    public boolean visible(String name, java.util.Map<String, Object> parsedConfig) {
        return true;
    }

    @Override
    public String toString() {
        return "one of " + String.join(", ", allowed);
    }
}
