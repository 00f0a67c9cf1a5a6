package io.streamtrain.topology;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.streamtrain.avro.ClassLabel;
import io.streamtrain.avro.ContenderScore;
import io.streamtrain.avro.ControlCommand;
import io.streamtrain.avro.Example;
import io.streamtrain.avro.Label;
import io.streamtrain.avro.ParamsChunk;
import io.streamtrain.avro.ParamsKind;
import io.streamtrain.avro.TrainingMetrics;
import io.streamtrain.contract.RecordLimits;
import io.streamtrain.contract.ReplicaKey;
import io.streamtrain.contract.RejectionRule;
import io.streamtrain.learn.ExampleCheck;
import io.streamtrain.learn.NetworkSpec;
import io.streamtrain.learn.PrequentialScore;
import io.streamtrain.learn.Rejection;
import io.streamtrain.learn.Target;
import io.streamtrain.learn.baseline.FadingScore;
import io.streamtrain.learn.baseline.Race;
import io.streamtrain.registry.FloatVector;
import io.streamtrain.registry.WireFormatException;
import org.apache.avro.generic.PrimitivesArrays;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Test-then-train for every model of one stream task. Each record is checked against every rule of the input first
 * (a bad one goes to the errors topic through {@link Rejections}); an example is then appended to the task's
 * changelogged store ({@link LearnerStore}) and queued; when a model has a full mini-batch (or its oldest example has
 * waited the spec's longest wait) {@link BatchStep} predicts, writes the predictions, scores and trains. An example
 * whose offset is committed is either processed or still in the store: nothing is lost or trained twice. A restarted
 * or moved task restores its models with {@link ModelRestore}. Labels that come later are joined by
 * {@link LateLabelJoin}.
 */
final class LearnerProcessor implements Processor<String, byte[], String, SpecificRecord> {

    private static final Logger log = LoggerFactory.getLogger(LearnerProcessor.class);
    /** An example or label time outside the range every tool can read as a date. Field {@code eventTime}/{@code time}. */
    static final String EVENT_TIME_RANGE = RejectionRule.EVENT_TIME_RANGE.code();
    /** A class label whose name is longer than predictions repeat. Field {@code label.name}. */
    static final String CLASS_NAME_LENGTH = RejectionRule.CLASS_NAME_LENGTH.code();
    /** A model id that cannot key records and the store. Field {@code model}. */
    static final String MODEL_ID = RejectionRule.MODEL_ID.code();
    /** A label whose example did not come (in time, or at all). Field {@code exampleId}. */
    static final String UNMATCHED_LABEL = LateLabelJoin.UNMATCHED_LABEL;
    /** The fewest example slots a model's ring has. */
    static final int MIN_SLOTS = ModelRestore.MIN_SLOTS;

    private final LearnerSettings settings;
    private final Map<String, ModelRuntime> models = new LinkedHashMap<>();
    private final String examplesTopic;
    private final String labelsTopic;
    private final String controlTopic;
    private final String globalTopic;
    private ProcessorContext<String, SpecificRecord> context;
    private LearnerStore store;
    private Deserializer<Example> exampleDeserializer;
    private Deserializer<Label> labelDeserializer;
    private LearnerMetrics metrics;
    private Rejections rejections;
    private LateLabelJoin join;
    private BatchStep step;
    private ModelRestore restore;
    private ControlCommands control;
    private Deserializer<ControlCommand> controlDeserializer;
    private Deserializer<ParamsChunk> globalDeserializer;
    private Replicas replicas;
    /** The timestamp of the last record this task processed: the learner is keeping up when it is recent. */
    private long newestRecordMs = Long.MIN_VALUE / 2;
    private long lastEarlyCommitMs = Long.MIN_VALUE / 2;

    LearnerProcessor(LearnerSettings settings) {
        this.settings = settings;
        this.examplesTopic = settings.topics().examples().name();
        this.labelsTopic = settings.topics().labels().name();
        this.controlTopic = settings.topics().control().name();
        this.globalTopic = settings.topics().global().name();
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        RecordBudget budget = new RecordBudget(settings.maxRecordBytes());
        this.store = new LearnerStore(context.getStateStore(LearnerSettings.STATE_STORE), budget.checkpointChunkBytes());
        this.exampleDeserializer = settings.exampleDeserializer().get();
        this.labelDeserializer = settings.labelDeserializer().get();
        this.metrics = new LearnerMetrics(context);
        this.rejections = new Rejections(context, budget, metrics, store);
        this.join = new LateLabelJoin(store, rejections, metrics, settings.labelWait(), settings.maxPendingLabels());
        SnapshotPublisher snapshots = new SnapshotPublisher(context, metrics, settings.snapshotEverySteps(),
                settings.snapshotKeep(), budget.checkpointChunkBytes());
        this.restore = new ModelRestore(settings, store, join, context::currentSystemTimeMs);
        this.replicas = new Replicas(context, store, budget.checkpointChunkBytes() / 4,
                runtime -> step.checkpoint(runtime), metrics);
        this.globalDeserializer = settings.topics().global().valueSerde().deserializer();
        this.step = new BatchStep(context, store, join, metrics, settings.checkpointEveryBatches(), snapshots,
                settings.drift(), settings.snapshotSource(), settings.race(), rejections, restore::rebuildTraining,
                examplesTopic, replicas);
        this.controlDeserializer = settings.controlDeserializer().get();
        this.control = new ControlCommands(context, settings, store, step, snapshots, new ControlCommands.Models() {
            @Override
            public ModelRuntime existing(String model) {
                return models.containsKey(model) || store.meta(model) != null && hasSpec(model) ? runtime(model)
                        : null;
            }

            @Override
            public boolean hasSpec(String model) {
                return models.containsKey(model) || settings.specs().apply(model) != null;
            }

            @Override
            public int replicas(String model) {
                NetworkSpec spec = models.containsKey(model) ? null : settings.specs().apply(model);
                return spec == null ? 1 : spec.replicas();
            }
        }, controlDeserializer);
        try {
            // every model with state, so that waiting examples are processed without new input
            for (String model : store.models()) {
                if (settings.specs().apply(model) == null) {
                    log.warn("model {} has state in task {} but no spec: its records are rejected ({}) until it has "
                            + "one again", model, context.taskId(), RejectionRule.UNKNOWN_MODEL);
                } else {
                    runtime(model);
                }
            }
        } catch (KafkaException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new LearnerStoppedException("while restoring the models of task " + context.taskId() + ": " + e,
                    e);
        }
        context.schedule(settings.punctuateInterval(), PunctuationType.WALL_CLOCK_TIME, this::onWallClock);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        String topic = context.recordMetadata().map(RecordMetadata::topic).orElse(examplesTopic);
        if (!topic.equals(globalTopic)) {
            // a round's record is stamped 0 to be read first (RecordOrWallClockTimestamp): it says nothing of lag
            newestRecordMs = record.timestamp();
        }
        try {
            if (topic.equals(labelsTopic)) {
                processLabel(record);
            } else if (topic.equals(controlTopic)) {
                control.handle(record);
            } else if (topic.equals(globalTopic)) {
                processGlobal(record);
            } else {
                processExample(record);
            }
        } catch (KafkaException e) {
            // Kafka's own (a fenced producer, a migrated task, a registry outage) are Kafka Streams' to handle
            throw e;
        } catch (RuntimeException e) {
            // not the record's fault (every rule of the input is checked above): say which record it was, and stop
            RecordMetadata meta = context.recordMetadata().orElse(null);
            throw new LearnerStoppedException("while processing the record at " + (meta == null ? topic
                    : meta.topic() + "-" + meta.partition() + "@" + meta.offset()) + ": " + e, e);
        }
    }

    private void processExample(Record<String, byte[]> record) {
        Example example;
        try {
            example = exampleDeserializer.deserialize(examplesTopic, record.headers(), record.value());
        } catch (WireFormatException e) {
            // the bytes are at fault; a registry that cannot be reached is not, and fails the task instead
            rejections.reject(record, null, new Rejection("value", RejectionRule.UNDECODABLE.code(), e.getMessage()));
            return;
        }
        if (example == null) {
            rejections.reject(record, null, new Rejection("value", RejectionRule.NULL_VALUE.code(),
                    "an example record must have a value"));
            return;
        }
        String id = example.getId();
        ModelRuntime runtime = runtimeOf(record, example.getModel(), "id", id);
        if (runtime == null) {
            return;
        }
        Rejection rejection = ExampleCheck.checkId("id", id);
        if (rejection == null) {
            rejection = checkTime("eventTime", example.getEventTime());
        }
        if (rejection != null) {
            rejections.reject(record, runtime, rejection);
            return;
        }
        List<Float> featureList = example.getFeatures();
        // the array itself when the example was read straight into one; a copy from Avro's primitive list
        float[] features = featureList instanceof FloatVector vector ? vector.array()
                : featureList instanceof PrimitivesArrays.FloatArray ? toArray(featureList) : null;
        Object label = example.getLabel();
        Target target = StoredExample.LabelCodec.target(label);
        rejection = features != null ? runtime.check.check(features, target) : runtime.check.check(featureList, target);
        if (rejection == null) {
            rejection = checkClassName(label);
        }
        if (rejection == null) {
            rejection = ExampleCheck.checkWeight(example.getWeight());
        }
        if (rejection != null) {
            // its id is not remembered: a corrected example sent again with the same id is taken
            rejections.reject(record, runtime, rejection);
            return;
        }
        if (runtime.dedupe != null && !runtime.dedupe.remember(id)) {
            // a redelivery of an example this model has already taken: its prediction exists, it was trained on
            log.debug("model {}: skipped example {}, seen recently", runtime.model, id);
            countDuplicate(runtime);
            return;
        }
        if (features == null) {
            features = toArray(featureList);
        }
        if (label == null) {
            // its label may have come first and waited for it
            label = join.takeWaitingLabel(runtime, id);
            if (label != null) {
                countLateLabel(runtime);
            }
        }
        append(runtime, new StoredExample(runtime.nextSeq++, id, example.getEventTime().toEpochMilli(), label,
                example.getWeight(), features, false));
    }

    /**
     * A label for an example that came earlier (or will come): it scores the prediction made when the example came
     * and queues the example, now labeled, for training; a label whose example has not come waits for it.
     */
    private void processLabel(Record<String, byte[]> record) {
        Label label;
        try {
            label = labelDeserializer.deserialize(labelsTopic, record.headers(), record.value());
        } catch (WireFormatException e) {
            rejections.reject(record, null, new Rejection("value", RejectionRule.UNDECODABLE.code(), e.getMessage()));
            return;
        }
        if (label == null) {
            rejections.reject(record, null, new Rejection("value", RejectionRule.NULL_VALUE.code(),
                    "a label record must have a value"));
            return;
        }
        ModelRuntime runtime = runtimeOf(record, label.getModel(), "exampleId", label.getExampleId());
        if (runtime == null) {
            return;
        }
        Rejection rejection = ExampleCheck.checkId("exampleId", label.getExampleId());
        if (rejection == null) {
            Target target = StoredExample.LabelCodec.target(label.getLabel());
            rejection = target == null ? new Rejection("label", ExampleCheck.LABEL_KIND, "a label record needs a label")
                    : runtime.check.checkLabel(target);
        }
        if (rejection == null) {
            rejection = checkClassName(label.getLabel());
        }
        if (rejection == null) {
            rejection = checkTime("time", label.getTime());
        }
        if (rejection == null && !runtime.joinsLateLabels()) {
            rejection = new Rejection("exampleId", UNMATCHED_LABEL, "late labels are off ("
                    + "streamtrain.labels.max.pending=0): a label must come with its example");
        }
        if (rejection != null) {
            rejections.reject(record, runtime, rejection);
            return;
        }
        LateLabelJoin.Joined joined = join.join(runtime, label, record, context.recordMetadata().orElseThrow(),
                context.currentSystemTimeMs());
        switch (joined.outcome()) {
            case JOINED -> {
                countLateLabel(runtime);
                if (joined.toTrain() != null) {
                    append(runtime, joined.toTrain());
                }
            }
            case DUPLICATE -> countDuplicate(runtime);
            case WAITING, REJECTED -> {
                // waiting in the store until its example comes or the wait runs out; or rejected already
            }
        }
    }

    /**
     * A chunk of a global version of a model trained by several replicas, for the replica its key names: the
     * averaging step wrote it, in the partition of that replica's examples.
     */
    private void processGlobal(Record<String, byte[]> record) {
        ParamsChunk global;
        try {
            global = globalDeserializer.deserialize(globalTopic, record.headers(), record.value());
        } catch (WireFormatException e) {
            rejections.reject(record, null, new Rejection("value", RejectionRule.UNDECODABLE.code(), e.getMessage()));
            return;
        }
        if (global == null) {
            rejections.reject(record, null, new Rejection("value", RejectionRule.NULL_VALUE.code(),
                    "a record of the global topic must have a value"));
            return;
        }
        if (global.getKind() == ParamsKind.CONTRIBUTION || global.getChunk() < 0
                || global.getChunk() >= global.getChunks() || global.getTotalFloats() < 0
                || (global.getTotalFloats() == 0 ? global.getChunks() != 1
                        : global.getChunks() > global.getTotalFloats())) {
            rejections.reject(record, null, new Rejection("kind", RejectionRule.PARAMS_RECORD.code(),
                    "the global topic carries GLOBAL and ROUND_OPEN records, each chunk within its count; this one "
                            + "is " + global.getKind() + ", chunk " + global.getChunk() + " of "
                            + global.getChunks() + ", " + global.getTotalFloats() + " floats"));
            return;
        }
        String key = ReplicaKey.shardKey(global.getModel(), global.getReplica());
        ReplicaSpecs.Replica replica = ReplicaSpecs.replicaOf(settings.specs(), key);
        if (replica == null) {
            rejections.reject(record, null, new Rejection("model", RejectionRule.UNKNOWN_MODEL.code(), "model '"
                    + Rejections.abbreviate(global.getModel()) + "' has no replica " + global.getReplica()
                    + " here: its spec must have parallel.replicas above " + global.getReplica()));
            return;
        }
        if (!key.equals(record.key())) {
            rejections.reject(record, null, new Rejection("key", RejectionRule.KEY_MODEL_MISMATCH.code(),
                    "a global version for replica " + global.getReplica() + " of model '"
                            + Rejections.abbreviate(global.getModel()) + "' must be keyed '"
                            + Rejections.abbreviate(key) + "', was " + (record.key() == null ? "null"
                            : "'" + Rejections.abbreviate(record.key()) + "'")));
            return;
        }
        ModelRuntime runtime = runtime(key);
        long params = runtime.learner.numParams();
        int bytes = global.getData().remaining();
        if (global.getTotalFloats() != 0 && global.getTotalFloats() != params || bytes % 4 != 0
                || bytes / 4 > global.getTotalFloats()) {
            rejections.reject(record, runtime, new Rejection("totalFloats", RejectionRule.PARAMS_RECORD.code(),
                    "replica " + global.getReplica() + " of model '" + Rejections.abbreviate(global.getModel())
                            + "' has " + params + " parameters; this global version says " + global.getTotalFloats()
                            + " and carries " + bytes + " bytes in chunk " + global.getChunk()));
            return;
        }
        int nonFinite = ParamsCodec.firstNonFinite(global.getData());
        if (nonFinite >= 0) {
            rejections.reject(record, runtime, new Rejection("data", RejectionRule.PARAMS_RECORD.code(),
                    "chunk " + global.getChunk() + " of global version " + global.getRound() + " of model '"
                            + Rejections.abbreviate(global.getModel()) + "' has a NaN or an infinity at "
                            + nonFinite));
            return;
        }
        Rejection unusable = replicas.onGlobal(runtime, global, context.currentSystemTimeMs());
        if (unusable != null) {
            rejections.reject(record, runtime, unusable);
        } else if (runtime.inbox.size() >= runtime.batchSize) {
            // the examples that waited for this version, if it was the one the replica waited for
            drain(runtime, false);
        }
    }

    /** An event time outside what Avro timestamp-millis readers and Kafka take, or null. */
    static Rejection checkTime(String field, Instant time) {
        String problem = time == null ? "the time is missing" : RecordLimits.eventTimeProblem(time.toEpochMilli());
        return problem == null ? null : new Rejection(field, EVENT_TIME_RANGE, problem);
    }

    /** A class name too long to be repeated in every prediction, or null. */
    static Rejection checkClassName(Object label) {
        String problem = label instanceof ClassLabel c ? RecordLimits.classNameProblem(c.getName()) : null;
        return problem == null ? null : new Rejection("label.name", CLASS_NAME_LENGTH, problem);
    }

    /**
     * The runtime of a record's model, loaded on its first record; null when the model id is not valid or the record
     * is not keyed as the model's records must be (the record is then rejected). A model trained by one task is keyed
     * by its id; one trained by several replicas by {@code <model>#<shard>} ({@link ReplicaKey}), the shard a hash of
     * the example id in {@code idField}, and the runtime is that replica's.
     */
    private ModelRuntime runtimeOf(Record<String, byte[]> record, String model, String idField, String exampleId) {
        String problem = RecordLimits.modelIdProblem(model);
        if (problem != null) {
            rejections.reject(record, null, new Rejection("model", MODEL_ID, problem));
            return null;
        }
        NetworkSpec spec = models.containsKey(model) ? null : settings.specs().apply(model);
        if (!models.containsKey(model) && spec == null) {
            rejections.reject(record, null, new Rejection("model", RejectionRule.UNKNOWN_MODEL.code(), "model '"
                    + model + "' has no spec of its own (streamtrain.model.spec." + model + " or a file in "
                    + "streamtrain.model.specs.dir), and models without one are rejected "
                    + "(streamtrain.model.unlisted=reject)"));
            return null;
        }
        int replicaCount = spec == null ? 1 : spec.replicas();
        String key = model;
        if (replicaCount > 1) {
            // the key is the example id's shard: a bad id is rejected here, with its own rule
            Rejection badId = ExampleCheck.checkId(idField, exampleId);
            if (badId != null) {
                rejections.reject(record, null, badId);
                return null;
            }
            key = ReplicaKey.of(model, exampleId, replicaCount);
        }
        if (!key.equals(record.key())) {
            // a model's state lives in the task of its key's partition: another key would split the model in two
            String expected = replicaCount > 1 ? "'" + key + "' (model '" + model + "' trains on " + replicaCount
                    + " replicas: <model>#<shard>, the shard the example id's murmur2 hash modulo " + replicaCount
                    + ", as the connector's model.replicas keys it)" : "the model id '" + model + "'";
            rejections.reject(record, null, new Rejection("key", RejectionRule.KEY_MODEL_MISMATCH.code(),
                    "the record key must be " + expected + ", was "
                            + (record.key() == null ? "null" : "'" + Rejections.abbreviate(record.key()) + "'")));
            return null;
        }
        return runtime(key);
    }

    private ModelRuntime runtime(String model) {
        ModelRuntime runtime = models.get(model);
        if (runtime == null) {
            runtime = restore.load(model);
            ReplicaSpecs.Replica replica = ReplicaSpecs.replicaOf(settings.specs(), model);
            if (replica != null) {
                replicas.attach(runtime, replica, context.currentSystemTimeMs());
            }
            metrics.registerModel(model);
            models.put(model, runtime);
        }
        return runtime;
    }

    /** Counts a label joined to its example, with the score it may have changed, in the offset's transaction. */
    private void countLateLabel(ModelRuntime runtime) {
        runtime.state.windowLateLabels++;
        metrics.recordLateLabel(runtime.model);
        runtime.saveWithScore(store);
    }

    private void countDuplicate(ModelRuntime runtime) {
        runtime.state.windowDuplicates++;
        metrics.recordDuplicate(runtime.model);
        store.putMeta(runtime.model, runtime.state);
    }

    /** Keeps an example in its slot of the store and queues it; a full queue is processed at once. */
    private void append(ModelRuntime runtime, StoredExample entry) {
        store.putExample(runtime.model, runtime.state, entry);
        runtime.inbox.add(entry);
        if (runtime.inbox.size() == 1) {
            runtime.oldestArrivalMs = context.currentSystemTimeMs();
        }
        if (runtime.inbox.size() >= runtime.batchSize && drain(runtime, false)) {
            long now = context.currentSystemTimeMs();
            long lag = now - newestRecordMs;
            commitEarly(now, lag >= 0 && lag <= settings.commitEarlyMaxLag().toMillis());
        }
    }

    /**
     * Takes a step on each full mini-batch of the inbox, in order, and on the partial one left when {@code partial};
     * unless the model is a replica that waits for its round's global version ({@link Replicas#holds}): its examples
     * then wait in the inbox, unpredicted, while its ring has slots for more (the examples since the checkpoint must
     * all stay in it, for a restore), and the adoption drains them.
     *
     * @return whether a step was taken
     */
    private boolean drain(ModelRuntime runtime, boolean partial) {
        boolean stepped = false;
        while (runtime.inbox.size() >= runtime.batchSize || partial && !runtime.inbox.isEmpty()) {
            long now = context.currentSystemTimeMs();
            if (runtime.isReplica() && replicas.holds(runtime, now)
                    && runtime.nextSeq - runtime.state.checkpointSeq < runtime.state.slots) {
                break;
            }
            List<StoredExample> waiting = runtime.inbox;
            if (waiting.size() > runtime.batchSize) {
                // examples held through a round: one step per mini-batch, as they would have had
                runtime.inbox = new ArrayList<>(waiting.subList(0, runtime.batchSize));
                step.run(runtime);
                runtime.inbox.addAll(waiting.subList(runtime.batchSize, waiting.size()));
            } else {
                step.run(runtime);
            }
            stepped = true;
            if (runtime.state.windowExamples >= settings.metricsEveryExamples()) {
                emitMetrics(runtime, now);
            }
            if (!runtime.inbox.isEmpty()) {
                // those left wait for their mini-batch from now, as if they had just come
                runtime.oldestArrivalMs = now;
            }
        }
        return stepped;
    }

    /**
     * Asks Kafka Streams to commit now rather than at its next commit interval, when the learner keeps up with its
     * input: the predictions just made become readable (read_committed) without waiting up to commit.interval.ms.
     * Under a backlog the records are older than the bound and commits keep their interval; requests are at least
     * {@link LearnerSettings#MIN_EARLY_COMMIT_SPACING} apart.
     */
    private void commitEarly(long now, boolean keepingUp) {
        if (keepingUp && !settings.commitEarlyMaxLag().isZero()
                && now - lastEarlyCommitMs >= LearnerSettings.MIN_EARLY_COMMIT_SPACING.toMillis()) {
            context.commit();
            lastEarlyCommitMs = now;
        }
    }

    private void onWallClock(long now) {
        for (ModelRuntime runtime : models.values()) {
            try {
                onWallClock(runtime, now);
            } catch (KafkaException e) {
                throw e;
            } catch (RuntimeException e) {
                throw new LearnerStoppedException("in the timed step of model '" + runtime.model + "' ("
                        + runtime.inbox.size() + " examples waiting for their mini-batch): " + e, e);
            }
        }
    }

    /** A partial mini-batch that has waited long enough, the late-label waits that ran out, the metrics window. */
    private void onWallClock(ModelRuntime runtime, long now) {
        if (!runtime.inbox.isEmpty() && now - runtime.oldestArrivalMs >= runtime.maxWaitMs && drain(runtime, true)) {
            // a partial mini-batch that waited its maxWaitMs: the stream is slower than the batch fills
            commitEarly(now, true);
        }
        if (runtime.joinsLateLabels()) {
            join.evict(runtime, now);
        }
        if (runtime.isReplica() && replicas.contributeIfDue(runtime, now)) {
            // a replica that trained less than averageEverySteps (or nothing) in maxWaitMs: the round goes on
            runtime.saveWithScore(store);
        }
        ModelState state = runtime.state;
        // a window closes on its interval or, as after a full mini-batch, on its count of examples
        if (state.windowExamples >= settings.metricsEveryExamples()
                || now - state.windowStartMs >= settings.metricsInterval().toMillis() && state.windowHasEvents()) {
            emitMetrics(runtime, now);
        }
    }

    private void emitMetrics(ModelRuntime runtime, long now) {
        ModelState state = runtime.state;
        PrequentialScore score = runtime.score;
        double seconds = Math.max(1e-3, (now - state.windowStartMs) / 1000.0);
        boolean classification = runtime.learner.isClassification();
        boolean scored = score.windowCount() > 0;
        TrainingMetrics m = TrainingMetrics.newBuilder()
                .setModel(runtime.model)
                .setWindowStart(Instant.ofEpochMilli(state.windowStartMs))
                .setWindowEnd(Instant.ofEpochMilli(now))
                .setModelVersion(runtime.learner.version())
                .setExamples(state.windowExamples)
                .setLabeled(score.windowCount())
                .setTrained(state.windowTrained)
                .setExamplesTrained(runtime.learner.examplesTrained())
                .setErrors(state.windowErrors)
                .setDuplicates(state.windowDuplicates)
                .setLateLabels(state.windowLateLabels)
                .setMeanLoss(scored ? score.windowMeanLoss() : null)
                .setAccuracy(classification && scored ? score.windowAccuracy() : null)
                .setPrequentialAccuracy(classification && score.totalCount() > 0 ? score.totalAccuracy() : null)
                .setPrequentialLoss(score.totalCount() > 0 ? score.totalMeanLoss() : null)
                .setMae(!classification && scored ? score.windowMae() : null)
                .setRmse(!classification && scored ? score.windowRmse() : null)
                .setExamplesPerSecond(state.windowExamples / seconds)
                .setBackend(runtime.learner.backend())
                .setUnlabeledEvicted(state.windowUnlabeledEvicted)
                .setUnlabeledExpired(state.windowUnlabeledExpired)
                .setLabelsEvicted(state.windowLabelsEvicted)
                .setLabelsExpired(state.windowLabelsExpired)
                .setReplayKept(runtime.replay == null ? null : (long) runtime.replay.size())
                .setReplayOffered(runtime.replay == null ? null : runtime.replay.seen())
                .setChampion(runtime.race == null ? null : runtime.race.championName())
                .setContenders(runtime.race == null ? null : contenders(runtime.race))
                .build();
        context.forward(new Record<>(runtime.model, m, now));
        metrics.recordWindow(runtime.model, m);
        score.resetWindow();
        state.startWindow(now);
        runtime.saveWithScore(store);
    }

    /** Each learner of a model's race with its windowed figures, the network first. */
    private static List<ContenderScore> contenders(Race race) {
        List<ContenderScore> scores = new ArrayList<>(race.names().size());
        for (int k = 0; k < race.names().size(); k++) {
            FadingScore s = race.score(k);
            boolean any = s.count() > 0;
            scores.add(new ContenderScore(race.names().get(k), any ? s.loss() : null, any ? s.accuracy() : null,
                    s.count()));
        }
        return scores;
    }

    @Override
    public void close() {
        metrics.close();
        exampleDeserializer.close();
        labelDeserializer.close();
        controlDeserializer.close();
        // frees the networks' native memory now rather than when the GC gets to it
        models.values().forEach(runtime -> runtime.learner.close());
        models.clear();
    }

    private static float[] toArray(List<Float> values) {
        float[] a = new float[values.size()];
        if (values instanceof PrimitivesArrays.FloatArray floats) {
            // what the Avro decoder makes: read without boxing
            for (int i = 0; i < a.length; i++) {
                a[i] = floats.getFloat(i);
            }
        } else {
            for (int i = 0; i < a.length; i++) {
                a[i] = values.get(i);
            }
        }
        return a;
    }
}
