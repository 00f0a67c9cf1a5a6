package io.streamtrain.connect.config;

import io.streamtrain.connect.mapping.FieldPath;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/** A field path ({@link FieldPath}), or unset when {@code optional}. */
public final class FieldPathSyntax implements ConfigDef.Validator {

    private final boolean optional;

    private FieldPathSyntax(boolean optional) {
        this.optional = optional;
    }

    /** A path that must be given. */
    public static FieldPathSyntax required() {
        return new FieldPathSyntax(false);
    }

    /** A path, or unset. */
    public static FieldPathSyntax optional() {
        return new FieldPathSyntax(true);
    }

    @Override
    public void ensureValid(String name, Object value) {
        if (value == null) {
            if (!optional) {
                throw new ConfigException(name, null, "must be " + this);
            }
            return;
        }
        try {
            FieldPath.parse(value.toString());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(name, value, e.getMessage() + "; must be " + this);
        }
    }

    @Override
    public String toString() {
        return (optional ? "unset, or " : "")
                + "a dotted path into the record value such as payment.amount ($key.x for the record key, \\. for a dot"
                + " in a name)";
    }
}
