package io.streamtrain.topology;

import java.util.List;

import io.streamtrain.avro.ControlAnswer;
import io.streamtrain.avro.ModelSnapshot;
import io.streamtrain.avro.Prediction;
import io.streamtrain.avro.RejectedRecord;
import io.streamtrain.avro.TrainingMetrics;

/**
 * The topics the learner reads and writes. Examples and late labels are read as raw bytes and decoded inside the
 * learner, so that a record that cannot be decoded is written to the errors topic with its bytes rather than stopping
 * the task. Both are keyed by model id and must have the same number of partitions: a model's examples and labels
 * meet in the task of that partition. Models' snapshots go to the compacted models topic, keyed by
 * {@code <model>/<version>/<chunk>}. Commands are read from the control topic, keyed by model id like the examples
 * (so it has their partition count too), and answered on the control log.
 */
public record LearnerTopics(
        Topic<String, byte[]> examples,
        Topic<String, byte[]> labels,
        Topic<String, Prediction> predictions,
        Topic<String, TrainingMetrics> metrics,
        Topic<String, RejectedRecord> errors,
        Topic<String, ModelSnapshot> models,
        Topic<String, byte[]> control,
        Topic<String, ControlAnswer> controlLog) {

    /** The topic names, for creating or checking them. */
    public List<String> names() {
        return List.of(examples.name(), labels.name(), predictions.name(), metrics.name(), errors.name(),
                models.name(), control.name(), controlLog.name());
    }

    /** The topics read with the examples, keyed by model id: they need the examples topic's partition count. */
    public List<String> coPartitioned() {
        return List.of(examples.name(), labels.name(), control.name());
    }

    /** The topics that are compacted rather than deleted by time: the models topic. */
    public List<String> compacted() {
        return List.of(models.name());
    }
}
