package io.streamtrain.connect.mapping;

import java.math.BigDecimal;
import java.math.BigInteger;
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
    /** The most digits after (or zeros before) the decimal point a number's category text is written with. */
    private static final int MAX_PLAIN_SCALE = 1000;

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
            BigDecimal decimal = (value instanceof BigDecimal big ? big : new BigDecimal(Double.toString(d)))
                    .stripTrailingZeros();
            // a decimal such as 1E-1000000000 would be a gigabyte of plain digits; no category is that long
            return Math.abs((long) decimal.scale()) > MAX_PLAIN_SCALE ? decimal.toString() : decimal.toPlainString();
        }
        throw new Problem(MappingException.WRONG_TYPE,
                "expected a string, number or boolean, got " + describe(value));
    }

    /** A non-blank identifier from a string or a whole number. */
    static String identifier(Object value) {
        String text = identifierText(value);
        if (text.isBlank()) {
            throw new Problem(MappingException.INVALID_VALUE, "the value is empty");
        }
        return text;
    }

    /** The text of an identifier, a string as it is or a whole number in decimal, not yet checked. */
    static String identifierText(Object value) {
        if (value instanceof CharSequence chars) {
            return chars.toString();
        }
        if (isWholeNumberType(value)) {
            return value.toString();
        }
        throw new Problem(MappingException.WRONG_TYPE, "expected a string or a whole number, got " + describe(value));
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
            return "a string ('" + excerpt(text.toString()) + "')";
        }
        if (value instanceof Boolean) {
            return "a boolean (" + value + ")";
        }
        if (value instanceof Number) {
            return "a number (" + excerpt(value.toString()) + ")";
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

    /** The start of a text, for messages: a DLQ header must not repeat a whole payload. */
    static String excerpt(String text) {
        return text.length() <= SHOWN_CHARACTERS ? text : text.substring(0, SHOWN_CHARACTERS) + "...";
    }
}
