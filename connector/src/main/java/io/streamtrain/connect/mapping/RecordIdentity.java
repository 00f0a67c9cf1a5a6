package io.streamtrain.connect.mapping;

import java.time.Instant;
import java.util.Optional;

import io.streamtrain.avro.Origin;
import org.apache.kafka.connect.sink.SinkRecord;

/** Reads what every mapped record carries: its id, model id, time and origin. */
final class RecordIdentity {

    /** How the record timestamp is named in messages when it stands in for an event-time field. */
    static final String RECORD_TIMESTAMP = "(record timestamp)";

    private final Optional<String> modelId;
    private final Optional<FieldPath> modelIdField;
    private final Optional<FieldPath> idField;
    private final Optional<FieldPath> timeField;
    private final String mappedBy;

    RecordIdentity(MappingSpec spec) {
        this.modelId = spec.modelId();
        this.modelIdField = spec.modelIdField();
        this.idField = spec.idField();
        this.timeField = spec.eventTimeField();
        this.mappedBy = spec.mappedBy();
    }

    /**
     * The id: the configured field's value, or {@code <topic>-<partition>-<offset>} of the record as it was consumed
     * (before any transformation renamed the topic), so a redelivered record keeps its id.
     */
    /** The longest example id the learner takes (it remembers recent ids to recognise redeliveries). */
    static final int MAX_ID_CHARS = 1000;

    String id(SinkRecord record) {
        if (idField.isPresent()) {
            String id = identifier(idField.get(), record);
            if (id.length() > MAX_ID_CHARS) {
                throw new MappingException(idField.get().text(), MappingException.INVALID_VALUE, "the id is "
                        + id.length() + " characters long; the learner takes ids of 1 to " + MAX_ID_CHARS
                        + " characters");
            }
            return id;
        }
        return record.originalTopic() + "-" + record.originalKafkaPartition() + "-" + record.originalKafkaOffset();
    }

    String modelId(SinkRecord record) {
        return modelId.isPresent() ? modelId.get() : identifier(modelIdField.get(), record);
    }

    Instant time(SinkRecord record) {
        if (timeField.isPresent()) {
            FieldPath path = timeField.get();
            try {
                return Instant.ofEpochMilli(Values.epochMillis(path.require(record)));
            } catch (Values.Problem p) {
                throw p.at(path.text());
            }
        }
        Long timestamp = record.timestamp();
        if (timestamp == null || timestamp < 0) {
            throw new MappingException(RECORD_TIMESTAMP, MappingException.NULL_VALUE,
                    "the record has no timestamp; set event.time.field");
        }
        return Instant.ofEpochMilli(timestamp);
    }

    Origin origin(SinkRecord record) {
        return new Origin(record.originalTopic(), record.originalKafkaPartition(), record.originalKafkaOffset(),
                mappedBy);
    }

    private static String identifier(FieldPath path, SinkRecord record) {
        try {
            return Values.identifier(path.require(record));
        } catch (Values.Problem p) {
            throw p.at(path.text());
        }
    }
}
