package io.streamtrain.topology;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.IntFunction;

import io.streamtrain.learn.Reservoir;
import io.streamtrain.learn.Target;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The learner's one changelogged store, typed: per model its meta record ({@link ModelState}), its checkpoint in
 * chunks, its examples in a ring of slots, its replay reservoir as of the checkpoint, the ids it took recently (in
 * segments), and both sides of its late-label join. Keys are made by {@link StateKeys}, values by the codecs of
 * {@link StoredExample}, {@link Pending}, {@link RecentIds} and {@link ModelState}. Every write goes to the model's
 * changelog partition in the order it is made, which is what a restore relies on.
 */
final class LearnerStore {

    /** One id waiting on a side of the late-label join, with its place in the arrival order. */
    record PendingEntry(String id, long order, long arrivalMs) {
    }

    /** One segment of recently taken ids, by its number. */
    record IdSegment(long number, List<String> ids) {
    }

    private final KeyValueStore<String, byte[]> store;
    private final int checkpointChunkBytes;
    private final StringSerializer prefixSerializer = new StringSerializer();

    LearnerStore(KeyValueStore<String, byte[]> store, int checkpointChunkBytes) {
        this.store = store;
        this.checkpointChunkBytes = checkpointChunkBytes;
    }

    /** The models this store has state for. */
    List<String> models() {
        List<String> models = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = store.all()) {
            while (it.hasNext()) {
                String model = StateKeys.modelOfMeta(it.next().key);
                if (model != null) {
                    models.add(model);
                }
            }
        }
        return models;
    }

    /** The model's meta record, or null for a model the store has nothing of. */
    ModelState meta(String model) {
        byte[] bytes = store.get(StateKeys.meta(model));
        return bytes == null ? null : ModelState.fromBytes(bytes);
    }

    void putMeta(String model, ModelState state) {
        store.put(StateKeys.meta(model), state.toBytes());
    }

    /**
     * Writes a parameter vector under {@code keys} (one key per chunk) in chunks of {@code chunkFloats}, deleting
     * the chunks after them that an older, longer vector left; returns how many chunks it took.
     */
    int putFloats(IntFunction<String> keys, float[] values, int chunkFloats, int oldChunks) {
        List<ByteBuffer> chunks = ParamsCodec.cut(values, chunkFloats);
        for (int c = 0; c < chunks.size(); c++) {
            store.put(keys.apply(c), chunks.get(c).array());
        }
        for (int c = chunks.size(); c < oldChunks; c++) {
            store.delete(keys.apply(c));
        }
        return chunks.size();
    }

    /** A parameter vector of {@code floats} values in {@code chunks} chunks under {@code keys}. */
    float[] readFloats(IntFunction<String> keys, int floats, int chunks) {
        List<ByteBuffer> parts = new ArrayList<>(chunks);
        for (int c = 0; c < chunks; c++) {
            byte[] bytes = store.get(keys.apply(c));
            if (bytes == null) {
                throw new IllegalStateException("chunk " + c + " of " + chunks + " is missing from the store ("
                        + keys.apply(c).replace('\u0000', '/') + ")");
            }
            parts.add(ByteBuffer.wrap(bytes));
        }
        return ParamsCodec.join(parts, floats);
    }

    /** Whether the store has a value under {@code key}. */
    boolean has(String key) {
        return store.get(key) != null;
    }

    void put(String key, byte[] value) {
        store.put(key, value);
    }

    void delete(String key) {
        store.delete(key);
    }

    /** Keeps an example in its slot of the ring, over an example the checkpoint includes. */
    void putExample(String model, ModelState state, StoredExample example) {
        store.put(StateKeys.entry(model, example.seq() % state.slots), example.encode());
    }

    /** The examples after {@code afterSeq} (those the checkpoint lacks), in sequence order. */
    List<StoredExample> examplesAfter(String model, long afterSeq) {
        List<StoredExample> live = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = store.prefixScan(StateKeys.entryPrefix(model), prefixSerializer)) {
            while (it.hasNext()) {
                byte[] value = it.next().value;
                if (StoredExample.seqOf(value) > afterSeq) {
                    live.add(StoredExample.decode(value));
                }
            }
        }
        live.sort(Comparator.comparingLong(StoredExample::seq));
        return live;
    }

    /** Moves the live examples to a ring of another size, and records the size in the meta. */
    void reslot(String model, ModelState state, List<StoredExample> live, int slots) {
        List<String> keys = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = store.prefixScan(StateKeys.entryPrefix(model), prefixSerializer)) {
            it.forEachRemaining(kv -> keys.add(kv.key));
        }
        keys.forEach(store::delete);
        state.slots = slots;
        for (StoredExample e : live) {
            putExample(model, state, e);
        }
        putMeta(model, state);
    }

    /**
     * Writes the replay reservoir's slots changed since its last save (a slot it no longer holds is deleted) and
     * its counts into {@code state}, which the checkpoint's meta then carries: the store holds the reservoir as of
     * the checkpoint, and a restore rebuilds the rest by fitting the batches since again.
     */
    void saveReplay(String model, ModelState state, Reservoir replay) {
        for (int slot : replay.changedSlots()) {
            if (slot < replay.size()) {
                store.put(StateKeys.replaySlot(model, slot), encodeReplaySlot(replay.features(slot),
                        replay.target(slot), replay.weight(slot)));
            } else {
                store.delete(StateKeys.replaySlot(model, slot));
            }
        }
        replay.markSaved();
        state.replaySeen = replay.seen();
        state.replaySize = replay.size();
    }

    /**
     * Fills {@code replay} (null: the spec has none) with the reservoir the last checkpoint saved. Slots the spec's
     * reservoir has no room for any more (its capacity went down, or replay was turned off) are deleted.
     */
    void loadReplay(String model, ModelState state, Reservoir replay) {
        Map<Integer, Reservoir.Slot> slots = new HashMap<>();
        List<String> surplus = new ArrayList<>();
        int keep = replay == null ? 0 : Math.min(state.replaySize, replay.capacity());
        try (KeyValueIterator<String, byte[]> it = store.prefixScan(StateKeys.replayPrefix(model), prefixSerializer)) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> kv = it.next();
                int slot = (int) StateKeys.entrySeq(kv.key);
                if (slot < keep) {
                    slots.put(slot, decodeReplaySlot(kv.value));
                } else {
                    surplus.add(kv.key);
                }
            }
        }
        surplus.forEach(store::delete);
        if (replay == null) {
            // nothing kept: a spec that replays again later starts a new sample
            state.replaySeen = 0;
        } else {
            replay.restore(state.replaySeen, keep, slots::get);
        }
        state.replaySize = keep;
    }

    private static final byte REPLAY_FORMAT = 1;

    static byte[] encodeReplaySlot(float[] features, Target target, float weight) {
        ByteBuffer out = ByteBuffer.allocate(1 + 4 + 1 + 8 + 4 + 4 * features.length);
        out.put(REPLAY_FORMAT).putFloat(weight);
        if (target.isClass()) {
            out.put((byte) 1).putLong(target.classIndex());
        } else {
            out.put((byte) 2).putDouble(target.value());
        }
        out.putInt(features.length);
        out.asFloatBuffer().put(features);
        return out.array();
    }

    static Reservoir.Slot decodeReplaySlot(byte[] bytes) {
        if (bytes.length < 18 || bytes[0] != REPLAY_FORMAT) {
            throw new IllegalStateException("a replay example in the learner's store has format "
                    + (bytes.length == 0 ? "(empty)" : bytes[0]) + ", expected " + REPLAY_FORMAT
                    + "; it was written by another version of Streamtrain");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes, 1, bytes.length - 1);
        float weight = in.getFloat();
        byte kind = in.get();
        Target target = kind == 1 ? Target.ofClass((int) in.getLong()) : Target.ofValue(in.getDouble());
        float[] features = new float[in.getInt()];
        in.asFloatBuffer().get(features);
        return new Reservoir.Slot(features, target, weight);
    }

    /**
     * Writes a new checkpoint generation, then the meta that points at it (with {@code state} updated), then deletes
     * the old generation: a crash between any two writes leaves a meta pointing at a complete generation.
     *
     * @return the number of chunks written
     */
    int writeCheckpoint(String model, ModelState state, byte[] checkpoint, long includedSeq) {
        long generation = state.checkpointGeneration + 1;
        int chunks = Math.max(1, (checkpoint.length + checkpointChunkBytes - 1) / checkpointChunkBytes);
        for (int c = 0; c < chunks; c++) {
            int from = c * checkpointChunkBytes;
            int to = Math.min(checkpoint.length, from + checkpointChunkBytes);
            byte[] chunk = new byte[to - from];
            System.arraycopy(checkpoint, from, chunk, 0, chunk.length);
            store.put(StateKeys.checkpointChunk(model, generation, c), chunk);
        }
        long oldGeneration = state.checkpointGeneration;
        int oldChunks = state.checkpointChunks;
        state.checkpointGeneration = generation;
        state.checkpointChunks = chunks;
        state.checkpointSeq = includedSeq;
        state.batchEnds.clear();
        putMeta(model, state);
        for (int c = 0; c < oldChunks; c++) {
            store.delete(StateKeys.checkpointChunk(model, oldGeneration, c));
        }
        return chunks;
    }

    /** The checkpoint the meta points at, its chunks put together. */
    byte[] readCheckpoint(String model, ModelState state) {
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

    void putIdSegment(String model, long segment, List<String> ids) {
        store.put(StateKeys.dedupeSegment(model, segment), RecentIds.encode(ids));
    }

    void deleteIdSegment(String model, long segment) {
        store.delete(StateKeys.dedupeSegment(model, segment));
    }

    /** The model's segments of recent ids, oldest first. */
    List<IdSegment> idSegments(String model) {
        List<IdSegment> segments = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = store.prefixScan(StateKeys.dedupePrefix(model),
                prefixSerializer)) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> kv = it.next();
                segments.add(new IdSegment(StateKeys.dedupeSegmentOf(kv.key), RecentIds.decode(kv.value)));
            }
        }
        return segments;
    }

    Pending.AwaitingExample awaiting(String model, String exampleId) {
        return Pending.AwaitingExample.decode(store.get(StateKeys.awaiting(model, exampleId)));
    }

    void putAwaiting(String model, String exampleId, Pending.AwaitingExample awaiting) {
        store.put(StateKeys.awaiting(model, exampleId), awaiting.encode());
    }

    void deleteAwaiting(String model, String exampleId) {
        store.delete(StateKeys.awaiting(model, exampleId));
    }

    Pending.WaitingLabel waitingLabel(String model, String exampleId) {
        return Pending.WaitingLabel.decode(store.get(StateKeys.waitingLabel(model, exampleId)));
    }

    void putWaitingLabel(String model, String exampleId, Pending.WaitingLabel label) {
        store.put(StateKeys.waitingLabel(model, exampleId), label.encode());
    }

    void deleteWaitingLabel(String model, String exampleId) {
        store.delete(StateKeys.waitingLabel(model, exampleId));
    }

    Pending.DroppedExample dropped(String model, String exampleId) {
        return Pending.DroppedExample.decode(store.get(StateKeys.dropped(model, exampleId)));
    }

    void putDropped(String model, String exampleId, Pending.DroppedExample dropped) {
        store.put(StateKeys.dropped(model, exampleId), dropped.encode());
    }

    void deleteDropped(String model, String exampleId) {
        store.delete(StateKeys.dropped(model, exampleId));
    }

    /** The unlabeled examples that stopped waiting for their label, in the order they stopped. */
    List<PendingEntry> droppedEntries(String model) {
        return pendingEntries(StateKeys.droppedPrefix(model), Pending.DroppedExample::orderAndArrival);
    }

    /** The predicted unlabeled examples waiting for a label, in arrival order. */
    List<PendingEntry> awaitingEntries(String model) {
        return pendingEntries(StateKeys.awaitingPrefix(model), Pending.AwaitingExample::orderAndArrival);
    }

    /** The labels waiting for their example, in arrival order. */
    List<PendingEntry> waitingLabelEntries(String model) {
        return pendingEntries(StateKeys.waitingLabelPrefix(model), Pending.WaitingLabel::orderAndArrival);
    }

    private List<PendingEntry> pendingEntries(String prefix, Function<byte[], Pending.OrderAndArrival> read) {
        List<PendingEntry> entries = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = store.prefixScan(prefix, prefixSerializer)) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> kv = it.next();
                Pending.OrderAndArrival oa = read.apply(kv.value);
                entries.add(new PendingEntry(StateKeys.idOf(kv.key, prefix), oa.order(), oa.arrivalMs()));
            }
        }
        entries.sort(Comparator.comparingLong(PendingEntry::order));
        return entries;
    }
}
