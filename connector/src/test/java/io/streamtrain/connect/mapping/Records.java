package io.streamtrain.connect.mapping;

import java.math.BigDecimal;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.sink.SinkRecord;

/** Sink records for mapping tests. */
final class Records {

    static final long TIMESTAMP = 1_700_000_000_000L;

    private Records() {
    }

    /** A schemaless record (plain JSON) at in-0@42. */
    static SinkRecord schemaless(Object value) {
        return new SinkRecord("in", 0, null, "k", null, value, 42, TIMESTAMP, TimestampType.CREATE_TIME);
    }

    /** A record with a value schema (Avro, JSON with schemas) at in-0@42. */
    static SinkRecord withSchema(Schema schema, Object value) {
        return new SinkRecord("in", 0, null, "k", schema, value, 42, TIMESTAMP, TimestampType.CREATE_TIME);
    }

    /** A record at in-0@42 with the given record timestamp, null for none. */
    static SinkRecord at(Long timestamp, Schema schema, Object value) {
        return new SinkRecord("in", 0, null, "k", schema, value, 42, timestamp,
                timestamp == null ? TimestampType.NO_TIMESTAMP_TYPE : TimestampType.CREATE_TIME);
    }

    /** A map from alternating keys and values. */
    static Map<String, Object> map(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    /**
     * The struct a converter with schemas would give for a map of the values JSON, Avro and Connect use (nested maps
     * become structs, every field optional), or null when the map holds something a Connect schema cannot type, such
     * as a BigInteger or a list of mixed types.
     */
    static Struct struct(Map<String, ?> map) {
        Schema schema = schemaOf(map);
        return schema == null ? null : (Struct) connectValue(schema, map);
    }

    private static Schema schemaOf(Object value) {
        if (value == null) {
            return Schema.OPTIONAL_STRING_SCHEMA;
        }
        if (value instanceof Map<?, ?> map) {
            SchemaBuilder struct = SchemaBuilder.struct().optional();
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                Schema field = entry.getKey() instanceof String ? schemaOf(entry.getValue()) : null;
                if (field == null) {
                    return null;
                }
                struct.field((String) entry.getKey(), field);
            }
            return struct.build();
        }
        if (value instanceof List<?> list) {
            Schema element = list.isEmpty() ? Schema.OPTIONAL_FLOAT64_SCHEMA : null;
            for (Object item : list) {
                Schema schema = schemaOf(item);
                if (schema == null || item == null || item instanceof Map || item instanceof List
                        || element != null && !element.equals(schema)) {
                    return null;
                }
                element = schema;
            }
            return SchemaBuilder.array(element).optional().build();
        }
        return scalarSchema(value);
    }

    private static Schema scalarSchema(Object value) {
        if (value instanceof Long) {
            return Schema.OPTIONAL_INT64_SCHEMA;
        }
        if (value instanceof Integer) {
            return Schema.OPTIONAL_INT32_SCHEMA;
        }
        if (value instanceof Short) {
            return Schema.OPTIONAL_INT16_SCHEMA;
        }
        if (value instanceof Byte) {
            return Schema.OPTIONAL_INT8_SCHEMA;
        }
        if (value instanceof Double) {
            return Schema.OPTIONAL_FLOAT64_SCHEMA;
        }
        if (value instanceof Float) {
            return Schema.OPTIONAL_FLOAT32_SCHEMA;
        }
        if (value instanceof Boolean) {
            return Schema.OPTIONAL_BOOLEAN_SCHEMA;
        }
        if (value instanceof String) {
            return Schema.OPTIONAL_STRING_SCHEMA;
        }
        if (value instanceof BigDecimal decimal) {
            return Decimal.builder(decimal.scale()).optional().build();
        }
        if (value instanceof Date) {
            return Timestamp.builder().optional().build();
        }
        return null;
    }

    private static Object connectValue(Schema schema, Object value) {
        if (value instanceof Map<?, ?> map) {
            Struct struct = new Struct(schema);
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                struct.put((String) entry.getKey(),
                        connectValue(schema.field((String) entry.getKey()).schema(), entry.getValue()));
            }
            return struct;
        }
        return value;
    }
}
