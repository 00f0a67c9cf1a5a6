package io.streamtrain.connect.mapping;

import static io.streamtrain.connect.mapping.Records.TIMESTAMP;
import static io.streamtrain.connect.mapping.Records.map;
import static io.streamtrain.connect.mapping.Records.schemaless;
import static io.streamtrain.connect.mapping.Records.withSchema;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.streamtrain.avro.ClassLabel;
import io.streamtrain.avro.Example;
import io.streamtrain.avro.Origin;
import io.streamtrain.avro.RegressionTarget;
import io.streamtrain.connect.mapping.FeatureSpec.UnknownCategory;
import io.streamtrain.contract.RecordLimits;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

class ExampleMapperTest {

    private static final List<FeatureSpec> FEATURES = List.of(
            FeatureSpec.numeric("amount", "payment.amount", new Scaling.Standard(100, 50)),
            FeatureSpec.bool("online", "online"),
            FeatureSpec.vocabulary("channel", "channel", List.of("web", "app", "store"), UnknownCategory.REJECT),
            FeatureSpec.vector("embedding", "embedding", 2, Scaling.NONE));

    private static MappingSpec spec(Optional<FieldPath> label, LabelEncoder encoder, boolean optional) {
        return new MappingSpec(Optional.of("fraud"), Optional.empty(), Optional.empty(), Optional.empty(), label,
                encoder, optional, FEATURES, "my-connector");
    }

    private static final ExampleMapper CLASSIFIER = new ExampleMapper(spec(Optional.of(FieldPath.parse("label")),
            LabelEncoder.classes(List.of("ok", "fraud")), false));

    private static Map<String, Object> good() {
        return map("payment", map("amount", 150.0), "online", true, "channel", "app", "embedding", List.of(0.5, -1),
                "label", "fraud");
    }

    @Test
    void mapsASchemalessRecordToAnExample() {
        MappedRecord mapped = CLASSIFIER.map(schemaless(good()));
        assertThat(mapped.key()).isEqualTo("fraud");
        Example example = (Example) mapped.value();
        assertThat(example.getId()).isEqualTo("in-0-42");
        assertThat(example.getModel()).isEqualTo("fraud");
        assertThat(example.getFeatures()).containsExactly(1f, 1f, 0f, 1f, 0f, 0.5f, -1f);
        assertThat(example.getLabel()).isEqualTo(new ClassLabel(1, "fraud"));
        assertThat(example.getEventTime()).isEqualTo(Instant.ofEpochMilli(TIMESTAMP));
        assertThat(example.getOrigin()).isEqualTo(new Origin("in", 0, 42L, "my-connector"));
        assertThat(example.getWeight()).isEqualTo(1f);
        assertThat(CLASSIFIER.width()).isEqualTo(7);
    }

    @Test
    void mapsAStructWithLogicalTimestampAndIdAndModelFromFields() {
        Schema schema = SchemaBuilder.struct().name("Tx")
                .field("txId", Schema.INT64_SCHEMA)
                .field("model", Schema.STRING_SCHEMA)
                .field("at", Timestamp.SCHEMA)
                .field("payment", SchemaBuilder.struct().field("amount", Schema.INT32_SCHEMA).build())
                .field("online", Schema.BOOLEAN_SCHEMA)
                .field("channel", Schema.STRING_SCHEMA)
                .field("embedding", SchemaBuilder.array(Schema.FLOAT32_SCHEMA).build())
                .field("target", Schema.FLOAT64_SCHEMA)
                .build();
        Struct value = new Struct(schema).put("txId", 981L).put("model", "m2")
                .put("at", new java.util.Date(1_000L))
                .put("payment", new Struct(schema.field("payment").schema()).put("amount", 50))
                .put("online", false).put("channel", "web").put("embedding", List.of(1f, 2f)).put("target", 3.5);
        ExampleMapper mapper = new ExampleMapper(new MappingSpec(Optional.empty(),
                Optional.of(FieldPath.parse("model")), Optional.of(FieldPath.parse("txId")),
                Optional.of(FieldPath.parse("at")), Optional.of(FieldPath.parse("target")), LabelEncoder.regression(),
                false, FEATURES, null));
        MappedRecord mapped = mapper.map(withSchema(schema, value));
        Example example = (Example) mapped.value();
        assertThat(mapped.key()).isEqualTo("m2");
        assertThat(example.getId()).isEqualTo("981");
        assertThat(example.getEventTime()).isEqualTo(Instant.ofEpochMilli(1_000L));
        assertThat(example.getFeatures()).containsExactly(-1f, 0f, 1f, 0f, 0f, 1f, 2f);
        assertThat(example.getLabel()).isEqualTo(new RegressionTarget(3.5));
    }

    @Test
    void eventTimeFromAnIsoStringOrEpochMillis() {
        ExampleMapper mapper = new ExampleMapper(new MappingSpec(Optional.of("m"), Optional.empty(), Optional.empty(),
                Optional.of(FieldPath.parse("ts")), Optional.empty(), null, false, FEATURES, null));
        Map<String, Object> iso = good();
        iso.put("ts", "2024-05-01T12:00:00Z");
        assertThat(((Example) mapper.map(schemaless(iso)).value()).getEventTime())
                .isEqualTo(Instant.parse("2024-05-01T12:00:00Z"));
        Map<String, Object> millis = good();
        millis.put("ts", 1234L);
        assertThat(((Example) mapper.map(schemaless(millis)).value()).getEventTime())
                .isEqualTo(Instant.ofEpochMilli(1234L));
        Map<String, Object> bad = good();
        bad.put("ts", "yesterday");
        assertRejected(mapper, bad, "ts", MappingException.INVALID_VALUE);
        bad.put("ts", true);
        assertRejected(mapper, bad, "ts", MappingException.WRONG_TYPE);
    }

    // --- the event time: whole epoch milliseconds from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z

    /** A mapper whose event time is nested, as in the report of a huge negative time that stopped the learner. */
    private static final ExampleMapper NESTED_TIME = new ExampleMapper(new MappingSpec(Optional.of("m"),
            Optional.empty(), Optional.empty(), Optional.of(FieldPath.parse("meta.at")), Optional.empty(), null, false,
            FEATURES, null));

    private static Map<String, Object> at(Object time) {
        return with("meta", map("at", time));
    }

    private static long eventTime(Object time) {
        return ((Example) NESTED_TIME.map(schemaless(at(time))).value()).getEventTime().toEpochMilli();
    }

    @Test
    void anEventTimeBeforeTheEpochIsAnInvalidValue() {
        for (Object time : List.of(Long.MIN_VALUE, -1L, Integer.MIN_VALUE, (short) -1, new Date(-1L),
                "1969-12-31T23:59:59.999Z", "-0001-01-01T00:00:00Z", Instant.MIN.toString(), -1.0)) {
            assertRejected(NESTED_TIME, at(time), "meta.at", MappingException.INVALID_VALUE);
        }
        assertThatThrownBy(() -> NESTED_TIME.map(schemaless(at(Long.MIN_VALUE)))).hasMessageContaining(
                "the event time -9223372036854775808 ms is outside 0 (1970-01-01T00:00:00Z) to 253402300799999 ms"
                        + " (9999-12-31T23:59:59.999Z)");
        assertThat(eventTime(0L)).isZero();
        assertThat(eventTime("1970-01-01T00:00:00Z")).isZero();
        assertThat(eventTime(-0.0)).isZero();
    }

    @Test
    void anEventTimeAfterTheYear9999IsAnInvalidValue() {
        long max = RecordLimits.MAX_EVENT_TIME_MS;
        for (Object time : List.of(max + 1, Long.MAX_VALUE, new Date(max + 1), "+10000-01-01T00:00:00Z",
                "+1000000000-01-01T00:00:00Z", Instant.MAX.toString(), (double) max + 1, 1e300)) {
            assertRejected(NESTED_TIME, at(time), "meta.at", MappingException.INVALID_VALUE);
        }
        assertThatThrownBy(() -> NESTED_TIME.map(schemaless(at("+1000000000-01-01T00:00:00Z"))))
                .hasMessageContaining("'+1000000000-01-01T00:00:00Z' is outside 1970-01-01T00:00:00Z to"
                        + " 9999-12-31T23:59:59.999Z");
        assertThat(eventTime(max)).isEqualTo(max);
        assertThat(eventTime("9999-12-31T23:59:59.999Z")).isEqualTo(max);
        // below the millisecond, an ISO instant is cut to what the Avro field holds
        assertThat(eventTime("9999-12-31T23:59:59.999999999Z")).isEqualTo(max);
        assertThat(eventTime("2024-05-01T12:00:00.123456Z")).isEqualTo(Instant.parse("2024-05-01T12:00:00.123Z")
                .toEpochMilli());
    }

    @Test
    void anEventTimeBeyondALongIsAnInvalidValue() {
        for (Object time : List.of(BigInteger.TWO.pow(64), BigInteger.TWO.pow(64).negate(), new BigDecimal("1E+400"),
                new BigDecimal("-1E+400"), new BigDecimal("1E+1000000000"), -1e20)) {
            assertRejected(NESTED_TIME, at(time), "meta.at", MappingException.INVALID_VALUE);
        }
        assertThat(eventTime(BigInteger.valueOf(1_700_000_000_000L))).isEqualTo(1_700_000_000_000L);
    }

    @Test
    void aFractionalEventTimeIsAnInvalidValueAndAWholeDoubleIsTaken() {
        for (Object time : List.of(1.5, 1.7e12 + 0.5, 1.5f, Double.MIN_VALUE, new BigDecimal("1700000000000.5"),
                new BigDecimal("1E-1000000000"))) {
            assertRejected(NESTED_TIME, at(time), "meta.at", MappingException.INVALID_VALUE);
        }
        assertThatThrownBy(() -> NESTED_TIME.map(schemaless(at(1.5)))).hasMessageContaining(
                "the event time 1.5 ms has a fraction; it must be a whole number of milliseconds");
        // JSON without schemas gives a double for 1.7e12, and Avro decimals give BigDecimal: whole ones are taken
        assertThat(eventTime(1.7e12)).isEqualTo(1_700_000_000_000L);
        assertThat(eventTime(new BigDecimal("1700000000000.000"))).isEqualTo(1_700_000_000_000L);
        assertThat(eventTime(1024f)).isEqualTo(1024L);
    }

    @Test
    void aNaNOrInfiniteEventTimeIsNonFinite() {
        for (Object time : List.of(Double.NaN, Double.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY)) {
            assertRejected(NESTED_TIME, at(time), "meta.at", MappingException.NON_FINITE);
        }
    }

    @Test
    void theRecordTimestampMustBeInRangeToo() {
        for (long timestamp : new long[] {RecordLimits.MAX_EVENT_TIME_MS + 1, Long.MAX_VALUE, -2, Long.MIN_VALUE}) {
            SinkRecord record = new SinkRecord("in", 0, null, "k", null, good(), 42, timestamp,
                    TimestampType.CREATE_TIME);
            assertThatThrownBy(() -> CLASSIFIER.map(record)).isInstanceOfSatisfying(MappingException.class, e -> {
                assertThat(e.field()).isEqualTo("(record timestamp)");
                assertThat(e.rule()).isEqualTo(MappingException.INVALID_VALUE);
                assertThat(e.getMessage()).contains("is outside 0 (1970-01-01T00:00:00Z)", "event.time.field");
            });
        }
        SinkRecord none = new SinkRecord("in", 0, null, "k", null, good(), 42, -1L, TimestampType.CREATE_TIME);
        assertThatThrownBy(() -> CLASSIFIER.map(none)).isInstanceOfSatisfying(MappingException.class,
                e -> assertThat(e.rule()).isEqualTo(MappingException.NULL_VALUE));
    }

    // --- the model id and the id: what the learner takes

    private static final ExampleMapper MODEL_AND_ID_FROM_FIELDS = new ExampleMapper(new MappingSpec(Optional.empty(),
            Optional.of(FieldPath.parse("meta.model")), Optional.of(FieldPath.parse("ref")), Optional.empty(),
            Optional.empty(), null, false, FEATURES, null));

    private static Map<String, Object> modelAndId(Object model, Object id) {
        Map<String, Object> value = with("meta", map("model", model));
        value.put("ref", id);
        return value;
    }

    @Test
    void aModelIdFromAFieldThatIsBlankTooLongOrHasControlCharactersIsAnInvalidValue() {
        for (Object model : List.of("", "   ", "m".repeat(250), "x".repeat(100_000), "churn\u0007model", "a\nb",
                "\u0000", "m\u007F", "m\u0085")) {
            assertRejected(MODEL_AND_ID_FROM_FIELDS, modelAndId(model, "e1"), "meta.model",
                    MappingException.INVALID_VALUE);
        }
        assertThatThrownBy(() -> MODEL_AND_ID_FROM_FIELDS.map(schemaless(modelAndId("churn\u0007model", "e1"))))
                .hasMessageContaining("the model id has the control character U+0007 at 5; it must be 1 to 249"
                        + " characters without control characters");
        assertThatThrownBy(() -> MODEL_AND_ID_FROM_FIELDS.map(schemaless(modelAndId("m".repeat(250), "e1"))))
                .hasMessageContaining("250 characters long").hasMessageNotContaining("mmmmmmmmmm");
        MappedRecord longest = MODEL_AND_ID_FROM_FIELDS.map(schemaless(modelAndId("m".repeat(249), "e1")));
        assertThat(longest.key()).hasSize(249);
        assertThat(MODEL_AND_ID_FROM_FIELDS.map(schemaless(modelAndId(7L, "e1"))).key()).isEqualTo("7");
    }

    @Test
    void aFixedModelIdTheLearnerRefusesIsRefusedWithTheSpec() {
        for (String model : List.of("", " ", "m".repeat(250), "a\tb")) {
            assertThatThrownBy(() -> new MappingSpec(Optional.of(model), Optional.empty(), Optional.empty(),
                    Optional.empty(), Optional.empty(), null, false, FEATURES, null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("the model id");
        }
    }

    @Test
    void anIdIsOneToAThousandCharacters() {
        assertThat(((Example) MODEL_AND_ID_FROM_FIELDS.map(schemaless(modelAndId("m", "i".repeat(1000)))).value())
                .getId()).hasSize(1000);
        assertRejected(MODEL_AND_ID_FROM_FIELDS, modelAndId("m", "i".repeat(1001)), "ref",
                MappingException.INVALID_VALUE);
        assertThatThrownBy(() -> MODEL_AND_ID_FROM_FIELDS.map(schemaless(modelAndId("m", "i".repeat(1001)))))
                .hasMessageContaining("the example id is 1001 characters long; it must be 1 to 1000 characters");
        assertRejected(MODEL_AND_ID_FROM_FIELDS, modelAndId("m", ""), "ref", MappingException.INVALID_VALUE);
    }

    // --- numbers the learner computes with in 32-bit floats

    @Test
    void aRegressionLabelBeyondTheFloatRangeIsNonFinite() {
        ExampleMapper regression = new ExampleMapper(spec(Optional.of(FieldPath.parse("label")),
                LabelEncoder.regression(), false));
        for (Object target : List.of(1e39, -3.5e38, 1e308, -Double.MAX_VALUE, new BigDecimal("1E+39"),
                new BigDecimal("1E+400"), Double.NaN)) {
            assertRejected(regression, with("label", target), "label", MappingException.NON_FINITE);
        }
        assertThatThrownBy(() -> regression.map(schemaless(with("label", 1e39)))).hasMessageContaining(
                "the regression label 1.0E39 is out of the float range (about 3.4e38)");
        assertThat(((Example) regression.map(schemaless(with("label", (double) Float.MAX_VALUE))).value())
                .getLabel()).isEqualTo(new RegressionTarget((double) Float.MAX_VALUE));
    }

    @Test
    void aFeatureBeyondTheFloatRangeIsNonFiniteNamingTheFeature() {
        // finite as a double, infinite as the float the vector holds (the scaled amount here is 2e306)
        assertRejected(CLASSIFIER, with("payment", map("amount", 1e308)), "payment.amount",
                MappingException.NON_FINITE);
        assertThatThrownBy(() -> CLASSIFIER.map(schemaless(with("payment", map("amount", 1e308)))))
                .hasMessageContaining("out of the float range").hasMessageContaining("(feature 'amount')");
        assertRejected(CLASSIFIER, with("embedding", List.of(0.5, 3.5e38)), "embedding", MappingException.NON_FINITE);
        assertThatThrownBy(() -> CLASSIFIER.map(schemaless(with("embedding", List.of(1e308, 0.5)))))
                .hasMessageContaining("element 0: 1.0E308 is out of the float range");
        Example extremes = (Example) CLASSIFIER.map(schemaless(with("embedding",
                List.of(Float.MAX_VALUE, Double.MIN_VALUE)))).value();
        assertThat(extremes.getFeatures().subList(5, 7)).containsExactly(Float.MAX_VALUE, 0f);
    }

    @Test
    void aRejectionDoesNotRepeatALongValue() {
        String huge = "c".repeat(100_000);
        assertThatThrownBy(() -> CLASSIFIER.map(schemaless(with("label", huge)))).isInstanceOfSatisfying(
                MappingException.class, e -> {
                    assertThat(e.rule()).isEqualTo(MappingException.UNKNOWN_CLASS);
                    assertThat(e.getMessage()).hasSizeLessThan(300);
                });
        assertThatThrownBy(() -> CLASSIFIER.map(schemaless(with("channel", huge)))).isInstanceOfSatisfying(
                MappingException.class, e -> assertThat(e.getMessage()).hasSizeLessThan(300));
    }

    @Test
    void aClassOrCategoryOfATinyDecimalIsLookedUpWithoutWritingOutItsDigits() {
        // 1E-1000000000 in plain digits is a gigabyte: a converter with a hostile decimal schema must not get there
        BigDecimal tiny = new BigDecimal("1E-1000000000");
        assertThatThrownBy(() -> CLASSIFIER.map(schemaless(with("label", tiny)))).isInstanceOfSatisfying(
                MappingException.class, e -> assertThat(e.rule()).isEqualTo(MappingException.UNKNOWN_CLASS));
        assertThatThrownBy(() -> CLASSIFIER.map(schemaless(with("channel", tiny)))).isInstanceOfSatisfying(
                MappingException.class, e -> assertThat(e.rule()).isEqualTo(MappingException.UNKNOWN_CATEGORY));
    }

    @Test
    void withoutALabelFieldExamplesAreUnlabeled() {
        ExampleMapper mapper = new ExampleMapper(spec(Optional.empty(), null, false));
        assertThat(((Example) mapper.map(schemaless(good())).value()).getLabel()).isNull();
    }

    @Test
    void anOptionalLabelMayBeMissingOrNull() {
        ExampleMapper mapper = new ExampleMapper(spec(Optional.of(FieldPath.parse("label")),
                LabelEncoder.classes(List.of("ok", "fraud")), true));
        Map<String, Object> missing = good();
        missing.remove("label");
        assertThat(((Example) mapper.map(schemaless(missing)).value()).getLabel()).isNull();
        Map<String, Object> nulled = good();
        nulled.put("label", null);
        assertThat(((Example) mapper.map(schemaless(nulled)).value()).getLabel()).isNull();
        Map<String, Object> unknown = good();
        unknown.put("label", "maybe");
        assertRejected(mapper, unknown, "label", MappingException.UNKNOWN_CLASS);
    }

    @Test
    void classLabelsMatchWholeNumbersByTheirText() {
        ExampleMapper mapper = new ExampleMapper(spec(Optional.of(FieldPath.parse("label")),
                LabelEncoder.classes(List.of("0", "1")), false));
        Map<String, Object> value = good();
        value.put("label", 1L);
        assertThat(((Example) mapper.map(schemaless(value)).value()).getLabel()).isEqualTo(new ClassLabel(1, "1"));
    }

    @Test
    void everyBadInputNamesItsFieldAndRule() {
        assertRejected(CLASSIFIER, with("payment", map("currency", "EUR")), "payment.amount",
                MappingException.MISSING_FIELD);
        assertRejected(CLASSIFIER, with("payment", map("amount", "150")), "payment.amount",
                MappingException.WRONG_TYPE);
        assertRejected(CLASSIFIER, with("payment", map("amount", Double.NaN)), "payment.amount",
                MappingException.NON_FINITE);
        assertRejected(CLASSIFIER, with("payment", map("amount", Double.NEGATIVE_INFINITY)), "payment.amount",
                MappingException.NON_FINITE);
        assertRejected(CLASSIFIER, with("embedding", List.of(1, 2, 3)), "embedding", MappingException.VECTOR_LENGTH);
        assertRejected(CLASSIFIER, with("label", "chargeback"), "label", MappingException.UNKNOWN_CLASS);
        assertRejected(CLASSIFIER, with("label", null), "label", MappingException.NULL_VALUE);
        assertRejected(CLASSIFIER, with("online", null), "online", MappingException.NULL_VALUE);
        assertRejected(CLASSIFIER, with("channel", "fax"), "channel", MappingException.UNKNOWN_CATEGORY);
        assertRejected(CLASSIFIER, with("embedding", Arrays.asList(1, null)), "embedding",
                MappingException.NULL_VALUE);
    }

    @Test
    void aTombstoneIsANullValue() {
        SinkRecord tombstone = new SinkRecord("in", 0, null, "k", null, null, 1, 0L, TimestampType.CREATE_TIME);
        assertThatThrownBy(() -> CLASSIFIER.map(tombstone)).isInstanceOfSatisfying(MappingException.class,
                e -> assertThat(e.rule()).isEqualTo(MappingException.NULL_VALUE));
    }

    @Test
    void aRecordWithoutTimestampNeedsAnEventTimeField() {
        SinkRecord noTimestamp = new SinkRecord("in", 0, null, "k", null, good(), 1, null,
                TimestampType.NO_TIMESTAMP_TYPE);
        assertThatThrownBy(() -> CLASSIFIER.map(noTimestamp)).isInstanceOfSatisfying(MappingException.class, e -> {
            assertThat(e.field()).isEqualTo("(record timestamp)");
            assertThat(e.getMessage()).contains("event.time.field");
        });
    }

    @Test
    void theIdIsTheOriginalTopicPartitionOffsetWhenATransformRenamedTheTopic() {
        SinkRecord original = schemaless(good());
        SinkRecord renamed = original.newRecord("renamed", 3, null, "k", null, good(), TIMESTAMP);
        Example example = (Example) CLASSIFIER.map(renamed).value();
        assertThat(example.getId()).isEqualTo("in-0-42");
        assertThat(example.getOrigin().getTopic()).isEqualTo("in");
    }

    private static Map<String, Object> with(String key, Object value) {
        Map<String, Object> map = good();
        map.put(key, value);
        return map;
    }

    private static void assertRejected(ExampleMapper mapper, Map<String, Object> value, String field, String rule) {
        assertThatThrownBy(() -> mapper.map(schemaless(value)))
                .isInstanceOfSatisfying(MappingException.class, e -> {
                    assertThat(e.field()).isEqualTo(field);
                    assertThat(e.rule()).isEqualTo(rule);
                    assertThat(e.getMessage()).contains("'" + field + "'").contains("'" + rule + "'");
                });
    }
}
