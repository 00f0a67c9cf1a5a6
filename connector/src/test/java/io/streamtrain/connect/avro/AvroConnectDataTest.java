package io.streamtrain.connect.avro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.streamtrain.avro.ClassLabel;
import io.streamtrain.avro.Example;
import io.streamtrain.avro.Origin;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.DataException;
import org.junit.jupiter.api.Test;

class AvroConnectDataTest {

    private final AvroConnectData data = new AvroConnectData(100);

    /** A record with every kind the mapping knows. */
    static final Schema EVERYTHING = SchemaBuilder.record("Everything").namespace("io.test").doc("all kinds")
            .fields()
            .requiredBoolean("flag")
            .requiredInt("count")
            .requiredLong("big")
            .requiredFloat("ratio")
            .requiredDouble("amount")
            .requiredString("name")
            .requiredBytes("blob")
            .name("nickname").type().optional().stringType()
            .name("score").type().nullable().doubleType().doubleDefault(0.5)
            .name("color").type().enumeration("Color").symbols("RED", "GREEN").noDefault()
            .name("hash").type().fixed("Hash").size(4).noDefault()
            .name("tags").type().array().items().stringType().noDefault()
            .name("weights").type().map().values().doubleType().noDefault()
            .name("address").type().record("Address").fields().requiredString("city")
                .name("zip").type().optional().intType().endRecord().noDefault()
            .name("choice").type().unionOf().nullType().and().intType().and().stringType().endUnion().nullDefault()
            .name("day").type(LogicalTypes.date().addToSchema(Schema.create(Schema.Type.INT))).noDefault()
            .name("at").type(LogicalTypes.timestampMillis().addToSchema(Schema.create(Schema.Type.LONG))).noDefault()
            .name("tod").type(LogicalTypes.timeMillis().addToSchema(Schema.create(Schema.Type.INT))).noDefault()
            .name("price").type(LogicalTypes.decimal(10, 2).addToSchema(Schema.create(Schema.Type.BYTES))).noDefault()
            .name("level").type().intType().intDefault(3)
            .endRecord();

    static GenericRecord everything() {
        GenericData.Record r = new GenericData.Record(EVERYTHING);
        r.put("flag", true);
        r.put("count", 7);
        r.put("big", 1L << 40);
        r.put("ratio", 0.25f);
        r.put("amount", 12.5);
        r.put("name", "n");
        r.put("blob", ByteBuffer.wrap(new byte[] {1, 2}));
        r.put("nickname", null);
        r.put("score", 0.75);
        r.put("color", new GenericData.EnumSymbol(EVERYTHING.getField("color").schema(), "GREEN"));
        r.put("hash", new GenericData.Fixed(EVERYTHING.getField("hash").schema(), new byte[] {9, 8, 7, 6}));
        r.put("tags", List.of("a", "b"));
        Map<String, Object> weights = new LinkedHashMap<>();
        weights.put("w", 1.5);
        r.put("weights", weights);
        GenericData.Record address = new GenericData.Record(EVERYTHING.getField("address").schema());
        address.put("city", "Lyon");
        address.put("zip", 69000);
        r.put("address", address);
        r.put("choice", "text");
        r.put("day", 19_000);
        r.put("at", 1_700_000_000_123L);
        r.put("tod", 3_600_000);
        r.put("price", ByteBuffer.wrap(new BigDecimal("123.45").unscaledValue().toByteArray()));
        r.put("level", 4);
        return r;
    }

    @Test
    void avroToConnectCoversEveryKind() {
        org.apache.kafka.connect.data.Schema schema = data.toConnectSchema(EVERYTHING);
        assertThat(schema.name()).isEqualTo("io.test.Everything");
        assertThat(schema.doc()).isEqualTo("all kinds");
        assertThat(schema.field("nickname").schema().isOptional()).isTrue();
        assertThat(schema.field("score").schema().isOptional()).isTrue();
        assertThat(schema.field("score").schema().defaultValue()).isEqualTo(0.5);
        assertThat(schema.field("level").schema().defaultValue()).isEqualTo(3);
        assertThat(schema.field("choice").schema().name()).isEqualTo(AvroConnectData.UNION_NAME);
        assertThat(schema.field("price").schema().name()).isEqualTo(Decimal.LOGICAL_NAME);
        assertThat(schema.field("at").schema().name()).isEqualTo(Timestamp.LOGICAL_NAME);

        Struct struct = (Struct) data.toConnectValue(EVERYTHING, schema, everything());
        struct.validate();
        assertThat(struct.getBoolean("flag")).isTrue();
        assertThat(struct.getInt64("big")).isEqualTo(1L << 40);
        assertThat(struct.getString("name")).isEqualTo("n");
        assertThat(struct.getBytes("blob")).containsExactly(1, 2);
        assertThat(struct.getString("nickname")).isNull();
        assertThat(struct.getString("color")).isEqualTo("GREEN");
        assertThat(struct.getBytes("hash")).containsExactly(9, 8, 7, 6);
        assertThat(struct.getArray("tags")).containsExactly("a", "b");
        assertThat(struct.getMap("weights")).containsEntry("w", 1.5);
        assertThat(struct.getStruct("address").getString("city")).isEqualTo("Lyon");
        assertThat(struct.getStruct("address").getInt32("zip")).isEqualTo(69000);
        assertThat(struct.getStruct("choice").getString("string")).isEqualTo("text");
        assertThat(struct.getStruct("choice").getInt32("int")).isNull();
        assertThat(((java.util.Date) struct.get("day")).getTime()).isEqualTo(19_000L * 86_400_000L);
        assertThat(((java.util.Date) struct.get("at")).getTime()).isEqualTo(1_700_000_000_123L);
        assertThat(((java.util.Date) struct.get("tod")).getTime()).isEqualTo(3_600_000L);
        assertThat(struct.get("price")).isEqualTo(new BigDecimal("123.45"));
    }

    @Test
    void roundTripsAvroThroughConnectAndBack() {
        org.apache.kafka.connect.data.Schema connect = data.toConnectSchema(EVERYTHING);
        Object value = data.toConnectValue(EVERYTHING, connect, everything());
        Schema back = data.toAvroSchema(connect);
        assertThat(back.getFullName()).isEqualTo("io.test.Everything");
        assertThat(back.getField("color").schema().getType()).isEqualTo(Schema.Type.ENUM);
        assertThat(back.getField("hash").schema().getType()).isEqualTo(Schema.Type.FIXED);
        assertThat(back.getField("price").schema().getLogicalType()).isEqualTo(LogicalTypes.decimal(10, 2));
        assertThat(back.getField("level").defaultVal()).isEqualTo(3);
        GenericRecord record = (GenericRecord) data.toAvroValue(connect, back, value);
        assertThat(GenericData.get().validate(back, record)).isTrue();
        // Connect -> Avro -> Connect gives the same schema and value
        assertThat(data.toConnectSchema(back)).isEqualTo(connect);
        Object again = data.toConnectValue(back, data.toConnectSchema(back), record);
        assertThat(again).isEqualTo(value);
        assertThat(((Struct) again).getStruct("address").getString("city")).isEqualTo("Lyon");
        assertThat(((Struct) again).get("price")).isEqualTo(new BigDecimal("123.45"));
        assertThat(((Struct) again).getString("color")).isEqualTo("GREEN");
        assertThat(((Struct) again).getStruct("choice").getString("string")).isEqualTo("text");
    }

    @Test
    void connectToAvroNamesAnonymousStructsAndKeepsSmallInts() {
        org.apache.kafka.connect.data.Schema inner = org.apache.kafka.connect.data.SchemaBuilder.struct()
                .field("x", org.apache.kafka.connect.data.Schema.INT8_SCHEMA).build();
        org.apache.kafka.connect.data.Schema outer = org.apache.kafka.connect.data.SchemaBuilder.struct()
                .field("first", inner)
                .field("second", org.apache.kafka.connect.data.SchemaBuilder.struct()
                        .field("y", org.apache.kafka.connect.data.Schema.INT16_SCHEMA).build())
                .field("bad-name", org.apache.kafka.connect.data.Schema.OPTIONAL_STRING_SCHEMA)
                .field("byId", org.apache.kafka.connect.data.SchemaBuilder.map(
                        org.apache.kafka.connect.data.Schema.INT32_SCHEMA,
                        org.apache.kafka.connect.data.Schema.STRING_SCHEMA).build())
                .build();
        Schema avro = data.toAvroSchema(outer);
        assertThat(avro.getFullName()).isEqualTo("io.streamtrain.connect.avro.ConnectDefault");
        assertThat(avro.getField("first").schema().getFullName()).isNotEqualTo(avro.getFullName());
        assertThat(avro.getField("bad_name")).isNotNull();
        assertThat(avro.getField("byId").schema().getType()).isEqualTo(Schema.Type.ARRAY);
        Struct value = new Struct(outer)
                .put("first", new Struct(inner).put("x", (byte) 3))
                .put("second", new Struct(outer.field("second").schema()).put("y", (short) 300))
                .put("byId", Map.of(1, "one"));
        GenericRecord record = (GenericRecord) data.toAvroValue(outer, avro, value);
        assertThat(GenericData.get().validate(avro, record)).isTrue();
        Struct back = (Struct) data.toConnectValue(avro, data.toConnectSchema(avro), record);
        assertThat(back.getStruct("first").getInt8("x")).isEqualTo((byte) 3);
        assertThat(back.getStruct("second").getInt16("y")).isEqualTo((short) 300);
    }

    @Test
    void mapsTheGeneratedExampleSchema() {
        Example example = new Example("id-1", "m", List.of(1f, 2f), new ClassLabel(1, "b"),
                java.time.Instant.ofEpochMilli(5), new Origin("t", 0, 3L, null), 1f);
        Schema schema = Example.getClassSchema();
        org.apache.kafka.connect.data.Schema connect = data.toConnectSchema(schema);
        assertThat(connect.field("label").schema().name()).isEqualTo(AvroConnectData.UNION_NAME);
        GenericRecord generic = GenericData.get().deepCopy(schema, toGeneric(example));
        Struct struct = (Struct) data.toConnectValue(schema, connect, generic);
        assertThat(struct.getArray("features")).containsExactly(1f, 2f);
        assertThat(struct.getStruct("label").getStruct("io.streamtrain.avro.ClassLabel").getInt32("index"))
                .isEqualTo(1);
        assertThat(((java.util.Date) struct.get("eventTime")).getTime()).isEqualTo(5L);
    }

    private static GenericRecord toGeneric(Example example) {
        try {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            org.apache.avro.io.BinaryEncoder encoder = org.apache.avro.io.EncoderFactory.get().binaryEncoder(out, null);
            new org.apache.avro.specific.SpecificDatumWriter<Example>(Example.class).write(example, encoder);
            encoder.flush();
            return new org.apache.avro.generic.GenericDatumReader<GenericRecord>(Example.getClassSchema())
                    .read(null, org.apache.avro.io.DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void recursiveRecordsAreRefused() {
        Schema node = SchemaBuilder.record("Node").fields().requiredInt("v").name("next").type().optional()
                .type("Node").endRecord();
        assertThatThrownBy(() -> data.toConnectSchema(node)).isInstanceOf(DataException.class)
                .hasMessageContaining("recursive");
    }

    @Test
    void valuesThatDoNotFitAreDataExceptions() {
        org.apache.kafka.connect.data.Schema connect = data.toConnectSchema(EVERYTHING);
        Schema avro = data.toAvroSchema(connect);
        Struct value = (Struct) data.toConnectValue(EVERYTHING, connect, everything());
        value.put("color", "BLUE");
        assertThatThrownBy(() -> data.toAvroValue(connect, avro, value)).isInstanceOf(DataException.class)
                .hasMessageContaining("BLUE");
    }
}
