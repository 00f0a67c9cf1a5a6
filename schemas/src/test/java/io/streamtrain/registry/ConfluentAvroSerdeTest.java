package io.streamtrain.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamtrain.avro.Example;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class ConfluentAvroSerdeTest {

    private final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();

    @Test
    void specificRecordRoundTripsThroughTheWireFormat() {
        try (ConfluentAvroSerde<Example> serde = ConfluentAvroSerde.specific(Example.class, registry, false)) {
            Example example = SampleRecords.example("e-1");
            Example regression = SampleRecords.regressionExample("e-2");

            byte[] bytes = serde.serializer().serialize("examples", example);

            assertThat(serde.deserializer().deserialize("examples", bytes)).isEqualTo(example);
            assertThat(serde.deserializer().deserialize("examples", serde.serializer().serialize("examples", regression)))
                    .isEqualTo(regression);
            assertThat(registry.subjects()).containsExactly("examples-value");
        }
    }

    @Test
    void framesTheAvroBodyWithMagicByteAndBigEndianSchemaId() throws Exception {
        for (int i = 0; i < 299; i++) { // push the id past one byte, to see the byte order
            registry.add(SchemaBuilderFixture.filler(i));
        }
        try (ConfluentAvroSerializer<Example> serializer = new ConfluentAvroSerializer<>(registry, false)) {
            Example example = SampleRecords.example("e-1");

            byte[] bytes = serializer.serialize("examples", example);

            int id = registry.register("examples-value", Example.getClassSchema());
            assertThat(id).isEqualTo(300);
            assertThat(Arrays.copyOf(bytes, 5)).containsExactly(0, 0, 0, 0x01, 0x2C);
            assertThat(Arrays.copyOfRange(bytes, 5, bytes.length)).isEqualTo(plainAvro(example));
        }
    }

    @Test
    void keysUseTheKeySubject() {
        try (ConfluentAvroSerializer<Example> serializer = new ConfluentAvroSerializer<>(registry, true)) {
            serializer.serialize("examples", SampleRecords.example("k"));
        }
        assertThat(registry.subjects()).containsExactly("examples-key");
    }

    @Test
    void genericRecordsRoundTrip() {
        GenericRecord sensor = new GenericData.Record(SampleRecords.sensorV1());
        sensor.put("id", "s-1");
        sensor.put("value", 21.5);
        try (ConfluentAvroSerde<GenericRecord> serde = ConfluentAvroSerde.generic(registry, false)) {
            byte[] bytes = serde.serializer().serialize("sensors", sensor);

            GenericRecord read = serde.deserializer().deserialize("sensors", bytes);

            assertThat(read.get("id").toString()).isEqualTo("s-1");
            assertThat(read.get("value")).isEqualTo(21.5);
            assertThat(read.getSchema()).isEqualTo(SampleRecords.sensorV1());
        }
    }

    @Test
    void nullAndEmptyAreTombstones() {
        try (ConfluentAvroSerde<Example> serde = ConfluentAvroSerde.specific(Example.class, registry, false)) {
            assertThat(serde.serializer().serialize("examples", null)).isNull();
            assertThat(serde.deserializer().deserialize("examples", (byte[]) null)).isNull();
            assertThat(serde.deserializer().deserialize("examples", new byte[0])).isNull();
            assertThat(serde.deserializer().deserialize("examples", null, ByteBuffer.allocate(0))).isNull();
        }
        assertThat(registry.registerCalls()).isZero();
    }

    @Test
    void cachesTheSchemaIdAndTheWriterSchema() {
        try (ConfluentAvroSerde<Example> serde = ConfluentAvroSerde.specific(Example.class, registry, false)) {
            for (int i = 0; i < 50; i++) {
                byte[] bytes = serde.serializer().serialize("examples", SampleRecords.example("e-" + i));
                serde.deserializer().deserialize("examples", bytes);
            }
        }
        assertThat(registry.registerCalls()).isEqualTo(1);
        assertThat(registry.getByIdCalls()).isEqualTo(1);
    }

    @Test
    void isCorrectWhenSharedByThreads() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (ConfluentAvroSerde<Example> serde = ConfluentAvroSerde.specific(Example.class, registry, false)) {
            List<Future<Boolean>> results = new java.util.ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                results.add(pool.submit(() -> {
                    for (int i = 0; i < 500; i++) {
                        Example example = SampleRecords.example("t" + thread + "-" + i);
                        byte[] bytes = serde.serializer().serialize("examples", example);
                        if (!serde.deserializer().deserialize("examples", bytes).equals(example)) {
                            return false;
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> result : results) {
                assertThat(result.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void refusesObjectsThatAreNotAvroRecords() {
        try (ConfluentAvroSerializer<Object> serializer = new ConfluentAvroSerializer<>(registry, false)) {
            assertThatThrownBy(() -> serializer.serialize("examples", "plain text"))
                    .isInstanceOf(SerializationException.class)
                    .hasMessageContaining("java.lang.String")
                    .hasMessageContaining("'examples'");
        }
    }

    @Test
    void namesTheFieldOfARecordThatBreaksItsOwnSchema() {
        GenericRecord sensor = new GenericData.Record(SampleRecords.sensorV1());
        sensor.put("id", null);
        sensor.put("value", 1.0);
        try (ConfluentAvroSerializer<GenericRecord> serializer = new ConfluentAvroSerializer<>(registry, false)) {
            assertThatThrownBy(() -> serializer.serialize("sensors", sensor))
                    .isInstanceOf(SerializationException.class)
                    .hasMessageContaining("'sensors'")
                    .hasMessageContaining("Sensor.id");
        }
    }

    @Test
    void serializerRefusedByTheRegistryNamesSubjectAndRegistryMessage() {
        registry.register("sensors-value", SampleRecords.sensorV1());
        GenericRecord incompatible = new GenericData.Record(SampleRecords.sensorRequiredField());
        incompatible.put("id", "s");
        incompatible.put("value", 1.0);
        incompatible.put("serial", 7L);
        try (ConfluentAvroSerializer<GenericRecord> serializer = new ConfluentAvroSerializer<>(registry, false)) {
            assertThatThrownBy(() -> serializer.serialize("sensors", incompatible))
                    .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                        assertThat(e.httpStatus()).isEqualTo(409);
                        assertThat(e.isRetriable()).isFalse();
                    })
                    .hasMessageContaining("subject 'sensors-value'")
                    .hasMessageContaining("Schema being registered is incompatible");
        }
    }

    @Test
    void borrowedClientsStayOpenAndOwnedOnesCloseWithTheSerde() {
        ConfluentAvroSerde.specific(Example.class, registry, false).close();
        assertThat(registry.isClosed()).isFalse();

        InMemorySchemaRegistryClient owned = new InMemorySchemaRegistryClient();
        SharedRegistryClient shared = SharedRegistryClient.owned(owned, 2);
        ConfluentAvroSerializer<Example> serializer =
                new ConfluentAvroSerializer<>(shared, false, WriterSchemaPolicy.AUTO_REGISTER, 10);
        ConfluentAvroDeserializer<Example> deserializer =
                new ConfluentAvroDeserializer<>(shared, AvroRecordReader.specific(owned, Example.class, 10));
        serializer.close();
        serializer.close(); // a second close must not count twice
        assertThat(owned.isClosed()).isFalse();
        deserializer.close();
        assertThat(owned.isClosed()).isTrue();
    }

    @Test
    void unconfiguredInstancesSaySo() {
        assertThatThrownBy(() -> new ConfluentAvroSerializer<Example>().serialize("t", SampleRecords.example("x")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("configure()");
        assertThatThrownBy(() -> new ConfluentAvroDeserializer<Example>().deserialize("t", new byte[] {0, 0, 0, 0, 1}))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("configure()");
        assertThatThrownBy(() -> new ConfluentAvroSerde<Example>().serializer())
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void specificDeserializerRejectsClassesThatAreNotGenerated() {
        assertThatThrownBy(() -> new ConfluentAvroDeserializer<>(registry, String.class))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("java.lang.String");
    }

    private static byte[] plainAvro(Example example) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new SpecificDatumWriter<>(Example.class).write(example, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    /** Distinct throwaway schemas to move the id counter. */
    static final class SchemaBuilderFixture {
        static org.apache.avro.Schema filler(int i) {
            return org.apache.avro.SchemaBuilder.record("Filler" + i).fields().requiredInt("f").endRecord();
        }
    }
}
