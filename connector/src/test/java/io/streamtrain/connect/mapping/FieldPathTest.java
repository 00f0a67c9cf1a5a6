package io.streamtrain.connect.mapping;

import static io.streamtrain.connect.mapping.Records.map;
import static io.streamtrain.connect.mapping.Records.schemaless;
import static io.streamtrain.connect.mapping.Records.withSchema;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

class FieldPathTest {

    private static final Schema PAYMENT = SchemaBuilder.struct().name("Payment")
            .field("amount", Schema.FLOAT64_SCHEMA)
            .field("note", Schema.OPTIONAL_STRING_SCHEMA)
            .build();
    private static final Schema ORDER = SchemaBuilder.struct().name("Order")
            .field("payment", SchemaBuilder.struct().name("Payment").field("amount", Schema.FLOAT64_SCHEMA)
                    .field("note", Schema.OPTIONAL_STRING_SCHEMA).optional().build())
            .field("tags", SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.INT32_SCHEMA).build())
            .field("scores", SchemaBuilder.array(Schema.FLOAT64_SCHEMA).build())
            .build();

    private static SinkRecord order(Struct payment) {
        Struct order = new Struct(ORDER).put("payment", payment).put("tags", Map.of("vip", 1))
                .put("scores", List.of(0.5, 0.75));
        return withSchema(ORDER, order);
    }

    @Test
    void readsNestedStructsMapsAndListsByIndex() {
        SinkRecord record = order(new Struct(ORDER.field("payment").schema()).put("amount", 12.5));
        assertThat(FieldPath.parse("payment.amount").require(record)).isEqualTo(12.5);
        assertThat(FieldPath.parse("tags.vip").require(record)).isEqualTo(1);
        assertThat(FieldPath.parse("scores.1").require(record)).isEqualTo(0.75);
        assertThat(FieldPath.parse("payment.note").get(record)).isNull();
    }

    @Test
    void readsSchemalessMapsAndTheRecordKey() {
        SinkRecord record = schemaless(map("a", map("b.c", 3L, "d", List.of(map("e", "x")))));
        assertThat(FieldPath.parse("a.b\\.c").require(record)).isEqualTo(3L);
        assertThat(FieldPath.parse("a.d.0.e").require(record)).isEqualTo("x");
        assertThat(FieldPath.parse("$key").require(record)).isEqualTo("k");
        assertThat(FieldPath.parse("a.b\\.c").segments()).containsExactly("a", "b.c");
    }

    @Test
    void aMissingFieldIsMissingField() {
        SinkRecord record = order(new Struct(ORDER.field("payment").schema()).put("amount", 1.0));
        assertThatThrownBy(() -> FieldPath.parse("payment.currency").get(record))
                .isInstanceOfSatisfying(MappingException.class, e -> {
                    assertThat(e.rule()).isEqualTo(MappingException.MISSING_FIELD);
                    assertThat(e.field()).isEqualTo("payment.currency");
                    assertThat(e.getMessage()).contains("'payment.currency'").contains("missing-field");
                });
        assertThatThrownBy(() -> FieldPath.parse("x").get(schemaless(map("y", 1))))
                .isInstanceOfSatisfying(MappingException.class,
                        e -> assertThat(e.rule()).isEqualTo(MappingException.MISSING_FIELD));
        assertThatThrownBy(() -> FieldPath.parse("scores.7").get(record))
                .isInstanceOfSatisfying(MappingException.class,
                        e -> assertThat(e.rule()).isEqualTo(MappingException.MISSING_FIELD));
    }

    @Test
    void aNullOnTheWayOrANullValueIsNullValue() {
        SinkRecord record = order(null);
        assertThatThrownBy(() -> FieldPath.parse("payment.amount").get(record))
                .isInstanceOfSatisfying(MappingException.class, e -> {
                    assertThat(e.rule()).isEqualTo(MappingException.NULL_VALUE);
                    assertThat(e.getMessage()).contains("'payment' is null");
                });
        assertThatThrownBy(() -> FieldPath.parse("n").require(schemaless(map("n", null))))
                .isInstanceOfSatisfying(MappingException.class,
                        e -> assertThat(e.rule()).isEqualTo(MappingException.NULL_VALUE));
        SinkRecord tombstone = new SinkRecord("in", 0, null, "k", null, null, 1, 0L, TimestampType.CREATE_TIME);
        assertThatThrownBy(() -> FieldPath.parse("n").require(tombstone))
                .isInstanceOfSatisfying(MappingException.class, e -> {
                    assertThat(e.rule()).isEqualTo(MappingException.NULL_VALUE);
                    assertThat(e.getMessage()).contains("tombstone");
                });
    }

    @Test
    void enteringAScalarIsWrongType() {
        assertThatThrownBy(() -> FieldPath.parse("a.b").get(schemaless(map("a", 5))))
                .isInstanceOfSatisfying(MappingException.class, e -> {
                    assertThat(e.rule()).isEqualTo(MappingException.WRONG_TYPE);
                    assertThat(e.getMessage()).contains("'a' is a number (5)");
                });
        assertThatThrownBy(() -> FieldPath.parse("a").get(schemaless("just a string")))
                .isInstanceOfSatisfying(MappingException.class,
                        e -> assertThat(e.rule()).isEqualTo(MappingException.WRONG_TYPE));
    }

    @Test
    void findTreatsMissingAndNullAlike() {
        assertThat(FieldPath.parse("a.b").find(schemaless(map("x", 1)))).isNull();
        assertThat(FieldPath.parse("a.b").find(schemaless(map("a", null)))).isNull();
        assertThat(FieldPath.parse("a").find(schemaless(map("a", 2)))).isEqualTo(2);
    }

    @Test
    void structWithoutTheFieldInItsSchemaIsMissingField() {
        SinkRecord record = withSchema(PAYMENT, new Struct(PAYMENT).put("amount", 2.0));
        assertThatThrownBy(() -> FieldPath.parse("currency").get(record))
                .isInstanceOfSatisfying(MappingException.class,
                        e -> assertThat(e.rule()).isEqualTo(MappingException.MISSING_FIELD));
    }

    @Test
    void rejectsEmptySegments() {
        assertThatThrownBy(() -> FieldPath.parse("a..b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FieldPath.parse("a.")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FieldPath.parse(" ")).isInstanceOf(IllegalArgumentException.class);
    }
}
