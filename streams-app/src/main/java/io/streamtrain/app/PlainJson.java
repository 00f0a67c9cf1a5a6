package io.streamtrain.app;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.SignStyle;
import java.time.temporal.ChronoField;
import java.util.Base64;
import java.util.Collection;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;

/**
 * An Avro datum as plain JSON, one line, for {@code jq} rather than for Avro: where Avro's own JSON encoding wraps
 * a union's value in an object named by its branch ({@code {"loss": {"double": 0.25}}}), this writes the value alone
 * ({@code {"loss": 0.25}}), so that {@code jq .loss} works. The rest:
 *
 * <ul>
 *   <li>records are objects with the fields in schema order; maps are objects; arrays are arrays; enums are their
 *       symbol; null is null; strings are strings;</li>
 *   <li>int and long are JSON integers, exact; float and double are the shortest decimal that reads back to the same
 *       value, and NaN, Infinity and -Infinity, which JSON has no number for, are the strings {@code "NaN"},
 *       {@code "Infinity"} and {@code "-Infinity"};</li>
 *   <li>{@code timestamp-millis}, {@code -micros} and {@code -nanos} are ISO-8601 instants in UTC with 3, 6 or 9
 *       fraction digits ({@code "2026-12-04T23:36:50.123Z"}; years past 9999 take a sign, {@code "+10000-..."});
 *       the {@code local-timestamp-*} kinds the same without the {@code Z}; {@code date} is {@code "2026-12-04"};
 *       {@code time-millis} and {@code time-micros} are {@code "23:36:50.123"} and {@code "23:36:50.123456"}; a
 *       time outside the day stays the number it is;</li>
 *   <li>{@code decimal} is a string of the exact decimal ({@code "12.34"}), since JSON readers such as {@code jq}
 *       read numbers as doubles;</li>
 *   <li>bytes and fixed are base64 strings ({@code jq -r '.value | @base64d'} turns them back).</li>
 * </ul>
 *
 * <p>{@link #line} escapes every character past ASCII ({@code "\u00e9"}), which JSON readers turn back, so that a
 * line is the same bytes whatever the charset of the terminal or the JVM.
 *
 * <p>It takes what Avro's generic reader returns, and the values of generated classes too ({@code Instant},
 * {@code LocalDate}, {@code BigDecimal}, ... for logical types). Stateless and thread-safe.
 */
public final class PlainJson {

    /** Escaping everything past ASCII keeps a line the same bytes whatever the terminal's charset is. */
    private static final JsonFactory JSON = JsonFactory.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();
    private static final GenericData MODEL = GenericData.get();

    private static final DateTimeFormatter DATE = new DateTimeFormatterBuilder()
            .appendValue(ChronoField.YEAR, 4, 10, SignStyle.EXCEEDS_PAD).appendLiteral('-')
            .appendValue(ChronoField.MONTH_OF_YEAR, 2).appendLiteral('-')
            .appendValue(ChronoField.DAY_OF_MONTH, 2)
            .toFormatter();
    static final DateTimeFormatter TIMESTAMP_MILLIS = timestamp(3, true);
    static final DateTimeFormatter TIMESTAMP_MICROS = timestamp(6, true);
    static final DateTimeFormatter TIMESTAMP_NANOS = timestamp(9, true);
    static final DateTimeFormatter LOCAL_TIMESTAMP_MILLIS = timestamp(3, false);
    static final DateTimeFormatter LOCAL_TIMESTAMP_MICROS = timestamp(6, false);
    static final DateTimeFormatter LOCAL_TIMESTAMP_NANOS = timestamp(9, false);
    static final DateTimeFormatter TIME_MILLIS = time(3);
    static final DateTimeFormatter TIME_MICROS = time(6);

    private static final long MILLIS_PER_DAY = 86_400_000L;

    private PlainJson() {
    }

    private static DateTimeFormatter timestamp(int fractionDigits, boolean utc) {
        DateTimeFormatterBuilder b = new DateTimeFormatterBuilder().append(DATE).appendLiteral('T')
                .append(time(fractionDigits));
        if (utc) {
            b.appendLiteral('Z');
        }
        return b.toFormatter().withZone(ZoneOffset.UTC);
    }

    private static DateTimeFormatter time(int fractionDigits) {
        return new DateTimeFormatterBuilder()
                .appendValue(ChronoField.HOUR_OF_DAY, 2).appendLiteral(':')
                .appendValue(ChronoField.MINUTE_OF_HOUR, 2).appendLiteral(':')
                .appendValue(ChronoField.SECOND_OF_MINUTE, 2)
                .appendFraction(ChronoField.NANO_OF_SECOND, fractionDigits, fractionDigits, true)
                .toFormatter();
    }

    /** {@code datum} of {@code schema} as one line of JSON, without a line break. */
    public static String line(Object datum, Schema schema) {
        StringWriter out = new StringWriter();
        try (JsonGenerator json = JSON.createGenerator(out)) {
            write(json, datum, schema);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write JSON to memory", e);
        }
        return out.toString();
    }

    /**
     * Writes {@code datum} of {@code schema} to {@code json}. The datum is as an Avro reader returns it for that
     * schema; one of another shape fails with the {@code ClassCastException} or the {@code AvroRuntimeException} of
     * the value that does not fit.
     */
    public static void write(JsonGenerator json, Object datum, Schema schema) throws IOException {
        LogicalType logical = schema.getLogicalType();
        switch (schema.getType()) {
            case NULL -> json.writeNull();
            case BOOLEAN -> json.writeBoolean((Boolean) datum);
            case INT -> writeInt(json, asInt(datum), logical);
            case LONG -> writeLong(json, asLong(datum, logical), logical);
            case FLOAT -> writeFloat(json, ((Number) datum).floatValue());
            case DOUBLE -> writeDouble(json, ((Number) datum).doubleValue());
            case STRING -> json.writeString(datum.toString());
            case ENUM -> json.writeString(datum.toString());
            case BYTES, FIXED -> {
                if (datum instanceof BigDecimal decimal) {
                    json.writeString(decimal.toPlainString());
                } else {
                    writeBytes(json, datum instanceof ByteBuffer buffer ? bytes(buffer)
                            : ((GenericFixed) datum).bytes(), logical);
                }
            }
            case ARRAY -> {
                json.writeStartArray();
                for (Object item : (Collection<?>) datum) {
                    write(json, item, schema.getElementType());
                }
                json.writeEndArray();
            }
            case MAP -> {
                json.writeStartObject();
                for (Map.Entry<?, ?> entry : ((Map<?, ?>) datum).entrySet()) {
                    json.writeFieldName(entry.getKey().toString());
                    write(json, entry.getValue(), schema.getValueType());
                }
                json.writeEndObject();
            }
            case RECORD -> {
                IndexedRecord record = (IndexedRecord) datum;
                json.writeStartObject();
                for (Schema.Field field : schema.getFields()) {
                    json.writeFieldName(field.name());
                    write(json, record.get(field.pos()), field.schema());
                }
                json.writeEndObject();
            }
            // the value alone, without Avro's {"<branch>": value} wrapping
            case UNION -> write(json, datum, schema.getTypes().get(MODEL.resolveUnion(schema, datum)));
            default -> throw new IllegalArgumentException("no JSON for Avro type " + schema.getType());
        }
    }

    /** An int, or what a generated class holds for a logical type on an int (the date, the time of day). */
    private static int asInt(Object datum) {
        if (datum instanceof LocalDate date) {
            return Math.toIntExact(date.toEpochDay());
        }
        if (datum instanceof LocalTime time) {
            return Math.toIntExact(time.toNanoOfDay() / 1_000_000L);
        }
        return ((Number) datum).intValue();
    }

    /** A long, or what a generated class holds for a logical type on a long (an instant, a local time). */
    private static long asLong(Object datum, LogicalType logical) {
        Instant instant = datum instanceof Instant i ? i
                : datum instanceof LocalDateTime local ? local.toInstant(ZoneOffset.UTC) : null;
        if (instant != null) {
            if (logical instanceof LogicalTypes.TimestampMicros || logical instanceof LogicalTypes.LocalTimestampMicros) {
                return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1000);
            }
            if (logical instanceof LogicalTypes.TimestampNanos || logical instanceof LogicalTypes.LocalTimestampNanos) {
                return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000_000L), instant.getNano());
            }
            return instant.toEpochMilli();
        }
        if (datum instanceof LocalTime time) {
            return time.toNanoOfDay() / 1000;
        }
        return ((Number) datum).longValue();
    }

    private static void writeInt(JsonGenerator json, int value, LogicalType logical) throws IOException {
        if (logical instanceof LogicalTypes.Date) {
            json.writeString(DATE.format(LocalDate.ofEpochDay(value)));
        } else if (logical instanceof LogicalTypes.TimeMillis && value >= 0 && value < MILLIS_PER_DAY) {
            json.writeString(TIME_MILLIS.format(LocalTime.ofNanoOfDay(value * 1_000_000L)));
        } else {
            json.writeNumber(value);
        }
    }

    private static void writeLong(JsonGenerator json, long value, LogicalType logical) throws IOException {
        if (logical instanceof LogicalTypes.TimestampMillis) {
            json.writeString(TIMESTAMP_MILLIS.format(Instant.ofEpochMilli(value)));
        } else if (logical instanceof LogicalTypes.TimestampMicros) {
            json.writeString(TIMESTAMP_MICROS.format(micros(value)));
        } else if (logical instanceof LogicalTypes.TimestampNanos) {
            json.writeString(TIMESTAMP_NANOS.format(nanos(value)));
        } else if (logical instanceof LogicalTypes.LocalTimestampMillis) {
            json.writeString(LOCAL_TIMESTAMP_MILLIS.format(Instant.ofEpochMilli(value)));
        } else if (logical instanceof LogicalTypes.LocalTimestampMicros) {
            json.writeString(LOCAL_TIMESTAMP_MICROS.format(micros(value)));
        } else if (logical instanceof LogicalTypes.LocalTimestampNanos) {
            json.writeString(LOCAL_TIMESTAMP_NANOS.format(nanos(value)));
        } else if (logical instanceof LogicalTypes.TimeMicros && value >= 0 && value < MILLIS_PER_DAY * 1000) {
            json.writeString(TIME_MICROS.format(LocalTime.ofNanoOfDay(value * 1000)));
        } else {
            json.writeNumber(value);
        }
    }

    private static Instant micros(long value) {
        return Instant.ofEpochSecond(Math.floorDiv(value, 1_000_000L), Math.floorMod(value, 1_000_000L) * 1000);
    }

    private static Instant nanos(long value) {
        return Instant.ofEpochSecond(Math.floorDiv(value, 1_000_000_000L), Math.floorMod(value, 1_000_000_000L));
    }

    private static void writeFloat(JsonGenerator json, float value) throws IOException {
        if (Float.isFinite(value)) {
            json.writeNumber(value);
        } else {
            json.writeString(nonFinite(value));
        }
    }

    private static void writeDouble(JsonGenerator json, double value) throws IOException {
        if (Double.isFinite(value)) {
            json.writeNumber(value);
        } else {
            json.writeString(nonFinite(value));
        }
    }

    private static String nonFinite(double value) {
        return Double.isNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity";
    }

    private static void writeBytes(JsonGenerator json, byte[] bytes, LogicalType logical) throws IOException {
        if (logical instanceof LogicalTypes.Decimal decimal) {
            json.writeString(new BigDecimal(new BigInteger(bytes.length == 0 ? new byte[1] : bytes),
                    decimal.getScale()).toPlainString());
        } else {
            json.writeString(Base64.getEncoder().encodeToString(bytes));
        }
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }
}
