package io.streamtrain.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamtrain.avro.Example;
import java.time.Instant;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/** Records written with one schema, read or written with another, by Avro schema resolution. */
class SchemaEvolutionTest {

    private final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();

    @Test
    void olderReaderReadsRecordsFromANewerWriterWithAnExtraField() {
        Schema newer = SampleRecords.exampleWithExtraField();
        GenericRecord written = new GenericData.Record(newer);
        written.put("id", "e-9");
        written.put("model", "churn");
        written.put("features", new GenericData.Array<>(newer.getField("features").schema(), List.of(1f, 2f)));
        written.put("label", null);
        written.put("eventTime", 1_700_000_000_000L);
        written.put("origin", null);
        written.put("weight", 1.5f);
        written.put("source", "sensor-7");
        byte[] bytes;
        try (ConfluentAvroSerializer<GenericRecord> newerProducer = new ConfluentAvroSerializer<>(registry, false)) {
            bytes = newerProducer.serialize("examples", written);
        }

        try (ConfluentAvroDeserializer<Example> olderReader = new ConfluentAvroDeserializer<>(registry, Example.class)) {
            Example read = olderReader.deserialize("examples", bytes);

            assertThat(read.getId()).isEqualTo("e-9");
            assertThat(read.getFeatures()).containsExactly(1f, 2f);
            assertThat(read.getEventTime()).isEqualTo(Instant.ofEpochMilli(1_700_000_000_000L));
            assertThat(read.getWeight()).isEqualTo(1.5f);
        }
    }

    @Test
    void newerReaderFillsTheDefaultOfAFieldTheOlderWriterLacked() {
        byte[] bytes;
        try (ConfluentAvroSerializer<Example> olderProducer = new ConfluentAvroSerializer<>(registry, false)) {
            bytes = olderProducer.serialize("examples", SampleRecords.example("e-1"));
        }
        try (ConfluentAvroDeserializer<GenericRecord> newerReader =
                ConfluentAvroDeserializer.generic(registry, SampleRecords.exampleWithExtraField())) {
            GenericRecord read = newerReader.deserialize("examples", bytes);

            assertThat(read.get("id").toString()).isEqualTo("e-1");
            assertThat(read.get("source").toString()).isEqualTo("unknown");
        }
    }

    @Test
    void useLatestWritesOlderRecordsWithTheLatestRegisteredSchema() {
        Schema latest = SampleRecords.exampleWithExtraField();
        registry.register("examples-value", Example.getClassSchema());
        int latestId = registry.register("examples-value", latest);
        byte[] bytes;
        try (ConfluentAvroSerializer<Example> serializer =
                new ConfluentAvroSerializer<>(registry, false, WriterSchemaPolicy.USE_LATEST)) {
            bytes = serializer.serialize("examples", SampleRecords.example("e-3"));
        }

        assertThat(WireFormat.schemaId("examples", bytes)).isEqualTo(latestId);
        try (ConfluentAvroDeserializer<GenericRecord> reader = ConfluentAvroDeserializer.generic(registry)) {
            GenericRecord read = reader.deserialize("examples", bytes);
            assertThat(read.getSchema()).isEqualTo(latest);
            assertThat(read.get("id").toString()).isEqualTo("e-3");
            assertThat(read.get("source").toString()).isEqualTo("unknown");
        }
        try (ConfluentAvroDeserializer<Example> reader = new ConfluentAvroDeserializer<>(registry, Example.class)) {
            assertThat(reader.deserialize("examples", bytes)).isEqualTo(SampleRecords.example("e-3"));
        }
    }

    @Test
    void useLatestRefusesARecordTheLatestSchemaCannotRead() {
        registry.register("sensors-value", SampleRecords.sensorValueAsString());
        GenericRecord sensor = new GenericData.Record(SampleRecords.sensorV1());
        sensor.put("id", "s");
        sensor.put("value", 1.0);
        try (ConfluentAvroSerializer<GenericRecord> serializer =
                new ConfluentAvroSerializer<>(registry, false, WriterSchemaPolicy.USE_LATEST)) {
            assertThatThrownBy(() -> serializer.serialize("sensors", sensor))
                    .isInstanceOf(SerializationException.class)
                    .hasMessageContaining("subject 'sensors-value'")
                    .hasMessageContaining("TYPE_MISMATCH");
        }
    }

    @Test
    void useLatestNeedsASubjectWithASchema() {
        try (ConfluentAvroSerializer<Example> serializer =
                new ConfluentAvroSerializer<>(registry, false, WriterSchemaPolicy.USE_LATEST)) {
            assertThatThrownBy(() -> serializer.serialize("examples", SampleRecords.example("x")))
                    .isInstanceOf(SerializationException.class)
                    .hasMessageContaining("Subject 'examples-value' has no schema");
        }
    }

    @Test
    void lookupUsesAnExistingRegistrationAndNeverRegisters() {
        try (ConfluentAvroSerializer<Example> serializer =
                new ConfluentAvroSerializer<>(registry, false, WriterSchemaPolicy.LOOKUP)) {
            assertThatThrownBy(() -> serializer.serialize("examples", SampleRecords.example("x")))
                    .isInstanceOf(SerializationException.class)
                    .hasMessageContaining("not registered under subject 'examples-value'");
            assertThat(registry.subjects()).isEmpty();

            int id = registry.register("examples-value", Example.getClassSchema());
            assertThat(WireFormat.schemaId("examples", serializer.serialize("examples", SampleRecords.example("x"))))
                    .isEqualTo(id);
        }
    }
}
