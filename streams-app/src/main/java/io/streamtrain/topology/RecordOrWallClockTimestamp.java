package io.streamtrain.topology;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * The record's own timestamp, or the wall clock for a record without a valid one (a negative timestamp, which
 * producers other than Kafka's Java client can write). Kafka Streams' default extractor fails the task on such a
 * record, and would fail it again on every restart; the learner only needs a timestamp to order the examples and
 * labels topics against each other, and its outputs are stamped with the time they are made.
 *
 * <p>A record of the global topic (a round's combined parameters, for a replica) gets the earliest timestamp, 0:
 * Kafka Streams hands a task the record with the lowest timestamp among its partitions first, so a replica adopts a
 * round as soon as it is read, not after every example produced before the round was made (behind a backlog, that
 * would leave each replica training alone until the backlog is gone).
 */
public final class RecordOrWallClockTimestamp implements TimestampExtractor {

    private final String globalTopic;

    /** For a source that reads the global topic {@code globalTopic} beside others. */
    public RecordOrWallClockTimestamp(String globalTopic) {
        this.globalTopic = globalTopic;
    }

    @Override
    public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
        if (globalTopic.equals(record.topic())) {
            return 0;
        }
        long timestamp = record.timestamp();
        return timestamp >= 0 ? timestamp : System.currentTimeMillis();
    }
}
