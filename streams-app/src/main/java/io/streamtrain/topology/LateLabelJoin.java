package io.streamtrain.topology;

import java.time.Duration;
import java.util.List;

import io.streamtrain.avro.Label;
import io.streamtrain.contract.RejectionRule;
import io.streamtrain.learn.Outputs;
import io.streamtrain.learn.Rejection;
import io.streamtrain.learn.Target;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The join of late labels to their examples, per model, both sides kept in the store: a predicted unlabeled example
 * waits (bounded in number and age) with what was predicted, so that its label scores that prediction and queues the
 * example, now labeled, for training; a label that comes before its example waits for it; one that never finds its
 * example is rejected as {@link #UNMATCHED_LABEL}. A second label for an example is a duplicate.
 */
final class LateLabelJoin {

    private static final Logger log = LoggerFactory.getLogger(LateLabelJoin.class);

    /** A label whose example did not come (in time, or at all). Field {@code exampleId}. */
    static final String UNMATCHED_LABEL = RejectionRule.UNMATCHED_LABEL.code();
    /** A label whose example stopped waiting for it. Field {@code exampleId}. */
    static final String EXAMPLE_EVICTED = RejectionRule.EXAMPLE_EVICTED.code();

    /** What became of a valid label. */
    enum Outcome {
        /** It joined its example; a predicted example then comes back in {@link Joined#toTrain()}. */
        JOINED,
        /** Its example already had a label: skipped. */
        DUPLICATE,
        /** Its example has not come: the label waits for it. */
        WAITING,
        /** Its example stopped waiting for it: the label was rejected. */
        REJECTED
    }

    /**
     * @param outcome what became of the label
     * @param toTrain the example it labeled, when that was predicted already and is now to be trained on; else null
     */
    record Joined(Outcome outcome, StoredExample toTrain) {
    }

    private final LearnerStore store;
    private final Rejections rejections;
    private final LearnerMetrics metrics;
    private final Duration wait;
    private final int maxPending;

    LateLabelJoin(LearnerStore store, Rejections rejections, LearnerMetrics metrics, Duration wait, int maxPending) {
        this.store = store;
        this.rejections = rejections;
        this.metrics = metrics;
        this.wait = wait;
        this.maxPending = maxPending;
    }

    /** The label that waited for an example that came unlabeled, taken from the store; null when none waited. */
    Object takeWaitingLabel(ModelRuntime runtime, String exampleId) {
        if (!runtime.joinsLateLabels() || !runtime.waitingLabels.contains(exampleId)) {
            return null;
        }
        Object label = store.waitingLabel(runtime.model, exampleId).label();
        store.deleteWaitingLabel(runtime.model, exampleId);
        runtime.waitingLabels.remove(exampleId);
        return label;
    }

    /** Joins a valid label to its example, or keeps it waiting for one. */
    Joined join(ModelRuntime runtime, Label label, Record<String, byte[]> record, RecordMetadata meta, long now) {
        String id = label.getExampleId();
        int queued = unlabeledInInbox(runtime.inbox, id);
        if (queued >= 0) {
            // its example came and waits for its mini-batch: it is predicted and scored with its label there
            StoredExample e = runtime.inbox.get(queued);
            StoredExample labeled = new StoredExample(e.seq(), e.id(), e.eventTimeMs(), label.getLabel(), e.weight(),
                    e.features(), false);
            runtime.inbox.set(queued, labeled);
            store.putExample(runtime.model, runtime.state, labeled);
            return new Joined(Outcome.JOINED, null);
        }
        if (runtime.awaiting.contains(id)) {
            Pending.AwaitingExample waiting = store.awaiting(runtime.model, id);
            if (waiting.joined()) {
                log.debug("model {}: skipped a second label for example {}", runtime.model, id);
                return new Joined(Outcome.DUPLICATE, null);
            }
            Target target = StoredExample.LabelCodec.target(label.getLabel());
            Outputs outputs = Outputs.ofRow(waiting.outputs(), runtime.learner.isClassification());
            runtime.score.add(runtime.learner.loss(0, outputs, target), outputs, 0, target);
            // the id stays known until it is evicted, so that a redelivered label is not taken twice
            store.putAwaiting(runtime.model, id, Pending.AwaitingExample.joined(waiting.order(), waiting.arrivalMs()));
            return new Joined(Outcome.JOINED, waiting.example().labeledLate(runtime.nextSeq++, label.getLabel()));
        }
        if (runtime.waitingLabels.contains(id)) {
            log.debug("model {}: skipped a second label for example {}, which has not come yet", runtime.model, id);
            return new Joined(Outcome.DUPLICATE, null);
        }
        if (runtime.dropped.contains(id)) {
            // its example came, was predicted and stopped waiting: no wait can bring it back
            Pending.DroppedExample dropped = store.dropped(runtime.model, id);
            rejections.reject(record, runtime, new Rejection("exampleId", EXAMPLE_EVICTED, "example '"
                    + Rejections.abbreviate(id) + "' of model '" + runtime.model + "' was predicted, then stopped "
                    + "waiting for its label " + (dropped.overBound() ? "because more than " + maxPending
                            + " examples waited (streamtrain.labels.max.pending)" : "after "
                            + wait.toMillis() + " ms (streamtrain.labels.wait.ms)")
                    + "; it is not trained on"));
            return new Joined(Outcome.REJECTED, null);
        }
        // the example has not come yet, or it came too long ago, or it came labeled: wait for it, bounded
        byte[] key = rejections.keyBytes(record.key());
        byte[] value = rejections.copiable(key, record.value()) ? record.value() : null;
        long order = runtime.waitingLabels.add(id, now);
        store.putWaitingLabel(runtime.model, id, new Pending.WaitingLabel(order, now, label.getLabel(), meta.topic(),
                meta.partition(), meta.offset(), record.timestamp(), value == null ? null : key, value));
        evictWaitingLabels(runtime, now);
        return new Joined(Outcome.WAITING, null);
    }

    /** Keeps a predicted unlabeled example, with what was predicted, until its label comes or it is evicted. */
    void awaitLabel(ModelRuntime runtime, StoredExample entry, float[] predicted, long now) {
        long order = runtime.awaiting.add(entry.id(), now);
        store.putAwaiting(runtime.model, entry.id(), new Pending.AwaitingExample(order, now, false, predicted, entry));
        evictAwaiting(runtime, now);
    }

    /** Evicts what is over the bound or past the wait on both sides. */
    void evict(ModelRuntime runtime, long now) {
        evictAwaiting(runtime, now);
        evictWaitingLabels(runtime, now);
    }

    /** Takes back both sides from the store, in arrival order. */
    void restore(ModelRuntime runtime) {
        restore(store.awaitingEntries(runtime.model), runtime.awaiting);
        restore(store.waitingLabelEntries(runtime.model), runtime.waitingLabels);
        restore(store.droppedEntries(runtime.model), runtime.dropped);
    }

    private static void restore(List<LearnerStore.PendingEntry> entries, PendingIds ids) {
        for (LearnerStore.PendingEntry e : entries) {
            ids.restore(e.id(), e.order(), e.arrivalMs());
        }
    }

    /**
     * Stops the wait of the unlabeled examples over the bound or past the wait: their label did not come in time.
     * Each is remembered as dropped, as long as it could have waited, so that its label is rejected at once.
     */
    private void evictAwaiting(ModelRuntime runtime, long now) {
        for (PendingIds.Eviction e = runtime.awaiting.evict(now); e != null; e = runtime.awaiting.evict(now)) {
            boolean joined = store.awaiting(runtime.model, e.id()).joined();
            store.deleteAwaiting(runtime.model, e.id());
            if (joined) {
                // the marker of an example whose label came, kept to know a second label: nothing stopped waiting
                continue;
            }
            if (e.overBound()) {
                runtime.state.windowUnlabeledEvicted++;
            } else {
                runtime.state.windowUnlabeledExpired++;
            }
            metrics.recordUnlabeledDropped(runtime.model, e.overBound());
            long order = runtime.dropped.add(e.id(), now);
            store.putDropped(runtime.model, e.id(), new Pending.DroppedExample(order, now, e.overBound()));
        }
        for (PendingIds.Eviction e = runtime.dropped.evict(now); e != null; e = runtime.dropped.evict(now)) {
            store.deleteDropped(runtime.model, e.id());
        }
    }

    /** Rejects the labels over the bound or past the wait: their example did not come in time. */
    private void evictWaitingLabels(ModelRuntime runtime, long now) {
        for (PendingIds.Eviction e = runtime.waitingLabels.evict(now); e != null;
                e = runtime.waitingLabels.evict(now)) {
            String id = e.id();
            Pending.WaitingLabel waiting = store.waitingLabel(runtime.model, id);
            store.deleteWaitingLabel(runtime.model, id);
            if (e.overBound()) {
                runtime.state.windowLabelsEvicted++;
            } else {
                runtime.state.windowLabelsExpired++;
            }
            metrics.recordLabelDropped(runtime.model, e.overBound());
            String message = "no unlabeled example with id '" + Rejections.abbreviate(id) + "' came for model '"
                    + runtime.model + "' " + (e.overBound() ? "before more than " + maxPending + " labels waited "
                            + "(streamtrain.labels.max.pending)" : "within " + wait.toMillis() + " ms "
                            + "(streamtrain.labels.wait.ms)")
                    + " (it may have come labeled, come earlier than its label could wait for, or never come)";
            if (waiting.value() == null) {
                message += "; the label record is at " + waiting.topic() + "-" + waiting.partition() + "@"
                        + waiting.offset() + ", too large to be copied here";
            }
            rejections.write(runtime.model, runtime, new Rejections.ReadAt(waiting.topic(), waiting.partition(),
                    waiting.offset(), waiting.timestamp()), waiting.key(), waiting.value(),
                    new Rejection("exampleId", UNMATCHED_LABEL, message));
        }
    }

    /** Where an unlabeled example with this id waits in the inbox, not yet predicted; -1 when none does. */
    private static int unlabeledInInbox(List<StoredExample> inbox, String id) {
        for (int i = inbox.size() - 1; i >= 0; i--) {
            StoredExample e = inbox.get(i);
            if (e.label() == null && e.id().equals(id)) {
                return i;
            }
        }
        return -1;
    }
}
