package io.streamtrain.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamtrain.avro.Example;
import io.streamtrain.embedded.EmbeddedSchemaRegistry;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The client against a real registry: Apicurio Registry's Confluent-compatible API, BACKWARD globally. */
@ExtendWith(EmbeddedServices.class)
class RestSchemaRegistryClientIT {

    private final EmbeddedSchemaRegistry registry;
    private RestSchemaRegistryClient client;
    private String subject;

    RestSchemaRegistryClientIT(EmbeddedSchemaRegistry registry) {
        this.registry = registry;
    }

    @BeforeEach
    void open() {
        client = newClient();
        subject = "it-" + UUID.randomUUID() + "-value";
    }

    @AfterEach
    void close() {
        client.close();
    }

    private RestSchemaRegistryClient newClient() {
        return new RestSchemaRegistryClient(Map.of("schema.registry.url", registry.url()));
    }

    @Test
    void registrationIsIdempotentAcrossCachesAndClients() {
        int id = client.register(subject, SampleRecords.sensorV1());

        assertThat(client.register(subject, SampleRecords.sensorV1())).isEqualTo(id);
        try (RestSchemaRegistryClient fresh = newClient()) {
            assertThat(fresh.register(subject, SampleRecords.sensorV1())).isEqualTo(id);
        }
        assertThat(client.latest(subject)).hasValueSatisfying(latest -> {
            assertThat(latest.version()).isEqualTo(1);
            assertThat(latest.id()).isEqualTo(id);
        });
    }

    @Test
    void idsRoundTripToAnEqualSchema() {
        int id = client.register(subject, Example.getClassSchema());

        try (RestSchemaRegistryClient fresh = newClient()) {
            Schema fetched = fresh.getById(id);
            assertThat(fetched).isEqualTo(Example.getClassSchema());
            assertThat(fetched.getField("eventTime").schema().getLogicalType().getName()).isEqualTo("timestamp-millis");
        }
    }

    @Test
    void identicalContentGetsOneIdAcrossSubjects() {
        int id = client.register(subject, SampleRecords.sensorV1());

        assertThat(client.register("other-" + subject, SampleRecords.sensorV1())).isEqualTo(id);
    }

    @Test
    void latestLookupAndSubjects() {
        assertThat(client.latest(subject)).isEmpty();
        client.register(subject, SampleRecords.sensorV1());
        int v2 = client.register(subject, SampleRecords.sensorV2());

        assertThat(client.latest(subject)).contains(new RegisteredSchema(subject, 2, v2, SampleRecords.sensorV2()));
        assertThat(client.lookup(subject, SampleRecords.sensorV2())).hasValueSatisfying(found -> {
            assertThat(found.id()).isEqualTo(v2);
            assertThat(found.version()).isEqualTo(2);
        });
        assertThat(client.lookup(subject, SampleRecords.sensorValueAsString())).isEmpty();
        assertThat(client.subjects()).contains(subject);
    }

    @Test
    void backwardIncompatibleChangesAreRefusedWithTheRegistrysMessage() {
        client.register(subject, SampleRecords.sensorV1());

        for (Schema incompatible : new Schema[] {SampleRecords.sensorRequiredField(), SampleRecords.sensorValueAsString()}) {
            assertThat(client.testCompatibility(subject, incompatible).compatible()).isFalse();
            assertThatThrownBy(() -> client.register(subject, incompatible))
                    .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                        assertThat(e.httpStatus()).isEqualTo(409);
                        assertThat(e.isRetriable()).isFalse();
                        assertThat(e.registryMessage()).hasValueSatisfying(m -> assertThat(m).isNotBlank());
                        assertThat(e.getMessage()).contains(e.registryMessage().get());
                    })
                    .hasMessageContaining("subject '" + subject + "'");
        }
        assertThat(client.testCompatibility(subject, SampleRecords.sensorV2()).compatible()).isTrue();
        assertThat(client.latest(subject)).hasValueSatisfying(latest -> assertThat(latest.version()).isEqualTo(1));
    }

    @Test
    void aSubjectWithoutVersionsIsCompatibleWithAnything() {
        assertThat(client.testCompatibility(subject, SampleRecords.sensorV1()).compatible()).isTrue();
    }

    @Test
    void perSubjectCompatibilityOverridesTheGlobalLevel() {
        client.register(subject, SampleRecords.sensorV1());
        // A required field without default breaks BACKWARD (the global level) but not FORWARD.
        // Not NONE: Apicurio 2.4 stores a subject's NONE as "no subject rule", so the global one applies.
        client.setCompatibility(subject, "FORWARD");

        int id = client.register(subject, SampleRecords.sensorRequiredField());

        assertThat(client.latest(subject)).hasValueSatisfying(latest -> {
            assertThat(latest.id()).isEqualTo(id);
            assertThat(latest.version()).isEqualTo(2);
        });
    }

    @Test
    void compatibilityVerdictsCarryTheRegistrysReason() {
        client.register(subject, SampleRecords.sensorV1());

        CompatibilityResult result = client.testCompatibility(subject, SampleRecords.sensorValueAsString());

        assertThat(result.compatible()).isFalse();
        assertThat(result.messages()).anySatisfy(message -> assertThat(message).contains("/fields/1"));
    }

    @Test
    void anUnknownIdIsNotFoundAndTheDeserializerNamesIt() {
        int unknown = 987_654;
        assertThatThrownBy(() -> client.getById(unknown))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.isNotFound()).isTrue());

        byte[] bytes = {0, 0, 0x0F, 0x12, 0x06, 0x02};
        try (ConfluentAvroDeserializer<Example> deserializer = new ConfluentAvroDeserializer<>(client, Example.class)) {
            assertThatThrownBy(() -> deserializer.deserialize("examples", bytes))
                    .isInstanceOf(WireFormatException.class)
                    .hasMessageContaining("unknown schema id " + unknown);
        }
    }

    @Test
    void theSerializerNamesTheSubjectTheRegistryRefused() {
        String topic = subject.substring(0, subject.length() - "-value".length());
        client.register(subject, SampleRecords.sensorV1());
        org.apache.avro.generic.GenericRecord record =
                new org.apache.avro.generic.GenericData.Record(SampleRecords.sensorRequiredField());
        record.put("id", "s");
        record.put("value", 1.0);
        record.put("serial", 3L);
        try (ConfluentAvroSerializer<Object> serializer = new ConfluentAvroSerializer<>(client, false)) {
            assertThatThrownBy(() -> serializer.serialize(topic, record))
                    .isInstanceOf(SchemaRegistryException.class)
                    .hasMessageContaining("subject '" + subject + "'")
                    .hasMessageContaining("HTTP 409");
        }
    }
}
