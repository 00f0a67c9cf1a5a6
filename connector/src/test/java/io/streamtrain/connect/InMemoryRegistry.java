package io.streamtrain.connect;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import io.streamtrain.registry.CompatibilityResult;
import io.streamtrain.registry.RegisteredSchema;
import io.streamtrain.registry.SchemaRegistryClient;
import io.streamtrain.registry.SchemaRegistryException;
import org.apache.avro.Schema;

/** A schema registry in memory for unit tests: ids by content, one version list per subject; can be made to fail. */
public final class InMemoryRegistry implements SchemaRegistryClient {

    private final List<Schema> schemas = new ArrayList<>();
    private final Map<String, List<Integer>> subjects = new LinkedHashMap<>();
    private volatile Supplier<SchemaRegistryException> failure;

    /** Makes every call fail with the supplied exception until {@link #heal()}. */
    public void failWith(Supplier<SchemaRegistryException> failure) {
        this.failure = failure;
    }

    public void heal() {
        this.failure = null;
    }

    private void maybeFail() {
        Supplier<SchemaRegistryException> f = failure;
        if (f != null) {
            throw f.get();
        }
    }

    @Override
    public synchronized int register(String subject, Schema schema) {
        maybeFail();
        int id = schemas.indexOf(schema);
        if (id < 0) {
            schemas.add(schema);
            id = schemas.size() - 1;
        }
        List<Integer> versions = subjects.computeIfAbsent(subject, s -> new ArrayList<>());
        if (!versions.contains(id + 1)) {
            versions.add(id + 1);
        }
        return id + 1;
    }

    @Override
    public synchronized Schema getById(int id) {
        maybeFail();
        if (id < 1 || id > schemas.size()) {
            throw io.streamtrain.registry.RegistryFailures.notFound(id);
        }
        return schemas.get(id - 1);
    }

    @Override
    public synchronized Optional<RegisteredSchema> latest(String subject) {
        maybeFail();
        List<Integer> versions = subjects.get(subject);
        if (versions == null || versions.isEmpty()) {
            return Optional.empty();
        }
        int id = versions.get(versions.size() - 1);
        return Optional.of(new RegisteredSchema(subject, versions.size(), id, schemas.get(id - 1)));
    }

    @Override
    public synchronized Optional<RegisteredSchema> lookup(String subject, Schema schema) {
        maybeFail();
        List<Integer> versions = subjects.getOrDefault(subject, List.of());
        for (int v = 0; v < versions.size(); v++) {
            if (schemas.get(versions.get(v) - 1).equals(schema)) {
                return Optional.of(new RegisteredSchema(subject, v + 1, versions.get(v), schema));
            }
        }
        return Optional.empty();
    }

    @Override
    public CompatibilityResult testCompatibility(String subject, Schema schema) {
        return CompatibilityResult.compatibleWithNothingRegistered();
    }

    @Override
    public void setCompatibility(String subjectOrNullForGlobal, String level) {
    }

    @Override
    public synchronized List<String> subjects() {
        return new ArrayList<>(subjects.keySet());
    }

    @Override
    public void close() {
    }
}
