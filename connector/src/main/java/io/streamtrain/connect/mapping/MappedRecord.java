package io.streamtrain.connect.mapping;

import org.apache.avro.specific.SpecificRecord;

/**
 * A source record mapped to what is written: the key and the Avro value.
 *
 * @param key   the record key on the output topic: the model id, or {@code <model>#<shard>} for a model trained by
 *              several replicas ({@link io.streamtrain.contract.ReplicaKey})
 * @param value an {@code Example} or a {@code Label}
 */
public record MappedRecord(String key, SpecificRecord value) {
}
