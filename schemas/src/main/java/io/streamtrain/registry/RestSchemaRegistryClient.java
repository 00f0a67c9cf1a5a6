package io.streamtrain.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link SchemaRegistryClient} over the Confluent Schema Registry REST API, with the JDK's
 * HttpClient and Jackson. Caches registrations and schemas by id, which never change in a registry.
 *
 * <p>Thread-safe. Works with any base URL that serves the API, path prefix included, e.g.
 * {@code http://host:8080/apis/ccompat/v7} for Apicurio Registry.
 */
public final class RestSchemaRegistryClient implements SchemaRegistryClient {

    private static final Logger LOG = LoggerFactory.getLogger(RestSchemaRegistryClient.class);

    private static final Set<String> COMPATIBILITY_LEVELS = Set.of("NONE", "BACKWARD", "BACKWARD_TRANSITIVE",
            "FORWARD", "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE");
    private static final int MAX_BODY_EXCERPT = 200;

    private record Registration(String subject, Schema schema) {
    }

    private final RegistryHttpTransport transport;
    private final ObjectMapper json = new ObjectMapper();
    private final BoundedCache<Registration, Integer> idsByRegistration;
    private final BoundedCache<Integer, Schema> schemasById;
    private volatile boolean closed;

    /** A client configured by {@code config}. */
    public RestSchemaRegistryClient(SchemaRegistryClientConfig config) {
        this(config, delay -> Thread.sleep(delay.toMillis()));
    }

    /** A client configured by the {@code schema.registry.*} and {@code basic.auth.*} keys of {@code configs}. */
    public RestSchemaRegistryClient(Map<String, ?> configs) {
        this(new SchemaRegistryClientConfig(configs));
    }

    RestSchemaRegistryClient(SchemaRegistryClientConfig config, RegistryHttpTransport.Sleeper sleeper) {
        HttpClient.Builder http = HttpClient.newBuilder()
                // HTTP/1.1 as every registry serves it; h2c upgrade attempts confuse some proxies.
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(config.requestTimeout());
        TlsContextFactory.create(config.tls()).ifPresent(http::sslContext);
        List<RegistryEndpoint> endpoints = RegistryEndpoint.of(config);
        this.transport = new RegistryHttpTransport(endpoints, http.build(), config.requestTimeout(),
                RetryPolicy.of(config), sleeper);
        this.idsByRegistration = new BoundedCache<>(config.cacheCapacity());
        this.schemasById = new BoundedCache<>(config.cacheCapacity());
        LOG.debug("Schema registry client for {} (basic auth from {}, {} retries, request timeout {} ms)",
                endpoints, config.credentialsSource(), config.maxRetries(), config.requestTimeout().toMillis());
    }

    @Override
    public int register(String subject, Schema schema) {
        ensureOpen();
        Registration registration = new Registration(requireSubject(subject), schema);
        Integer cached = idsByRegistration.get(registration);
        if (cached != null) {
            return cached;
        }
        String operation = "Registering schema " + schema.getFullName() + " under subject '" + subject + "'";
        String path = "/subjects/" + encode(subject) + "/versions";
        RegistryHttpTransport.Response response = transport.send(operation, "POST", path, schemaBody(schema));
        if (response.status() == 409) {
            // Two clients registering the same schema under a new subject at once (two connector tasks, two
            // learners): Apicurio answers the one that loses the race 409 "artifact already exists" where Confluent
            // answers the id. If the schema is under the subject now, that is its id; a schema refused as
            // incompatible (409 too) is not there, and fails below with the registry's message.
            Optional<RegisteredSchema> registered = lookupAfterConflict(subject, schema);
            if (registered.isPresent()) {
                LOG.debug("Schema {} was registered under subject {} concurrently, as id {}", schema.getFullName(),
                        subject, registered.get().id());
                idsByRegistration.put(registration, registered.get().id());
                return registered.get().id();
            }
        }
        JsonNode body = expectOk(operation, "POST", path, response);
        int id = requiredInt(operation, "POST", path, body, "id");
        idsByRegistration.put(registration, id);
        if (schemasById.get(id) == null) {
            schemasById.put(id, schema);
        }
        LOG.debug("Schema {} is id {} under subject {}", schema.getFullName(), id, subject);
        return id;
    }

    /** The schema under the subject, if a lookup finds it; a failed lookup must not hide the 409 that led to it. */
    private Optional<RegisteredSchema> lookupAfterConflict(String subject, Schema schema) {
        try {
            return lookup(subject, schema);
        } catch (SchemaRegistryException e) {
            LOG.debug("Looking up schema {} under subject {} after a 409 failed: {}", schema.getFullName(), subject,
                    e.getMessage());
            return Optional.empty();
        }
    }

    @Override
    public Schema getById(int id) {
        ensureOpen();
        Schema cached = schemasById.get(id);
        if (cached != null) {
            return cached;
        }
        String operation = "Fetching schema id " + id;
        String path = "/schemas/ids/" + id;
        JsonNode body = expectOk(operation, "GET", path, transport.send(operation, "GET", path, null));
        Schema schema = parseSchema(operation, "GET", path, body);
        schemasById.put(id, schema);
        return schema;
    }

    @Override
    public Optional<RegisteredSchema> latest(String subject) {
        ensureOpen();
        String operation = "Fetching the latest schema of subject '" + requireSubject(subject) + "'";
        String path = "/subjects/" + encode(subject) + "/versions/latest";
        RegistryHttpTransport.Response response = transport.send(operation, "GET", path, null);
        if (isRegistryNotFound(response)) {
            return Optional.empty();
        }
        JsonNode body = expectOk(operation, "GET", path, response);
        return Optional.of(registered(operation, "GET", path, subject, body, null));
    }

    @Override
    public Optional<RegisteredSchema> lookup(String subject, Schema schema) {
        ensureOpen();
        String operation = "Looking up schema " + schema.getFullName() + " under subject '"
                + requireSubject(subject) + "'";
        String path = "/subjects/" + encode(subject);
        RegistryHttpTransport.Response response = transport.send(operation, "POST", path, schemaBody(schema));
        if (isRegistryNotFound(response)) {
            return Optional.empty();
        }
        JsonNode body = expectOk(operation, "POST", path, response);
        return Optional.of(registered(operation, "POST", path, subject, body, schema));
    }

    @Override
    public CompatibilityResult testCompatibility(String subject, Schema schema) {
        ensureOpen();
        String operation = "Testing the compatibility of schema " + schema.getFullName() + " with subject '"
                + requireSubject(subject) + "'";
        String path = "/compatibility/subjects/" + encode(subject) + "/versions/latest?verbose=true";
        RegistryHttpTransport.Response response = transport.send(operation, "POST", path, schemaBody(schema));
        if (isRegistryNotFound(response)) {
            return CompatibilityResult.compatibleWithNothingRegistered();
        }
        JsonNode body = expectOk(operation, "POST", path, response);
        JsonNode compatible = body.get("is_compatible");
        if (compatible == null || !compatible.isBoolean()) {
            throw SchemaRegistryException.badResponse(operation, "POST", path, response.status(),
                    "no boolean is_compatible in " + excerpt(response.body()), null);
        }
        return new CompatibilityResult(compatible.booleanValue(), compatibilityMessages(body));
    }

    /** Confluent's verbose {@code messages} array; Apicurio 2.x answers with one {@code reason} string. */
    private static List<String> compatibilityMessages(JsonNode body) {
        List<String> messages = new ArrayList<>();
        for (String field : List.of("messages", "reason")) {
            JsonNode value = body.path(field);
            if (value.isArray()) {
                value.forEach(message -> messages.add(message.isTextual() ? message.asText() : message.toString()));
            } else if (value.isTextual()) {
                messages.add(value.asText());
            }
        }
        return messages;
    }

    @Override
    public void setCompatibility(String subjectOrNullForGlobal, String level) {
        ensureOpen();
        String normalized = level == null ? "" : level.strip().toUpperCase(Locale.ROOT);
        if (!COMPATIBILITY_LEVELS.contains(normalized)) {
            throw new IllegalArgumentException("Unknown compatibility level '" + level + "'; one of "
                    + COMPATIBILITY_LEVELS);
        }
        String path = subjectOrNullForGlobal == null ? "/config"
                : "/config/" + encode(requireSubject(subjectOrNullForGlobal));
        String operation = "Setting compatibility " + normalized + (subjectOrNullForGlobal == null
                ? " globally" : " for subject '" + subjectOrNullForGlobal + "'");
        ObjectNode body = json.createObjectNode().put("compatibility", normalized);
        expectOk(operation, "PUT", path, transport.send(operation, "PUT", path, body.toString()));
        LOG.info("{}: done", operation);
    }

    @Override
    public List<String> subjects() {
        ensureOpen();
        String operation = "Listing subjects";
        JsonNode body = expectOk(operation, "GET", "/subjects", transport.send(operation, "GET", "/subjects", null));
        if (!body.isArray()) {
            throw SchemaRegistryException.badResponse(operation, "GET", "/subjects", 200,
                    "expected a JSON array, got " + excerpt(body.toString()), null);
        }
        List<String> subjects = new ArrayList<>();
        body.forEach(subject -> subjects.add(subject.asText()));
        return List.copyOf(subjects);
    }

    @Override
    public void close() {
        // Java 17's HttpClient has no close(): its threads end once it is unreachable.
        closed = true;
        idsByRegistration.clear();
        schemasById.clear();
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("The schema registry client is closed");
        }
    }

    private String schemaBody(Schema schema) {
        // No schemaType: AVRO is the default, and older registries reject the field.
        return json.createObjectNode().put("schema", schema.toString()).toString();
    }

    private JsonNode expectOk(String operation, String method, String path, RegistryHttpTransport.Response response) {
        if (response.status() / 100 != 2) {
            throw error(operation, method, path, response);
        }
        try {
            return json.readTree(response.body());
        } catch (JsonProcessingException e) {
            throw SchemaRegistryException.badResponse(operation, method, path, response.status(),
                    "body is not JSON: " + excerpt(response.body()), e);
        }
    }

    /**
     * Whether the registry said "not found" in its own words. A 404 without a registry error body
     * more likely means a wrong base URL, and must not read as "no such subject".
     */
    private boolean isRegistryNotFound(RegistryHttpTransport.Response response) {
        return response.status() == 404 && ErrorBody.parse(json, response.body()).errorCode() != null;
    }

    private SchemaRegistryException error(String operation, String method, String path,
            RegistryHttpTransport.Response response) {
        ErrorBody error = ErrorBody.parse(json, response.body());
        return SchemaRegistryException.fromResponse(operation, method, path, response.status(), error.errorCode(),
                error.message() != null ? error.message() : excerpt(response.body()),
                RetryPolicy.isRetriable(response.status()));
    }

    private RegisteredSchema registered(String operation, String method, String path, String subject,
            JsonNode body, Schema knownSchema) {
        Schema schema = knownSchema != null && !body.hasNonNull("schema") ? knownSchema
                : parseSchema(operation, method, path, body);
        int id = requiredInt(operation, method, path, body, "id");
        int version = requiredInt(operation, method, path, body, "version");
        String actualSubject = body.hasNonNull("subject") ? body.get("subject").asText() : subject;
        return new RegisteredSchema(actualSubject, version, id, schema);
    }

    private static Schema parseSchema(String operation, String method, String path, JsonNode body) {
        String type = body.path("schemaType").asText("AVRO");
        if (!type.equalsIgnoreCase("AVRO")) {
            throw SchemaRegistryException.badResponse(operation, method, path, 200,
                    "the schema is " + type + ", not AVRO", null);
        }
        if (body.path("references").size() > 0) {
            throw SchemaRegistryException.badResponse(operation, method, path, 200,
                    "the schema has references to other subjects, which this client does not resolve", null);
        }
        JsonNode text = body.get("schema");
        if (text == null || !text.isTextual()) {
            throw SchemaRegistryException.badResponse(operation, method, path, 200, "no schema in the response", null);
        }
        try {
            // Another writer's schema: a bad default must not stop us from reading its records.
            return new Schema.Parser().setValidateDefaults(false).parse(text.asText());
        } catch (SchemaParseException e) {
            throw SchemaRegistryException.badResponse(operation, method, path, 200,
                    "the registry's schema is not valid Avro: " + e.getMessage(), e);
        }
    }

    private static int requiredInt(String operation, String method, String path, JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || !value.canConvertToInt()) {
            throw SchemaRegistryException.badResponse(operation, method, path, 200,
                    "no integer '" + field + "' in " + excerpt(body.toString()), null);
        }
        return value.intValue();
    }

    private static String requireSubject(String subject) {
        if (subject == null || subject.isBlank()) {
            throw new IllegalArgumentException("subject must not be null or blank");
        }
        return subject;
    }

    /** Encodes one path segment: URLEncoder encodes for forms, where a space is '+'. */
    static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static String excerpt(String body) {
        if (body == null || body.isBlank()) {
            return "(empty body)";
        }
        String flat = body.strip().replaceAll("\\s+", " ");
        return flat.length() <= MAX_BODY_EXCERPT ? flat : flat.substring(0, MAX_BODY_EXCERPT) + "...";
    }
}
