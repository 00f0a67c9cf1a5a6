package io.streamtrain.registry;

import java.util.Objects;
import org.apache.avro.Schema;

/**
 * One version of a subject in the registry.
 *
 * @param subject the subject, e.g. {@code examples-value}
 * @param version the version of the schema within the subject, from 1
 * @param id      the registry-wide schema id, as written in the Confluent wire format
 * @param schema  the schema
 */
public record RegisteredSchema(String subject, int version, int id, Schema schema) {

    /** Checks that no component is null. */
    public RegisteredSchema {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(schema, "schema");
    }
}
