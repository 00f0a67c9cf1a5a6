package io.streamtrain.registry;

import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serializes Avro records (generated {@code SpecificRecord} classes or {@code GenericRecord}) in
 * the Confluent wire format: magic byte 0, the 4-byte schema id, the Avro binary body. The subject is
 * {@code <topic>-value} or {@code <topic>-key}. Null serializes to null, so tombstones pass through.
 *
 * <p>Build it with a client, or let Kafka create it by class name and {@link #configure} it from the
 * {@link SchemaRegistryClientConfig} keys. Thread-safe.
 *
 * @param <T> the record type
 */
public class ConfluentAvroSerializer<T> implements Serializer<T> {

    private static final Logger LOG = LoggerFactory.getLogger(ConfluentAvroSerializer.class);

    private final AtomicBoolean closed = new AtomicBoolean();
    // Set by a constructor, or once by configure() when Kafka created this by class name.
    private volatile SharedRegistryClient client;
    private volatile AvroRecordWriter writer;

    /** For Kafka, which then calls {@link #configure}. */
    public ConfluentAvroSerializer() {
    }

    /** Registers each record's schema under its subject ({@link WriterSchemaPolicy#AUTO_REGISTER}). */
    public ConfluentAvroSerializer(SchemaRegistryClient client, boolean isKey) {
        this(client, isKey, WriterSchemaPolicy.AUTO_REGISTER);
    }

    /** A serializer that picks the writer schema per {@code policy}; it never closes {@code client}. */
    public ConfluentAvroSerializer(SchemaRegistryClient client, boolean isKey, WriterSchemaPolicy policy) {
        this(SharedRegistryClient.borrowed(client), isKey, policy, BoundedCache.DEFAULT_CAPACITY);
    }

    ConfluentAvroSerializer(SharedRegistryClient client, boolean isKey, WriterSchemaPolicy policy, int cacheCapacity) {
        this.client = client;
        this.writer = new AvroRecordWriter(client.client(), isKey, policy, cacheCapacity);
    }

    /**
     * Creates the registry client from {@code configs}. A serializer built with a client is already
     * configured and ignores this call.
     */
    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        if (writer != null) {
            LOG.debug("Serializer already configured at construction; configure() leaves it as it is");
            return;
        }
        SchemaRegistryClientConfig config = new SchemaRegistryClientConfig(configs);
        SharedRegistryClient shared = SharedRegistryClient.owned(new RestSchemaRegistryClient(config), 1);
        this.client = shared;
        this.writer = new AvroRecordWriter(shared.client(), isKey, config.writerSchemaPolicy(), config.cacheCapacity());
    }

    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        AvroRecordWriter current = writer;
        if (current == null) {
            throw new IllegalStateException("ConfluentAvroSerializer is not configured: call configure() first");
        }
        return current.write(topic, data);
    }

    @Override
    public void close() {
        SharedRegistryClient current = client;
        if (current != null && closed.compareAndSet(false, true)) {
            current.release();
        }
    }
}
