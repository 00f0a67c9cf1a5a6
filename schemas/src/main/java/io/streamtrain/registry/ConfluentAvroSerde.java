package io.streamtrain.registry;

import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Serde} of Avro records in the Confluent wire format: {@link ConfluentAvroSerializer} and
 * {@link ConfluentAvroDeserializer} over one registry client.
 *
 * <p>In code, use the factories: {@link #specific(Class, SchemaRegistryClient, boolean)} and
 * {@link #generic(SchemaRegistryClient, boolean)} borrow a client the caller closes;
 * {@link #specific(Class, Map, boolean)} creates its own and closes it with the serde. Named in a
 * Kafka Streams config ({@code default.value.serde}), it is created empty and {@link #configure}d.
 *
 * @param <T> the record type
 */
public class ConfluentAvroSerde<T> implements Serde<T> {

    private static final Logger LOG = LoggerFactory.getLogger(ConfluentAvroSerde.class);

    // Set by a constructor, or once by configure() when Kafka created this by class name.
    private volatile ConfluentAvroSerializer<T> serializer;
    private volatile ConfluentAvroDeserializer<T> deserializer;

    /** For Kafka, which then calls {@link #configure}. */
    public ConfluentAvroSerde() {
    }

    /** Pairs a serializer and a deserializer; closing the serde closes both. */
    public ConfluentAvroSerde(ConfluentAvroSerializer<T> serializer, ConfluentAvroDeserializer<T> deserializer) {
        this.serializer = serializer;
        this.deserializer = deserializer;
    }

    /** Generated class {@code type} over a client that the caller keeps and closes. */
    public static <T extends SpecificRecord> ConfluentAvroSerde<T> specific(Class<T> type,
            SchemaRegistryClient client, boolean isKey) {
        return new ConfluentAvroSerde<>(new ConfluentAvroSerializer<>(client, isKey),
                new ConfluentAvroDeserializer<>(client, type));
    }

    /** {@code GenericRecord}s over a client that the caller keeps and closes. */
    public static ConfluentAvroSerde<GenericRecord> generic(SchemaRegistryClient client, boolean isKey) {
        return new ConfluentAvroSerde<>(new ConfluentAvroSerializer<>(client, isKey),
                ConfluentAvroDeserializer.generic(client));
    }

    /**
     * Generated class {@code type} over a client created from {@code configs}
     * ({@link SchemaRegistryClientConfig} keys), closed when the serde and its halves are closed.
     */
    public static <T extends SpecificRecord> ConfluentAvroSerde<T> specific(Class<T> type, Map<String, ?> configs,
            boolean isKey) {
        SchemaRegistryClientConfig config = new SchemaRegistryClientConfig(configs);
        SharedRegistryClient shared = SharedRegistryClient.owned(new RestSchemaRegistryClient(config), 2);
        return new ConfluentAvroSerde<>(
                new ConfluentAvroSerializer<>(shared, isKey, config.writerSchemaPolicy(), config.cacheCapacity()),
                new ConfluentAvroDeserializer<>(shared,
                        AvroRecordReader.specific(shared.client(), type, config.cacheCapacity())));
    }

    /** {@code GenericRecord}s over a client created from {@code configs}, closed with the serde. */
    public static ConfluentAvroSerde<GenericRecord> generic(Map<String, ?> configs, boolean isKey) {
        SchemaRegistryClientConfig config = new SchemaRegistryClientConfig(configs);
        SharedRegistryClient shared = SharedRegistryClient.owned(new RestSchemaRegistryClient(config), 2);
        return new ConfluentAvroSerde<>(
                new ConfluentAvroSerializer<>(shared, isKey, config.writerSchemaPolicy(), config.cacheCapacity()),
                new ConfluentAvroDeserializer<>(shared, AvroRecordReader.generic(shared.client(), null,
                        config.cacheCapacity())));
    }

    /**
     * Creates one registry client from {@code configs} for both halves; the deserializer returns
     * generated classes when {@code specific.avro.reader=true}. A serde built by a factory or
     * constructor is already configured and ignores this call.
     */
    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        if (serializer != null) {
            LOG.debug("Serde already configured at construction; configure() leaves it as it is");
            return;
        }
        SchemaRegistryClientConfig config = new SchemaRegistryClientConfig(configs);
        SharedRegistryClient shared = SharedRegistryClient.owned(new RestSchemaRegistryClient(config), 2);
        this.deserializer = new ConfluentAvroDeserializer<>(shared,
                ConfluentAvroDeserializer.readerFor(config, shared.client()));
        this.serializer = new ConfluentAvroSerializer<>(shared, isKey, config.writerSchemaPolicy(),
                config.cacheCapacity());
    }

    @Override
    public Serializer<T> serializer() {
        ConfluentAvroSerializer<T> current = serializer;
        if (current == null) {
            throw new IllegalStateException("ConfluentAvroSerde is not configured: call configure() first");
        }
        return current;
    }

    @Override
    public Deserializer<T> deserializer() {
        ConfluentAvroDeserializer<T> current = deserializer;
        if (current == null) {
            throw new IllegalStateException("ConfluentAvroSerde is not configured: call configure() first");
        }
        return current;
    }

    @Override
    public void close() {
        ConfluentAvroSerializer<T> currentSerializer = serializer;
        ConfluentAvroDeserializer<T> currentDeserializer = deserializer;
        if (currentSerializer != null) {
            currentSerializer.close();
        }
        if (currentDeserializer != null) {
            currentDeserializer.close();
        }
    }
}
