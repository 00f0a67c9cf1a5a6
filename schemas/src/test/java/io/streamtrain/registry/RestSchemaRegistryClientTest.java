package io.streamtrain.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamtrain.avro.Example;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client's HTTP behaviour against canned registry responses. */
class RestSchemaRegistryClientTest {

    private static final String PREFIX = "/apis/ccompat/v7";
    private static final String SENSOR_JSON = SampleRecords.sensorV1().toString();

    private final ObjectMapper json = new ObjectMapper();
    private final List<Duration> sleeps = new ArrayList<>();
    private FakeRegistryServer server;

    @BeforeEach
    void start() throws IOException {
        server = FakeRegistryServer.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private RestSchemaRegistryClient client(Map<String, Object> extra) {
        Map<String, Object> props = new HashMap<>();
        props.put("schema.registry.url", server.url(PREFIX));
        props.put("schema.registry.request.timeout.ms", 5000);
        props.putAll(extra);
        return new RestSchemaRegistryClient(new SchemaRegistryClientConfig(props), sleeps::add);
    }

    private RestSchemaRegistryClient client() {
        return client(Map.of());
    }

    private String schemaBody(Schema schema) throws IOException {
        return json.createObjectNode().put("schema", schema.toString()).toString();
    }

    @Test
    void registersUnderThePrefixedUrlWithTheRegistryMediaType() throws Exception {
        server.on("POST", PREFIX + "/subjects/sensors-value/versions", 200, "{\"id\":7}");
        try (RestSchemaRegistryClient client = client()) {
            assertThat(client.register("sensors-value", SampleRecords.sensorV1())).isEqualTo(7);
        }
        FakeRegistryServer.Recorded request = server.requests().get(0);
        assertThat(request.header("Content-Type")).isEqualTo("application/vnd.schemaregistry.v1+json");
        assertThat(request.header("Accept")).startsWith("application/vnd.schemaregistry.v1+json");
        assertThat(json.readTree(request.body()).get("schema").asText()).isEqualTo(SENSOR_JSON);
        assertThat(json.readTree(request.body()).has("schemaType")).isFalse();
    }

    @Test
    void registrationIsCachedPerSubjectAndSchema() {
        server.on("POST", PREFIX + "/subjects/a-value/versions", 200, "{\"id\":7}");
        server.on("POST", PREFIX + "/subjects/b-value/versions", 200, "{\"id\":7}");
        try (RestSchemaRegistryClient client = client()) {
            client.register("a-value", SampleRecords.sensorV1());
            client.register("a-value", SampleRecords.sensorV1());
            client.register("b-value", SampleRecords.sensorV1());
            // registering filled the id cache: no fetch needed to read id 7
            assertThat(client.getById(7)).isEqualTo(SampleRecords.sensorV1());
        }
        assertThat(server.count("POST", PREFIX + "/subjects/a-value/versions")).isEqualTo(1);
        assertThat(server.count("POST", PREFIX + "/subjects/b-value/versions")).isEqualTo(1);
        assertThat(server.count("GET", PREFIX + "/schemas/ids/7")).isZero();
    }

    @Test
    void fetchesSchemasByIdOnce() throws Exception {
        server.on("GET", PREFIX + "/schemas/ids/3", 200, schemaBody(SampleRecords.sensorV1()));
        try (RestSchemaRegistryClient client = client()) {
            assertThat(client.getById(3)).isEqualTo(SampleRecords.sensorV1());
            assertThat(client.getById(3)).isEqualTo(SampleRecords.sensorV1());
        }
        assertThat(server.count("GET", PREFIX + "/schemas/ids/3")).isEqualTo(1);
    }

    @Test
    void retriesTwo503sThenSucceeds() {
        server.on("POST", PREFIX + "/subjects/s/versions",
                new FakeRegistryServer.Canned(503, "{\"error_code\":50003,\"message\":\"Error while forwarding\"}"),
                new FakeRegistryServer.Canned(503, ""),
                new FakeRegistryServer.Canned(200, "{\"id\":1}"));
        try (RestSchemaRegistryClient client = client()) {
            assertThat(client.register("s", SampleRecords.sensorV1())).isEqualTo(1);
        }
        assertThat(server.count("POST", PREFIX + "/subjects/s/versions")).isEqualTo(3);
        assertThat(sleeps).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
    }

    @Test
    void givesUpAfterTheBoundedRetriesWithTheLastError() {
        server.on("GET", PREFIX + "/schemas/ids/1", 500, "{\"error_code\":50001,\"message\":\"Error in the backend data store\"}");
        try (RestSchemaRegistryClient client = client()) {
            assertThatThrownBy(() -> client.getById(1))
                    .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                        assertThat(e.httpStatus()).isEqualTo(500);
                        assertThat(e.errorCode()).hasValue(50001);
                        assertThat(e.isRetriable()).isTrue();
                    })
                    .hasMessageContaining("Error in the backend data store");
        }
        assertThat(server.count("GET", PREFIX + "/schemas/ids/1")).isEqualTo(4); // 1 + 3 retries
        assertThat(sleeps).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(400));
    }

    @Test
    void retries429And408HonouringRetryAfter() {
        server.on("GET", PREFIX + "/subjects",
                new FakeRegistryServer.Canned(429, "", Map.of("Retry-After", "2")),
                new FakeRegistryServer.Canned(408, ""),
                new FakeRegistryServer.Canned(200, "[\"a-value\",\"b-key\"]"));
        try (RestSchemaRegistryClient client = client()) {
            assertThat(client.subjects()).containsExactly("a-value", "b-key");
        }
        assertThat(sleeps).containsExactly(Duration.ofSeconds(2), Duration.ofMillis(200));
    }

    @Test
    void neverRetriesClientErrors() {
        server.on("POST", PREFIX + "/subjects/s/versions", 422,
                "{\"error_code\":42201,\"message\":\"Invalid schema\"}");
        server.on("GET", PREFIX + "/schemas/ids/9", 501, "{\"error_code\":501,\"message\":\"Not implemented\"}");
        try (RestSchemaRegistryClient client = client()) {
            assertThatThrownBy(() -> client.register("s", SampleRecords.sensorV1()))
                    .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                        assertThat(e.httpStatus()).isEqualTo(422);
                        assertThat(e.errorCode()).hasValue(42201);
                        assertThat(e.isRetriable()).isFalse();
                    });
            assertThatThrownBy(() -> client.getById(9)).isInstanceOf(SchemaRegistryException.class);
        }
        assertThat(server.count("POST", PREFIX + "/subjects/s/versions")).isEqualTo(1);
        assertThat(server.count("GET", PREFIX + "/schemas/ids/9")).isEqualTo(1);
        assertThat(sleeps).isEmpty();
    }

    @Test
    void a404CarriesStatusCodeMessageAndPath() {
        server.on("GET", PREFIX + "/schemas/ids/42", 404, "{\"error_code\":40403,\"message\":\"Schema 42 not found\"}");
        try (RestSchemaRegistryClient client = client()) {
            assertThatThrownBy(() -> client.getById(42))
                    .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                        assertThat(e.httpStatus()).isEqualTo(404);
                        assertThat(e.isNotFound()).isTrue();
                        assertThat(e.errorCode()).hasValue(40403);
                        assertThat(e.registryMessage()).contains("Schema 42 not found");
                        assertThat(e.method()).isEqualTo("GET");
                        assertThat(e.path()).isEqualTo("/schemas/ids/42");
                    })
                    .hasMessage("Fetching schema id 42 failed: HTTP 404, error_code 40403: Schema 42 not found"
                            + " (GET /schemas/ids/42)");
        }
        assertThat(sleeps).isEmpty();
    }

    @Test
    void a409NamesTheSubjectAndTheRegistryMessage() {
        server.on("POST", PREFIX + "/subjects/sensors-value/versions", 409,
                "{\"error_code\":409,\"message\":\"Schema being registered is incompatible with an earlier schema\"}");
        try (RestSchemaRegistryClient client = client()) {
            assertThatThrownBy(() -> client.register("sensors-value", SampleRecords.sensorV1()))
                    .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.httpStatus()).isEqualTo(409))
                    .hasMessageContaining("subject 'sensors-value'")
                    .hasMessageContaining("Schema being registered is incompatible with an earlier schema");
        }
        assertThat(server.count("POST", PREFIX + "/subjects/sensors-value/versions")).isEqualTo(1);
    }

    @Test
    void readsApicurioStyleErrorsLeniently() {
        server.on("GET", PREFIX + "/schemas/ids/5", 404, "{\"message\":\"No content with id: 5\",\"error_code\":\"40403\","
                + "\"detail\":\"ContentNotFoundException: No content with id: 5\",\"name\":\"ContentNotFoundException\"}");
        server.on("GET", PREFIX + "/schemas/ids/6", 500, "{\"detail\":\"boom\",\"name\":\"RuntimeException\"}");
        try (RestSchemaRegistryClient client = client(Map.of("schema.registry.max.retries", 0))) {
            assertThatThrownBy(() -> client.getById(5)).isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                assertThat(e.errorCode()).hasValue(40403);
                assertThat(e.registryMessage()).contains("No content with id: 5");
            });
            assertThatThrownBy(() -> client.getById(6)).isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                assertThat(e.errorCode()).isEmpty();
                assertThat(e.registryMessage()).contains("boom");
            });
        }
    }

    @Test
    void latestOfAnUnknownSubjectIsEmpty() throws Exception {
        server.on("GET", PREFIX + "/subjects/none/versions/latest", 404,
                "{\"error_code\":40401,\"message\":\"Subject 'none' not found.\"}");
        String latest = json.createObjectNode().put("subject", "s").put("version", 2).put("id", 11)
                .put("schema", SENSOR_JSON).toString();
        server.on("GET", PREFIX + "/subjects/s/versions/latest", 200, latest);
        try (RestSchemaRegistryClient client = client()) {
            assertThat(client.latest("none")).isEmpty();
            assertThat(client.latest("s")).contains(new RegisteredSchema("s", 2, 11, SampleRecords.sensorV1()));
        }
    }

    @Test
    void a404ThatIsNotFromARegistrySaysSoInsteadOfMeaningNotFound() {
        // no route: the fake answers like a web server at the wrong path
        try (RestSchemaRegistryClient client = client()) {
            assertThatThrownBy(() -> client.latest("s"))
                    .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.errorCode()).isEmpty())
                    .hasMessageContaining("HTTP 404")
                    .hasMessageContaining("Not Found");
        }
    }

    @Test
    void lookupFindsOrDoesNotFindARegistration() throws Exception {
        server.on("POST", PREFIX + "/subjects/s", 200, json.createObjectNode().put("subject", "s").put("version", 1)
                .put("id", 4).put("schema", SENSOR_JSON).toString());
        server.on("POST", PREFIX + "/subjects/t", 404, "{\"error_code\":40403,\"message\":\"Schema not found\"}");
        try (RestSchemaRegistryClient client = client()) {
            assertThat(client.lookup("s", SampleRecords.sensorV1()))
                    .contains(new RegisteredSchema("s", 1, 4, SampleRecords.sensorV1()));
            assertThat(client.lookup("t", SampleRecords.sensorV1())).isEmpty();
        }
    }

    @Test
    void compatibilityIsVerboseAndASubjectWithoutVersionsIsCompatible() {
        server.on("POST", PREFIX + "/compatibility/subjects/s/versions/latest?verbose=true", 200,
                "{\"is_compatible\":false,\"messages\":[\"READER_FIELD_MISSING_DEFAULT_VALUE: serial\",\"{oldSchemaVersion: 1}\"]}");
        server.on("POST", PREFIX + "/compatibility/subjects/new/versions/latest?verbose=true", 404,
                "{\"error_code\":40401,\"message\":\"Subject 'new' not found.\"}");
        server.on("POST", PREFIX + "/compatibility/subjects/ok/versions/latest?verbose=true", 200,
                "{\"is_compatible\":true}");
        server.on("POST", PREFIX + "/compatibility/subjects/apicurio/versions/latest?verbose=true", 200,
                "{\"is_compatible\":false,\"reason\":\"Incompatible artifact: apicurio [AVRO]\"}");
        try (RestSchemaRegistryClient client = client()) {
            CompatibilityResult refused = client.testCompatibility("s", SampleRecords.sensorRequiredField());
            assertThat(refused.compatible()).isFalse();
            assertThat(refused.messages()).contains("READER_FIELD_MISSING_DEFAULT_VALUE: serial");
            assertThat(client.testCompatibility("new", SampleRecords.sensorV1()).compatible()).isTrue();
            assertThat(client.testCompatibility("ok", SampleRecords.sensorV2()))
                    .isEqualTo(new CompatibilityResult(true, List.of()));
            assertThat(client.testCompatibility("apicurio", SampleRecords.sensorValueAsString()))
                    .isEqualTo(new CompatibilityResult(false, List.of("Incompatible artifact: apicurio [AVRO]")));
        }
    }

    @Test
    void setsCompatibilityGloballyAndPerSubject() throws Exception {
        server.on("PUT", PREFIX + "/config", 200, "{\"compatibility\":\"BACKWARD\"}");
        server.on("PUT", PREFIX + "/config/s-value", 200, "{\"compatibility\":\"NONE\"}");
        try (RestSchemaRegistryClient client = client()) {
            client.setCompatibility(null, "backward");
            client.setCompatibility("s-value", "NONE");
            assertThatThrownBy(() -> client.setCompatibility(null, "SOMETIMES"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("FULL_TRANSITIVE");
        }
        assertThat(json.readTree(server.requests().get(0).body()).get("compatibility").asText()).isEqualTo("BACKWARD");
        assertThat(json.readTree(server.requests().get(1).body()).get("compatibility").asText()).isEqualTo("NONE");
    }

    @Test
    void encodesSubjectsAsOnePathSegment() {
        server.on("POST", PREFIX + "/subjects/my%20topic%2Fv1-value/versions", 200, "{\"id\":2}");
        try (RestSchemaRegistryClient client = client()) {
            assertThat(client.register("my topic/v1-value", SampleRecords.sensorV1())).isEqualTo(2);
        }
    }

    @Test
    void failsOverToTheNextUrlWhenOneCannotBeReached() throws Exception {
        server.on("GET", PREFIX + "/subjects", 200, "[]");
        Map<String, Object> props = Map.of("schema.registry.url",
                "http://127.0.0.1:" + closedPort() + PREFIX + "," + server.url(PREFIX));
        try (RestSchemaRegistryClient client = client(props)) {
            assertThat(client.subjects()).isEmpty();
            assertThat(client.subjects()).isEmpty();
        }
        assertThat(sleeps).isEmpty(); // failover is not a retry
        assertThat(server.count("GET", PREFIX + "/subjects")).isEqualTo(2);
    }

    @Test
    void noReachableRegistryIsRetriedThenReported() throws Exception {
        int port = closedPort();
        Map<String, Object> props = Map.of("schema.registry.url", "http://alice:s3cret@127.0.0.1:" + port,
                "schema.registry.max.retries", 2);
        try (RestSchemaRegistryClient client = client(props)) {
            assertThatThrownBy(client::subjects)
                    .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                        assertThat(e.httpStatus()).isEqualTo(SchemaRegistryException.NO_RESPONSE);
                        assertThat(e.isRetriable()).isTrue();
                    })
                    .hasMessageContaining("after 3 attempts")
                    .hasMessageNotContaining("s3cret");
        }
        assertThat(sleeps).hasSize(2);
    }

    @Test
    void sendsBasicAuthFromUserInfoAndNeverShowsIt() {
        server.on("GET", PREFIX + "/schemas/ids/1", 401, "{\"error_code\":401,\"message\":\"Unauthorized\"}");
        Map<String, Object> props = Map.of("basic.auth.credentials.source", "USER_INFO",
                "basic.auth.user.info", "alice:s3cret");
        try (RestSchemaRegistryClient client = client(props)) {
            assertThatThrownBy(() -> client.getById(1))
                    .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.httpStatus()).isEqualTo(401))
                    .hasMessageNotContaining("s3cret")
                    .hasMessageNotContaining(base64("alice:s3cret"));
        }
        assertThat(server.requests().get(0).header("Authorization")).isEqualTo("Basic " + base64("alice:s3cret"));
    }

    @Test
    void sendsBasicAuthFromTheUrlWithoutTheUserInfoInTheRequestUrl() {
        server.on("GET", PREFIX + "/subjects", 200, "[]");
        Map<String, Object> props = Map.of("schema.registry.url",
                server.url(PREFIX).replace("http://", "http://bob:pa%3Ass@"));
        try (RestSchemaRegistryClient client = client(props)) {
            client.subjects();
        }
        assertThat(server.requests().get(0).header("Authorization")).isEqualTo("Basic " + base64("bob:pa:ss"));
    }

    @Test
    void sendsNoCredentialsWhenTheSourceIsNone() {
        server.on("GET", PREFIX + "/subjects", 200, "[]");
        Map<String, Object> props = Map.of("schema.registry.url", server.url(PREFIX).replace("http://", "http://bob:pw@"),
                "basic.auth.credentials.source", "NONE");
        try (RestSchemaRegistryClient client = client(props)) {
            client.subjects();
        }
        assertThat(server.requests().get(0).header("Authorization")).isNull();
    }

    @Test
    void refusesNonAvroSchemasAndReferences() throws Exception {
        server.on("GET", PREFIX + "/schemas/ids/1", 200, json.createObjectNode().put("schemaType", "PROTOBUF")
                .put("schema", "syntax = \"proto3\";").toString());
        server.on("GET", PREFIX + "/schemas/ids/2", 200, "{\"schema\":\"{\\\"type\\\":\\\"record\\\",\\\"name\\\":\\\"A\\\","
                + "\\\"fields\\\":[{\\\"name\\\":\\\"b\\\",\\\"type\\\":\\\"B\\\"}]}\",\"references\":[{\"name\":\"B\","
                + "\"subject\":\"b\",\"version\":1}]}");
        server.on("GET", PREFIX + "/schemas/ids/3", 200, "not json");
        try (RestSchemaRegistryClient client = client()) {
            assertThatThrownBy(() -> client.getById(1)).isInstanceOf(SchemaRegistryException.class)
                    .hasMessageContaining("PROTOBUF");
            assertThatThrownBy(() -> client.getById(2)).isInstanceOf(SchemaRegistryException.class)
                    .hasMessageContaining("references");
            assertThatThrownBy(() -> client.getById(3)).isInstanceOf(SchemaRegistryException.class)
                    .hasMessageContaining("not JSON");
        }
    }

    @Test
    void aClosedClientRefusesCalls() {
        RestSchemaRegistryClient client = client();
        client.close();
        assertThatThrownBy(() -> client.getById(1)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void serdeConfiguredByKafkaTalksToTheRegistry() throws Exception {
        server.on("POST", PREFIX + "/subjects/examples-value/versions", 200, "{\"id\":21}");
        Map<String, Object> props = Map.of("schema.registry.url", server.url(PREFIX));
        try (ConfluentAvroSerde<Example> serde = new ConfluentAvroSerde<>()) {
            serde.configure(props, false);
            Example example = SampleRecords.example("e-1");
            byte[] bytes = serde.serializer().serialize("examples", example);
            assertThat(WireFormat.schemaId("examples", bytes)).isEqualTo(21);
            // specific.avro.reader defaults to true: the generated class comes back
            assertThat(serde.deserializer().deserialize("examples", bytes)).isEqualTo(example);
        }
        Map<String, Object> generic = Map.of("schema.registry.url", server.url(PREFIX), "specific.avro.reader", false);
        try (ConfluentAvroSerde<Object> serde = new ConfluentAvroSerde<>()) {
            serde.configure(generic, false);
            byte[] bytes = serde.serializer().serialize("examples", SampleRecords.example("e-2"));
            server.on("GET", PREFIX + "/schemas/ids/21", 200, schemaBody(Example.getClassSchema()));
            assertThat(serde.deserializer().deserialize("examples", bytes))
                    .isInstanceOf(org.apache.avro.generic.GenericData.Record.class);
        }
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** A port nothing listens on (bound, then released). */
    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

}
