package io.streamtrain.connect.config;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import io.streamtrain.contract.RecordLimits;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * A list of distinct, non-blank entries, optionally restricted to identifier characters or to the length of a class
 * name.
 */
public final class UniqueNames implements ConfigDef.Validator {

    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z0-9_-]+");

    private final boolean identifiers;
    private final boolean classNames;

    private UniqueNames(boolean identifiers, boolean classNames) {
        this.identifiers = identifiers;
        this.classNames = classNames;
    }

    /** Distinct non-blank entries of any text (vocabularies). */
    public static UniqueNames anyText() {
        return new UniqueNames(false, false);
    }

    /**
     * Distinct non-blank class names of at most {@link RecordLimits#MAX_CLASS_NAME_CHARS} characters: a class name
     * is carried by every label and prediction, and the learner refuses longer ones.
     */
    public static UniqueNames classNames() {
        return new UniqueNames(false, true);
    }

    /** Distinct names of A-Z a-z 0-9 _ - (feature names, which become parts of configuration keys). */
    public static UniqueNames identifiers() {
        return new UniqueNames(true, false);
    }

    @Override
    public void ensureValid(String name, Object value) {
        if (value == null) {
            return;
        }
        Set<String> seen = new HashSet<>();
        int position = 0;
        for (Object item : (List<?>) value) {
            String text = String.valueOf(item);
            position++;
            if (text.isBlank()) {
                throw new ConfigException(name, value, "has an empty entry; must be " + this);
            }
            if (identifiers && !IDENTIFIER.matcher(text).matches()) {
                throw new ConfigException(name, value, "'" + text + "' is not allowed; must be " + this);
            }
            String classNameProblem = classNames ? RecordLimits.classNameProblem(text) : null;
            if (classNameProblem != null) {
                // without the value, unlike the other messages: it holds a name of over a thousand characters
                throw new ConfigException("Invalid value for configuration " + name + ": entry " + position + ": "
                        + classNameProblem + "; must be " + this);
            }
            if (!seen.add(text)) {
                throw new ConfigException(name, value, "lists '" + text + "' twice; must be " + this);
            }
        }
    }

    @Override
    public String toString() {
        if (identifiers) {
            return "a list of distinct names of the characters A-Z a-z 0-9 _ -";
        }
        return classNames ? "a list of distinct, non-empty names of at most " + RecordLimits.MAX_CLASS_NAME_CHARS
                + " characters" : "a list of distinct, non-empty entries";
    }
}
