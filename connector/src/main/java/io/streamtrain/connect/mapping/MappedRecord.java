package io.streamtrain.connect.mapping;

import org.apache.avro.specific.SpecificRecord;

/**
 * A source record mapped to what is written: the key (the model id) and the Avro value.
 *
 * @param key   the model id, the record key on the output topic
 * @param value an {@code Example} or a {@code Label}
 */
public record MappedRecord(String key, SpecificRecord value) {
}
