package io.streamtrain.connect.mapping;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import io.streamtrain.avro.Origin;
import io.streamtrain.contract.RecordLimits;
import io.streamtrain.contract.ReplicaKey;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.connect.sink.SinkRecord;

/** Reads what every mapped record carries: its id, model id, time and origin; and keys it. */
final class RecordIdentity {

    /** How the record timestamp is named in messages when it stands in for an event-time field. */
    static final String RECORD_TIMESTAMP = "(record timestamp)";

    private final Optional<String> modelId;
    private final Optional<FieldPath> modelIdField;
    private final Map<String, Integer> modelReplicas;
    private final Optional<FieldPath> idField;
    private final Optional<FieldPath> timeField;
    private final String mappedBy;

    RecordIdentity(MappingSpec spec) {
        this.modelId = spec.modelId();
        this.modelIdField = spec.modelIdField();
        this.modelReplicas = spec.modelReplicas();
        this.idField = spec.idField();
        this.timeField = spec.eventTimeField();
        this.mappedBy = spec.mappedBy();
    }

    /**
     * The id: the configured field's value, or {@code <topic>-<partition>-<offset>} of the record as it was consumed
     * (before any transformation renamed the topic), so a redelivered record keeps its id.
     */
    String id(SinkRecord record) {
        if (idField.isPresent()) {
            FieldPath path = idField.get();
            String id = identifier(path, record);
            // the learner remembers recent ids to recognise redeliveries, so their length is bounded
            String problem = RecordLimits.idProblem(id);
            if (problem != null) {
                throw new MappingException(path.text(), MappingException.INVALID_VALUE, problem);
            }
            return id;
        }
        return record.originalTopic() + "-" + record.originalKafkaPartition() + "-" + record.originalKafkaOffset();
    }

    /** The model id: the fixed one, checked with the configuration, or the configured field's value. */
    String modelId(SinkRecord record) {
        if (modelId.isPresent()) {
            return modelId.get();
        }
        FieldPath path = modelIdField.get();
        String model;
        try {
            model = Values.identifierText(path.require(record));
        } catch (Values.Problem p) {
            throw p.at(path.text());
        }
        // it keys the output records and the learner's store, which refuses what this refuses
        String problem = RecordLimits.modelIdProblem(model);
        if (problem != null) {
            throw new MappingException(path.text(), MappingException.INVALID_VALUE, problem);
        }
        return model;
    }

    /**
     * The record key of the example (or the label of the example) {@code exampleId} of {@code model}: the model id,
     * or {@code <model>#<shard>} for a model trained by several replicas ({@link ReplicaKey#of}), so that a label is
     * keyed as its example.
     */
    String key(String model, String exampleId) {
        Integer replicas = modelReplicas.get(model);
        return replicas == null ? model : ReplicaKey.of(model, exampleId, replicas);
    }

    /** The event time: the configured field's value, or the record timestamp; either within RecordLimits. */
    Instant time(SinkRecord record) {
        if (timeField.isPresent()) {
            FieldPath path = timeField.get();
            try {
                return Instant.ofEpochMilli(EventTime.epochMillis(path.require(record)));
            } catch (Values.Problem p) {
                throw p.at(path.text());
            }
        }
        Long timestamp = record.timestamp();
        if (timestamp == null || timestamp == ConsumerRecord.NO_TIMESTAMP) {
            throw new MappingException(RECORD_TIMESTAMP, MappingException.NULL_VALUE,
                    "the record has no timestamp; set event.time.field");
        }
        String problem = RecordLimits.eventTimeProblem(timestamp);
        if (problem != null) {
            throw new MappingException(RECORD_TIMESTAMP, MappingException.INVALID_VALUE, problem
                    + "; set event.time.field to read the time from the record instead");
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
