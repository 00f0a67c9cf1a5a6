package io.streamtrain.connect.mapping;

import java.util.Date;
import java.util.List;
import java.util.Map;

/**
 * A generated value for one field and what the mapping must make of it: valid, with the value the output must carry;
 * bad, breaking one known rule; or junk of any type, for which any rule or none may apply.
 *
 * @param kind     what was drawn, for failures and the tally, e.g. "time: Long.MIN_VALUE"
 * @param value    the field's value; {@link #MISSING} for a record without the field
 * @param rule     null when valid, the rule it breaks, or {@link #ANY_RULE} for junk
 * @param expected what a valid value becomes (the id's text, the time in epoch millis, the feature's floats, ...)
 */
record Drawn(String kind, Object value, String rule, Object expected) {

    /** The value of a field the record does not have. */
    static final Object MISSING = new Object() {
        @Override
        public String toString() {
            return "(missing)";
        }
    };

    /** The rule of junk: anything, or nothing, may be wrong with it. */
    static final String ANY_RULE = "(any rule)";

    static Drawn valid(String kind, Object value, Object expected) {
        return new Drawn(kind, value, null, expected);
    }

    static Drawn bad(String kind, Object value, String rule) {
        return new Drawn(kind, value, rule, null);
    }

    static Drawn junk(String field, Object value) {
        String type = value == null ? "null" : value == MISSING ? "(missing)" : value.getClass().getSimpleName();
        return new Drawn(field + ": junk " + type, value, ANY_RULE, null);
    }

    boolean isValid() {
        return rule == null;
    }

    /** Whether the value breaks a known rule (junk may, or may not). */
    boolean isBad() {
        return rule != null && !rule.equals(ANY_RULE);
    }

    @Override
    public String toString() {
        return kind + " = " + show(value);
    }

    /** A value as a failure shows it: short, with control characters and surrogates escaped. */
    static String show(Object value) {
        if (value instanceof String text) {
            StringBuilder shown = new StringBuilder("\"");
            for (int i = 0; i < Math.min(text.length(), 40); i++) {
                char c = text.charAt(i);
                shown.append(c >= ' ' && c < 0x7F ? String.valueOf(c) : String.format("\\u%04X", (int) c));
            }
            return shown.append(text.length() > 40 ? "...\" (" + text.length() + " chars)" : "\"").toString();
        }
        if (value instanceof List<?> list) {
            return list.size() <= 5 ? "[" + String.join(", ", list.stream().map(Drawn::show).toList()) + "]"
                    : "a list of " + list.size();
        }
        if (value instanceof Map<?, ?> map) {
            return "a map of " + map.size();
        }
        if (value instanceof Date date) {
            return date.getTime() + " ms (Date)";
        }
        String text = String.valueOf(value);
        String type = value == null || value == MISSING ? "" : " (" + value.getClass().getSimpleName() + ")";
        return (text.length() > 60 ? text.substring(0, 60) + "... (" + text.length() + " chars)" : text) + type;
    }
}
