package io.streamtrain.topology;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

import io.streamtrain.avro.ControlCommand;
import io.streamtrain.avro.Example;
import io.streamtrain.avro.Label;
import io.streamtrain.learn.NetworkSpec;
import io.streamtrain.learn.drift.DriftSettings;
import io.streamtrain.snapshot.SnapshotException;
import io.streamtrain.snapshot.SnapshotSource;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Everything the learner topology needs, typed and validated: built by the application from its configuration, or
 * by a test directly.
 *
 * @param topics the topics read and written
 * @param exampleDeserializer decodes example values (registry wire format); one per stream task is made from it
 * @param labelDeserializer decodes late label values (registry wire format); one per stream task is made from it
 * @param specs the network spec of each model id, or null for a model that has none (its records are rejected)
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
 * @param maxRecordBytes the largest record the learner's producer sends ({@code max.request.size}): what the learner
 *     writes is kept below it, so that no output or store record can be refused for its size
 * @param commitEarlyMaxLag after a mini-batch step whose newest record was written at most this long ago (the learner
 *     keeps up with its input), or a timed step of a partial mini-batch, the learner asks Kafka Streams to commit at
 *     once rather than at its next commit interval, at most every {@link #MIN_EARLY_COMMIT_SPACING}; zero: never
 * @param snapshotEverySteps a model publishes a snapshot to the models topic after every this many training steps
 *     (when its version is a multiple of it); 0 turns periodic snapshots off
 * @param snapshotKeep how many of a model's snapshots stay on the models topic: older versions are tombstoned
 * @param controlDeserializer decodes commands of the control topic; one per stream task is made from it
 * @param snapshotSource reads a kept snapshot's zip back from the models topic, for {@code rollback}
 * @param drift how each model's stream is watched for drift, and what is done on a detection
 * @param race the shallow baselines racing each classification model's network, and whether predictions follow the
 *     leader
 * @param replicated whether some model may train on several replicas: then the learner reads the global topic and
 *     runs the averaging step on the params topic; without, neither topic is read (nor needs to exist)
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
        Duration labelWait,
        int maxRecordBytes,
        Duration commitEarlyMaxLag,
        long snapshotEverySteps,
        int snapshotKeep,
        Supplier<Deserializer<ControlCommand>> controlDeserializer,
        SnapshotSource snapshotSource,
        DriftSettings drift,
        RaceSettings race,
        boolean replicated) {

    /** The name of the learner's state store (its changelog topic is derived from it). */
    public static final String STATE_STORE = "streamtrain-learner-state";
    /** The averaging step's store: each replicated model's open round and its contributions. */
    public static final String AVERAGER_STORE = "streamtrain-averager-state";
    /** The producer's default {@code max.request.size}. */
    public static final int DEFAULT_MAX_RECORD_BYTES = 1024 * 1024;
    /** The smallest {@code max.request.size} the learner works with: a rejected record's copy needs room. */
    public static final int MIN_MAX_RECORD_BYTES = 64 * 1024;
    /** The least time between two commits the learner asks for early; see {@code commitEarlyMaxLag}. */
    public static final Duration MIN_EARLY_COMMIT_SPACING = Duration.ofMillis(25);
    /** Training steps between two snapshots of a model, by default. */
    public static final long DEFAULT_SNAPSHOT_EVERY_STEPS = 1000;
    /** Snapshots of a model kept on the models topic, by default. */
    public static final int DEFAULT_SNAPSHOT_KEEP = 10;

    public LearnerSettings {
        Objects.requireNonNull(topics, "topics");
        Objects.requireNonNull(exampleDeserializer, "exampleDeserializer");
        Objects.requireNonNull(labelDeserializer, "labelDeserializer");
        Objects.requireNonNull(labelWait, "labelWait");
        Objects.requireNonNull(specs, "specs");
        // a replica's key (<model>#<shard>) finds its model's spec
        specs = ReplicaSpecs.of(specs);
        Objects.requireNonNull(metricsInterval, "metricsInterval");
        Objects.requireNonNull(punctuateInterval, "punctuateInterval");
        Objects.requireNonNull(commitEarlyMaxLag, "commitEarlyMaxLag");
        Objects.requireNonNull(controlDeserializer, "controlDeserializer");
        Objects.requireNonNull(snapshotSource, "snapshotSource");
        Objects.requireNonNull(drift, "drift");
        Objects.requireNonNull(race, "race");
        if (commitEarlyMaxLag.isNegative()) {
            throw new IllegalArgumentException("commitEarlyMaxLag must not be negative, was " + commitEarlyMaxLag);
        }
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
        if (maxRecordBytes < MIN_MAX_RECORD_BYTES) {
            throw new IllegalArgumentException("maxRecordBytes must be at least " + MIN_MAX_RECORD_BYTES + ", was "
                    + maxRecordBytes);
        }
        if (snapshotEverySteps < 0) {
            throw new IllegalArgumentException("snapshotEverySteps must be 0 (off) or positive, was "
                    + snapshotEverySteps);
        }
        if (snapshotKeep < 1) {
            throw new IllegalArgumentException("snapshotKeep must be at least 1, was " + snapshotKeep);
        }
    }

    /** Settings with the learner's defaults for everything but what it reads, writes and learns. */
    public static Builder builder(LearnerTopics topics, Supplier<Deserializer<Example>> exampleDeserializer,
            Supplier<Deserializer<Label>> labelDeserializer, Function<String, NetworkSpec> specs) {
        return new Builder(topics, exampleDeserializer, labelDeserializer, specs);
    }

    /** Builds {@link LearnerSettings}; the defaults are those of the learner's configuration. */
    public static final class Builder {
        private final LearnerTopics topics;
        private final Supplier<Deserializer<Example>> exampleDeserializer;
        private final Supplier<Deserializer<Label>> labelDeserializer;
        private final Function<String, NetworkSpec> specs;
        private int checkpointEveryBatches = 100;
        private Duration metricsInterval = Duration.ofSeconds(5);
        private long metricsEveryExamples = 10_000;
        private Duration punctuateInterval = Duration.ofMillis(20);
        private int dedupeWindow = 100_000;
        private int maxPendingLabels = 10_000;
        private Duration labelWait = Duration.ofHours(1);
        private int maxRecordBytes = DEFAULT_MAX_RECORD_BYTES;
        private Duration commitEarlyMaxLag = Duration.ofMillis(50);
        private long snapshotEverySteps = DEFAULT_SNAPSHOT_EVERY_STEPS;
        private int snapshotKeep = DEFAULT_SNAPSHOT_KEEP;
        private Supplier<Deserializer<ControlCommand>> controlDeserializer;
        private SnapshotSource snapshotSource = (model, version) -> {
            throw new SnapshotException("this learner reads no models topic");
        };
        private DriftSettings drift = DriftSettings.off();
        private RaceSettings race = RaceSettings.off();
        private boolean replicated = true;

        private Builder(LearnerTopics topics, Supplier<Deserializer<Example>> exampleDeserializer,
                Supplier<Deserializer<Label>> labelDeserializer, Function<String, NetworkSpec> specs) {
            this.topics = topics;
            this.exampleDeserializer = exampleDeserializer;
            this.labelDeserializer = labelDeserializer;
            this.specs = specs;
        }

        public Builder checkpointEveryBatches(int batches) {
            this.checkpointEveryBatches = batches;
            return this;
        }

        public Builder metricsInterval(Duration interval) {
            this.metricsInterval = interval;
            return this;
        }

        public Builder metricsEveryExamples(long examples) {
            this.metricsEveryExamples = examples;
            return this;
        }

        public Builder punctuateInterval(Duration interval) {
            this.punctuateInterval = interval;
            return this;
        }

        public Builder dedupeWindow(int ids) {
            this.dedupeWindow = ids;
            return this;
        }

        public Builder maxPendingLabels(int pending) {
            this.maxPendingLabels = pending;
            return this;
        }

        public Builder labelWait(Duration wait) {
            this.labelWait = wait;
            return this;
        }

        public Builder maxRecordBytes(int bytes) {
            this.maxRecordBytes = bytes;
            return this;
        }

        public Builder commitEarlyMaxLag(Duration lag) {
            this.commitEarlyMaxLag = lag;
            return this;
        }

        public Builder snapshotEverySteps(long steps) {
            this.snapshotEverySteps = steps;
            return this;
        }

        public Builder snapshotKeep(int versions) {
            this.snapshotKeep = versions;
            return this;
        }

        /** How commands of the control topic are decoded (registry wire format): required. */
        public Builder controlDeserializer(Supplier<Deserializer<ControlCommand>> deserializer) {
            this.controlDeserializer = deserializer;
            return this;
        }

        public Builder snapshotSource(SnapshotSource source) {
            this.snapshotSource = source;
            return this;
        }

        public Builder drift(DriftSettings settings) {
            this.drift = settings;
            return this;
        }

        public Builder race(RaceSettings settings) {
            this.race = settings;
            return this;
        }

        /**
         * Whether some model's spec trains it on several replicas (the default: yes, the topology reads and writes the
         * params and global topics); a learner whose specs train none leaves them out, so they need not exist.
         */
        public Builder replicated(boolean replicated) {
            this.replicated = replicated;
            return this;
        }

        public LearnerSettings build() {
            return new LearnerSettings(topics, exampleDeserializer, labelDeserializer, specs, checkpointEveryBatches,
                    metricsInterval, metricsEveryExamples, punctuateInterval, dedupeWindow, maxPendingLabels,
                    labelWait, maxRecordBytes, commitEarlyMaxLag, snapshotEverySteps, snapshotKeep,
                    controlDeserializer, snapshotSource, drift, race, replicated);
        }
    }
}
