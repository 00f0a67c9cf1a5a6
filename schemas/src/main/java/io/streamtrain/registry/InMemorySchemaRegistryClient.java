package io.streamtrain.registry;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;

/**
 * A registry in this JVM's memory, for tests that are about records rather than HTTP (serde tests,
 * {@code TopologyTestDriver} tests) and for single-process tools. Like a real registry, ids are per
 * distinct schema, and registration under a subject checks BACKWARD compatibility with the subject's
 * latest version, refusing with a 409. Nothing is shared with other processes: integration tests use
 * the real registry server.
 */
public class InMemorySchemaRegistryClient implements SchemaRegistryClient {

    private final Map<Schema, Integer> ids = new LinkedHashMap<>();
    private final Map<Integer, Schema> schemas = new LinkedHashMap<>();
    private final Map<String, List<Schema>> subjects = new LinkedHashMap<>();
    private final AtomicInteger registerCalls = new AtomicInteger();
    private final AtomicInteger getByIdCalls = new AtomicInteger();
    private boolean closed;

    @Override
    public synchronized int register(String subject, Schema schema) {
        registerCalls.incrementAndGet();
        List<Schema> versions = subjects.computeIfAbsent(subject, s -> new ArrayList<>());
        if (!versions.contains(schema)) {
            if (!versions.isEmpty() && !testCompatibility(subject, schema).compatible()) {
                throw SchemaRegistryException.fromResponse("Registering schema " + schema.getFullName()
                        + " under subject '" + subject + "'", "POST", "/subjects/" + subject + "/versions", 409, 409,
                        "Schema being registered is incompatible with an earlier schema for subject \"" + subject + "\"",
                        false);
            }
            versions.add(schema);
        }
        return idOf(schema);
    }

    /** Stores a schema under an id without any subject, like bytes from another registry client. */
    synchronized int add(Schema schema) {
        return idOf(schema);
    }

    private int idOf(Schema schema) {
        return ids.computeIfAbsent(schema, s -> {
            int id = ids.size() + 1;
            schemas.put(id, s);
            return id;
        });
    }

    @Override
    public synchronized Schema getById(int id) {
        getByIdCalls.incrementAndGet();
        Schema schema = schemas.get(id);
        if (schema == null) {
            throw SchemaRegistryException.fromResponse("Fetching schema id " + id, "GET", "/schemas/ids/" + id,
                    404, 40403, "Schema " + id + " not found", false);
        }
        return schema;
    }

    @Override
    public synchronized Optional<RegisteredSchema> latest(String subject) {
        List<Schema> versions = subjects.getOrDefault(subject, List.of());
        if (versions.isEmpty()) {
            return Optional.empty();
        }
        Schema schema = versions.get(versions.size() - 1);
        return Optional.of(new RegisteredSchema(subject, versions.size(), ids.get(schema), schema));
    }

    @Override
    public synchronized Optional<RegisteredSchema> lookup(String subject, Schema schema) {
        List<Schema> versions = subjects.getOrDefault(subject, List.of());
        int index = versions.indexOf(schema);
        return index < 0 ? Optional.empty()
                : Optional.of(new RegisteredSchema(subject, index + 1, ids.get(schema), schema));
    }

    @Override
    public synchronized CompatibilityResult testCompatibility(String subject, Schema schema) {
        List<Schema> versions = subjects.getOrDefault(subject, List.of());
        if (versions.isEmpty()) {
            return CompatibilityResult.compatibleWithNothingRegistered();
        }
        SchemaCompatibility.SchemaPairCompatibility result =
                SchemaCompatibility.checkReaderWriterCompatibility(schema, versions.get(versions.size() - 1));
        boolean compatible = result.getType() == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE;
        return new CompatibilityResult(compatible, compatible ? List.of() : List.of(AvroResolution.describe(result)));
    }

    @Override
    public void setCompatibility(String subjectOrNullForGlobal, String level) {
        throw new UnsupportedOperationException("always BACKWARD");
    }

    @Override
    public synchronized List<String> subjects() {
        return List.copyOf(subjects.keySet());
    }

    @Override
    public synchronized void close() {
        closed = true;
    }

    synchronized boolean isClosed() {
        return closed;
    }

    int registerCalls() {
        return registerCalls.get();
    }

    int getByIdCalls() {
        return getByIdCalls.get();
    }
}
