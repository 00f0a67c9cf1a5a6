package io.streamtrain.topology;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.streamtrain.avro.Example;
import io.streamtrain.contract.RecordLimits;
import io.streamtrain.contract.RejectionRule;
import io.streamtrain.learn.ExampleCheck;
import io.streamtrain.learn.Outputs;
import io.streamtrain.learn.Rejection;
import io.streamtrain.learn.Target;
import io.streamtrain.registry.FloatVector;
import io.streamtrain.registry.WireFormatException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Serves requests: each is checked as the learner checks an example, predicted by the version its model is served
 * at ({@link ServedModels}) and written as one {@link io.streamtrain.avro.Prediction} stamped with that version; a
 * request that cannot be served goes to the errors topic with its rule. Versions are swapped on a wall-clock
 * punctuation, between two predictions, so each request is predicted by exactly one version, and the application's
 * exactly-once processing gives each request exactly one committed prediction. While it keeps up, it asks for a
 * commit after a prediction (at most every 25 ms), as the learner does after a step.
 *
 * <p>With {@code batchMax > 1}, a model's requests wait for a micro-batch (or {@code batchWait}) and are predicted in
 * one call. A waiting request is kept in a changelogged store in the transaction of its offset, and deleted in the
 * transaction of its prediction, so that a commit between the two loses nothing: a replica that takes the partition
 * over predicts what was waiting.
 */
final class ServeProcessor implements Processor<String, byte[], String, SpecificRecord> {

    /** A request waiting for its micro-batch. */
    private record Waiting(String storeKey, Example request, float[] features, Target target, long arrivalMs) {
    }

    private final ServeSettings settings;
    private ProcessorContext<String, SpecificRecord> context;
    private Deserializer<Example> requests;
    private ServedModels models;
    private Rejections rejections;
    private long lastEarlyCommitMs = Long.MIN_VALUE / 2;
    private long lastRefreshMs;
    /** The waiting requests, by model, in arrival order; null when requests are served one at a time. */
    private Map<String, List<Waiting>> inbox;
    private KeyValueStore<String, byte[]> pending;
    private long nextSeq;

    private final StoreChanges changes;

    ServeProcessor(ServeSettings settings, StoreChanges changes) {
        this.settings = settings;
        this.changes = changes;
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        this.requests = settings.requestDeserializer().get();
        ReadOnlyKeyValueStore<String, byte[]> modelStore = context.getStateStore(ServeSettings.MODELS_STORE);
        ReadOnlyKeyValueStore<String, byte[]> pinStore = context.getStateStore(ServeSettings.PINS_STORE);
        this.models = new ServedModels(modelStore, pinStore, changes, settings.snapshotDeserializer().get(),
                settings.pinDeserializer().get(), settings.models(), settings.pins());
        this.rejections = Rejections.forServing(context, new RecordBudget(settings.maxRecordBytes()));
        this.lastRefreshMs = context.currentSystemTimeMs();
        if (settings.batchMax() > 1) {
            inbox = new LinkedHashMap<>();
            pending = context.getStateStore(ServeSettings.PENDING_STORE);
            restorePending();
            long tick = Math.min(settings.refreshInterval().toMillis(), Math.max(1, settings.batchWait().toMillis()));
            context.schedule(Duration.ofMillis(tick), PunctuationType.WALL_CLOCK_TIME, this::onWallClock);
        } else {
            context.schedule(settings.refreshInterval(), PunctuationType.WALL_CLOCK_TIME, now -> models.refresh());
        }
    }

    @Override
    public void process(Record<String, byte[]> record) {
        Example request;
        try {
            request = requests.deserialize(settings.requests().name(), record.headers(), record.value());
        } catch (WireFormatException e) {
            rejections.reject(record, null, new Rejection("value", RejectionRule.UNDECODABLE.code(), e.getMessage()));
            return;
        }
        if (request == null) {
            rejections.reject(record, null, new Rejection("value", RejectionRule.NULL_VALUE.code(),
                    "a request record must have a value"));
            return;
        }
        String model = request.getModel();
        String problem = RecordLimits.modelIdProblem(model);
        if (problem != null) {
            rejections.reject(record, null, new Rejection("model", RejectionRule.MODEL_ID.code(), problem));
            return;
        }
        if (!model.equals(record.key())) {
            rejections.reject(record, null, new Rejection("key", RejectionRule.KEY_MODEL_MISMATCH.code(),
                    "the record key must be the model id '" + model + "', was " + (record.key() == null ? "null"
                            : "'" + Rejections.abbreviate(record.key()) + "'")));
            return;
        }
        ServedModels.Served served = models.get(model);
        if (served == null) {
            rejections.reject(record, null, new Rejection("model", RejectionRule.UNKNOWN_MODEL.code(),
                    "no complete snapshot of model '" + model + "' on " + settings.models() + " to serve it with"));
            return;
        }
        Rejection rejection = ExampleCheck.checkId("id", request.getId());
        List<Float> featureList = request.getFeatures();
        Target target = StoredExample.LabelCodec.target(request.getLabel());
        if (rejection == null) {
            rejection = LearnerProcessor.checkTime("eventTime", request.getEventTime());
        }
        if (rejection == null) {
            rejection = featureList instanceof FloatVector vector ? served.check().check(vector.array(), target)
                    : served.check().check(featureList, target);
        }
        if (rejection == null) {
            rejection = LearnerProcessor.checkClassName(request.getLabel());
        }
        if (rejection != null) {
            rejections.reject(record, null, rejection);
            return;
        }
        long now = context.currentSystemTimeMs();
        if (inbox == null) {
            predict(served, List.of(new Waiting(null, request, features(featureList), target, now)));
            commitEarly(now, record.timestamp());
            return;
        }
        // kept with its offset's transaction until its prediction's
        String storeKey = String.format("%019d", nextSeq++);
        pending.put(storeKey, ByteBuffer.allocate(8 + record.value().length).putLong(now).put(record.value()).array());
        List<Waiting> waiting = inbox.computeIfAbsent(model, m -> new ArrayList<>(settings.batchMax()));
        waiting.add(new Waiting(storeKey, request, features(featureList), target, now));
        if (waiting.size() >= settings.batchMax()) {
            flush(model, waiting);
            commitEarly(now, record.timestamp());
        }
    }

    /** Micro-batches that waited long enough; the versions served, every refresh interval. */
    private void onWallClock(long now) {
        boolean flushed = false;
        for (Map.Entry<String, List<Waiting>> e : inbox.entrySet()) {
            List<Waiting> waiting = e.getValue();
            if (!waiting.isEmpty() && now - waiting.get(0).arrivalMs() >= settings.batchWait().toMillis()) {
                flush(e.getKey(), waiting);
                flushed = true;
            }
        }
        if (flushed) {
            // a partial micro-batch: requests come slower than it fills, so the replica keeps up
            commitEarly(now, now);
        }
        if (now - lastRefreshMs >= settings.refreshInterval().toMillis()) {
            lastRefreshMs = now;
            models.refresh();
        }
    }

    /** Predicts a model's waiting requests in one call and forgets them. */
    private void flush(String model, List<Waiting> waiting) {
        ServedModels.Served served = models.get(model);
        if (served == null) {
            // requests restored from the store of a model none of whose versions is left: they wait for one
            return;
        }
        predict(served, waiting);
        for (Waiting w : waiting) {
            pending.delete(w.storeKey());
        }
        waiting.clear();
    }

    private void predict(ServedModels.Served served, List<Waiting> batch) {
        float[][] x = new float[batch.size()][];
        for (int i = 0; i < x.length; i++) {
            x[i] = batch.get(i).features();
        }
        Outputs outputs = served.learner().predict(x);
        long now = context.currentSystemTimeMs();
        for (int i = 0; i < x.length; i++) {
            Waiting w = batch.get(i);
            Example request = w.request();
            Double loss = w.target() == null ? null : served.learner().loss(i, outputs, w.target());
            context.forward(new Record<>(request.getModel(), BatchStep.prediction(served.learner(), request.getModel(),
                    request.getId(), request.getLabel(), request.getEventTime().toEpochMilli(), outputs, i,
                    served.version(), loss, now), now));
        }
    }

    /** Keeping up: the predictions readable now rather than at the next commit.interval.ms. */
    private void commitEarly(long now, long recordTimestamp) {
        long lag = now - recordTimestamp;
        if (!settings.commitEarlyMaxLag().isZero() && lag >= 0 && lag <= settings.commitEarlyMaxLag().toMillis()
                && now - lastEarlyCommitMs >= LearnerSettings.MIN_EARLY_COMMIT_SPACING.toMillis()) {
            context.commit();
            lastEarlyCommitMs = now;
        }
    }

    /** The requests that were waiting when the task last stopped (or moved here), in their order. */
    private void restorePending() {
        long maxSeq = -1;
        try (KeyValueIterator<String, byte[]> it = pending.all()) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> kv = it.next();
                ByteBuffer value = ByteBuffer.wrap(kv.value);
                long arrivalMs = value.getLong();
                byte[] bytes = new byte[value.remaining()];
                value.get(bytes);
                Example request = requests.deserialize(settings.requests().name(), bytes);
                inbox.computeIfAbsent(request.getModel(), m -> new ArrayList<>(settings.batchMax()))
                        .add(new Waiting(kv.key, request, features(request.getFeatures()),
                                StoredExample.LabelCodec.target(request.getLabel()), arrivalMs));
                maxSeq = Math.max(maxSeq, Long.parseLong(kv.key));
            }
        }
        nextSeq = maxSeq + 1;
    }

    private static float[] features(List<Float> list) {
        if (list instanceof FloatVector vector) {
            return vector.array();
        }
        float[] a = new float[list.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = list.get(i);
        }
        return a;
    }

    @Override
    public void close() {
        models.close();
        requests.close();
    }
}
