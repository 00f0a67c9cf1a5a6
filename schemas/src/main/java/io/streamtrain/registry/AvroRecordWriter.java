package io.streamtrain.registry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.Encoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes Avro records in the Confluent wire format. Thread-safe: the plans it caches are immutable
 * and Avro's datum writers keep no per-call state; each call gets its own small unbuffered encoder,
 * as an encoder is bound to the output it writes to.
 */
final class AvroRecordWriter {

    private static final Logger LOG = LoggerFactory.getLogger(AvroRecordWriter.class);

    /** What a plan is keyed by: the record class matters because it chooses the Avro data model. */
    private record PlanKey(String subject, Schema schema, Class<?> recordClass) {
    }

    /** How records of one schema are written to one subject: the id to frame with and the body writer. */
    private record Plan(int schemaId, BodyWriter body) {
    }

    @FunctionalInterface
    private interface BodyWriter {
        void write(Object record, Encoder out) throws IOException;
    }

    private final SchemaRegistryClient client;
    private final boolean isKey;
    private final WriterSchemaPolicy policy;
    private final BoundedCache<PlanKey, Plan> plans;

    AvroRecordWriter(SchemaRegistryClient client, boolean isKey, WriterSchemaPolicy policy, int cacheCapacity) {
        this.client = client;
        this.isKey = isKey;
        this.policy = policy;
        this.plans = new BoundedCache<>(cacheCapacity);
    }

    byte[] write(String topic, Object record) {
        if (!(record instanceof GenericContainer container)) {
            throw new SerializationException("Cannot serialize a " + record.getClass().getName() + " for topic '"
                    + topic + "': expected an Avro record (SpecificRecord or GenericRecord)");
        }
        Schema schema = container.getSchema();
        PlanKey key = new PlanKey(TopicNameStrategy.subject(topic, isKey), schema, record.getClass());
        Plan plan = plans.get(key);
        if (plan == null) {
            plan = plan(key, record);
            plans.put(key, plan);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        WireFormat.writeHeader(out, plan.schemaId());
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        try {
            plan.body().write(record, encoder);
            encoder.flush();
        } catch (IOException | AvroRuntimeException | NullPointerException | ClassCastException
                | IllegalArgumentException e) {
            // Avro reports a record that does not match its own schema with these; name where it went.
            throw new SerializationException("Cannot serialize a " + schema.getFullName() + " for topic '" + topic
                    + "' (subject '" + key.subject() + "', schema id " + plan.schemaId() + "): " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    private Plan plan(PlanKey key, Object record) {
        Schema schema = key.schema();
        String subject = key.subject();
        switch (policy) {
            case AUTO_REGISTER: {
                return new Plan(client.register(subject, schema), writerFor(schema, record)::write);
            }
            case LOOKUP: {
                int id = client.lookup(subject, schema).orElseThrow(() -> new SerializationException(
                        "Schema " + schema.getFullName() + " is not registered under subject '" + subject
                                + "' and auto.register.schemas=false: register it first, or set"
                                + " use.latest.version=true")).id();
                return new Plan(id, writerFor(schema, record)::write);
            }
            case USE_LATEST: {
                RegisteredSchema latest = client.latest(subject).orElseThrow(() -> new SerializationException(
                        "Subject '" + subject + "' has no schema, and use.latest.version=true needs one"));
                LOG.info("Writing {} to subject {} with its latest schema, id {} (version {})",
                        schema.getFullName(), subject, latest.id(), latest.version());
                if (latest.schema().equals(schema)) {
                    return new Plan(latest.id(), writerFor(schema, record)::write);
                }
                return new Plan(latest.id(), converting(schema, record, latest, subject));
            }
            default:
                throw new IllegalStateException("Unknown policy " + policy);
        }
    }

    /**
     * Writes a record of one schema with another, registered one: encode with the record's schema,
     * resolve into the registered schema (filling defaults, dropping fields it lacks), encode that.
     */
    private static BodyWriter converting(Schema recordSchema, Object record, RegisteredSchema target, String subject) {
        SchemaCompatibility.SchemaPairCompatibility compatibility =
                SchemaCompatibility.checkReaderWriterCompatibility(target.schema(), recordSchema);
        if (compatibility.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            throw new SerializationException("Cannot write " + recordSchema.getFullName() + " with the latest schema"
                    + " of subject '" + subject + "' (id " + target.id() + ", version " + target.version() + "): "
                    + AvroResolution.describe(compatibility));
        }
        DatumWriter<Object> own = writerFor(recordSchema, record);
        GenericDatumReader<Object> resolver = new GenericDatumReader<>(recordSchema, target.schema(), GenericData.get());
        DatumWriter<Object> registered = new GenericDatumWriter<>(target.schema(), GenericData.get());
        return (value, out) -> {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream(128);
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(buffer, null);
            own.write(value, encoder);
            Object converted = resolver.read(null, DecoderFactory.get().binaryDecoder(buffer.toByteArray(), null));
            registered.write(converted, out);
        };
    }

    private static DatumWriter<Object> writerFor(Schema schema, Object record) {
        if (record instanceof SpecificRecord) {
            // The generated class's own model carries its logical-type conversions (e.g. Instant).
            return new SpecificDatumWriter<>(schema, SpecificData.getForClass(record.getClass()));
        }
        return new GenericDatumWriter<>(schema, GenericData.get());
    }
}
