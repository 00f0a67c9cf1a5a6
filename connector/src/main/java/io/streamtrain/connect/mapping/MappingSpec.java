package io.streamtrain.connect.mapping;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import io.streamtrain.contract.RecordLimits;
import io.streamtrain.contract.ReplicaKey;

/**
 * What the mapping of one connector reads from each record, parsed from its configuration.
 *
 * @param modelId        the fixed model id, or empty when it is read from {@code modelIdField}
 * @param modelIdField   where the model id is, or empty for the fixed one
 * @param modelReplicas  the replica count of each model trained by several replicas at once; a model not in it has
 *                       one. It keys the output records ({@link ReplicaKey#of})
 * @param idField        where the example id is, or empty for {@code <topic>-<partition>-<offset>}
 * @param eventTimeField where the event time is, or empty for the record timestamp
 * @param labelField     where the label is, or empty for unlabeled examples
 * @param labelEncoder   how a label value becomes a label; null without a label field
 * @param labelOptional  whether a missing or null label gives an unlabeled example rather than a rejection
 * @param features       the features, in vector order
 * @param mappedBy       what to record as {@code Origin.mappedBy}, e.g. the connector name; may be null
 */
public record MappingSpec(Optional<String> modelId, Optional<FieldPath> modelIdField,
        Map<String, Integer> modelReplicas, Optional<FieldPath> idField, Optional<FieldPath> eventTimeField,
        Optional<FieldPath> labelField, LabelEncoder labelEncoder, boolean labelOptional, List<FeatureSpec> features,
        String mappedBy) {

    public MappingSpec {
        Objects.requireNonNull(modelId, "modelId");
        Objects.requireNonNull(modelIdField, "modelIdField");
        if (modelId.isPresent() == modelIdField.isPresent()) {
            throw new IllegalArgumentException("exactly one of a fixed model id and a model id field is needed");
        }
        // a configuration is checked before it gets here; this keeps a spec built in code to the same limits
        String modelIdProblem = modelId.map(RecordLimits::modelIdProblem).orElse(null);
        if (modelIdProblem != null) {
            throw new IllegalArgumentException(modelIdProblem);
        }
        Objects.requireNonNull(modelReplicas, "modelReplicas");
        modelReplicas.forEach((model, replicas) -> {
            String problem = RecordLimits.modelIdProblem(model);
            if (problem == null && ReplicaKey.replicasProblem(replicas) != null) {
                problem = "the replica count of " + model + " " + ReplicaKey.replicasProblem(replicas);
            }
            if (problem != null) {
                throw new IllegalArgumentException(problem);
            }
        });
        modelReplicas = Map.copyOf(modelReplicas);
        Objects.requireNonNull(idField, "idField");
        Objects.requireNonNull(eventTimeField, "eventTimeField");
        Objects.requireNonNull(labelField, "labelField");
        if (labelField.isPresent() && labelEncoder == null) {
            throw new IllegalArgumentException("a label field needs a label encoder");
        }
        features = List.copyOf(features);
    }

    /** A spec in which every model has one replica: each record is keyed by its model id. */
    public MappingSpec(Optional<String> modelId, Optional<FieldPath> modelIdField, Optional<FieldPath> idField,
            Optional<FieldPath> eventTimeField, Optional<FieldPath> labelField, LabelEncoder labelEncoder,
            boolean labelOptional, List<FeatureSpec> features, String mappedBy) {
        this(modelId, modelIdField, Map.of(), idField, eventTimeField, labelField, labelEncoder, labelOptional,
                features, mappedBy);
    }
}
