package io.streamtrain.topology;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

import io.streamtrain.avro.Example;
import io.streamtrain.avro.Label;
import io.streamtrain.learn.NetworkSpec;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Everything the learner topology needs, typed and validated: built by the application from its configuration, or
 * by a test directly.
 *
 * @param topics the topics read and written
 * @param exampleDeserializer decodes example values (registry wire format); one per stream task is made from it
 * @param labelDeserializer decodes late label values (registry wire format); one per stream task is made from it
 * @param specs the network spec of each model id
 * @param checkpointEveryBatches how many mini-batches a model trains between two checkpoints; bounds the examples
 *     kept for replay, so what a restart replays does not grow with traffic
 * @param metricsInterval how often each model's metrics are written
 * @param metricsEveryExamples a model's metrics are written at the latest after this many examples
 * @param punctuateInterval how often the learner looks for partial mini-batches that have waited long enough
 * @param dedupeWindow how many of a model's most recent example ids are remembered, so that a redelivered example
 *     (same id) is not predicted or trained on again; 0 turns this off
 * @param maxPendingLabels per model, how many predicted unlabeled examples wait for a late label, and how many labels
 *     wait for an example that has not come yet; 0 turns late labels off (every label is then rejected)
 * @param labelWait how long an unlabeled example waits for its label, and a label for its example
 */
public record LearnerSettings(
        LearnerTopics topics,
        Supplier<Deserializer<Example>> exampleDeserializer,
        Supplier<Deserializer<Label>> labelDeserializer,
        Function<String, NetworkSpec> specs,
        int checkpointEveryBatches,
        Duration metricsInterval,
        long metricsEveryExamples,
        Duration punctuateInterval,
        int dedupeWindow,
        int maxPendingLabels,
        Duration labelWait) {

    /** The name of the learner's state store (its changelog topic is derived from it). */
    public static final String STATE_STORE = "streamtrain-learner-state";

    public LearnerSettings {
        Objects.requireNonNull(topics, "topics");
        Objects.requireNonNull(exampleDeserializer, "exampleDeserializer");
        Objects.requireNonNull(labelDeserializer, "labelDeserializer");
        Objects.requireNonNull(labelWait, "labelWait");
        Objects.requireNonNull(specs, "specs");
        Objects.requireNonNull(metricsInterval, "metricsInterval");
        Objects.requireNonNull(punctuateInterval, "punctuateInterval");
        if (checkpointEveryBatches < 1) {
            throw new IllegalArgumentException("checkpointEveryBatches must be at least 1, was " + checkpointEveryBatches);
        }
        if (metricsInterval.isNegative() || metricsInterval.isZero()) {
            throw new IllegalArgumentException("metricsInterval must be positive, was " + metricsInterval);
        }
        if (metricsEveryExamples < 1) {
            throw new IllegalArgumentException("metricsEveryExamples must be at least 1, was " + metricsEveryExamples);
        }
        if (dedupeWindow < 0) {
            throw new IllegalArgumentException("dedupeWindow must be 0 (off) or positive, was " + dedupeWindow);
        }
        if (maxPendingLabels < 0) {
            throw new IllegalArgumentException("maxPendingLabels must be 0 (off) or positive, was " + maxPendingLabels);
        }
        if (labelWait.isNegative()) {
            throw new IllegalArgumentException("labelWait must not be negative, was " + labelWait);
        }
        if (punctuateInterval.isNegative() || punctuateInterval.isZero()) {
            throw new IllegalArgumentException("punctuateInterval must be positive, was " + punctuateInterval);
        }
    }
}
