package io.streamtrain.connect.mapping;

import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.data.Schema;
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

    /** A map from alternating keys and values. */
    static Map<String, Object> map(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }
}
