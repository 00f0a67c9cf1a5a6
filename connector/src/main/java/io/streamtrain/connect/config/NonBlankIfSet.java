package io.streamtrain.connect.config;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/** Unset, or a non-blank string or password; the value of a password never appears in the error. */
public final class NonBlankIfSet implements ConfigDef.Validator {

    @Override
    public void ensureValid(String name, Object value) {
        if (value == null) {
            return;
        }
        String text = value instanceof Password password ? password.value() : value.toString();
        if (text.isBlank()) {
            throw new ConfigException(name + " must be " + this);
        }
    }

    @Override
    public String toString() {
        return "unset, or not empty";
    }
}
