package io.streamtrain.connect.mapping;

import static io.streamtrain.connect.mapping.Records.TIMESTAMP;
import static io.streamtrain.connect.mapping.Records.map;
import static io.streamtrain.connect.mapping.Records.schemaless;
import static io.streamtrain.connect.mapping.Records.withSchema;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.streamtrain.avro.ClassLabel;
import io.streamtrain.avro.Example;
import io.streamtrain.avro.Origin;
import io.streamtrain.avro.RegressionTarget;
import io.streamtrain.connect.mapping.FeatureSpec.UnknownCategory;
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
        bad.put("ts", 1.5);
        assertRejected(mapper, bad, "ts", MappingException.WRONG_TYPE);
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
