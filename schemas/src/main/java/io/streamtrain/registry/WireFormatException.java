package io.streamtrain.registry;

import org.apache.kafka.common.errors.SerializationException;

/**
 * Bytes on a topic are not a readable record in the Confluent wire format: a bad magic byte, a short
 * payload, an unknown schema id, a truncated or corrupt Avro body, trailing bytes, or a writer schema
 * that cannot be resolved to the reader's. Retrying the same bytes fails the same way, so this marks
 * a bad record (skip it or send it to a dead-letter topic), unlike a {@link SchemaRegistryException}
 * for an unreachable registry.
 */
public class WireFormatException extends SerializationException {

    private static final long serialVersionUID = 1L;

    private final String topic;

    WireFormatException(String topic, String problem) {
        this(topic, problem, null);
    }

    WireFormatException(String topic, String problem, Throwable cause) {
        super("Cannot read a record of topic '" + topic + "': " + problem, cause);
        this.topic = topic;
    }

    /** The topic the bad record came from. */
    public String topic() {
        return topic;
    }
}
