package io.streamtrain.connect.mapping;

import static io.streamtrain.connect.mapping.Drawn.MISSING;
import static io.streamtrain.connect.mapping.Drawn.bad;
import static io.streamtrain.connect.mapping.Drawn.valid;
import static io.streamtrain.connect.mapping.MappingException.INVALID_VALUE;
import static io.streamtrain.connect.mapping.MappingException.MISSING_FIELD;
import static io.streamtrain.connect.mapping.MappingException.NON_FINITE;
import static io.streamtrain.connect.mapping.MappingException.NULL_VALUE;
import static io.streamtrain.connect.mapping.MappingException.UNKNOWN_CATEGORY;
import static io.streamtrain.connect.mapping.MappingException.UNKNOWN_CLASS;
import static io.streamtrain.connect.mapping.MappingException.VECTOR_LENGTH;
import static io.streamtrain.connect.mapping.MappingException.WRONG_TYPE;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Date;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;

import io.streamtrain.avro.ClassLabel;
import io.streamtrain.contract.RecordLimits;

/**
 * What the property tests feed each field: valid values in the types converters produce (JSON without schemas gives
 * Long, Double, String, Boolean, List and Map; JSON with schemas, Avro and other converters also Integer, Short,
 * Float, BigDecimal, Date and Struct), extremes included, and values that break one known rule. Each draw carries
 * what the mapping must make of it; the expectations come from the documented rules and {@link RecordLimits}, not
 * from the mapping code.
 */
final class FieldDraws {

    /** The class names of the classification label, in index order; "1" is matched by whole numbers. */
    static final List<String> CLASSES = List.of("ok", "fraud", "1");
    /** The vocabulary of the categorical feature. */
    static final List<String> CHANNELS = List.of("web", "app", "store");
    static final int CITY_BUCKETS = 8;
    static final int EMBEDDING_LENGTH = 3;
    /** The numeric feature's scaling: (x - 100) / 50. */
    static final Scaling AMOUNT_SCALING = new Scaling.Standard(100, 50);

    private static final long MAX_TIME = RecordLimits.MAX_EVENT_TIME_MS;
    /** A decimal whose plain text would be a gigabyte long. */
    private static final BigDecimal HUGE_DECIMAL = new BigDecimal("1E+1000000000");
    private static final BigDecimal TINY_DECIMAL = new BigDecimal("1E-1000000000");
    private static final String LONG_TEXT = "x".repeat(100_000);
    private static final char[] CONTROL_CHARACTERS = {'\u0000', '\t', '\n', '\u001B', '\u007F', '\u0085', '\u009F'};

    private FieldDraws() {
    }

    // ------------------------------------------------------------------------------------------ record identity

    /** An event time: epoch millis, a timestamp, an ISO-8601 string, a whole double or decimal. */
    static Drawn time(SplittableRandom r, boolean broken) {
        if (!broken) {
            long ms = millis(r);
            return switch (r.nextInt(8)) {
                case 0 -> valid("time: epoch millis", ms, ms);
                case 1 -> valid("time: timestamp", new Date(ms), ms);
                case 2 -> valid("time: ISO-8601", Instant.ofEpochMilli(ms).toString(), ms);
                // digits below the millisecond are dropped, as the Avro field holds milliseconds
                case 3 -> valid("time: ISO-8601 with nanoseconds",
                        Instant.ofEpochMilli(ms).plusNanos(r.nextInt(1, 1_000_000)).toString(), ms);
                // exact: every whole number in range is below 2^53
                case 4 -> valid("time: whole double", (double) ms, ms);
                case 5 -> valid("time: whole decimal", BigDecimal.valueOf(ms).setScale(r.nextInt(4)), ms);
                case 6 -> valid("time: BigInteger", BigInteger.valueOf(ms), ms);
                default -> {
                    int small = r.nextInt(Integer.MAX_VALUE);
                    yield valid("time: int millis", small, (long) small);
                }
            };
        }
        long ms = millis(r);
        return oneOf(r,
                () -> bad("time: negative millis", -1 - r.nextLong(Long.MAX_VALUE), INVALID_VALUE),
                () -> bad("time: Long.MIN_VALUE", Long.MIN_VALUE, INVALID_VALUE),
                () -> bad("time: Long.MAX_VALUE", Long.MAX_VALUE, INVALID_VALUE),
                () -> bad("time: millis after 9999", MAX_TIME + 1 + r.nextLong(1L << 60), INVALID_VALUE),
                () -> bad("time: Integer.MIN_VALUE", Integer.MIN_VALUE, INVALID_VALUE),
                () -> bad("time: timestamp before 1970", new Date(-1 - r.nextLong(1L << 50)), INVALID_VALUE),
                () -> bad("time: timestamp after 9999", new Date(MAX_TIME + 1), INVALID_VALUE),
                () -> bad("time: fractional double", ms + 0.5, INVALID_VALUE),
                () -> bad("time: negative double", -1.0 - r.nextInt(1000), INVALID_VALUE),
                () -> bad("time: double -9.2e18", -9.2e18, INVALID_VALUE),
                () -> bad("time: double 1e300", 1e300, INVALID_VALUE),
                () -> bad("time: subnormal double", Double.MIN_VALUE, INVALID_VALUE),
                () -> bad("time: fractional float", 1.5f, INVALID_VALUE),
                () -> bad("time: BigInteger beyond long", signed(r, BigInteger.TWO.pow(64 + r.nextInt(200))),
                        INVALID_VALUE),
                () -> bad("time: BigDecimal beyond long", signed(r, new BigDecimal("1E+400")), INVALID_VALUE),
                () -> bad("time: BigDecimal 1E+1000000000", HUGE_DECIMAL, INVALID_VALUE),
                () -> bad("time: fractional BigDecimal", pick(r, BigDecimal.valueOf(ms).add(new BigDecimal("0.001")),
                        TINY_DECIMAL), INVALID_VALUE),
                () -> bad("time: ISO before 1970", Instant.ofEpochMilli(-1 - r.nextLong(1L << 50)).toString(),
                        INVALID_VALUE),
                () -> bad("time: ISO year 10000", "+10000-01-01T00:00:00Z", INVALID_VALUE),
                () -> bad("time: ISO year 1000000000", "+1000000000-01-01T00:00:00Z", INVALID_VALUE),
                () -> bad("time: ISO Instant.MIN", Instant.MIN.toString(), INVALID_VALUE),
                () -> bad("time: unparsable string", pick(r, "yesterday", "", "2024-05-01", "2024-05-01T12:00:00",
                        "1700000000000", "+1000000001-01-01T00:00:00Z", LONG_TEXT), INVALID_VALUE),
                () -> bad("time: NaN or infinite", pick(r, Double.NaN, Double.POSITIVE_INFINITY,
                        Double.NEGATIVE_INFINITY, Float.NaN), NON_FINITE),
                () -> bad("time: not a time", pick(r, true, Records.map("ms", 1L), List.of(1L)), WRONG_TYPE),
                () -> bad("time: null", null, NULL_VALUE),
                () -> bad("time: missing", MISSING, MISSING_FIELD));
    }

    /** A record timestamp, for a mapping without event.time.field; the value is a Long or null. */
    static Drawn recordTimestamp(SplittableRandom r, boolean broken) {
        if (!broken) {
            long ms = millis(r);
            return valid("record timestamp", ms, ms);
        }
        return oneOf(r,
                () -> bad("record timestamp: after 9999", pick(r, MAX_TIME + 1, Long.MAX_VALUE), INVALID_VALUE),
                () -> bad("record timestamp: before 1970", pick(r, -2L, Long.MIN_VALUE), INVALID_VALUE),
                () -> bad("record timestamp: none", pick(r, null, -1L), NULL_VALUE));
    }

    /** A model id from a field: a string or a whole number. */
    static Drawn model(SplittableRandom r, boolean broken) {
        if (!broken) {
            String text = switch (r.nextInt(5)) {
                case 0 -> "fraud-model";
                case 1 -> nonBlank(text(r, r.nextInt(1, RecordLimits.MAX_MODEL_ID_CHARS + 1), false));
                case 2 -> nonBlank(text(r, RecordLimits.MAX_MODEL_ID_CHARS, false));
                case 3 -> "m" + (char) r.nextInt(0xD800, 0xE000); // an unpaired surrogate is no control character
                default -> null;
            };
            if (text != null) {
                return valid("model: text", text, text);
            }
            long number = r.nextLong();
            return valid("model: whole number", number, Long.toString(number));
        }
        return oneOf(r,
                () -> bad("model: blank", pick(r, "", " ", "   ", "\u2003"), INVALID_VALUE),
                () -> bad("model: too long", pick(r, "m".repeat(RecordLimits.MAX_MODEL_ID_CHARS + 1), LONG_TEXT),
                        INVALID_VALUE),
                () -> bad("model: control character", withControl(r, nonBlank(text(r, r.nextInt(1, 200), false))),
                        INVALID_VALUE),
                () -> bad("model: not text", pick(r, 1.0, 2.5f, new BigDecimal("7"), true, Records.map(),
                        List.of("m")), WRONG_TYPE),
                () -> bad("model: null", null, NULL_VALUE),
                () -> bad("model: missing", MISSING, MISSING_FIELD));
    }

    /** An example id from a field: a string or a whole number. */
    static Drawn id(SplittableRandom r, boolean broken) {
        if (!broken) {
            return oneOf(r,
                    () -> {
                        String id = nonBlank(text(r, length(r, RecordLimits.MAX_ID_CHARS), true));
                        return valid("id: any text", id, id);
                    },
                    () -> {
                        String id = nonBlank(text(r, RecordLimits.MAX_ID_CHARS, true));
                        return valid("id: 1,000 characters", id, id);
                    },
                    () -> {
                        long id = r.nextLong();
                        return valid("id: whole number", id, Long.toString(id));
                    },
                    () -> {
                        BigInteger id = signed(r, BigInteger.TWO.pow(r.nextInt(64, 300)));
                        return valid("id: BigInteger", id, id.toString());
                    },
                    () -> {
                        int id = r.nextInt();
                        return valid("id: int", id, Integer.toString(id));
                    });
        }
        return oneOf(r,
                () -> bad("id: blank", pick(r, "", " ", "\t \n"), INVALID_VALUE),
                () -> bad("id: too long", pick(r, "i".repeat(RecordLimits.MAX_ID_CHARS + 1), LONG_TEXT),
                        INVALID_VALUE),
                () -> bad("id: not text", pick(r, 1.0, 1.5, Float.NaN, new BigDecimal("12"), true, Records.map(),
                        List.of()), WRONG_TYPE),
                () -> bad("id: null", null, NULL_VALUE),
                () -> bad("id: missing", MISSING, MISSING_FIELD));
    }

    // ------------------------------------------------------------------------------------------ features

    /** The numeric feature, scaled by {@link #AMOUNT_SCALING}; valid draws expect the Float they become. */
    static Drawn amount(SplittableRandom r, boolean broken) {
        if (!broken) {
            Number x = pick(r, r.nextDouble(-1e6, 1e6), r.nextLong(-1_000_000_000_000L, 1_000_000_000_000L),
                    r.nextInt(), (short) r.nextInt(), (byte) r.nextInt(), (float) r.nextDouble(-1e3, 1e3),
                    BigDecimal.valueOf(r.nextLong(), r.nextInt(7)), Long.MAX_VALUE, Long.MIN_VALUE, -0.0,
                    Double.MIN_VALUE, -Double.MIN_VALUE, Double.MIN_NORMAL, Float.MAX_VALUE, Float.MIN_VALUE,
                    1e39 /* 2e37 once scaled */, BigInteger.TWO.pow(100));
            return valid("amount: number", x, (float) AMOUNT_SCALING.apply(x.doubleValue()));
        }
        return oneOf(r,
                () -> bad("amount: NaN or infinite", pick(r, Double.NaN, Double.POSITIVE_INFINITY,
                        Double.NEGATIVE_INFINITY, Float.NaN, Float.NEGATIVE_INFINITY), NON_FINITE),
                () -> bad("amount: beyond float once scaled", pick(r, 1e308, -1e308, Double.MAX_VALUE, 1e41,
                        new BigDecimal("1E+41")), NON_FINITE),
                () -> bad("amount: beyond double", pick(r, new BigDecimal("-1E+400"), BigInteger.TWO.pow(1100),
                        HUGE_DECIMAL), NON_FINITE),
                () -> bad("amount: not a number", pick(r, "150", "", true, Records.map("v", 1L), List.of(1.0),
                        new Date(0)), WRONG_TYPE),
                () -> bad("amount: null", null, NULL_VALUE),
                () -> bad("amount: missing", MISSING, MISSING_FIELD));
    }

    /** The boolean feature; valid draws expect its slot, 1f or 0f. */
    static Drawn online(SplittableRandom r, boolean broken) {
        if (!broken) {
            boolean b = r.nextBoolean();
            return valid("online: boolean", b, b ? 1f : 0f);
        }
        return oneOf(r,
                () -> bad("online: not a boolean", pick(r, "true", 1L, 1.0, Records.map()), WRONG_TYPE),
                () -> bad("online: null", null, NULL_VALUE),
                () -> bad("online: missing", MISSING, MISSING_FIELD));
    }

    /** The categorical feature over {@link #CHANNELS}; valid draws expect the index of the hot slot. */
    static Drawn channel(SplittableRandom r, boolean broken) {
        if (!broken) {
            int index = r.nextInt(CHANNELS.size());
            return valid("channel: in the vocabulary", CHANNELS.get(index), index);
        }
        return oneOf(r,
                () -> bad("channel: not in the vocabulary", pick(r, "fax", "", "WEB", " web", "web\u0000", "\uD800",
                        LONG_TEXT, 3.5, 7L, true, TINY_DECIMAL), UNKNOWN_CATEGORY),
                () -> bad("channel: NaN or infinite", pick(r, Double.NaN, Double.POSITIVE_INFINITY, HUGE_DECIMAL),
                        NON_FINITE),
                () -> bad("channel: not a category", pick(r, Records.map(), List.of("web")), WRONG_TYPE),
                () -> bad("channel: null", null, NULL_VALUE),
                () -> bad("channel: missing", MISSING, MISSING_FIELD));
    }

    /** The hashed categorical feature: any text, number or boolean; a string expects its bucket, else -1. */
    static Drawn city(SplittableRandom r, boolean broken) {
        if (!broken) {
            if (r.nextBoolean()) {
                String text = r.nextInt(50) == 0 ? LONG_TEXT + text(r, 3, true) : text(r, length(r, 300), true);
                return valid("city: text", text, FeatureEncoder.HashedCategory.bucket(text, CITY_BUCKETS));
            }
            Object value = pick(r, r.nextLong(), r.nextDouble(-1e300, 1e300), Double.MIN_VALUE, -0.0, true,
                    BigDecimal.valueOf(r.nextLong(), r.nextInt(-5, 5)), TINY_DECIMAL);
            return valid("city: number or boolean", value, -1);
        }
        return oneOf(r,
                () -> bad("city: NaN or infinite", pick(r, Double.NaN, Float.POSITIVE_INFINITY, HUGE_DECIMAL),
                        NON_FINITE),
                () -> bad("city: not a category", pick(r, Records.map("c", "x"), List.of()), WRONG_TYPE),
                () -> bad("city: null", null, NULL_VALUE),
                () -> bad("city: missing", MISSING, MISSING_FIELD));
    }

    /** The vector feature of {@link #EMBEDDING_LENGTH} unscaled numbers; valid draws expect their floats. */
    static Drawn embedding(SplittableRandom r, boolean broken) {
        // one element type per list half of the time, so that a struct can carry it
        boolean sameType = r.nextBoolean();
        if (!broken) {
            List<Object> list = new ArrayList<>();
            float[] expected = new float[EMBEDDING_LENGTH];
            for (int i = 0; i < EMBEDDING_LENGTH; i++) {
                Number x = sameType ? r.nextDouble(-1e6, 1e6) : pick(r, r.nextDouble(-1e6, 1e6), r.nextLong(),
                        r.nextInt(), (float) r.nextDouble(), Float.MAX_VALUE, -(double) Float.MAX_VALUE,
                        Double.MIN_VALUE, -0.0, Long.MIN_VALUE, Float.MIN_VALUE,
                        BigDecimal.valueOf(r.nextLong(), r.nextInt(10)));
                list.add(x);
                expected[i] = (float) x.doubleValue();
            }
            return valid("embedding: " + EMBEDDING_LENGTH + " numbers", list, expected);
        }
        return oneOf(r,
                () -> {
                    int length = pick(r, 0, 1, EMBEDDING_LENGTH - 1, EMBEDDING_LENGTH + 1, 1000, 100_000);
                    Double[] elements = new Double[length];
                    Arrays.fill(elements, 1.0);
                    return bad("embedding: " + (length == 0 ? "empty" : length > 1000 ? "huge" : "other length"),
                            Arrays.asList(elements), VECTOR_LENGTH);
                },
                () -> withElement(r, sameType, "embedding: NaN or infinite element", pick(r, Double.NaN,
                        Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY), NON_FINITE),
                () -> withElement(r, sameType, "embedding: element beyond float", pick(r, 1e308, 3.5e38, -1e39,
                        Double.MAX_VALUE), NON_FINITE),
                () -> withElement(r, false, "embedding: element beyond double", pick(r, new BigDecimal("1E+400"),
                        HUGE_DECIMAL), NON_FINITE),
                () -> withElement(r, false, "embedding: element not a number", pick(r, "1", true,
                        Records.map()), WRONG_TYPE),
                () -> withElement(r, false, "embedding: null element", null, NULL_VALUE),
                () -> bad("embedding: not a list", pick(r, "1,2,3", 3.0, Records.map("0", 1.0)), WRONG_TYPE),
                () -> bad("embedding: null", null, NULL_VALUE),
                () -> bad("embedding: missing", MISSING, MISSING_FIELD));
    }

    // ------------------------------------------------------------------------------------------ labels

    /** A classification label over {@link #CLASSES}; valid draws expect their ClassLabel. */
    static Drawn classLabel(SplittableRandom r, boolean broken) {
        if (!broken) {
            return oneOf(r,
                    () -> {
                        int index = r.nextInt(CLASSES.size());
                        return valid("label: class name", CLASSES.get(index),
                                new ClassLabel(index, CLASSES.get(index)));
                    },
                    // a whole number matches by its text, "1"
                    () -> valid("label: whole number", pick(r, 1L, 1, (short) 1, 1.0, new BigDecimal("1.00")),
                            new ClassLabel(2, "1")));
        }
        return oneOf(r,
                () -> bad("label: not a class", pick(r, "maybe", "", "OK", "ok\u0000", LONG_TEXT, 2L, 1.5, true,
                        Long.MAX_VALUE, TINY_DECIMAL), UNKNOWN_CLASS),
                () -> bad("label: NaN or infinite", pick(r, Double.NaN, Double.NEGATIVE_INFINITY, HUGE_DECIMAL),
                        NON_FINITE),
                () -> bad("label: not a class name", pick(r, Records.map("name", "ok"), List.of("ok")),
                        WRONG_TYPE),
                () -> bad("label: null", null, NULL_VALUE),
                () -> bad("label: missing", MISSING, MISSING_FIELD));
    }

    /** A regression label; valid draws expect their value as a double. */
    static Drawn regressionLabel(SplittableRandom r, boolean broken) {
        if (!broken) {
            Number x = pick(r, r.nextDouble(-1e6, 1e6), Math.scalb(r.nextDouble(1, 2), r.nextInt(-1074, 127)),
                    (double) Float.MAX_VALUE, -Float.MAX_VALUE, Float.MAX_VALUE, -0.0, Double.MIN_VALUE,
                    Long.MIN_VALUE, r.nextInt(), new BigDecimal("2.5"), (float) r.nextDouble());
            return valid("label: number", x, x.doubleValue());
        }
        return oneOf(r,
                () -> bad("label: NaN or infinite", pick(r, Double.NaN, Double.POSITIVE_INFINITY, Float.NaN),
                        NON_FINITE),
                () -> bad("label: beyond float", pick(r, 1e308, 3.5e38, -1e39, -Double.MAX_VALUE,
                        new BigDecimal("1E+39")), NON_FINITE),
                () -> bad("label: beyond double", pick(r, new BigDecimal("1E+400"), HUGE_DECIMAL,
                        BigInteger.TWO.pow(1100)), NON_FINITE),
                () -> bad("label: not a number", pick(r, "2.5", true, Records.map(), List.of(2.5)), WRONG_TYPE),
                () -> bad("label: null", null, NULL_VALUE),
                () -> bad("label: missing", MISSING, MISSING_FIELD));
    }

    // ------------------------------------------------------------------------------------------ containers, junk

    /**
     * A struct or map on the way to a field that is not one: every field under it breaks the rule this returns.
     * A list is entered by index, so a name in it is missing.
     */
    static Drawn brokenContainer(SplittableRandom r, String name) {
        return oneOf(r,
                () -> bad(name + ": null", null, NULL_VALUE),
                () -> bad(name + ": missing", MISSING, MISSING_FIELD),
                () -> bad(name + ": a list", List.of(1L), MISSING_FIELD),
                () -> bad(name + ": not a container", pick(r, "bob", 42L, true), WRONG_TYPE));
    }

    /** A value of any type, mostly of the types converters produce, for which any rule or none may apply. */
    static Drawn junk(SplittableRandom r, String field) {
        Object value = switch (r.nextInt(14)) {
            case 0 -> Double.longBitsToDouble(r.nextLong());
            case 1 -> Float.intBitsToFloat(r.nextInt());
            case 2 -> r.nextLong();
            case 3 -> r.nextInt();
            case 4 -> new BigDecimal(new BigInteger(r.nextInt(1, 300), new java.util.Random(r.nextLong())),
                    r.nextInt(-400, 400));
            case 5 -> signed(r, new BigInteger(r.nextInt(1, 3000), new java.util.Random(r.nextLong())));
            case 6 -> text(r, length(r, 2000), true);
            case 7 -> new Date(r.nextLong());
            case 8 -> r.nextBoolean();
            case 9 -> null;
            case 10 -> MISSING;
            case 11 -> Records.map("x", r.nextLong(), "y", text(r, 3, true));
            case 12 -> {
                List<Object> list = new ArrayList<>();
                for (int i = r.nextInt(5); i > 0; i--) {
                    list.add(pick(r, r.nextDouble(), r.nextLong(), text(r, 2, true), null));
                }
                yield list;
            }
            default -> (short) r.nextInt();
        };
        return Drawn.junk(field, value);
    }

    // ------------------------------------------------------------------------------------------ building blocks

    /** Epoch millis in range, the edges often. */
    private static long millis(SplittableRandom r) {
        return switch (r.nextInt(6)) {
            case 0 -> pick(r, 0L, 1L, MAX_TIME, MAX_TIME - 1);
            case 1 -> 1_700_000_000_000L + r.nextLong(100_000_000_000L);
            default -> r.nextLong(MAX_TIME + 1);
        };
    }

    /** A length up to {@code max}, short ones and the longest often. */
    private static int length(SplittableRandom r, int max) {
        return switch (r.nextInt(4)) {
            case 0 -> r.nextInt(1, Math.min(10, max) + 1);
            case 1 -> max;
            default -> r.nextInt(1, max + 1);
        };
    }

    /**
     * Text of {@code length} UTF-16 chars: any char including control characters and lone surrogates, with an
     * emoji's surrogate pair now and then; or, without {@code controls}, no ISO control character.
     */
    static String text(SplittableRandom r, int length, boolean controls) {
        StringBuilder text = new StringBuilder(length);
        while (text.length() < length) {
            int kind = r.nextInt(10);
            if (kind == 0 && text.length() + 2 <= length) {
                text.appendCodePoint(r.nextInt(0x1F600, 0x1F650));
            } else if (kind < 5) {
                text.append((char) r.nextInt(' ', 0x7F));
            } else {
                char c = (char) r.nextInt(0x10000);
                text.append(!controls && Character.isISOControl(c) ? 'c' : c);
            }
        }
        return text.toString();
    }

    private static String nonBlank(String text) {
        return text.isBlank() ? "n" + text.substring(1) : text;
    }

    private static String withControl(SplittableRandom r, String text) {
        int at = r.nextInt(text.length() + 1);
        return text.substring(0, at) + CONTROL_CHARACTERS[r.nextInt(CONTROL_CHARACTERS.length)]
                + text.substring(at);
    }

    /** A vector of valid numbers with one bad element. */
    private static Drawn withElement(SplittableRandom r, boolean sameType, String kind, Object element,
            String rule) {
        List<Object> list = new ArrayList<>(Collections.nCopies(EMBEDDING_LENGTH, null));
        for (int i = 0; i < EMBEDDING_LENGTH; i++) {
            list.set(i, sameType ? (Object) r.nextDouble() : pick(r, r.nextDouble(), r.nextLong(), 1));
        }
        list.set(r.nextInt(EMBEDDING_LENGTH), element);
        return bad(kind, list, rule);
    }

    private static BigInteger signed(SplittableRandom r, BigInteger magnitude) {
        return r.nextBoolean() ? magnitude : magnitude.negate();
    }

    private static BigDecimal signed(SplittableRandom r, BigDecimal magnitude) {
        return r.nextBoolean() ? magnitude : magnitude.negate();
    }

    @SafeVarargs
    static <T> T pick(SplittableRandom r, T... choices) {
        return choices[r.nextInt(choices.length)];
    }

    @SafeVarargs
    private static Drawn oneOf(SplittableRandom r, Supplier<Drawn>... choices) {
        return choices[r.nextInt(choices.length)].get();
    }
}
