package io.streamtrain.topology;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import io.streamtrain.avro.ClassLabel;
import io.streamtrain.avro.Example;
import io.streamtrain.avro.Label;
import io.streamtrain.avro.Prediction;
import io.streamtrain.avro.RejectedRecord;
import io.streamtrain.avro.TrainingMetrics;
import io.streamtrain.contract.RecordLimits;
import io.streamtrain.learn.CheckpointException;
import io.streamtrain.learn.ExampleCheck;
import io.streamtrain.learn.Learner;
import io.streamtrain.learn.Outputs;
import io.streamtrain.learn.PrequentialScore;
import io.streamtrain.learn.Rejection;
import io.streamtrain.learn.Target;
import io.streamtrain.registry.WireFormatException;
import org.apache.avro.Schema;
import org.apache.avro.generic.PrimitivesArrays;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Test-then-train for every model of one stream task. Each example is first appended to the task's changelogged
 * store; when a model has a full mini-batch (or its oldest example has waited the spec's longest wait) the batch is
 * predicted in one call with the model as it is, each prediction is written, the labeled examples are scored and
 * then fitted in one call. So a prediction is always made by the model before it trained on that example, and an
 * example whose offset is committed is either processed or still in the store: nothing is lost or trained twice.
 *
 * <p>Every {@code checkpointEveryBatches} fits the network (with its updater state) is checkpointed into the store;
 * a restarted or moved task restores the checkpoint and fits again the few mini-batches logged since, in the same
 * order and composition. Examples are kept in a ring of slots ({@code seq % slots}): a new one overwrites one the
 * checkpoint already includes, so the store stays bounded without a delete (and a changelog tombstone) per example.
 *
 * <p>Labels may also come later, on the labels topic: a predicted unlabeled example waits (bounded in number and
 * age) with what was predicted; its label scores that prediction and queues the example, now labeled, to be trained
 * on with the next mini-batch. A label that comes before its example waits for it the same way, and one that never
 * finds its example goes to the errors topic.
 */
final class LearnerProcessor implements Processor<String, byte[], String, SpecificRecord> {

    private static final Logger log = LoggerFactory.getLogger(LearnerProcessor.class);
    /** An example or label time outside the range every tool can read as a date. Field {@code eventTime}/{@code time}. */
    static final String EVENT_TIME_RANGE = "event-time-range";
    /** A class label whose name is longer than predictions repeat. Field {@code label.name}. */
    static final String CLASS_NAME_LENGTH = "class-name-length";
    /** A model id that cannot key records and the store. Field {@code model}. */
    static final String MODEL_ID = "model-id";
    /** The most characters of a record key quoted in a message. */
    private static final int QUOTED_KEY_CHARS = 100;
    /** A label whose example did not come (in time, or at all). Field {@code exampleId}. */
    static final String UNMATCHED_LABEL = "unmatched-label";
    /** The fewest example slots a model's ring has. */
    static final int MIN_SLOTS = 1024;
    /** The most example slots a model's ring has; beyond, checkpoints come more often instead. */
    static final int MAX_SLOTS = 1 << 22;
    /** The schema of a prediction's probabilities, to build them as primitive floats. */
    private static final Schema PROBABILITIES = Prediction.SCHEMA$.getField("probabilities").schema();

    private final LearnerSettings settings;
    private final Map<String, ModelRuntime> models = new LinkedHashMap<>();
    private final StringSerializer prefixSerializer = new StringSerializer();
    private final RecordBudget budget;
    private final String examplesTopic;
    private final String labelsTopic;
    private ProcessorContext<String, SpecificRecord> context;
    private KeyValueStore<String, byte[]> store;
    private Deserializer<Example> exampleDeserializer;
    private Deserializer<Label> labelDeserializer;
    private LearnerMetrics metrics;

    LearnerProcessor(LearnerSettings settings) {
        this.settings = settings;
        this.examplesTopic = settings.topics().examples().name();
        this.labelsTopic = settings.topics().labels().name();
        this.budget = new RecordBudget(settings.maxRecordBytes());
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        this.store = context.getStateStore(LearnerSettings.STATE_STORE);
        this.exampleDeserializer = settings.exampleDeserializer().get();
        this.labelDeserializer = settings.labelDeserializer().get();
        this.metrics = new LearnerMetrics(context);
        try {
            restoreModels();
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
        try {
            if (topic.equals(labelsTopic)) {
                processLabel(record);
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
            reject(record, null, new Rejection("value", "undecodable", e.getMessage()));
            return;
        }
        if (example == null) {
            reject(record, null, new Rejection("value", "null-value", "an example record must have a value"));
            return;
        }
        ModelRuntime runtime = runtimeOf(record, example.getModel());
        if (runtime == null) {
            return;
        }
        String id = example.getId();
        Rejection rejection = ExampleCheck.checkId("id", id);
        if (rejection == null) {
            rejection = checkTime("eventTime", example.getEventTime());
        }
        if (rejection != null) {
            reject(record, runtime, rejection);
            return;
        }
        List<Float> featureList = example.getFeatures();
        float[] features = featureList instanceof PrimitivesArrays.FloatArray ? toArray(featureList) : null;
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
            reject(record, runtime, rejection);
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
        if (label == null && runtime.waitingLabels != null && runtime.waitingLabels.contains(id)) {
            // its label came first and waited for it
            String key = StateKeys.waitingLabel(runtime.model, id);
            label = Pending.WaitingLabel.decode(store.get(key)).label();
            store.delete(key);
            runtime.waitingLabels.remove(id);
            countLateLabel(runtime);
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
            reject(record, null, new Rejection("value", "undecodable", e.getMessage()));
            return;
        }
        if (label == null) {
            reject(record, null, new Rejection("value", "null-value", "a label record must have a value"));
            return;
        }
        ModelRuntime runtime = runtimeOf(record, label.getModel());
        if (runtime == null) {
            return;
        }
        String id = label.getExampleId();
        Rejection rejection = ExampleCheck.checkId("exampleId", id);
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
        if (rejection == null && runtime.awaiting == null) {
            rejection = new Rejection("exampleId", UNMATCHED_LABEL, "late labels are off ("
                    + "streamtrain.labels.max.pending=0): a label must come with its example");
        }
        if (rejection != null) {
            reject(record, runtime, rejection);
            return;
        }
        long now = context.currentSystemTimeMs();
        int queued = unlabeledInInbox(runtime, id);
        if (queued >= 0) {
            // its example came and waits for its mini-batch: it is predicted and scored with its label there
            StoredExample e = runtime.inbox.get(queued);
            StoredExample labeled = new StoredExample(e.seq(), e.id(), e.eventTimeMs(), label.getLabel(), e.weight(),
                    e.features(), false);
            runtime.inbox.set(queued, labeled);
            store.put(StateKeys.entry(runtime.model, labeled.seq() % runtime.state.slots), labeled.encode());
            countLateLabel(runtime);
            return;
        }
        if (runtime.awaiting.contains(id)) {
            String key = StateKeys.awaiting(runtime.model, id);
            Pending.AwaitingExample waiting = Pending.AwaitingExample.decode(store.get(key));
            if (waiting.joined()) {
                log.debug("model {}: skipped a second label for example {}", runtime.model, id);
                countDuplicate(runtime);
                return;
            }
            Target target = StoredExample.LabelCodec.target(label.getLabel());
            Outputs outputs = Outputs.ofRow(waiting.outputs(), runtime.learner.isClassification());
            runtime.score.add(runtime.learner.loss(0, outputs, target), outputs, 0, target);
            countLateLabel(runtime);
            // the id stays known until it is evicted, so that a redelivered label is not taken twice
            store.put(key, Pending.AwaitingExample.joined(waiting.order(), waiting.arrivalMs()).encode());
            append(runtime, waiting.example().labeledLate(runtime.nextSeq++, label.getLabel()));
            return;
        }
        if (runtime.waitingLabels.contains(id)) {
            log.debug("model {}: skipped a second label for example {}, which has not come yet", runtime.model, id);
            countDuplicate(runtime);
            return;
        }
        // the example has not come yet, or it came too long ago, or it came labeled: wait for it, bounded
        RecordMetadata meta = context.recordMetadata().orElseThrow();
        byte[] key = record.key() == null ? null : prefixSerializer.serialize(null, record.key());
        byte[] value = copiable(key, record.value()) ? record.value() : null;
        long order = runtime.waitingLabels.add(id, now);
        store.put(StateKeys.waitingLabel(runtime.model, id), new Pending.WaitingLabel(order, now, label.getLabel(),
                meta.topic(), meta.partition(), meta.offset(), record.timestamp(), value == null ? null : key, value)
                .encode());
        evictWaitingLabels(runtime, now);
    }

    /** Where an unlabeled example with this id waits in the inbox, not yet predicted; -1 when none does. */
    private static int unlabeledInInbox(ModelRuntime runtime, String id) {
        List<StoredExample> inbox = runtime.inbox;
        for (int i = inbox.size() - 1; i >= 0; i--) {
            StoredExample e = inbox.get(i);
            if (e.label() == null && e.id().equals(id)) {
                return i;
            }
        }
        return -1;
    }

    /** An event time outside what Avro timestamp-millis readers and Kafka take, or null. */
    private static Rejection checkTime(String field, Instant time) {
        String problem = time == null ? "the time is missing" : RecordLimits.eventTimeProblem(time.toEpochMilli());
        return problem == null ? null : new Rejection(field, EVENT_TIME_RANGE, problem);
    }

    /** A class name too long to be repeated in every prediction, or null. */
    private static Rejection checkClassName(Object label) {
        String problem = label instanceof ClassLabel c ? RecordLimits.classNameProblem(c.getName()) : null;
        return problem == null ? null : new Rejection("label.name", CLASS_NAME_LENGTH, problem);
    }

    /**
     * The runtime of a record's model, loaded on its first record; null when the model id is not valid or is not the
     * record's key (the record is then rejected).
     */
    private ModelRuntime runtimeOf(Record<String, byte[]> record, String model) {
        String problem = RecordLimits.modelIdProblem(model);
        if (problem != null) {
            reject(record, null, new Rejection("model", MODEL_ID, problem));
            return null;
        }
        if (!model.equals(record.key())) {
            // a model's state lives in the task of its key's partition: another key would split the model in two
            reject(record, null, new Rejection("key", "key-model-mismatch",
                    "the record key must be the model id '" + model + "', was "
                            + (record.key() == null ? "null" : "'" + abbreviate(record.key()) + "'")));
            return null;
        }
        return models.computeIfAbsent(model, this::load);
    }

    /** Counts a label joined to its example, with the score it may have changed, in the offset's transaction. */
    private void countLateLabel(ModelRuntime runtime) {
        runtime.state.windowLateLabels++;
        metrics.recordLateLabel(runtime.model);
        runtime.state.score = runtime.score.toBytes();
        store.put(StateKeys.meta(runtime.model), runtime.state.toBytes());
    }

    private void countDuplicate(ModelRuntime runtime) {
        runtime.state.windowDuplicates++;
        metrics.recordDuplicate(runtime.model);
        store.put(StateKeys.meta(runtime.model), runtime.state.toBytes());
    }

    /** Keeps an example in its slot of the store and queues it; a full queue is processed at once. */
    private void append(ModelRuntime runtime, StoredExample entry) {
        store.put(StateKeys.entry(runtime.model, entry.seq() % runtime.state.slots), entry.encode());
        runtime.inbox.add(entry);
        if (runtime.inbox.size() == 1) {
            runtime.oldestArrivalMs = context.currentSystemTimeMs();
        }
        if (runtime.inbox.size() >= runtime.batchSize) {
            processBatch(runtime);
            if (runtime.state.windowExamples >= settings.metricsEveryExamples()) {
                emitMetrics(runtime, context.currentSystemTimeMs());
            }
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
        if (!runtime.inbox.isEmpty() && now - runtime.oldestArrivalMs >= runtime.maxWaitMs) {
            processBatch(runtime);
        }
        if (runtime.awaiting != null) {
            evictAwaiting(runtime, now);
            evictWaitingLabels(runtime, now);
        }
        ModelState state = runtime.state;
        if (now - state.windowStartMs >= settings.metricsInterval().toMillis()
                && (state.windowExamples > 0 || state.windowErrors > 0 || state.windowDuplicates > 0
                        || state.windowLateLabels > 0)) {
            emitMetrics(runtime, now);
        }
    }

    /** Forgets the unlabeled examples over the bound or past the wait: their label did not come in time. */
    private void evictAwaiting(ModelRuntime runtime, long now) {
        for (String id = runtime.awaiting.evictable(now); id != null; id = runtime.awaiting.evictable(now)) {
            runtime.awaiting.remove(id);
            store.delete(StateKeys.awaiting(runtime.model, id));
        }
    }

    /** Rejects the labels over the bound or past the wait: their example did not come in time. */
    private void evictWaitingLabels(ModelRuntime runtime, long now) {
        for (String id = runtime.waitingLabels.evictable(now); id != null;
                id = runtime.waitingLabels.evictable(now)) {
            runtime.waitingLabels.remove(id);
            String key = StateKeys.waitingLabel(runtime.model, id);
            Pending.WaitingLabel waiting = Pending.WaitingLabel.decode(store.get(key));
            store.delete(key);
            String message = "no unlabeled example with id '" + abbreviate(id) + "' came for model '" + runtime.model
                    + "' within " + settings.labelWait().toMillis() + " ms or the last "
                    + settings.maxPendingLabels() + " waiting examples and labels (it may have come labeled, come "
                    + "earlier than that, or never come)";
            if (waiting.value() == null) {
                message += "; the label record is at " + waiting.topic() + "-" + waiting.partition() + "@"
                        + waiting.offset() + ", too large to be copied here";
            }
            forwardRejected(runtime.model, runtime, waiting.topic(), waiting.partition(), waiting.offset(),
                    waiting.timestamp(), waiting.key(), waiting.value(),
                    new Rejection("exampleId", UNMATCHED_LABEL, message));
        }
    }

    /** Predicts the whole inbox in one call, writes the predictions, scores and fits the labeled examples. */
    private void processBatch(ModelRuntime runtime) {
        List<StoredExample> batch = runtime.inbox;
        int n = batch.size();
        float[][] features = new float[n][];
        for (int i = 0; i < n; i++) {
            features[i] = batch.get(i).features();
        }
        Learner learner = runtime.learner;
        long version = learner.version();
        Outputs outputs = learner.predict(features);
        long now = context.currentSystemTimeMs();

        float[][] trainFeatures = new float[n][];
        Target[] trainTargets = new Target[n];
        float[] trainWeights = new float[n];
        int m = 0;
        int predicted = 0;
        for (int i = 0; i < n; i++) {
            StoredExample entry = batch.get(i);
            Target target = entry.target();
            if (target != null) {
                trainFeatures[m] = entry.features();
                trainTargets[m] = target;
                trainWeights[m++] = entry.weight();
            }
            if (entry.predicted()) {
                // a late-labeled example: predicted when it came, scored when its label came
                continue;
            }
            predicted++;
            Double loss = null;
            if (target != null) {
                double l = learner.loss(i, outputs, target);
                runtime.score.add(l, outputs, i, target);
                loss = l;
            } else if (runtime.awaiting != null) {
                awaitLabel(runtime, entry, outputs.row(i), now);
            }
            // stamped with the time it was made, like predictedAt: an event time, taken from the record's content,
            // may be years off, and a broker refuses timestamps more than an hour ahead by default
            context.forward(new Record<>(runtime.model, prediction(runtime, entry, outputs, i, version, loss, now),
                    now));
        }
        long last = batch.get(n - 1).seq();
        if (m > 0) {
            learner.train(m == n ? trainFeatures : Arrays.copyOf(trainFeatures, m),
                    m == n ? trainTargets : Arrays.copyOf(trainTargets, m),
                    m == n ? trainWeights : Arrays.copyOf(trainWeights, m));
            runtime.state.batchEnds.add(last);
            runtime.state.windowTrained += m;
        }
        if (runtime.dedupe != null) {
            writeDedupeSegment(runtime, batch);
        }
        ModelState state = runtime.state;
        state.processedSeq = last;
        state.windowExamples += predicted;
        runtime.inbox = new ArrayList<>(runtime.batchSize);
        // the next examples take the slots after the last one: those must hold nothing the checkpoint lacks
        if (state.batchEnds.size() >= settings.checkpointEveryBatches()
                || state.processedSeq + runtime.batchSize - state.checkpointSeq > state.slots) {
            checkpoint(runtime);
        }
        state.score = runtime.score.toBytes();
        store.put(StateKeys.meta(runtime.model), state.toBytes());
        metrics.recordBatch(runtime.model, predicted, m, learner.version());
        log.debug("model {}: predicted {} and trained on {} examples, version {}", runtime.model, predicted, m,
                learner.version());
    }

    /** Keeps a predicted unlabeled example, with what was predicted, until its label comes or it is evicted. */
    private void awaitLabel(ModelRuntime runtime, StoredExample entry, float[] predicted, long now) {
        long order = runtime.awaiting.add(entry.id(), now);
        store.put(StateKeys.awaiting(runtime.model, entry.id()),
                new Pending.AwaitingExample(order, now, false, predicted, entry).encode());
        evictAwaiting(runtime, now);
    }

    /**
     * Remembers the ids of a processed batch in the store, one record per batch, and forgets the oldest batches once
     * more ids than the window are kept: the window costs one small write per batch, not one per example.
     */
    private void writeDedupeSegment(ModelRuntime runtime, List<StoredExample> batch) {
        List<String> ids = new ArrayList<>(batch.size());
        long bytes = 0;
        for (StoredExample e : batch) {
            if (e.predicted()) {
                // a late-labeled example's id was remembered when it came
                continue;
            }
            long idBytes = 4L + 3L * e.id().length();
            if (!ids.isEmpty() && bytes + idBytes > RecordBudget.MAX_DEDUPE_SEGMENT_BYTES) {
                // a large batch of long ids: several segments, each well within a record's size
                writeIdSegment(runtime, ids);
                ids = new ArrayList<>(batch.size());
                bytes = 0;
            }
            ids.add(e.id());
            bytes += idBytes;
        }
        if (!ids.isEmpty()) {
            writeIdSegment(runtime, ids);
        }
    }

    private void writeIdSegment(ModelRuntime runtime, List<String> ids) {
        RecentIds dedupe = runtime.dedupe;
        long segment = dedupe.nextSegment++;
        store.put(StateKeys.dedupeSegment(runtime.model, segment), RecentIds.encode(ids));
        dedupe.segments.addLast(new long[] {segment, ids.size()});
        dedupe.storedIds += ids.size();
        while (dedupe.storedIds - dedupe.segments.peekFirst()[1] >= dedupe.window) {
            long[] oldest = dedupe.segments.removeFirst();
            dedupe.storedIds -= oldest[1];
            store.delete(StateKeys.dedupeSegment(runtime.model, oldest[0]));
        }
    }

    /**
     * Writes a new checkpoint generation, then the meta that points at it, then deletes the old generation. All of it
     * goes to one changelog partition in this order. The slots of the examples it includes become free.
     */
    private void checkpoint(ModelRuntime runtime) {
        ModelState state = runtime.state;
        byte[] bytes = runtime.learner.checkpoint();
        long generation = state.checkpointGeneration + 1;
        int chunkBytes = budget.checkpointChunkBytes();
        int chunks = Math.max(1, (bytes.length + chunkBytes - 1) / chunkBytes);
        for (int c = 0; c < chunks; c++) {
            int from = c * chunkBytes;
            int to = Math.min(bytes.length, from + chunkBytes);
            byte[] chunk = new byte[to - from];
            System.arraycopy(bytes, from, chunk, 0, chunk.length);
            store.put(StateKeys.checkpointChunk(runtime.model, generation, c), chunk);
        }
        long oldGeneration = state.checkpointGeneration;
        int oldChunks = state.checkpointChunks;
        long included = state.processedSeq;
        state.checkpointGeneration = generation;
        state.checkpointChunks = chunks;
        state.checkpointSeq = included;
        state.batchEnds.clear();
        state.score = runtime.score.toBytes();
        store.put(StateKeys.meta(runtime.model), state.toBytes());
        for (int c = 0; c < oldChunks; c++) {
            store.delete(StateKeys.checkpointChunk(runtime.model, oldGeneration, c));
        }
        metrics.recordCheckpoint(runtime.model, bytes.length);
        log.debug("model {}: checkpoint generation {} ({} bytes) includes examples up to #{}", runtime.model,
                generation, bytes.length, included);
    }

    private void emitMetrics(ModelRuntime runtime, long now) {
        ModelState state = runtime.state;
        PrequentialScore score = runtime.score;
        double seconds = Math.max(1e-3, (now - state.windowStartMs) / 1000.0);
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
                .setMeanLoss(score.windowCount() > 0 ? score.windowMeanLoss() : null)
                .setAccuracy(runtime.learner.isClassification() && score.windowCount() > 0
                        ? score.windowAccuracy() : null)
                .setPrequentialAccuracy(runtime.learner.isClassification() && score.totalCount() > 0
                        ? score.totalAccuracy() : null)
                .setMae(!runtime.learner.isClassification() && score.windowCount() > 0 ? score.windowMae() : null)
                .setRmse(!runtime.learner.isClassification() && score.windowCount() > 0 ? score.windowRmse() : null)
                .setExamplesPerSecond(state.windowExamples / seconds)
                .setBackend(runtime.learner.backend())
                .build();
        context.forward(new Record<>(runtime.model, m, now));
        metrics.recordWindow(runtime.model, m);
        score.resetWindow();
        state.windowStartMs = now;
        state.windowExamples = 0;
        state.windowTrained = 0;
        state.windowErrors = 0;
        state.windowDuplicates = 0;
        state.windowLateLabels = 0;
        state.score = score.toBytes();
        store.put(StateKeys.meta(runtime.model), state.toBytes());
    }

    /** A prediction, built without the builder's per-field checks and defaults, its probabilities unboxed. */
    private Prediction prediction(ModelRuntime runtime, StoredExample entry, Outputs outputs, int row, long version,
            Double loss, long now) {
        Integer predictedClass = null;
        String className = null;
        Double value = null;
        List<Float> probabilities;
        if (runtime.learner.isClassification()) {
            int predicted = outputs.predictedClass(row);
            predictedClass = predicted;
            className = runtime.learner.classNames().get(predicted);
            float[] p = outputs.probabilities(row);
            PrimitivesArrays.FloatArray array = new PrimitivesArrays.FloatArray(p.length, PROBABILITIES);
            for (int i = 0; i < p.length; i++) {
                array.add(i, p[i]);
            }
            probabilities = array;
        } else {
            value = outputs.value(row);
            probabilities = List.of();
        }
        return new Prediction(entry.id(), runtime.model, version, predictedClass, className, value, probabilities,
                entry.label(), loss, Instant.ofEpochMilli(entry.eventTimeMs()), Instant.ofEpochMilli(now));
    }

    private void reject(Record<String, byte[]> record, ModelRuntime runtime, Rejection rejection) {
        RecordMetadata meta = context.recordMetadata().orElseThrow();
        byte[] keyBytes = record.key() == null ? null : prefixSerializer.serialize(null, record.key());
        // keyed by model; a key that could not be a model id (and so a bad one) is not repeated
        String key = runtime != null ? runtime.model
                : RecordLimits.isValidModelId(record.key()) ? record.key() : null;
        forwardRejected(key, runtime, meta.topic(), meta.partition(), meta.offset(), record.timestamp(), keyBytes,
                record.value(), rejection);
    }

    private boolean copiable(byte[] key, byte[] value) {
        return (key == null ? 0L : key.length) + (value == null ? 0L : value.length) <= budget.maxCopiedBytes();
    }

    /** Writes a rejected record, with a copy of its key and value when they fit, to the errors topic. */
    private void forwardRejected(String key, ModelRuntime runtime, String topic, int partition, long offset,
            long timestamp, byte[] keyBytes, byte[] value, Rejection rejection) {
        log.warn("rejected the record at {}-{}@{} (rule {}, field {}): {}", topic, partition, offset, rejection.rule(),
                rejection.field(), rejection.message());
        String message = rejection.message();
        byte[] keyCopy = keyBytes;
        byte[] valueCopy = value;
        if (!copiable(keyBytes, value)) {
            long size = (keyBytes == null ? 0L : keyBytes.length) + (value == null ? 0L : value.length);
            message += " (its key and value, " + size + " bytes, are not copied here, being over "
                    + budget.maxCopiedBytes() + " bytes; the record is at " + topic + "-" + partition + "@" + offset
                    + ")";
            keyCopy = null;
            valueCopy = null;
        }
        RejectedRecord rejected = RejectedRecord.newBuilder()
                .setTopic(topic)
                .setPartition(partition)
                .setOffset(offset)
                .setTimestamp(Instant.ofEpochMilli(timestamp))
                .setField(rejection.field())
                .setRule(rejection.rule())
                .setMessage(RecordBudget.boundedMessage(message))
                .setKey(keyCopy == null ? null : ByteBuffer.wrap(keyCopy))
                .setValue(valueCopy == null ? null : ByteBuffer.wrap(valueCopy))
                .setRejectedAt(Instant.ofEpochMilli(context.currentSystemTimeMs()))
                .build();
        // stamped with the time of the rejection: the value keeps the record's own timestamp
        context.forward(new Record<>(key, rejected, context.currentSystemTimeMs()));
        metrics.recordError(runtime == null ? null : runtime.model, rejection.rule());
        if (runtime != null) {
            runtime.state.windowErrors++;
            store.put(StateKeys.meta(runtime.model), runtime.state.toBytes());
        }
    }

    /** Loads every model this task has state for, so that waiting examples are processed without new input. */
    private void restoreModels() {
        List<String> known = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = store.all()) {
            while (it.hasNext()) {
                String model = StateKeys.modelOfMeta(it.next().key);
                if (model != null) {
                    known.add(model);
                }
            }
        }
        known.forEach(model -> models.computeIfAbsent(model, this::load));
    }

    /** A model as the store has it: its checkpoint, the mini-batches fitted since, and the examples waiting. */
    private ModelRuntime load(String model) {
        long started = System.nanoTime();
        byte[] stateBytes = store.get(StateKeys.meta(model));
        ModelState state = stateBytes == null ? new ModelState() : ModelState.fromBytes(stateBytes);
        Learner learner;
        try {
            var spec = settings.specs().apply(model);
            learner = state.checkpointGeneration < 0 ? Learner.create(spec)
                    : Learner.restore(spec, readCheckpoint(model, state));
        } catch (CheckpointException e) {
            throw new IllegalStateException("cannot load model '" + model + "': " + e.getMessage() + ". The model "
                    + "was trained with another network spec: run the changed spec under a new application.id (it "
                    + "starts new models), or go back to the spec this one was trained with", e);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot load model '" + model + "': " + e.getMessage(), e);
        }
        PrequentialScore score = state.score == null ? new PrequentialScore() : PrequentialScore.fromBytes(state.score);
        ModelRuntime runtime = new ModelRuntime(model, learner, score, state, settings.dedupeWindow(),
                settings.maxPendingLabels(), settings.labelWait().toMillis());
        if (stateBytes == null) {
            state.windowStartMs = context.currentSystemTimeMs();
        }

        if (stateBytes == null) {
            state.slots = slotsFor(runtime.batchSize);
        }

        // the live examples: the slots written after the checkpoint; the others hold examples it includes
        List<StoredExample> live = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = store.prefixScan(StateKeys.entryPrefix(model), prefixSerializer)) {
            while (it.hasNext()) {
                byte[] value = it.next().value;
                if (StoredExample.seqOf(value) > state.checkpointSeq) {
                    live.add(StoredExample.decode(value));
                }
            }
        }
        live.sort(Comparator.comparingLong(StoredExample::seq));
        if (state.slots < 2 * runtime.batchSize) {
            // a larger batch than the ring was made for (the spec changed): a new ring, the live examples moved to it
            reslot(model, state, live, slotsFor(runtime.batchSize));
        }

        // fit again what was fitted since the checkpoint, batch by batch, and queue what was not yet processed
        int replayed = 0;
        int cursor = 0;
        for (long end : state.batchEnds) {
            List<float[]> features = new ArrayList<>();
            List<Target> targets = new ArrayList<>();
            List<Float> weights = new ArrayList<>();
            while (cursor < live.size() && live.get(cursor).seq() <= end) {
                StoredExample e = live.get(cursor++);
                Target t = e.target();
                if (t != null) {
                    features.add(e.features());
                    targets.add(t);
                    weights.add(e.weight());
                }
            }
            if (!features.isEmpty()) {
                float[] w = new float[weights.size()];
                for (int i = 0; i < w.length; i++) {
                    w[i] = weights.get(i);
                }
                learner.train(features.toArray(new float[0][]), targets.toArray(new Target[0]), w);
                replayed += features.size();
            }
        }
        if (runtime.dedupe != null) {
            try (KeyValueIterator<String, byte[]> it = store.prefixScan(StateKeys.dedupePrefix(model),
                    prefixSerializer)) {
                while (it.hasNext()) {
                    KeyValue<String, byte[]> kv = it.next();
                    List<String> ids = RecentIds.decode(kv.value);
                    runtime.dedupe.restoreSegment(StateKeys.dedupeSegmentOf(kv.key), ids);
                }
            }
        }
        long maxSeq = state.processedSeq;
        for (StoredExample waiting : live) {
            if (waiting.seq() > state.processedSeq) {
                runtime.inbox.add(waiting);
                if (runtime.dedupe != null) {
                    runtime.dedupe.remember(waiting.id());
                }
            }
            maxSeq = Math.max(maxSeq, waiting.seq());
        }
        runtime.nextSeq = maxSeq + 1;
        runtime.oldestArrivalMs = context.currentSystemTimeMs();
        if (runtime.awaiting != null) {
            restorePending(StateKeys.awaitingPrefix(model), runtime.awaiting, Pending.AwaitingExample::orderAndArrival);
            restorePending(StateKeys.waitingLabelPrefix(model), runtime.waitingLabels,
                    Pending.WaitingLabel::orderAndArrival);
        }
        if (stateBytes != null) {
            log.info("model {} restored at version {} ({} examples trained): checkpoint generation {}, {} examples "
                    + "fitted again in {} batches, {} waiting, {} waiting for a label, {} labels waiting for their "
                    + "example, in {} ms", model, learner.version(), learner.examplesTrained(),
                    state.checkpointGeneration, replayed, state.batchEnds.size(), runtime.inbox.size(),
                    runtime.awaiting == null ? 0 : runtime.awaiting.size(),
                    runtime.waitingLabels == null ? 0 : runtime.waitingLabels.size(),
                    (System.nanoTime() - started) / 1_000_000);
        } else {
            log.info("model {} created on {} from its spec", model, learner.backend());
        }
        metrics.registerModel(model);
        return runtime;
    }

    /** The ring size for a batch size: the examples of the batches between two checkpoints, and two more batches. */
    private int slotsFor(int batchSize) {
        long slots = ((long) settings.checkpointEveryBatches() + 2) * batchSize;
        return (int) Math.max(Math.max(MIN_SLOTS, 2L * batchSize), Math.min(slots, MAX_SLOTS));
    }

    private void reslot(String model, ModelState state, List<StoredExample> live, int slots) {
        List<String> keys = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = store.prefixScan(StateKeys.entryPrefix(model), prefixSerializer)) {
            it.forEachRemaining(kv -> keys.add(kv.key));
        }
        keys.forEach(store::delete);
        state.slots = slots;
        for (StoredExample e : live) {
            store.put(StateKeys.entry(model, e.seq() % slots), e.encode());
        }
        store.put(StateKeys.meta(model), state.toBytes());
        log.info("model {}: {} example slots for its batch size; {} examples moved", model, slots, live.size());
    }

    /** Takes back one side of the late-label join from the store, in arrival order. */
    private void restorePending(String prefix, PendingIds ids, Function<byte[], long[]> orderAndArrival) {
        List<Object[]> all = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = store.prefixScan(prefix, prefixSerializer)) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> kv = it.next();
                long[] oa = orderAndArrival.apply(kv.value);
                all.add(new Object[] {StateKeys.idOf(kv.key, prefix), oa[0], oa[1]});
            }
        }
        all.sort(Comparator.comparingLong(a -> (Long) a[1]));
        for (Object[] a : all) {
            ids.restore((String) a[0], (Long) a[1], (Long) a[2]);
        }
    }

    private byte[] readCheckpoint(String model, ModelState state) {
        List<byte[]> chunks = new ArrayList<>(state.checkpointChunks);
        int total = 0;
        for (int c = 0; c < state.checkpointChunks; c++) {
            byte[] chunk = store.get(StateKeys.checkpointChunk(model, state.checkpointGeneration, c));
            if (chunk == null) {
                throw new IllegalStateException("checkpoint generation " + state.checkpointGeneration
                        + " of model '" + model + "' lacks chunk " + c);
            }
            chunks.add(chunk);
            total += chunk.length;
        }
        ByteBuffer all = ByteBuffer.allocate(total);
        chunks.forEach(all::put);
        return all.array();
    }

    @Override
    public void close() {
        metrics.close();
        exampleDeserializer.close();
        labelDeserializer.close();
        // frees the networks' native memory now rather than when the GC gets to it
        models.values().forEach(runtime -> runtime.learner.close());
        models.clear();
    }

    private static String abbreviate(String text) {
        return text.length() <= QUOTED_KEY_CHARS ? text
                : text.substring(0, QUOTED_KEY_CHARS) + "... (" + text.length() + " characters)";
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

    /** One model in memory: its network, its score and what waits to be predicted. */
    private static final class ModelRuntime {
        final String model;
        final Learner learner;
        final PrequentialScore score;
        final ModelState state;
        final int batchSize;
        final long maxWaitMs;
        final ExampleCheck check;
        /** The ids seen recently, or null when the dedupe window is off. */
        final RecentIds dedupe;
        /** Predicted unlabeled examples waiting for a late label, or null when late labels are off. */
        final PendingIds awaiting;
        /** Labels waiting for their example, or null when late labels are off. */
        final PendingIds waitingLabels;
        List<StoredExample> inbox;
        long nextSeq;
        long oldestArrivalMs;

        ModelRuntime(String model, Learner learner, PrequentialScore score, ModelState state, int dedupeWindow,
                int maxPending, long labelWaitMs) {
            this.model = model;
            this.learner = learner;
            this.score = score;
            this.state = state;
            this.batchSize = learner.spec().batchSize();
            this.maxWaitMs = learner.spec().maxWaitMs();
            this.inbox = new ArrayList<>(batchSize);
            this.dedupe = dedupeWindow > 0 ? new RecentIds(dedupeWindow) : null;
            this.check = ExampleCheck.forLearner(learner);
            this.awaiting = maxPending > 0 ? new PendingIds(maxPending, labelWaitMs) : null;
            this.waitingLabels = maxPending > 0 ? new PendingIds(maxPending, labelWaitMs) : null;
        }
    }
}
