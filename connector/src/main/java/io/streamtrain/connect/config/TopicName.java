package io.streamtrain.connect.config;

import java.util.regex.Pattern;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/** A legal Kafka topic name (or prefix of one); empty allowed when {@code emptyAllowed}. */
public final class TopicName implements ConfigDef.Validator {

    private static final Pattern LEGAL = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    private final boolean emptyAllowed;

    private TopicName(boolean emptyAllowed) {
        this.emptyAllowed = emptyAllowed;
    }

    /** A non-empty topic name. */
    public static TopicName required() {
        return new TopicName(false);
    }

    /** A topic name, or empty for "derive it". */
    public static TopicName orEmpty() {
        return new TopicName(true);
    }

    @Override
    public void ensureValid(String name, Object value) {
        String text = value == null ? "" : value.toString().trim();
        if (text.isEmpty()) {
            if (!emptyAllowed) {
                throw new ConfigException(name, value, "must not be empty");
            }
            return;
        }
        if (!LEGAL.matcher(text).matches() || text.equals(".") || text.equals("..")) {
            throw new ConfigException(name, value, "must be " + this);
        }
    }

    @Override
    public String toString() {
        return (emptyAllowed ? "empty, or " : "") + "1 to 249 of the characters a-z A-Z 0-9 . _ -";
    }
}
