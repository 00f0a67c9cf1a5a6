package io.streamtrain.connect.config;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/** A list of distinct, non-blank entries, optionally restricted to identifier characters. */
public final class UniqueNames implements ConfigDef.Validator {

    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z0-9_-]+");

    private final boolean identifiers;

    private UniqueNames(boolean identifiers) {
        this.identifiers = identifiers;
    }

    /** Distinct non-blank entries of any text (class names, vocabularies). */
    public static UniqueNames anyText() {
        return new UniqueNames(false);
    }

    /** Distinct names of A-Z a-z 0-9 _ - (feature names, which become parts of configuration keys). */
    public static UniqueNames identifiers() {
        return new UniqueNames(true);
    }

    @Override
    public void ensureValid(String name, Object value) {
        if (value == null) {
            return;
        }
        Set<String> seen = new HashSet<>();
        for (Object item : (List<?>) value) {
            String text = String.valueOf(item);
            if (text.isBlank()) {
                throw new ConfigException(name, value, "has an empty entry; must be " + this);
            }
            if (identifiers && !IDENTIFIER.matcher(text).matches()) {
                throw new ConfigException(name, value, "'" + text + "' is not allowed; must be " + this);
            }
            if (!seen.add(text)) {
                throw new ConfigException(name, value, "lists '" + text + "' twice; must be " + this);
            }
        }
    }

    @Override
    public String toString() {
        return identifiers ? "a list of distinct names of the characters A-Z a-z 0-9 _ -"
                : "a list of distinct, non-empty entries";
    }
}
