package io.streamtrain.connect.mapping;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Date;
import java.util.List;
import java.util.Map;

import org.apache.kafka.connect.data.Struct;

/**
 * Reads the Java values that Connect converters produce (JSON with or without schemas, Avro, Protobuf) as the
 * few kinds the mapping needs, strictly: a string is never silently parsed as a number. A value that does not fit
 * raises {@link Problem}, which the caller turns into a {@link MappingException} naming its field.
 */
final class Values {

    private static final int SHOWN_CHARACTERS = 40;

    /** A value broke a rule; the caller knows the field. Carries no stack trace: it is routine for bad input. */
    static final class Problem extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final String rule;

        Problem(String rule, String problem) {
            super(problem, null, false, false);
            this.rule = rule;
        }

        String rule() {
            return rule;
        }

        MappingException at(String field) {
            return new MappingException(field, rule, getMessage());
        }
    }

    private Values() {
    }

    /** A finite double of any {@link Number}. */
    static double finiteNumber(Object value) {
        if (!(value instanceof Number number)) {
            throw new Problem(MappingException.WRONG_TYPE, "expected a number, got " + describe(value));
        }
        double d = number.doubleValue();
        if (!Double.isFinite(d)) {
            throw new Problem(MappingException.NON_FINITE, d + " is not a finite number");
        }
        return d;
    }

    /**
     * The text a categorical value or class label is looked up by: a string as it is, a whole number without a
     * fraction ({@code 3}, also for {@code 3.0}), a boolean as {@code true}/{@code false}.
     */
    static String categoryText(Object value) {
        if (value instanceof CharSequence text) {
            return text.toString();
        }
        if (value instanceof Boolean b) {
            return b.toString();
        }
        if (isWholeNumberType(value)) {
            return value.toString();
        }
        if (value instanceof Number n) {
            double d = n.doubleValue();
            if (!Double.isFinite(d)) {
                throw new Problem(MappingException.NON_FINITE, d + " is not a finite number");
            }
            BigDecimal decimal = value instanceof BigDecimal big ? big : new BigDecimal(Double.toString(d));
            return decimal.stripTrailingZeros().toPlainString();
        }
        throw new Problem(MappingException.WRONG_TYPE,
                "expected a string, number or boolean, got " + describe(value));
    }

    /** A non-blank identifier from a string or a whole number. */
    static String identifier(Object value) {
        String text;
        if (value instanceof CharSequence chars) {
            text = chars.toString();
        } else if (isWholeNumberType(value)) {
            text = value.toString();
        } else {
            throw new Problem(MappingException.WRONG_TYPE,
                    "expected a string or a whole number, got " + describe(value));
        }
        if (text.isBlank()) {
            throw new Problem(MappingException.INVALID_VALUE, "the value is empty");
        }
        return text;
    }

    /**
     * Milliseconds since the epoch: a whole number (epoch millis), a {@link Date} (Connect's Timestamp and Date
     * logical types, Avro's timestamp-millis through a converter) or an ISO-8601 instant string.
     */
    static long epochMillis(Object value) {
        if (value instanceof Date date) {
            return date.getTime();
        }
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (value instanceof CharSequence text) {
            try {
                return Instant.parse(text).toEpochMilli();
            } catch (DateTimeParseException e) {
                throw new Problem(MappingException.INVALID_VALUE, "'" + shorten(text.toString())
                        + "' is not an ISO-8601 instant such as 2024-05-01T12:00:00Z");
            }
        }
        throw new Problem(MappingException.WRONG_TYPE,
                "expected epoch milliseconds, a timestamp or an ISO-8601 string, got " + describe(value));
    }

    private static boolean isWholeNumberType(Object value) {
        return value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte
                || value instanceof BigInteger;
    }

    /** What a value is, for messages: its kind and a short excerpt, never a whole payload. */
    static String describe(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof CharSequence text) {
            return "a string ('" + shorten(text.toString()) + "')";
        }
        if (value instanceof Boolean) {
            return "a boolean (" + value + ")";
        }
        if (value instanceof Number) {
            return "a number (" + value + ")";
        }
        if (value instanceof Struct struct) {
            String name = struct.schema().name();
            return "a struct" + (name == null ? "" : " (" + name + ")");
        }
        if (value instanceof Map) {
            return "a map";
        }
        if (value instanceof List<?> list) {
            return "a list of " + list.size();
        }
        if (value instanceof byte[] || value instanceof java.nio.ByteBuffer) {
            return "bytes";
        }
        return "a " + value.getClass().getSimpleName();
    }

    private static String shorten(String text) {
        return text.length() <= SHOWN_CHARACTERS ? text : text.substring(0, SHOWN_CHARACTERS) + "...";
    }
}
