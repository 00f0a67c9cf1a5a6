package io.streamtrain.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.streamtrain.embedded.Tries;
import io.streamtrain.registry.ConfluentAvroDeserializer;
import io.streamtrain.registry.ConfluentAvroSerializer;
import io.streamtrain.registry.InMemorySchemaRegistryClient;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

/**
 * Generated records of every Avro type, extreme values first among them (the ends of int and long, the smallest and
 * largest floats, NaN and the infinities, timestamps at the ends of the long range, empty and non-BMP strings,
 * control characters), written in the Confluent wire format and read back generically as {@code tail} reads them.
 * Every line is one line of printable ASCII that a strict JSON parser reads, with the fields in schema order, and
 * every value reads back from it to what was written: exact integers, floats and doubles that parse to the same
 * value, the strings for NaN and the infinities, instants that parse to the same count since the epoch, bytes that
 * decode from base64 to the same bytes, unions as their bare value.
 */
class PlainJsonProperties {

    private static final Schema TS_MILLIS = LogicalTypes.timestampMillis().addToSchema(Schema.create(Schema.Type.LONG));
    private static final Schema TS_MICROS = LogicalTypes.timestampMicros().addToSchema(Schema.create(Schema.Type.LONG));
    private static final Schema TS_NANOS = LogicalTypes.timestampNanos().addToSchema(Schema.create(Schema.Type.LONG));
    private static final Schema LOCAL_MILLIS =
            LogicalTypes.localTimestampMillis().addToSchema(Schema.create(Schema.Type.LONG));
    private static final Schema INNER = SchemaBuilder.record("Inner").fields()
            .name("i").type().intType().noDefault()
            .name("s").type().nullable().stringType().noDefault()
            .endRecord();
    private static final Schema ENUM = SchemaBuilder.enumeration("Color").symbols("RED", "GREEN", "BLUE");
    private static final Schema SCHEMA = SchemaBuilder.record("Everything").namespace("io.streamtrain.test").fields()
            .name("b").type().booleanType().noDefault()
            .name("i").type().intType().noDefault()
            .name("l").type().longType().noDefault()
            .name("f").type().floatType().noDefault()
            .name("d").type().doubleType().noDefault()
            .name("s").type().stringType().noDefault()
            .name("bytes").type().bytesType().noDefault()
            .name("fixed").type().fixed("Four").size(4).noDefault()
            .name("tsMillis").type(TS_MILLIS).noDefault()
            .name("tsMicros").type(TS_MICROS).noDefault()
            .name("tsNanos").type(TS_NANOS).noDefault()
            .name("localMillis").type(LOCAL_MILLIS).noDefault()
            .name("maybeDouble").type().unionOf().nullType().and().doubleType().endUnion().noDefault()
            .name("either").type().unionOf().nullType().and().stringType().and().longType().and().type(INNER)
            .endUnion().noDefault()
            .name("floats").type().array().items().floatType().noDefault()
            .name("counts").type().map().values().longType().noDefault()
            .name("inner").type(INNER).noDefault()
            .name("color").type(ENUM).noDefault()
            .endRecord();

    private static final long[] LONGS = {0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE + 1,
        Integer.MIN_VALUE, Integer.MAX_VALUE, 253_402_300_799_999L, -62_135_596_800_001L};
    private static final int[] INTS = {0, 1, -1, Integer.MIN_VALUE, Integer.MAX_VALUE};
    private static final float[] FLOATS = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MAX_VALUE,
        -Float.MAX_VALUE, Float.MIN_NORMAL, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0.1f,
        16_777_217f, 1e-10f};
    private static final double[] DOUBLES = {0d, -0d, Double.MIN_VALUE, -Double.MIN_VALUE, Double.MAX_VALUE,
        -Double.MAX_VALUE, Double.MIN_NORMAL, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.1,
        9_007_199_254_740_993d, 1e-300};

    private static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    @Test
    void everyRecordPrintsAsOneLineOfJsonThatReadsBackToItsValues() {
        InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
        ConfluentAvroSerializer<GenericRecord> serializer = new ConfluentAvroSerializer<>(registry, false);
        ConfluentAvroDeserializer<GenericRecord> deserializer = ConfluentAvroDeserializer.generic(registry);
        Map<String, Integer> tally = Tries.run("plain JSON of Avro records", PlainJsonProperties::record, written -> {
            GenericRecord read = deserializer.deserialize("t", serializer.serialize("t", written));
            String line = PlainJson.line(read, read.getSchema());
            assertThat(line.chars()).as("one line of ASCII").allMatch(c -> c >= 0x20 && c < 0x80);
            JsonNode json = parse(line);
            // the same as the record before the wire (a map read back may list its keys in another order)
            assertThat(json).isEqualTo(parse(PlainJson.line(written, SCHEMA)));
            List<String> names = new ArrayList<>();
            json.fieldNames().forEachRemaining(names::add);
            assertThat(names).isEqualTo(SCHEMA.getFields().stream().map(Schema.Field::name).toList());
            for (Schema.Field field : SCHEMA.getFields()) {
                readsBack(field.name(), json.get(field.name()), written.get(field.name()), field.schema());
            }
            return written.get("either") == null ? "either null"
                    : "either " + GenericData.get().induce(written.get("either")).getType().getName();
        });
        assertThat(tally).containsKeys("either null", "either string", "either long", "either record");
    }

    private static JsonNode parse(String line) {
        try {
            return STRICT.readTree(line);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + line, e);
        }
    }

    private static void readsBack(String where, JsonNode node, Object value, Schema schema) {
        switch (schema.getType()) {
            case NULL -> assertThat(node.isNull()).as(where).isTrue();
            case BOOLEAN -> assertThat(node.booleanValue()).as(where).isEqualTo(value);
            case INT -> {
                assertThat(node.isIntegralNumber()).as(where).isTrue();
                assertThat(node.intValue()).as(where).isEqualTo(value);
            }
            case LONG -> {
                long expected = (Long) value;
                if (schema.getLogicalType() == null) {
                    assertThat(node.isIntegralNumber()).as(where).isTrue();
                    assertThat(node.longValue()).as(where).isEqualTo(expected);
                } else {
                    assertThat(instantCount(node.asText(), schema)).as(where + " " + node).isEqualTo(expected);
                }
            }
            case FLOAT -> {
                float expected = (Float) value;
                if (Float.isFinite(expected)) {
                    assertThat(node.isNumber()).as(where).isTrue();
                    assertThat(node.decimalValue().floatValue() == expected).as(where + " " + node + " " + expected)
                            .isTrue();
                } else {
                    assertThat(node.asText()).as(where).isEqualTo(nonFinite(expected));
                }
            }
            case DOUBLE -> {
                double expected = (Double) value;
                if (Double.isFinite(expected)) {
                    assertThat(node.isNumber()).as(where).isTrue();
                    assertThat(node.decimalValue().doubleValue() == expected).as(where + " " + node + " " + expected)
                            .isTrue();
                } else {
                    assertThat(node.asText()).as(where).isEqualTo(nonFinite(expected));
                }
            }
            case STRING, ENUM -> assertThat(node.textValue()).as(where).isEqualTo(value.toString());
            case BYTES -> {
                ByteBuffer buffer = ((ByteBuffer) value).duplicate();
                byte[] expected = new byte[buffer.remaining()];
                buffer.get(expected);
                assertThat(Base64.getDecoder().decode(node.textValue())).as(where).isEqualTo(expected);
            }
            case FIXED -> assertThat(Base64.getDecoder().decode(node.textValue())).as(where)
                    .isEqualTo(((GenericData.Fixed) value).bytes());
            case ARRAY -> {
                List<?> items = (List<?>) value;
                assertThat(node.size()).as(where).isEqualTo(items.size());
                for (int i = 0; i < items.size(); i++) {
                    readsBack(where + "[" + i + "]", node.get(i), items.get(i), schema.getElementType());
                }
            }
            case MAP -> {
                Map<?, ?> map = (Map<?, ?>) value;
                assertThat(node.size()).as(where).isEqualTo(map.size());
                map.forEach((k, v) -> readsBack(where + "." + k, node.get(k.toString()), v, schema.getValueType()));
            }
            case RECORD -> {
                GenericRecord record = (GenericRecord) value;
                for (Schema.Field field : schema.getFields()) {
                    readsBack(where + "." + field.name(), node.get(field.name()), record.get(field.pos()),
                            field.schema());
                }
            }
            case UNION -> readsBack(where, node, value,
                    schema.getTypes().get(GenericData.get().resolveUnion(schema, value)));
            default -> throw new AssertionError("no check for " + schema);
        }
    }

    /** The count since the epoch that an instant as printed stands for, in the unit of its logical type. */
    private static long instantCount(String text, Schema schema) {
        Object logical = schema.getLogicalType();
        if (logical instanceof LogicalTypes.LocalTimestampMillis) {
            return LocalDateTime.parse(text, PlainJson.LOCAL_TIMESTAMP_MILLIS).toInstant(ZoneOffset.UTC)
                    .toEpochMilli();
        }
        DateTimeFormatter format = logical instanceof LogicalTypes.TimestampMillis ? PlainJson.TIMESTAMP_MILLIS
                : logical instanceof LogicalTypes.TimestampMicros ? PlainJson.TIMESTAMP_MICROS
                : PlainJson.TIMESTAMP_NANOS;
        Instant instant = format.parse(text, Instant::from);
        if (logical instanceof LogicalTypes.TimestampMillis) {
            return instant.toEpochMilli();
        }
        BigDecimal seconds = BigDecimal.valueOf(instant.getEpochSecond()).add(BigDecimal.valueOf(instant.getNano(), 9));
        return seconds.movePointRight(logical instanceof LogicalTypes.TimestampMicros ? 6 : 9).longValueExact();
    }

    private static String nonFinite(double value) {
        return Double.isNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity";
    }

    private static GenericRecord record(SplittableRandom random) {
        GenericRecord r = new GenericData.Record(SCHEMA);
        r.put("b", random.nextBoolean());
        r.put("i", anInt(random));
        r.put("l", aLong(random));
        r.put("f", aFloat(random));
        r.put("d", aDouble(random));
        r.put("s", aString(random));
        byte[] bytes = new byte[random.nextInt(20)];
        random.nextBytes(bytes);
        r.put("bytes", ByteBuffer.wrap(bytes));
        byte[] four = new byte[4];
        random.nextBytes(four);
        r.put("fixed", new GenericData.Fixed(SCHEMA.getField("fixed").schema(), four));
        r.put("tsMillis", aLong(random));
        r.put("tsMicros", aLong(random));
        r.put("tsNanos", aLong(random));
        r.put("localMillis", aLong(random));
        r.put("maybeDouble", random.nextBoolean() ? null : aDouble(random));
        r.put("either", switch (random.nextInt(4)) {
            case 0 -> null;
            case 1 -> aString(random);
            case 2 -> aLong(random);
            default -> inner(random);
        });
        List<Float> floats = new ArrayList<>();
        for (int i = random.nextInt(5); i > 0; i--) {
            floats.add(aFloat(random));
        }
        r.put("floats", floats);
        Map<String, Long> counts = new LinkedHashMap<>();
        for (int i = random.nextInt(4); i > 0; i--) {
            counts.put(aString(random), aLong(random));
        }
        r.put("counts", counts);
        r.put("inner", inner(random));
        List<String> symbols = ENUM.getEnumSymbols();
        r.put("color", new GenericData.EnumSymbol(ENUM, symbols.get(random.nextInt(symbols.size()))));
        return r;
    }

    private static GenericRecord inner(SplittableRandom random) {
        GenericRecord inner = new GenericData.Record(INNER);
        inner.put("i", anInt(random));
        inner.put("s", random.nextBoolean() ? null : aString(random));
        return inner;
    }

    private static int anInt(SplittableRandom random) {
        return random.nextInt(3) == 0 ? INTS[random.nextInt(INTS.length)] : random.nextInt();
    }

    private static long aLong(SplittableRandom random) {
        return switch (random.nextInt(3)) {
            case 0 -> LONGS[random.nextInt(LONGS.length)];
            case 1 -> random.nextLong(-4_000_000_000_000L, 4_000_000_000_000L);
            default -> random.nextLong();
        };
    }

    private static float aFloat(SplittableRandom random) {
        return switch (random.nextInt(3)) {
            case 0 -> FLOATS[random.nextInt(FLOATS.length)];
            case 1 -> Float.intBitsToFloat(random.nextInt());
            default -> (float) random.nextGaussian();
        };
    }

    private static double aDouble(SplittableRandom random) {
        return switch (random.nextInt(3)) {
            case 0 -> DOUBLES[random.nextInt(DOUBLES.length)];
            case 1 -> Double.longBitsToDouble(random.nextLong());
            default -> random.nextGaussian() * 1e6;
        };
    }

    private static final String SPECIAL_CHARACTERS = "\"\\/'\u007F\u2028\u2029";

    /** Control characters, quotes and backslashes, Latin, CJK and astral code points; never a lone surrogate. */
    private static String aString(SplittableRandom random) {
        StringBuilder s = new StringBuilder();
        for (int n = random.nextInt(12); n > 0; n--) {
            int cp = switch (random.nextInt(5)) {
                case 0 -> random.nextInt(0x20);
                case 1 -> SPECIAL_CHARACTERS.codePointAt(random.nextInt(SPECIAL_CHARACTERS.length()));
                case 2 -> random.nextInt(0x20, 0x800);
                case 3 -> random.nextInt(0x800, 0xD800);
                default -> random.nextInt(0x10000, 0x110000);
            };
            s.appendCodePoint(cp);
        }
        return s.toString();
    }

    @Test
    void theGeneratorReachesTheExtremes() {
        // a check of the check: the specials above are drawn, not only uniform values
        SplittableRandom random = new SplittableRandom(1);
        boolean nan = false;
        boolean minLong = false;
        for (int k = 0; k < 4000; k++) {
            nan |= Double.isNaN(aDouble(random));
            minLong |= aLong(random) == Long.MIN_VALUE;
        }
        assertThat(nan).isTrue();
        assertThat(minLong).isTrue();
    }
}
