package io.streamtrain.connect.delivery;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;

/**
 * A record that was not written: where it came from and why.
 *
 * @param source the partition of the source record
 * @param offset the offset of the source record
 * @param cause  what the producer or the dead-letter queue reported
 */
public record SendFailure(TopicPartition source, long offset, Throwable cause) {

    /** Whether writing the same record again may succeed: a timeout or another retriable Kafka error. */
    public boolean retriable() {
        return cause instanceof RetriableException
                || cause instanceof org.apache.kafka.connect.errors.RetriableException;
    }

    /** For logs and exceptions: the record and the cause. */
    public String describe() {
        return "the record at " + source + "@" + offset + " was not written: " + cause;
    }
}
