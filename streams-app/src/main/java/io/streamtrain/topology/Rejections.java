package io.streamtrain.topology;

import java.nio.ByteBuffer;
import java.time.Instant;

import io.streamtrain.avro.RejectedRecord;
import io.streamtrain.contract.RecordLimits;
import io.streamtrain.learn.Rejection;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the records the learner cannot use to the errors topic as {@link RejectedRecord}s, with the field, the rule,
 * a message and, when they fit, the record's key and value bytes; logs each once and counts it. Nothing of the
 * record's content is handed to Kafka unchecked: the key is the model id or nothing, the copy and the message are cut
 * to fit {@link RecordBudget}, the timestamp is the time of the rejection.
 */
final class Rejections {

    private static final Logger log = LoggerFactory.getLogger(Rejections.class);

    /** Where a rejected record was read: its topic, partition, offset and (valid) timestamp. */
    record ReadAt(String topic, int partition, long offset, long timestamp) {

        static ReadAt of(RecordMetadata meta, long timestamp) {
            return new ReadAt(meta.topic(), meta.partition(), meta.offset(), timestamp);
        }

        @Override
        public String toString() {
            return topic + "-" + partition + "@" + offset;
        }
    }

    /** The most characters of a record key or id quoted in a message. */
    private static final int QUOTED_CHARS = 100;

    private final ProcessorContext<String, SpecificRecord> context;
    private final RecordBudget budget;
    private final LearnerMetrics metrics;
    private final LearnerStore store;
    private final StringSerializer keySerializer = new StringSerializer();

    Rejections(ProcessorContext<String, SpecificRecord> context, RecordBudget budget, LearnerMetrics metrics,
            LearnerStore store) {
        this.context = context;
        this.budget = budget;
        this.metrics = metrics;
        this.store = store;
    }

    /** For the serving replica: rejections written and logged, with no learner's metrics or state to count them in. */
    static Rejections forServing(ProcessorContext<String, SpecificRecord> context, RecordBudget budget) {
        return new Rejections(context, budget, null, null);
    }

    /** Rejects the record being processed; {@code runtime} is its model's, or null when it has none (yet). */
    void reject(Record<String, byte[]> record, ModelRuntime runtime, Rejection rejection) {
        RecordMetadata meta = context.recordMetadata().orElseThrow();
        // keyed by model; a key that could not be a model id (and so a bad one) is not repeated
        String key = runtime != null ? runtime.model
                : RecordLimits.isValidModelId(record.key()) ? record.key() : null;
        write(key, runtime, ReadAt.of(meta, record.timestamp()), keyBytes(record.key()), record.value(), rejection);
    }

    /** The bytes of a record key as they were read. */
    byte[] keyBytes(String key) {
        return key == null ? null : keySerializer.serialize(null, key);
    }

    /** Whether a record's key and value are small enough to be copied into a RejectedRecord. */
    boolean copiable(byte[] key, byte[] value) {
        return (key == null ? 0L : key.length) + (value == null ? 0L : value.length) <= budget.maxCopiedBytes();
    }

    /** A record key or id quoted in a message: its first {@value #QUOTED_CHARS} characters. */
    static String abbreviate(String text) {
        return text.length() <= QUOTED_CHARS ? text
                : text.substring(0, QUOTED_CHARS) + "... (" + text.length() + " characters)";
    }

    /** Writes a rejected record, with a copy of its key and value when they fit, to the errors topic. */
    void write(String key, ModelRuntime runtime, ReadAt where, byte[] keyBytes, byte[] value, Rejection rejection) {
        log.warn("rejected the record at {} (rule {}, field {}): {}", where, rejection.rule(), rejection.field(),
                rejection.message());
        String message = rejection.message();
        byte[] keyCopy = keyBytes;
        byte[] valueCopy = value;
        if (!copiable(keyBytes, value)) {
            long size = (keyBytes == null ? 0L : keyBytes.length) + (value == null ? 0L : value.length);
            message += " (its key and value, " + size + " bytes, are not copied here, being over "
                    + budget.maxCopiedBytes() + " bytes; the record is at " + where + ")";
            keyCopy = null;
            valueCopy = null;
        }
        RejectedRecord rejected = RejectedRecord.newBuilder()
                .setTopic(where.topic())
                .setPartition(where.partition())
                .setOffset(where.offset())
                .setTimestamp(Instant.ofEpochMilli(where.timestamp()))
                .setField(rejection.field())
                .setRule(rejection.rule())
                .setMessage(RecordBudget.boundedMessage(message))
                .setKey(keyCopy == null ? null : ByteBuffer.wrap(keyCopy))
                .setValue(valueCopy == null ? null : ByteBuffer.wrap(valueCopy))
                .setRejectedAt(Instant.ofEpochMilli(context.currentSystemTimeMs()))
                .build();
        // stamped with the time of the rejection: the value keeps the record's own timestamp
        context.forward(new Record<>(key, rejected, context.currentSystemTimeMs()));
        if (metrics != null) {
            metrics.recordError(runtime == null ? null : runtime.model, rejection.rule());
        }
        if (runtime != null) {
            runtime.state.windowErrors++;
            store.putMeta(runtime.model, runtime.state);
        }
    }
}
