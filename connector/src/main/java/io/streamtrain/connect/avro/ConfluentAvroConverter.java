package io.streamtrain.connect.avro;

import java.util.Map;

import io.streamtrain.connect.Version;
import io.streamtrain.registry.ConfluentAvroDeserializer;
import io.streamtrain.registry.ConfluentAvroSerializer;
import io.streamtrain.registry.RestSchemaRegistryClient;
import io.streamtrain.registry.SchemaRegistryClient;
import io.streamtrain.registry.SchemaRegistryClientConfig;
import io.streamtrain.registry.SchemaRegistryException;
import io.streamtrain.registry.WireFormatException;
import io.streamtrain.registry.WriterSchemaPolicy;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericData;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.connect.components.Versioned;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.storage.Converter;

/**
 * A Connect {@link Converter} for Avro in the Confluent wire format (magic byte 0, 4-byte schema id, Avro binary),
 * on Streamtrain's schema registry client: a worker without Confluent's converter can read, and write, Avro topics
 * of any Confluent-compatible registry (Confluent, Karapace, Redpanda, Apicurio's ccompat API).
 *
 * <p>Configured with the registry client's keys under the converter prefix, e.g.
 * {@code value.converter.schema.registry.url}. Bytes that are not a readable record raise {@link DataException}
 * naming the topic and the problem, so Connect's error handling can route the record to the dead-letter queue. An
 * unreachable registry raises {@link RetriableException}: with {@code errors.retry.timeout} Connect retries it.
 *
 * <p>{@link #fromConnectData} writes top-level structs (Avro records); the schema is registered under
 * {@code <topic>-value} (or {@code -key}) unless {@code auto.register.schemas=false}.
 *
 * <p>{@link Versioned}: Connect lists the converter with the plugin's version, as it lists the connector.
 */
public class ConfluentAvroConverter implements Converter, Versioned {

    private SchemaRegistryClient client;
    private boolean ownsClient;
    private boolean isKey;
    private ConfluentAvroSerializer<Object> serializer;
    private Deserializer<?> deserializer;
    private AvroConnectData data;

    /** For Connect, which then calls {@link #configure}. */
    public ConfluentAvroConverter() {
    }

    /** A converter over a client the caller keeps and closes; {@link #configure} then reads only the serde keys. */
    ConfluentAvroConverter(SchemaRegistryClient client) {
        this.client = client;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        SchemaRegistryClientConfig config = new SchemaRegistryClientConfig(configs);
        if (client == null) {
            client = new RestSchemaRegistryClient(config);
            ownsClient = true;
        }
        this.isKey = isKey;
        WriterSchemaPolicy policy = config.writerSchemaPolicy();
        this.serializer = new ConfluentAvroSerializer<>(client, isKey, policy);
        this.deserializer = ConfluentAvroDeserializer.generic(client);
        this.data = new AvroConnectData(config.cacheCapacity());
    }

    @Override
    public ConfigDef config() {
        return SchemaRegistryClientConfig.configDef();
    }

    @Override
    public String version() {
        return Version.get();
    }

    @Override
    public byte[] fromConnectData(String topic, org.apache.kafka.connect.data.Schema schema, Object value) {
        if (value == null) {
            return null;
        }
        if (schema == null) {
            throw new DataException("Cannot write the " + part() + " of a record for topic '" + topic + "' as Avro:"
                    + " it has no schema (schemaless data, e.g. from JSON with schemas.enable=false)");
        }
        Object datum;
        try {
            Schema avro = data.toAvroSchema(schema);
            datum = data.toAvroValue(schema, avro, value);
        } catch (DataException e) {
            throw new DataException("Cannot write the " + part() + " of a record for topic '" + topic + "' as Avro: "
                    + e.getMessage(), e);
        }
        if (!(datum instanceof GenericContainer)) {
            throw new DataException("Cannot write the " + part() + " of a record for topic '" + topic + "' as Avro:"
                    + " only structs (Avro records) and arrays are written, not " + schema.type());
        }
        try {
            return serializer.serialize(topic, datum);
        } catch (SchemaRegistryException e) {
            throw registryFailure(topic, e);
        } catch (SerializationException e) {
            throw new DataException("Cannot write the " + part() + " of a record for topic '" + topic + "' as Avro: "
                    + e.getMessage(), e);
        }
    }

    @Override
    public SchemaAndValue toConnectData(String topic, byte[] value) {
        if (value == null) {
            return SchemaAndValue.NULL;
        }
        Object datum;
        try {
            datum = deserializer.deserialize(topic, value);
        } catch (WireFormatException e) {
            throw new DataException("Cannot convert the " + part() + " of a record of topic '" + topic
                    + "' from Avro: " + e.getMessage(), e);
        } catch (SchemaRegistryException e) {
            throw registryFailure(topic, e);
        } catch (SerializationException e) {
            throw new DataException("Cannot convert the " + part() + " of a record of topic '" + topic
                    + "' from Avro: " + e.getMessage(), e);
        }
        if (datum == null) {
            return SchemaAndValue.NULL;
        }
        Schema avro = writerSchema(datum);
        try {
            org.apache.kafka.connect.data.Schema schema = data.toConnectSchema(avro);
            return new SchemaAndValue(schema, data.toConnectValue(avro, schema, datum));
        } catch (DataException | ClassCastException e) {
            throw new DataException("Cannot convert the " + part() + " of a record of topic '" + topic
                    + "' from Avro schema " + avro.getFullName() + ": " + e.getMessage(), e);
        }
    }

    private static Schema writerSchema(Object datum) {
        if (datum instanceof GenericContainer container) {
            return container.getSchema();
        }
        // a primitive at the top level: its schema is the one Avro infers from the Java type
        return GenericData.get().induce(datum);
    }

    private RuntimeException registryFailure(String topic, SchemaRegistryException e) {
        String message = "The schema registry failed for the " + part() + " of a record of topic '" + topic + "': "
                + e.getMessage();
        return e.isRetriable() ? new RetriableException(message, e) : new DataException(message, e);
    }

    private String part() {
        return isKey ? "key" : "value";
    }

    @Override
    public void close() {
        if (serializer != null) {
            serializer.close();
        }
        if (deserializer != null) {
            deserializer.close();
        }
        if (client != null && ownsClient) {
            client.close();
        }
    }
}
