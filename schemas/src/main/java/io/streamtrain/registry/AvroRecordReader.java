package io.streamtrain.registry;

import java.io.EOFException;
import java.io.IOException;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Reads records in the Confluent wire format into a reader schema, resolving the writer's schema
 * into it by Avro's rules, so records written with an evolved schema still read. Returns whole
 * records or throws: never a half-decoded one.
 *
 * <p>Thread-safe: plans are immutable, and Avro's datum readers keep their per-read state per thread.
 */
final class AvroRecordReader<T> {

    /** How records with one writer schema id are read: a datum reader, or why they cannot be. */
    private record Plan(Schema writer, Schema reader, DatumReader<Object> datumReader, String incompatibility) {
    }

    /** What records are read into. */
    private sealed interface Target {
        /** Into a generated class, known up front. */
        record SpecificClass(Class<?> type) implements Target {
        }

        /** Into the generated class that the writer schema names, found on the class path. */
        record SpecificByWriterName(SpecificData lookup) implements Target {
        }

        /** Into GenericRecord, with a fixed reader schema or (when null) the writer's own. */
        record Generic(Schema readerSchema) implements Target {
        }
    }

    private final SchemaRegistryClient client;
    private final Target target;
    private final BoundedCache<Integer, Plan> plans;

    private AvroRecordReader(SchemaRegistryClient client, Target target, int cacheCapacity) {
        this.client = client;
        this.target = target;
        this.plans = new BoundedCache<>(cacheCapacity);
    }

    static <T> AvroRecordReader<T> specific(SchemaRegistryClient client, Class<T> type, int cacheCapacity) {
        return new AvroRecordReader<>(client, new Target.SpecificClass(type), cacheCapacity);
    }

    static <T> AvroRecordReader<T> specificByWriterName(SchemaRegistryClient client, ClassLoader loader,
            int cacheCapacity) {
        return new AvroRecordReader<>(client, new Target.SpecificByWriterName(new SpecificData(loader)), cacheCapacity);
    }

    /** @param readerSchema the schema to read into, or null to read with each record's writer schema */
    static <T> AvroRecordReader<T> generic(SchemaRegistryClient client, Schema readerSchema, int cacheCapacity) {
        return new AvroRecordReader<>(client, new Target.Generic(readerSchema), cacheCapacity);
    }

    /** Reads a non-empty payload. */
    @SuppressWarnings("unchecked")
    T read(String topic, byte[] payload) {
        int id = WireFormat.schemaId(topic, payload);
        Plan plan = plans.get(id);
        if (plan == null) {
            plan = plan(topic, id);
            plans.put(id, plan);
        }
        if (plan.incompatibility() != null) {
            throw new WireFormatException(topic, "schema mismatch: writer schema id " + id + " ("
                    + plan.writer().getFullName() + ") cannot be resolved to the reader schema "
                    + plan.reader().getFullName() + ": " + plan.incompatibility());
        }
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(payload, WireFormat.HEADER_SIZE,
                payload.length - WireFormat.HEADER_SIZE, null);
        Object record;
        try {
            // bounded: a length the payload cannot hold is refused before Avro allocates for it
            record = plan.datumReader().read(null, new BoundedDecoder(decoder));
            if (!decoder.isEnd()) {
                int trailing = decoder.inputStream().available();
                throw new WireFormatException(topic, trailing + " trailing bytes after the Avro record of schema id "
                        + id + " (" + plan.writer().getFullName() + "): the body does not match its schema");
            }
        } catch (EOFException e) {
            throw new WireFormatException(topic, "the Avro body is truncated: it ended before the record of schema id "
                    + id + " (" + plan.writer().getFullName() + ") was complete", e);
        } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException | NegativeArraySizeException
                | ClassCastException | IllegalArgumentException e) {
            // What Avro throws on bytes that do not follow the writer schema, e.g. a bad union index.
            throw new WireFormatException(topic, "the Avro body is corrupt for schema id " + id + " ("
                    + plan.writer().getFullName() + "): " + e, e);
        }
        return (T) record;
    }

    private Plan plan(String topic, int id) {
        Schema writer;
        try {
            writer = client.getById(id);
        } catch (SchemaRegistryException e) {
            if (e.isNotFound()) {
                throw new WireFormatException(topic, "unknown schema id " + id + ": the registry does not know it ("
                        + e.registryMessage().orElse("HTTP 404") + ")", e);
            }
            throw e; // the registry is unwell, not the record: let the caller retry
        }
        Schema reader;
        GenericData model;
        if (target instanceof Target.SpecificClass specific) {
            SpecificData specificModel = SpecificData.getForClass(specific.type());
            model = specificModel;
            reader = specificModel.getSchema(specific.type());
        } else if (target instanceof Target.SpecificByWriterName byName) {
            Class<?> type = byName.lookup().getClass(writer);
            if (type == null) {
                throw new SerializationException("Cannot read schema id " + id + " of topic '" + topic
                        + "' as a SpecificRecord: no generated class " + writer.getFullName()
                        + " on the class path (set specific.avro.reader=false to read GenericRecords)");
            }
            SpecificData specificModel = SpecificData.getForClass(type);
            model = specificModel;
            reader = specificModel.getSchema(type);
        } else {
            Schema fixed = ((Target.Generic) target).readerSchema();
            model = GenericData.get();
            reader = fixed == null ? writer : fixed;
        }
        SchemaCompatibility.SchemaPairCompatibility compatibility =
                SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
        if (compatibility.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            return new Plan(writer, reader, null, AvroResolution.describe(compatibility));
        }
        DatumReader<Object> datumReader = model instanceof SpecificData specificModel
                ? new SpecificDatumReader<>(writer, reader, specificModel)
                : new GenericDatumReader<>(writer, reader, model);
        return new Plan(writer, reader, datumReader, null);
    }
}
