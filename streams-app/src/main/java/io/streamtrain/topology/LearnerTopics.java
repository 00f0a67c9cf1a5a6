package io.streamtrain.topology;

import java.util.List;
import java.util.function.Function;

import io.streamtrain.avro.ChampionSwitch;
import io.streamtrain.avro.ControlAnswer;
import io.streamtrain.avro.DriftEvent;
import io.streamtrain.avro.ModelSnapshot;
import io.streamtrain.avro.ParamsChunk;
import io.streamtrain.avro.Prediction;
import io.streamtrain.avro.RejectedRecord;
import io.streamtrain.avro.ServingPin;
import io.streamtrain.avro.TrainingMetrics;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The topics the learner reads and writes. Examples and late labels are read as raw bytes and decoded inside the
 * learner, so that a record that cannot be decoded is written to the errors topic with its bytes rather than stopping
 * the task. Both are keyed by model id and must have the same number of partitions: a model's examples and labels
 * meet in the task of that partition. Models' snapshots go to the compacted models topic, keyed by
 * {@code <model>/<version>/<chunk>}. Commands are read from the control topic, keyed by model id like the examples
 * (so it has their partition count too), and answered on the control log; pins for the serving instances go to the
 * compacted pins topic, keyed by model id. What the learner detects in a stream (a drift) goes to the events topic,
 * keyed by model id; a change of the lead when baselines race the network, to the champions topic. A model trained by
 * several replicas has its examples and labels keyed {@code <model>#<shard>}; its replicas' parameters go to the
 * params topic (keyed by model id, so one task averages them) and each round's average comes back on the global
 * topic, keyed {@code <model>#<replica>} and read with the examples (so it has their partition count too).
 */
public record LearnerTopics(
        Topic<String, byte[]> examples,
        Topic<String, byte[]> labels,
        Topic<String, Prediction> predictions,
        Topic<String, TrainingMetrics> metrics,
        Topic<String, RejectedRecord> errors,
        Topic<String, ModelSnapshot> models,
        Topic<String, byte[]> control,
        Topic<String, ControlAnswer> controlLog,
        Topic<String, ServingPin> pins,
        Topic<String, DriftEvent> events,
        Topic<String, ChampionSwitch> champions,
        Topic<String, ParamsChunk> params,
        Topic<String, ParamsChunk> global) {

    /**
     * The learner's topics under {@code prefix}: examples, labels and commands read as raw bytes, the rest Avro with
     * the serde {@code avro} makes for its record class.
     */
    public static LearnerTopics under(String prefix, Function<Class<? extends SpecificRecord>, Serde<?>> avro) {
        return new LearnerTopics(
                raw(prefix + ".examples"),
                raw(prefix + ".labels"),
                avro(prefix + ".predictions", Prediction.class, avro),
                avro(prefix + ".metrics", TrainingMetrics.class, avro),
                avro(prefix + ".errors", RejectedRecord.class, avro),
                avro(prefix + ".models", ModelSnapshot.class, avro),
                raw(prefix + ".control"),
                avro(prefix + ".control.log", ControlAnswer.class, avro),
                avro(prefix + ".pins", ServingPin.class, avro),
                avro(prefix + ".events", DriftEvent.class, avro),
                avro(prefix + ".champions", ChampionSwitch.class, avro),
                avro(prefix + ".params", ParamsChunk.class, avro),
                avro(prefix + ".global", ParamsChunk.class, avro));
    }

    private static Topic<String, byte[]> raw(String name) {
        return new Topic<>(name, Serdes.String(), Serdes.ByteArray());
    }

    @SuppressWarnings("unchecked") // the serde is made for that very class
    private static <T extends SpecificRecord> Topic<String, T> avro(String name, Class<T> type,
            Function<Class<? extends SpecificRecord>, Serde<?>> avro) {
        return new Topic<>(name, Serdes.String(), (Serde<T>) avro.apply(type));
    }

    /** The topic names, for creating or checking them. */
    public List<String> names() {
        return List.of(examples.name(), labels.name(), predictions.name(), metrics.name(), errors.name(),
                models.name(), control.name(), controlLog.name(), pins.name(), events.name(), champions.name(),
                params.name(), global.name());
    }

    /** The topics read with the examples, keyed by model id: they need the examples topic's partition count. */
    public List<String> coPartitioned() {
        return List.of(examples.name(), labels.name(), control.name(), global.name());
    }

    /** The topics that are compacted rather than deleted by time: the models and pins topics. */
    public List<String> compacted() {
        return List.of(models.name(), pins.name());
    }
}
