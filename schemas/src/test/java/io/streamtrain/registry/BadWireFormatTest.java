package io.streamtrain.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamtrain.avro.Example;
import java.util.Arrays;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Every way bytes on a topic can fail to be a record, and what the deserializer says about it. */
class BadWireFormatTest {

    private static final String TOPIC = "examples";

    private final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
    private final ConfluentAvroSerde<Example> serde = ConfluentAvroSerde.specific(Example.class, registry, false);

    @AfterEach
    void close() {
        serde.close();
    }

    private byte[] validBytes() {
        return serde.serializer().serialize(TOPIC, SampleRecords.example("e-1"));
    }

    @Test
    void badMagicByteIsShown() {
        byte[] json = "{\"id\":\"e-1\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);

        assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, json))
                .isInstanceOfSatisfying(WireFormatException.class, e -> assertThat(e.topic()).isEqualTo(TOPIC))
                .hasMessageContaining("topic 'examples'")
                .hasMessageContaining("bad magic byte 0x7B");
    }

    @Test
    void payloadShorterThanTheHeader() {
        assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, new byte[] {0, 0, 1}))
                .isInstanceOf(WireFormatException.class)
                .hasMessageContaining("topic 'examples'")
                .hasMessageContaining("payload is 3 bytes, shorter than the 5-byte header");
    }

    @Test
    void unknownSchemaIdIsNamed() {
        byte[] bytes = validBytes();
        bytes[3] = 0x7F; // id 0x00007F01, which the registry never issued

        assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, bytes))
                .isInstanceOfSatisfying(WireFormatException.class,
                        e -> assertThat(e.getCause()).isInstanceOf(SchemaRegistryException.class))
                .hasMessageContaining("topic 'examples'")
                .hasMessageContaining("unknown schema id " + 0x7F01);
    }

    @Test
    void truncatedBody() {
        byte[] bytes = validBytes();
        byte[] truncated = Arrays.copyOf(bytes, bytes.length - 3);

        assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, truncated))
                .isInstanceOf(WireFormatException.class)
                .hasMessageContaining("topic 'examples'")
                .hasMessageContaining("truncated");
    }

    @Test
    void headerWithoutBody() {
        byte[] headerOnly = Arrays.copyOf(validBytes(), 5);

        assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, headerOnly))
                .isInstanceOf(WireFormatException.class)
                .hasMessageContaining("truncated");
    }

    @Test
    void corruptBodyWithAnImpossibleUnionBranch() {
        Schema schema = SchemaBuilder.record("Reading").namespace("io.streamtrain.test").fields()
                .name("value").type().unionOf().nullType().and().longType().endUnion().noDefault()
                .endRecord();
        int id = registry.add(schema);
        // union branch index 5 (zig-zag 0x0A) where the union has two branches
        byte[] bytes = {0, 0, 0, 0, (byte) id, 0x0A, 0x02};
        try (ConfluentAvroDeserializer<GenericRecord> generic = ConfluentAvroDeserializer.generic(registry)) {
            assertThatThrownBy(() -> generic.deserialize("readings", bytes))
                    .isInstanceOf(WireFormatException.class)
                    .hasMessageContaining("topic 'readings'")
                    .hasMessageContaining("corrupt");
        }
    }

    @Test
    void corruptBodyWithANegativeLength() {
        Schema schema = SchemaBuilder.record("Named").namespace("io.streamtrain.test").fields()
                .requiredString("name").endRecord();
        int id = registry.add(schema);
        byte[] bytes = {0, 0, 0, 0, (byte) id, 0x01, 'x'}; // zig-zag 0x01 is length -1
        try (ConfluentAvroDeserializer<GenericRecord> generic = ConfluentAvroDeserializer.generic(registry)) {
            assertThatThrownBy(() -> generic.deserialize("names", bytes))
                    .isInstanceOf(WireFormatException.class)
                    .hasMessageContaining("corrupt");
        }
    }

    @Test
    void trailingBytesAfterTheRecord() {
        byte[] bytes = validBytes();
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 2);

        assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, longer))
                .isInstanceOf(WireFormatException.class)
                .hasMessageContaining("topic 'examples'")
                .hasMessageContaining("2 trailing bytes");
    }

    @Test
    void writerSchemaThatCannotBeResolvedIsASchemaMismatch() {
        // Same full name as Example, but 'features' is a string: not readable as Example.
        Schema clash = SchemaBuilder.record("Example").namespace("io.streamtrain.avro").fields()
                .requiredString("id").requiredString("model").requiredString("features").requiredLong("eventTime")
                .endRecord();
        GenericRecord record = new GenericData.Record(clash);
        record.put("id", "x");
        record.put("model", "m");
        record.put("features", "1,2,3");
        record.put("eventTime", 5L);
        byte[] bytes;
        try (ConfluentAvroSerializer<GenericRecord> other = new ConfluentAvroSerializer<>(registry, false)) {
            bytes = other.serialize("other-topic", record);
        }

        assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, bytes))
                .isInstanceOf(WireFormatException.class)
                .hasMessageContaining("topic 'examples'")
                .hasMessageContaining("schema mismatch")
                .hasMessageContaining("/fields/2/type");
    }

    @Test
    void aRegistryOutageIsNotABadRecord() {
        SchemaRegistryClient down = new InMemorySchemaRegistryClient() {
            @Override
            public Schema getById(int id) {
                throw SchemaRegistryException.noResponse("Fetching schema id " + id, "GET", "/schemas/ids/" + id, 4,
                        new java.net.ConnectException("Connection refused"));
            }
        };
        byte[] bytes = validBytes();
        try (ConfluentAvroDeserializer<Example> deserializer = new ConfluentAvroDeserializer<>(down, Example.class)) {
            assertThatThrownBy(() -> deserializer.deserialize(TOPIC, bytes))
                    .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.isRetriable()).isTrue())
                    .isNotInstanceOf(WireFormatException.class);
        }
    }
}
