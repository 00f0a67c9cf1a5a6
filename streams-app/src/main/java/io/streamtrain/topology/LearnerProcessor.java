package io.streamtrain.topology;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.streamtrain.avro.ClassLabel;
import io.streamtrain.avro.Example;
import io.streamtrain.avro.Prediction;
import io.streamtrain.avro.RegressionTarget;
import io.streamtrain.avro.RejectedRecord;
import io.streamtrain.avro.TrainingMetrics;
import io.streamtrain.learn.ExampleCheck;
import io.streamtrain.learn.Learner;
import io.streamtrain.learn.Outputs;
import io.streamtrain.learn.PrequentialScore;
import io.streamtrain.learn.Rejection;
import io.streamtrain.learn.Target;
import io.streamtrain.registry.WireFormatException;
import org.apache.avro.specific.SpecificRecord;
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
 * <p>Every {@code checkpointEveryBatches} fits the network (with its updater state) is checkpointed into the store and
 * the examples it includes are deleted; a restarted or moved task restores the checkpoint and fits again the few
 * mini-batches logged since, in the same order and composition.
 */
final class LearnerProcessor implements Processor<String, byte[], String, SpecificRecord> {

    private static final Logger log = LoggerFactory.getLogger(LearnerProcessor.class);
    /** Checkpoints are split so that no changelog record approaches Kafka's default 1 MiB limit. */
    static final int CHECKPOINT_CHUNK_BYTES = 512 * 1024;
    /**
     * The most bytes of a rejected record's key and value copied into its RejectedRecord: a larger copy would not fit
     * the errors topic's default 1 MiB limit, and failing to write it would stop the learner on that record.
     */
    static final int MAX_COPIED_BYTES = 512 * 1024;
    /** The longest model id, which is also the longest key an error record repeats. */
    private static final int MAX_MODEL_ID_CHARS = 249;
    /** The most characters of a record key quoted in a message. */
    private static final int QUOTED_KEY_CHARS = 100;

    private final LearnerSettings settings;
    private final Map<String, ModelRuntime> models = new LinkedHashMap<>();
    private final ExampleCodec codec = new ExampleCodec();
    private final StringSerializer prefixSerializer = new StringSerializer();
    private ProcessorContext<String, SpecificRecord> context;
    private KeyValueStore<String, byte[]> store;
    private Deserializer<Example> deserializer;
    private LearnerMetrics metrics;

    LearnerProcessor(LearnerSettings settings) {
        this.settings = settings;
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        this.store = context.getStateStore(LearnerSettings.STATE_STORE);
        this.deserializer = settings.exampleDeserializer().get();
        this.metrics = new LearnerMetrics(context);
        restoreModels();
        context.schedule(settings.punctuateInterval(), PunctuationType.WALL_CLOCK_TIME, this::onWallClock);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        Example example;
        try {
            example = deserializer.deserialize(settings.topics().examples().name(), record.headers(), record.value());
        } catch (WireFormatException e) {
            // the bytes are at fault; a registry that cannot be reached is not, and fails the task instead
            reject(record, null, new Rejection("value", "undecodable", e.getMessage()));
            return;
        }
        if (example == null) {
            reject(record, null, new Rejection("value", "null-value", "an example record must have a value"));
            return;
        }
        String model = example.getModel();
        if (!StateKeys.isValidModelId(model)) {
            reject(record, null, new Rejection("model", "model-id",
                    "the model id must be 1 to 249 characters without control characters"));
            return;
        }
        if (!model.equals(record.key())) {
            // a model's state lives in the task of its key's partition: another key would split the model in two
            reject(record, null, new Rejection("key", "key-model-mismatch",
                    "the record key must be the example's model id '" + model + "', was "
                            + (record.key() == null ? "null" : "'" + abbreviate(record.key()) + "'")));
            return;
        }
        ModelRuntime runtime = models.computeIfAbsent(model, this::load);
        if (runtime.dedupe != null && !runtime.dedupe.remember(example.getId())) {
            // a redelivery of an example this model has already taken: its prediction exists, it was trained on
            log.debug("model {}: skipped example {}, seen recently", model, example.getId());
            runtime.state.windowDuplicates++;
            metrics.recordDuplicate(model);
            store.put(StateKeys.meta(model), runtime.state.toBytes());
            return;
        }
        Rejection rejection = ExampleCheck.check(runtime.learner, example.getFeatures(), target(example));
        if (rejection == null) {
            rejection = ExampleCheck.checkWeight(example.getWeight());
        }
        if (rejection != null) {
            reject(record, runtime, rejection);
            return;
        }
        long seq = runtime.nextSeq++;
        store.put(StateKeys.entry(model, seq), codec.encode(example));
        runtime.inbox.add(new Entry(seq, example));
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
            if (!runtime.inbox.isEmpty() && now - runtime.oldestArrivalMs >= runtime.maxWaitMs) {
                processBatch(runtime);
            }
            if (now - runtime.state.windowStartMs >= settings.metricsInterval().toMillis()
                    && (runtime.state.windowExamples > 0 || runtime.state.windowErrors > 0
                            || runtime.state.windowDuplicates > 0)) {
                emitMetrics(runtime, now);
            }
        }
    }

    /** Predicts the whole inbox in one call, writes the predictions, scores and fits the labeled examples. */
    private void processBatch(ModelRuntime runtime) {
        List<Entry> batch = runtime.inbox;
        int n = batch.size();
        float[][] features = new float[n][];
        for (int i = 0; i < n; i++) {
            features[i] = toArray(batch.get(i).example.getFeatures());
        }
        Learner learner = runtime.learner;
        long version = learner.version();
        Outputs outputs = learner.predict(features);
        long now = context.currentSystemTimeMs();

        List<float[]> trainFeatures = new ArrayList<>(n);
        List<Target> trainTargets = new ArrayList<>(n);
        List<Float> trainWeights = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Entry entry = batch.get(i);
            Example example = entry.example;
            Target target = target(example);
            Double loss = null;
            if (target != null) {
                double l = learner.loss(i, outputs, target);
                runtime.score.add(l, outputs, i, target);
                loss = l;
                trainFeatures.add(features[i]);
                trainTargets.add(target);
                trainWeights.add(example.getWeight());
            } else {
                store.delete(StateKeys.entry(runtime.model, entry.seq));
            }
            context.forward(new Record<>(runtime.model, prediction(runtime, example, outputs, i, version, loss, now),
                    example.getEventTime().toEpochMilli()));
        }
        long last = batch.get(n - 1).seq;
        if (!trainFeatures.isEmpty()) {
            fit(learner, trainFeatures, trainTargets, trainWeights);
            runtime.state.batchEnds.add(last);
            runtime.state.windowTrained += trainFeatures.size();
        }
        if (runtime.dedupe != null) {
            writeDedupeSegment(runtime, batch);
        }
        runtime.state.processedSeq = last;
        runtime.state.windowExamples += n;
        runtime.inbox = new ArrayList<>(runtime.batchSize);
        if (runtime.state.batchEnds.size() >= settings.checkpointEveryBatches()) {
            checkpoint(runtime);
        }
        runtime.state.score = runtime.score.toBytes();
        store.put(StateKeys.meta(runtime.model), runtime.state.toBytes());
        metrics.recordBatch(runtime.model, n, trainFeatures.size(), learner.version());
        log.debug("model {}: predicted {} and trained on {} examples, version {}", runtime.model, n,
                trainFeatures.size(), learner.version());
    }

    /**
     * Remembers the ids of a processed batch in the store, one record per batch, and forgets the oldest batches once
     * more ids than the window are kept: the window costs one small write per batch, not one per example.
     */
    private void writeDedupeSegment(ModelRuntime runtime, List<Entry> batch) {
        List<String> ids = new ArrayList<>(batch.size());
        batch.forEach(e -> ids.add(e.example.getId()));
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

    private static void fit(Learner learner, List<float[]> features, List<Target> targets, List<Float> weights) {
        int m = features.size();
        float[] w = new float[m];
        for (int i = 0; i < m; i++) {
            w[i] = weights.get(i);
        }
        learner.train(features.toArray(new float[0][]), targets.toArray(new Target[0]), w);
    }

    /**
     * Writes a new checkpoint generation, then the meta that points at it, then deletes the old generation and the
     * examples the new checkpoint includes. All of it goes to one changelog partition in this order.
     */
    private void checkpoint(ModelRuntime runtime) {
        ModelState state = runtime.state;
        byte[] bytes = runtime.learner.checkpoint();
        long generation = state.checkpointGeneration + 1;
        int chunks = Math.max(1, (bytes.length + CHECKPOINT_CHUNK_BYTES - 1) / CHECKPOINT_CHUNK_BYTES);
        for (int c = 0; c < chunks; c++) {
            int from = c * CHECKPOINT_CHUNK_BYTES;
            int to = Math.min(bytes.length, from + CHECKPOINT_CHUNK_BYTES);
            byte[] chunk = new byte[to - from];
            System.arraycopy(bytes, from, chunk, 0, chunk.length);
            store.put(StateKeys.checkpointChunk(runtime.model, generation, c), chunk);
        }
        long oldGeneration = state.checkpointGeneration;
        int oldChunks = state.checkpointChunks;
        long included = state.processedSeq;
        long previouslyIncluded = state.checkpointSeq;
        state.checkpointGeneration = generation;
        state.checkpointChunks = chunks;
        state.checkpointSeq = included;
        state.batchEnds.clear();
        state.score = runtime.score.toBytes();
        store.put(StateKeys.meta(runtime.model), state.toBytes());
        for (int c = 0; c < oldChunks; c++) {
            store.delete(StateKeys.checkpointChunk(runtime.model, oldGeneration, c));
        }
        deleteEntries(runtime.model, previouslyIncluded + 1, included);
        metrics.recordCheckpoint(runtime.model, bytes.length);
        log.debug("model {}: checkpoint generation {} ({} bytes) includes examples up to #{}", runtime.model,
                generation, bytes.length, included);
    }

    private void deleteEntries(String model, long fromSeq, long toSeq) {
        if (toSeq < fromSeq) {
            return;
        }
        List<String> keys = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = store.range(StateKeys.entry(model, Math.max(0, fromSeq)),
                StateKeys.entry(model, toSeq))) {
            it.forEachRemaining(kv -> keys.add(kv.key));
        }
        keys.forEach(store::delete);
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
        state.score = score.toBytes();
        store.put(StateKeys.meta(runtime.model), state.toBytes());
    }

    private Prediction prediction(ModelRuntime runtime, Example example, Outputs outputs, int row, long version,
            Double loss, long now) {
        Prediction.Builder p = Prediction.newBuilder()
                .setExampleId(example.getId())
                .setModel(runtime.model)
                .setModelVersion(version)
                .setLabel(example.getLabel())
                .setLoss(loss)
                .setEventTime(example.getEventTime())
                .setPredictedAt(Instant.ofEpochMilli(now));
        if (runtime.learner.isClassification()) {
            int predicted = outputs.predictedClass(row);
            float[] probabilities = outputs.probabilities(row);
            List<Float> probs = new ArrayList<>(probabilities.length);
            for (float v : probabilities) {
                probs.add(v);
            }
            p.setPredictedClass(predicted)
                    .setPredictedClassName(runtime.learner.classNames().get(predicted))
                    .setProbabilities(probs);
        } else {
            p.setPredictedValue(outputs.value(row)).setProbabilities(List.of());
        }
        return p.build();
    }

    private void reject(Record<String, byte[]> record, ModelRuntime runtime, Rejection rejection) {
        RecordMetadata meta = context.recordMetadata().orElseThrow();
        log.warn("rejected the record at {}-{}@{} (rule {}, field {}): {}", meta.topic(), meta.partition(),
                meta.offset(), rejection.rule(), rejection.field(), rejection.message());
        byte[] keyCopy = record.key() == null ? null : prefixSerializer.serialize(null, record.key());
        byte[] valueCopy = record.value();
        String message = rejection.message() == null ? rejection.rule() : rejection.message();
        long size = (keyCopy == null ? 0L : keyCopy.length) + (valueCopy == null ? 0L : valueCopy.length);
        if (size > MAX_COPIED_BYTES) {
            message += " (its key and value, " + size + " bytes, are not copied here, being over " + MAX_COPIED_BYTES
                    + " bytes; the record is at " + meta.topic() + "-" + meta.partition() + "@" + meta.offset() + ")";
            keyCopy = null;
            valueCopy = null;
        }
        RejectedRecord rejected = RejectedRecord.newBuilder()
                .setTopic(meta.topic())
                .setPartition(meta.partition())
                .setOffset(meta.offset())
                .setTimestamp(Instant.ofEpochMilli(record.timestamp()))
                .setField(rejection.field())
                .setRule(rejection.rule())
                .setMessage(message)
                .setKey(keyCopy == null ? null : ByteBuffer.wrap(keyCopy))
                .setValue(valueCopy == null ? null : ByteBuffer.wrap(valueCopy))
                .setRejectedAt(Instant.ofEpochMilli(context.currentSystemTimeMs()))
                .build();
        // keyed by model; a key too long to be a model id (and so a bad one) is not repeated
        String key = runtime != null ? runtime.model
                : record.key() != null && record.key().length() <= MAX_MODEL_ID_CHARS ? record.key() : null;
        context.forward(new Record<>(key, rejected, record.timestamp()));
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
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot load model '" + model + "': " + e.getMessage(), e);
        }
        PrequentialScore score = state.score == null ? new PrequentialScore() : PrequentialScore.fromBytes(state.score);
        ModelRuntime runtime = new ModelRuntime(model, learner, score, state, settings.dedupeWindow());
        if (stateBytes == null) {
            state.windowStartMs = context.currentSystemTimeMs();
        }

        // fit again what was fitted since the checkpoint, batch by batch, and queue what was not yet processed
        Map<Long, Example> entries = new HashMap<>();
        List<Long> seqs = new ArrayList<>();
        String prefix = StateKeys.entryPrefix(model);
        try (KeyValueIterator<String, byte[]> it = store.prefixScan(prefix, prefixSerializer)) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> kv = it.next();
                long seq = StateKeys.entrySeq(kv.key);
                entries.put(seq, codec.decode(kv.value));
                seqs.add(seq);
            }
        }
        seqs.sort(Long::compare);
        int replayed = 0;
        int cursor = 0;
        for (long end : state.batchEnds) {
            List<float[]> features = new ArrayList<>();
            List<Target> targets = new ArrayList<>();
            List<Float> weights = new ArrayList<>();
            while (cursor < seqs.size() && seqs.get(cursor) <= end) {
                long seq = seqs.get(cursor++);
                if (seq <= state.checkpointSeq) {
                    continue;
                }
                Example e = entries.get(seq);
                Target t = target(e);
                if (t != null) {
                    features.add(toArray(e.getFeatures()));
                    targets.add(t);
                    weights.add(e.getWeight());
                }
            }
            if (!features.isEmpty()) {
                fit(learner, features, targets, weights);
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
        for (long seq : seqs) {
            if (seq > state.processedSeq) {
                Example waiting = entries.get(seq);
                runtime.inbox.add(new Entry(seq, waiting));
                if (runtime.dedupe != null) {
                    runtime.dedupe.remember(waiting.getId());
                }
            }
            maxSeq = Math.max(maxSeq, seq);
        }
        runtime.nextSeq = maxSeq + 1;
        runtime.oldestArrivalMs = context.currentSystemTimeMs();
        if (stateBytes != null) {
            log.info("model {} restored at version {} ({} examples trained): checkpoint generation {}, {} examples "
                    + "fitted again in {} batches, {} waiting, in {} ms", model, learner.version(),
                    learner.examplesTrained(), state.checkpointGeneration, replayed, state.batchEnds.size(),
                    runtime.inbox.size(), (System.nanoTime() - started) / 1_000_000);
        } else {
            log.info("model {} created on {} from its spec", model, learner.backend());
        }
        metrics.registerModel(model);
        return runtime;
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
        deserializer.close();
        // frees the networks' native memory now rather than when the GC gets to it
        models.values().forEach(runtime -> runtime.learner.close());
        models.clear();
    }

    private static Target target(Example example) {
        Object label = example.getLabel();
        if (label instanceof ClassLabel c) {
            return Target.ofClass(c.getIndex());
        }
        if (label instanceof RegressionTarget r) {
            return Target.ofValue(r.getValue());
        }
        return null;
    }

    private static String abbreviate(String text) {
        return text.length() <= QUOTED_KEY_CHARS ? text
                : text.substring(0, QUOTED_KEY_CHARS) + "... (" + text.length() + " characters)";
    }

    private static float[] toArray(List<Float> values) {
        float[] a = new float[values.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = values.get(i);
        }
        return a;
    }

    private record Entry(long seq, Example example) {
    }

    /** One model in memory: its network, its score and what waits to be predicted. */
    private static final class ModelRuntime {
        final String model;
        final Learner learner;
        final PrequentialScore score;
        final ModelState state;
        final int batchSize;
        final long maxWaitMs;
        /** The ids seen recently, or null when the dedupe window is off. */
        final RecentIds dedupe;
        List<Entry> inbox;
        long nextSeq;
        long oldestArrivalMs;

        ModelRuntime(String model, Learner learner, PrequentialScore score, ModelState state, int dedupeWindow) {
            this.model = model;
            this.learner = learner;
            this.score = score;
            this.state = state;
            this.batchSize = learner.spec().batchSize();
            this.maxWaitMs = learner.spec().maxWaitMs();
            this.inbox = new ArrayList<>(batchSize);
            this.dedupe = dedupeWindow > 0 ? new RecentIds(dedupeWindow) : null;
        }
    }
}
