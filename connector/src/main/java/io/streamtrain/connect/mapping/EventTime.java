package io.streamtrain.connect.mapping;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Date;

import io.streamtrain.contract.RecordLimits;

/**
 * Reads an event time as whole epoch milliseconds within {@link RecordLimits}: 1970-01-01T00:00:00Z to
 * 9999-12-31T23:59:59.999Z. The learner writes it into Avro {@code timestamp-millis} fields that other tools turn into
 * dates, so a time outside that range (or one that overflows a long on the way) is a bad record, not a valid example
 * from the far past or future. A value that does not fit raises {@link Values.Problem}; the caller knows the field.
 */
final class EventTime {

    private static final String RANGE = "0 (1970-01-01T00:00:00Z) to " + RecordLimits.MAX_EVENT_TIME_MS
            + " ms (9999-12-31T23:59:59.999Z)";
    private static final Instant EARLIEST = Instant.ofEpochMilli(RecordLimits.MIN_EVENT_TIME_MS);
    private static final Instant LATEST = Instant.ofEpochMilli(RecordLimits.MAX_EVENT_TIME_MS);
    private static final BigDecimal LATEST_MILLIS = BigDecimal.valueOf(RecordLimits.MAX_EVENT_TIME_MS);

    private EventTime() {
    }

    /**
     * Milliseconds since the epoch: a whole number (epoch millis; a double or decimal only when it has no fraction),
     * a {@link Date} (Connect's Timestamp and Date logical types, Avro's timestamp-millis through a converter) or an
     * ISO-8601 instant string, whose digits below the millisecond are dropped as the Avro field cannot hold them.
     *
     * @throws Values.Problem {@code invalid-value} outside the range, with a fraction or for an unparsable string;
     *                        {@code non-finite} for NaN and infinities; {@code wrong-type} for anything else
     */
    static long epochMillis(Object value) {
        if (value instanceof Date date) {
            return inRange(date.getTime());
        }
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return inRange(((Number) value).longValue());
        }
        if (value instanceof Double || value instanceof Float) {
            return fromDouble(((Number) value).doubleValue());
        }
        if (value instanceof BigInteger big) {
            return fromDecimal(new BigDecimal(big));
        }
        if (value instanceof BigDecimal decimal) {
            return fromDecimal(decimal);
        }
        if (value instanceof CharSequence text) {
            return fromIso(text.toString());
        }
        throw new Values.Problem(MappingException.WRONG_TYPE,
                "expected epoch milliseconds, a timestamp or an ISO-8601 string, got " + Values.describe(value));
    }

    private static long inRange(long millis) {
        String problem = RecordLimits.eventTimeProblem(millis);
        if (problem != null) {
            throw new Values.Problem(MappingException.INVALID_VALUE, problem);
        }
        return millis;
    }

    private static long fromDouble(double d) {
        if (!Double.isFinite(d)) {
            throw new Values.Problem(MappingException.NON_FINITE, "the event time " + d + " is not a finite number");
        }
        // -0.0 is 0; every whole double in range is exact, the range being far below 2^53
        if (d < RecordLimits.MIN_EVENT_TIME_MS || d > RecordLimits.MAX_EVENT_TIME_MS) {
            throw outside(Double.toString(d));
        }
        if (d != Math.floor(d)) {
            throw fraction(Double.toString(d));
        }
        return (long) d;
    }

    private static long fromDecimal(BigDecimal decimal) {
        // compared before anything else: a decimal such as 1E+999999999 is cheap to compare, not to expand
        if (decimal.signum() < 0 || decimal.compareTo(LATEST_MILLIS) > 0) {
            throw outside(Values.excerpt(decimal.toString()));
        }
        if (decimal.signum() != 0 && decimal.stripTrailingZeros().scale() > 0) {
            throw fraction(Values.excerpt(decimal.toString()));
        }
        return decimal.longValue();
    }

    private static long fromIso(String text) {
        Instant instant;
        try {
            instant = Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new Values.Problem(MappingException.INVALID_VALUE, "'" + Values.excerpt(text)
                    + "' is not an ISO-8601 instant such as 2024-05-01T12:00:00Z");
        }
        // before toEpochMilli, which overflows for instants beyond about 292 million years
        Instant millis = instant.truncatedTo(ChronoUnit.MILLIS);
        if (millis.isBefore(EARLIEST) || millis.isAfter(LATEST)) {
            throw new Values.Problem(MappingException.INVALID_VALUE, "the event time '" + Values.excerpt(text)
                    + "' is outside 1970-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z");
        }
        return millis.toEpochMilli();
    }

    private static Values.Problem outside(String shown) {
        return new Values.Problem(MappingException.INVALID_VALUE, "the event time " + shown + " ms is outside "
                + RANGE);
    }

    private static Values.Problem fraction(String shown) {
        return new Values.Problem(MappingException.INVALID_VALUE, "the event time " + shown
                + " ms has a fraction; it must be a whole number of milliseconds from " + RANGE);
    }
}
