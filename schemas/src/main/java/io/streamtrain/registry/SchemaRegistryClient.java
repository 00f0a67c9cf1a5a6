package io.streamtrain.registry;

import java.io.Closeable;
import java.util.List;
import java.util.Optional;
import org.apache.avro.Schema;

/**
 * A client of the Confluent Schema Registry REST API, as served by Confluent Schema Registry,
 * Karapace, Redpanda and Apicurio Registry's {@code /apis/ccompat/v7}.
 *
 * <p>Implementations are thread-safe. Failures are reported as {@link SchemaRegistryException}.
 */
public interface SchemaRegistryClient extends Closeable {

    /**
     * Registers {@code schema} under {@code subject}, or finds its existing registration.
     * Idempotent: registering the same schema again returns the same id.
     *
     * @return the registry-wide id of the schema
     */
    int register(String subject, Schema schema);

    /** Returns the schema with this registry-wide id. */
    Schema getById(int id);

    /** Returns the latest version registered under {@code subject}, or empty if there is none. */
    Optional<RegisteredSchema> latest(String subject);

    /**
     * Returns the registration of {@code schema} under {@code subject} without registering it,
     * or empty if it is not registered there.
     */
    Optional<RegisteredSchema> lookup(String subject, Schema schema);

    /**
     * Tests {@code schema} against the latest version of {@code subject} under the subject's
     * compatibility level. A subject without versions is compatible with any schema.
     */
    CompatibilityResult testCompatibility(String subject, Schema schema);

    /**
     * Sets the compatibility level of one subject, or the global default when {@code subject} is
     * null. Levels: {@code NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL,
     * FULL_TRANSITIVE}.
     */
    void setCompatibility(String subjectOrNullForGlobal, String level);

    /** Returns the names of all subjects. */
    List<String> subjects();

    /** Releases the client's resources; later calls fail. Never throws an I/O error. */
    @Override
    void close();
}
