package io.streamtrain.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.apicurio.registry.serde.SerdeConfig;
import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.apicurio.registry.serde.avro.AvroKafkaSerdeConfig;
import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import io.streamtrain.avro.Example;
import io.streamtrain.embedded.EmbeddedSchemaRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Our wire format against an independent implementation of it: Apicurio's Avro serde in Confluent
 * mode (4-byte id, no headers) talks to the same registry through Apicurio's own API, not ours.
 *
 * <p>Ids: the Confluent-compatible API of Apicurio 2.x names a schema by its content id (one id per
 * distinct content, shared across subjects), so Apicurio's serde must use {@code use-id=contentId};
 * with its default, the global id (one per artifact version), the ids would not match ours.
 */
@ExtendWith(EmbeddedServices.class)
class ApicurioSerdeInteropIT {

    private final EmbeddedSchemaRegistry registry;
    private final ObjectMapper json = new ObjectMapper();
    private RestSchemaRegistryClient client;
    private String topic;

    ApicurioSerdeInteropIT(EmbeddedSchemaRegistry registry) {
        this.registry = registry;
    }

    @BeforeEach
    void open() {
        client = new RestSchemaRegistryClient(Map.of("schema.registry.url", registry.url()));
        topic = "interop-" + UUID.randomUUID();
    }

    @AfterEach
    void close() {
        client.close();
    }

    /** The native Apicurio API of the same server, which Apicurio's serde talks to. */
    private String nativeUrl() {
        return registry.url().replace("/apis/ccompat/v7", "/apis/registry/v2");
    }

    private Map<String, Object> apicurioConfig() {
        Map<String, Object> config = new HashMap<>();
        config.put(SerdeConfig.REGISTRY_URL, nativeUrl());
        config.put(SerdeConfig.ENABLE_CONFLUENT_ID_HANDLER, true);
        config.put(SerdeConfig.USE_ID, "contentId");
        config.put(SerdeConfig.ENABLE_HEADERS, false);
        config.put(SerdeConfig.AUTO_REGISTER_ARTIFACT, true);
        config.put(AvroKafkaSerdeConfig.USE_SPECIFIC_AVRO_READER, true);
        return config;
    }

    @Test
    void apicurioReadsWhatOurSerializerWrote() {
        Example example = SampleRecords.example("ours-1");
        byte[] bytes;
        try (ConfluentAvroSerializer<Example> ours = new ConfluentAvroSerializer<>(client, false)) {
            bytes = ours.serialize(topic, example);
        }

        try (AvroKafkaDeserializer<Example> apicurio = new AvroKafkaDeserializer<>()) {
            apicurio.configure(apicurioConfig(), false);
            assertThat(apicurio.deserialize(topic, bytes)).isEqualTo(example);
        }
    }

    @Test
    void ourDeserializerReadsWhatApicurioWrote() {
        Example example = SampleRecords.regressionExample("theirs-1");
        byte[] bytes;
        try (AvroKafkaSerializer<Example> apicurio = new AvroKafkaSerializer<>()) {
            apicurio.configure(apicurioConfig(), false);
            bytes = apicurio.serialize(topic, example);
        }

        assertThat(bytes[0]).isZero();
        try (ConfluentAvroDeserializer<Example> ours = new ConfluentAvroDeserializer<>(client, Example.class)) {
            assertThat(ours.deserialize(topic, bytes)).isEqualTo(example);
        }
        try (ConfluentAvroDeserializer<GenericRecord> generic = ConfluentAvroDeserializer.generic(client)) {
            assertThat(generic.deserialize(topic, bytes).get("id").toString()).isEqualTo("theirs-1");
        }
    }

    @Test
    void apicurioContentIdIsTheConfluentSchemaId() throws Exception {
        byte[] theirs;
        try (AvroKafkaSerializer<Example> apicurio = new AvroKafkaSerializer<>()) {
            apicurio.configure(apicurioConfig(), false);
            theirs = apicurio.serialize(topic, SampleRecords.example("x"));
        }
        int idInTheirBytes = WireFormat.schemaId(topic, theirs);
        JsonNode meta = artifactMeta(topic + "-value");

        assertThat(meta.get("contentId").asInt()).isEqualTo(idInTheirBytes);
        assertThat(client.latest(topic + "-value")).hasValueSatisfying(latest -> {
            assertThat(latest.id()).isEqualTo(idInTheirBytes);
            assertThat(latest.schema()).isEqualTo(Example.getClassSchema());
        });
        try (ConfluentAvroSerializer<Example> ours = new ConfluentAvroSerializer<>(client, false)) {
            assertThat(WireFormat.schemaId(topic, ours.serialize(topic, SampleRecords.example("y"))))
                    .isEqualTo(idInTheirBytes);
        }
    }

    private JsonNode artifactMeta(String artifactId) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(nativeUrl() + "/groups/default/artifacts/" + artifactId + "/meta")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json.readTree(response.body());
    }
}
