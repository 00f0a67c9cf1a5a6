package io.streamtrain.topology;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;

import io.streamtrain.avro.Example;
import io.streamtrain.avro.ModelSnapshot;
import io.streamtrain.avro.Prediction;
import io.streamtrain.avro.RejectedRecord;
import io.streamtrain.avro.ServingPin;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * What the serving topology needs: its topics, how their values are decoded, how often it looks for a new version.
 *
 * @param requests the unlabeled examples to predict, keyed by model id (raw bytes, decoded inside)
 * @param served one prediction per request
 * @param errors requests that cannot be served, with the rule they broke
 * @param models the learner's models topic, read into a global store by every instance
 * @param pins the learner's pins topic, read into a global store by every instance
 * @param requestDeserializer decodes requests; one per task is made from it
 * @param snapshotDeserializer decodes the models topic's chunks
 * @param pinDeserializer decodes the pins topic
 * @param refreshInterval how often each task looks for a newer (or pinned) version of the models it serves
 * @param maxRecordBytes the producer's max.request.size, which bounds the copies of rejected requests
 * @param commitEarlyMaxLag after a request written at most this long ago (the replica keeps up) the replica asks
 *     Kafka Streams to commit at once, at most every {@link LearnerSettings#MIN_EARLY_COMMIT_SPACING}, so that its
 *     prediction is readable sooner; zero: never
 * @param batchMax the most requests of a model predicted in one call; 1 serves each at once
 * @param batchWait the longest the first request of a micro-batch waits for it to fill
 */
public record ServeSettings(
        Topic<String, byte[]> requests,
        Topic<String, Prediction> served,
        Topic<String, RejectedRecord> errors,
        String models,
        String pins,
        Supplier<Deserializer<Example>> requestDeserializer,
        Supplier<Deserializer<ModelSnapshot>> snapshotDeserializer,
        Supplier<Deserializer<ServingPin>> pinDeserializer,
        Duration refreshInterval,
        int maxRecordBytes,
        Duration commitEarlyMaxLag,
        int batchMax,
        Duration batchWait) {

    /** The global store of the models topic's chunks, as they are on the topic. */
    public static final String MODELS_STORE = "streamtrain-serve-models";
    /** The global store of the pins topic. */
    public static final String PINS_STORE = "streamtrain-serve-pins";
    /** The requests waiting for their micro-batch (changelogged), with {@code batchMax > 1}. */
    public static final String PENDING_STORE = "streamtrain-serve-pending";

    public ServeSettings {
        Objects.requireNonNull(requests, "requests");
        Objects.requireNonNull(served, "served");
        Objects.requireNonNull(errors, "errors");
        Objects.requireNonNull(models, "models");
        Objects.requireNonNull(pins, "pins");
        Objects.requireNonNull(requestDeserializer, "requestDeserializer");
        Objects.requireNonNull(snapshotDeserializer, "snapshotDeserializer");
        Objects.requireNonNull(pinDeserializer, "pinDeserializer");
        if (refreshInterval.isNegative() || refreshInterval.isZero()) {
            throw new IllegalArgumentException("refreshInterval must be positive, was " + refreshInterval);
        }
        if (batchMax < 1) {
            throw new IllegalArgumentException("batchMax must be at least 1, was " + batchMax);
        }
        if (batchWait.isNegative()) {
            throw new IllegalArgumentException("batchWait must not be negative, was " + batchWait);
        }
        if (commitEarlyMaxLag.isNegative()) {
            throw new IllegalArgumentException("commitEarlyMaxLag must not be negative, was " + commitEarlyMaxLag);
        }
        if (maxRecordBytes < LearnerSettings.MIN_MAX_RECORD_BYTES) {
            throw new IllegalArgumentException("maxRecordBytes must be at least "
                    + LearnerSettings.MIN_MAX_RECORD_BYTES + ", was " + maxRecordBytes);
        }
    }
}
