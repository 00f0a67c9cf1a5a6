package io.streamtrain.registry;

import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deserializes the Confluent wire format: reads the schema id, fetches the writer schema (cached)
 * and resolves the body into the reader schema by Avro's rules, so records written with an evolved
 * schema (say, with an extra field) still read. Null or empty bytes deserialize to null.
 *
 * <p>Bytes that are not a readable record raise {@link WireFormatException}, naming the topic and
 * the problem; an unreachable registry raises {@link SchemaRegistryException}. Thread-safe.
 *
 * @param <T> the record type: a generated {@code SpecificRecord} class, or {@code GenericRecord}
 */
public class ConfluentAvroDeserializer<T> implements Deserializer<T> {

    private static final Logger LOG = LoggerFactory.getLogger(ConfluentAvroDeserializer.class);

    private final AtomicBoolean closed = new AtomicBoolean();
    // Set by a constructor, or once by configure() when Kafka created this by class name.
    private volatile SharedRegistryClient client;
    private volatile AvroRecordReader<T> reader;

    /**
     * For Kafka, which then calls {@link #configure}: with {@code specific.avro.reader=true} it
     * returns the generated class the writer schema names, else {@code GenericRecord}.
     */
    public ConfluentAvroDeserializer() {
    }

    /**
     * Reads into the generated {@code SpecificRecord} class {@code type}, using its schema as the
     * reader schema. Never closes {@code client}.
     */
    public ConfluentAvroDeserializer(SchemaRegistryClient client, Class<T> type) {
        this(SharedRegistryClient.borrowed(client), AvroRecordReader.specific(client, requireSpecific(type),
                BoundedCache.DEFAULT_CAPACITY));
    }

    ConfluentAvroDeserializer(SharedRegistryClient client, AvroRecordReader<T> reader) {
        this.client = client;
        this.reader = reader;
    }

    /** Reads {@code GenericRecord}s with each record's own writer schema. Never closes {@code client}. */
    public static ConfluentAvroDeserializer<GenericRecord> generic(SchemaRegistryClient client) {
        return generic(client, null);
    }

    /**
     * Reads {@code GenericRecord}s resolved into {@code readerSchema}, or into each record's writer
     * schema when it is null. Never closes {@code client}.
     */
    public static ConfluentAvroDeserializer<GenericRecord> generic(SchemaRegistryClient client, Schema readerSchema) {
        return new ConfluentAvroDeserializer<>(SharedRegistryClient.borrowed(client),
                AvroRecordReader.generic(client, readerSchema, BoundedCache.DEFAULT_CAPACITY));
    }

    /**
     * Creates the registry client from {@code configs}. A deserializer built with a client is
     * already configured and ignores this call.
     */
    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        if (reader != null) {
            LOG.debug("Deserializer already configured at construction; configure() leaves it as it is");
            return;
        }
        SchemaRegistryClientConfig config = new SchemaRegistryClientConfig(configs);
        SharedRegistryClient shared = SharedRegistryClient.owned(new RestSchemaRegistryClient(config), 1);
        this.client = shared;
        this.reader = readerFor(config, shared.client());
    }

    private static <T> Class<T> requireSpecific(Class<T> type) {
        if (!SpecificRecord.class.isAssignableFrom(type)) {
            throw new IllegalArgumentException(type.getName() + " is not a generated Avro SpecificRecord class");
        }
        return type;
    }

    static <T> AvroRecordReader<T> readerFor(SchemaRegistryClientConfig config, SchemaRegistryClient client) {
        if (config.specificAvroReader()) {
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            return AvroRecordReader.specificByWriterName(client,
                    loader != null ? loader : ConfluentAvroDeserializer.class.getClassLoader(), config.cacheCapacity());
        }
        return AvroRecordReader.generic(client, null, config.cacheCapacity());
    }

    /**
     * The id of the writer schema that a payload in the Confluent wire format names, without decoding its body.
     *
     * @throws WireFormatException when the payload is too short or does not start with the magic byte
     */
    public static int schemaId(String topic, byte[] payload) {
        return WireFormat.schemaId(topic, payload);
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null || data.length == 0) {
            return null;
        }
        AvroRecordReader<T> current = reader;
        if (current == null) {
            throw new IllegalStateException("ConfluentAvroDeserializer is not configured: call configure() first");
        }
        return current.read(topic, data);
    }

    @Override
    public void close() {
        SharedRegistryClient current = client;
        if (current != null && closed.compareAndSet(false, true)) {
            current.release();
        }
    }
}
