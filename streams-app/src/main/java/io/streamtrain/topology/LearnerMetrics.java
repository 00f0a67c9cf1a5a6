package io.streamtrain.topology;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.streamtrain.avro.TrainingMetrics;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.CumulativeSum;
import org.apache.kafka.common.metrics.stats.Rate;
import org.apache.kafka.common.metrics.stats.Value;
import org.apache.kafka.streams.StreamsMetrics;
import org.apache.kafka.streams.processor.api.ProcessorContext;

/**
 * The learner's own metrics, registered in Kafka Streams' metrics registry so that they are exported with Streams'
 * metrics (JMX under {@code kafka.streams:type=streamtrain-learner-metrics}, or any configured reporter). Tagged by
 * thread, task and model.
 */
final class LearnerMetrics implements AutoCloseable {

    static final String GROUP = "streamtrain-learner-metrics";

    private final StreamsMetrics streamsMetrics;
    private final String threadId;
    private final String taskId;
    private final Map<String, ModelSensors> models = new HashMap<>();
    private final Sensor errors;
    private final List<Sensor> sensors = new ArrayList<>();

    LearnerMetrics(ProcessorContext<?, ?> context) {
        this.streamsMetrics = context.metrics();
        this.threadId = Thread.currentThread().getName();
        this.taskId = context.taskId().toString();
        this.errors = sensor("errors", Map.of());
        errors.add(name("errors-total", "Records rejected to the errors topic", Map.of()), new CumulativeSum());
        errors.add(name("errors-rate", "Records rejected per second", Map.of()), new Rate());
    }

    void registerModel(String model) {
        models.computeIfAbsent(model, ModelSensors::new);
    }

    void recordBatch(String model, int predicted, int trained, long version) {
        ModelSensors s = models.computeIfAbsent(model, ModelSensors::new);
        s.examples.record(predicted);
        if (trained > 0) {
            s.trained.record(trained);
        }
        s.version.record(version);
    }

    void recordCheckpoint(String model, int bytes) {
        models.computeIfAbsent(model, ModelSensors::new).checkpointBytes.record(bytes);
    }

    void recordSnapshot(String model, long version, int bytes) {
        ModelSensors s = models.computeIfAbsent(model, ModelSensors::new);
        s.snapshots.record(1);
        s.snapshotVersion.record(version);
        s.snapshotBytes.record(bytes);
    }

    void recordWindow(String model, TrainingMetrics m) {
        ModelSensors s = models.computeIfAbsent(model, ModelSensors::new);
        if (m.getMeanLoss() != null) {
            s.loss.record(m.getMeanLoss());
        }
        if (m.getAccuracy() != null) {
            s.accuracy.record(m.getAccuracy());
        }
    }

    void recordLateLabel(String model) {
        models.computeIfAbsent(model, ModelSensors::new).lateLabels.record();
    }

    /** An unlabeled example stopped waiting for its label: over the bound, or past the wait. */
    void recordUnlabeledDropped(String model, boolean overBound) {
        ModelSensors s = models.computeIfAbsent(model, ModelSensors::new);
        (overBound ? s.unlabeledEvicted : s.unlabeledExpired).record();
    }

    /** A label stopped waiting for its example: over the bound, or past the wait. */
    void recordLabelDropped(String model, boolean overBound) {
        ModelSensors s = models.computeIfAbsent(model, ModelSensors::new);
        (overBound ? s.labelsEvicted : s.labelsExpired).record();
    }

    /** A replica's contribution of {@code bytes} of parameters to the params topic. */
    void recordContribution(String model, long bytes) {
        models.computeIfAbsent(model, ModelSensors::new).paramsSent.record(bytes);
    }

    /**
     * A replica's adoption of global version {@code version}, read in {@code bytes} of parameters,
     * {@code roundTripMs} after it contributed to that round.
     */
    void recordAdoption(String model, long version, long bytes, long roundTripMs) {
        ModelSensors s = models.computeIfAbsent(model, ModelSensors::new);
        s.paramsReceived.record(bytes);
        s.globalVersion.record(version);
        s.roundTrip.record(roundTripMs);
    }

    void recordDrift(String model, int detections) {
        models.computeIfAbsent(model, ModelSensors::new).drifts.record(detections);
    }

    void recordChampionSwitch(String model) {
        models.computeIfAbsent(model, ModelSensors::new).championSwitches.record();
    }

    void recordDuplicate(String model) {
        models.computeIfAbsent(model, ModelSensors::new).duplicates.record();
    }

    void recordError(String model, String rule) {
        errors.record();
        if (model != null) {
            models.computeIfAbsent(model, ModelSensors::new).errors.record();
        }
    }

    @Override
    public void close() {
        sensors.forEach(streamsMetrics::removeSensor);
        sensors.clear();
        models.clear();
    }

    private Sensor sensor(String name, Map<String, String> extraTags) {
        String fullName = "streamtrain." + taskId + "." + name + extraTags.values();
        Sensor sensor = streamsMetrics.addSensor(fullName, Sensor.RecordingLevel.INFO);
        sensors.add(sensor);
        return sensor;
    }

    private MetricName name(String name, String description, Map<String, String> extraTags) {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("thread-id", threadId);
        tags.put("task-id", taskId);
        tags.putAll(extraTags);
        return new MetricName(name, GROUP, description, tags);
    }

    private final class ModelSensors {
        final Sensor examples;
        final Sensor trained;
        final Sensor version;
        final Sensor loss;
        final Sensor accuracy;
        final Sensor errors;
        final Sensor checkpointBytes;
        final Sensor duplicates;
        final Sensor lateLabels;
        final Sensor unlabeledEvicted;
        final Sensor unlabeledExpired;
        final Sensor labelsEvicted;
        final Sensor labelsExpired;
        final Sensor snapshots;
        final Sensor snapshotVersion;
        final Sensor snapshotBytes;
        final Sensor drifts;
        final Sensor championSwitches;
        final Sensor paramsSent;
        final Sensor paramsReceived;
        final Sensor globalVersion;
        final Sensor roundTrip;

        ModelSensors(String model) {
            Map<String, String> tags = Map.of("model", model);
            examples = sensor("examples", tags);
            examples.add(name("examples-total", "Examples predicted", tags), new CumulativeSum());
            examples.add(name("examples-rate", "Examples predicted per second", tags), new Rate());
            trained = sensor("trained", tags);
            trained.add(name("trained-total", "Examples trained on", tags), new CumulativeSum());
            trained.add(name("trained-rate", "Examples trained on per second", tags), new Rate());
            version = sensor("version", tags);
            version.add(name("model-version", "Training steps the model has taken", tags), new Value());
            loss = sensor("loss", tags);
            loss.add(name("loss", "Mean prequential loss of the last metrics window", tags), new Value());
            accuracy = sensor("accuracy", tags);
            accuracy.add(name("accuracy", "Prequential accuracy of the last metrics window", tags), new Value());
            errors = sensor("model-errors", tags);
            errors.add(name("model-errors-total", "Records of this model rejected", tags), new CumulativeSum());
            checkpointBytes = sensor("checkpoint", tags);
            checkpointBytes.add(name("checkpoint-bytes", "Size of the last checkpoint", tags), new Value());
            duplicates = sensor("duplicates", tags);
            duplicates.add(name("duplicates-total", "Redelivered examples and second labels skipped", tags),
                    new CumulativeSum());
            lateLabels = sensor("late-labels", tags);
            lateLabels.add(name("late-labels-total", "Labels joined to an example that came before them", tags),
                    new CumulativeSum());
            unlabeledEvicted = total("unlabeled-evicted", "Predicted unlabeled examples that stopped waiting for "
                    + "their label because too many waited (streamtrain.labels.max.pending)", tags);
            unlabeledExpired = total("unlabeled-expired", "Predicted unlabeled examples that stopped waiting for "
                    + "their label after streamtrain.labels.wait.ms", tags);
            labelsEvicted = total("labels-evicted", "Labels that stopped waiting for their example because too "
                    + "many waited (streamtrain.labels.max.pending)", tags);
            labelsExpired = total("labels-expired", "Labels that stopped waiting for their example after "
                    + "streamtrain.labels.wait.ms", tags);
            snapshots = total("snapshots", "Snapshots published to the models topic", tags);
            snapshotVersion = sensor("snapshot-version", tags);
            snapshotVersion.add(name("snapshot-version", "Version of the last snapshot published", tags),
                    new Value());
            snapshotBytes = sensor("snapshot-bytes", tags);
            snapshotBytes.add(name("snapshot-bytes", "Size of the last snapshot's zip", tags), new Value());
            drifts = total("drifts", "Drifts detected (each written to the events topic)", tags);
            championSwitches = total("champion-switches", "Changes of the lead of the race of baselines (each "
                    + "written to the champions topic)", tags);
            paramsSent = sensor("params-sent", tags);
            paramsSent.add(name("params-sent-bytes-total", "Parameter bytes a replica wrote to the params topic "
                    + "(a model trained by several replicas)", tags), new CumulativeSum());
            paramsReceived = sensor("params-received", tags);
            paramsReceived.add(name("params-received-bytes-total", "Parameter bytes of averaged versions a replica "
                    + "adopted", tags), new CumulativeSum());
            globalVersion = sensor("global-version", tags);
            globalVersion.add(name("global-version", "The averaged version a replica adopted last", tags),
                    new Value());
            roundTrip = sensor("round-trip", tags);
            roundTrip.add(name("round-trip-ms", "Milliseconds from a replica's contribution to its adoption of that "
                    + "round's version, the last round (in lockstep, how long its next examples waited)", tags),
                    new Value());
        }

        /** A sensor with one cumulative count, {@code <name>-total}. */
        private Sensor total(String name, String description, Map<String, String> tags) {
            Sensor sensor = sensor(name, tags);
            sensor.add(name(name + "-total", description, tags), new CumulativeSum());
            return sensor;
        }
    }
}
