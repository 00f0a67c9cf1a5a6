package io.streamtrain.topology;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * The record's own timestamp, or the wall clock for a record without a valid one (a negative timestamp, which
 * producers other than Kafka's Java client can write). Kafka Streams' default extractor fails the task on such a
 * record, and would fail it again on every restart; the learner only needs a timestamp to order the examples and
 * labels topics against each other, and its outputs are stamped with the time they are made.
 */
public final class RecordOrWallClockTimestamp implements TimestampExtractor {

    @Override
    public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
        long timestamp = record.timestamp();
        return timestamp >= 0 ? timestamp : System.currentTimeMillis();
    }
}
