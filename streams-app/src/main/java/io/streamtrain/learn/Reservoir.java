package io.streamtrain.learn;

import java.util.Arrays;
import java.util.BitSet;

/**
 * Experience replay for one model: a uniform sample of its past labeled examples (Vitter's reservoir sampling,
 * algorithm R), from which each training step draws {@code ratio} past examples per new one and fits them together
 * in one call. A network that sees each example once forgets what the stream showed it long ago; fitting the new
 * examples beside a sample of the old ones is the plainest remedy.
 *
 * <p>Every random choice is a hash of the spec's seed and a counter (the examples offered so far, or the training
 * step and the draw), not a generator's state: the same examples offered in the same order and the same steps give
 * the same reservoir and the same mini-batches, whenever and wherever they are replayed. That is what lets the
 * learner keep the reservoir only at checkpoints and rebuild the rest exactly after a crash.
 *
 * <p>The reservoir tracks which slots changed since {@link #markSaved()}, so that its owner writes only those. Not
 * thread-safe.
 */
public final class Reservoir {

    /** The rows one training step fits: the new examples, then the past ones drawn for them. */
    public record Batch(float[][] features, Target[] targets, float[] weights) {
        /** The number of rows. */
        public int size() {
            return features.length;
        }
    }

    private static final long OFFER_SALT = 0x52455345_52564f49L;
    private static final long DRAW_SALT = 0x44524157_5245504cL;

    private final int ratio;
    private final int capacity;
    private final long seed;
    private float[][] features = new float[0][];
    private Target[] targets = new Target[0];
    private float[] weights = new float[0];
    private int size;
    private long seen;
    /** Slots written or emptied since the last {@link #markSaved()}. */
    private final BitSet changed = new BitSet();

    public Reservoir(int ratio, int capacity, long seed) {
        if (ratio < 1 || capacity < 1) {
            throw new IllegalArgumentException("ratio and capacity must be at least 1, were " + ratio + " and "
                    + capacity);
        }
        this.ratio = ratio;
        this.capacity = capacity;
        this.seed = seed;
    }

    /** The reservoir a spec asks for, or null when it has no {@code replay}. */
    public static Reservoir forSpec(NetworkSpec spec) {
        return spec.replay().map(r -> new Reservoir(r.ratio(), r.capacity(), spec.seed())).orElse(null);
    }

    /** Past examples fitted per new one. */
    public int ratio() {
        return ratio;
    }

    /** The most examples kept. */
    public int capacity() {
        return capacity;
    }

    /** The examples kept now. */
    public int size() {
        return size;
    }

    /** The labeled examples offered since the reservoir was new (or cleared). */
    public long seen() {
        return seen;
    }

    /**
     * Trains {@code learner} one step on new labeled examples and past ones drawn for them, then offers the new
     * ones to the reservoir: the draws come from the reservoir as it was before this step, and depend only on its
     * content, the seed and the learner's version.
     */
    public void train(Learner learner, float[][] newFeatures, Target[] newTargets, float[] newWeights) {
        Batch batch = mix(newFeatures, newTargets, newWeights, learner.version());
        learner.train(batch.features(), batch.targets(), batch.weights(), newFeatures.length);
        offer(newFeatures, newTargets, newWeights);
    }

    /**
     * The rows of training step {@code step}: the new examples, then {@code ratio} times as many drawn uniformly
     * (with replacement) from the reservoir; the new examples alone while it is empty.
     *
     * @param newWeights null for weight 1 each
     */
    public Batch mix(float[][] newFeatures, Target[] newTargets, float[] newWeights, long step) {
        int n = newFeatures.length;
        float[] w = newWeights != null ? newWeights : ones(n);
        if (size == 0 || n == 0) {
            return new Batch(newFeatures, newTargets, w);
        }
        int draws = (int) Math.min((long) ratio * n, Integer.MAX_VALUE - 8L - n);
        float[][] f = Arrays.copyOf(newFeatures, n + draws);
        Target[] t = Arrays.copyOf(newTargets, n + draws);
        float[] weightsOut = Arrays.copyOf(w, n + draws);
        long base = mix64(seed ^ DRAW_SALT ^ mix64(step));
        for (int k = 0; k < draws; k++) {
            int slot = (int) Long.remainderUnsigned(mix64(base + k), size);
            f[n + k] = features[slot];
            t[n + k] = targets[slot];
            weightsOut[n + k] = weights[slot];
        }
        return new Batch(f, t, weightsOut);
    }

    /**
     * Offers labeled examples, in order: each of the first {@code capacity} takes a free slot; after that the
     * {@code t}-th replaces a random one with probability {@code capacity / t}, so that the reservoir is always a
     * uniform sample of all the examples offered.
     *
     * @param newWeights null for weight 1 each
     */
    public void offer(float[][] newFeatures, Target[] newTargets, float[] newWeights) {
        for (int i = 0; i < newFeatures.length; i++) {
            seen++;
            int slot;
            if (size < capacity) {
                slot = size++;
                ensureRoom(size);
            } else {
                long j = Long.remainderUnsigned(mix64(seed ^ OFFER_SALT ^ mix64(seen)), seen);
                if (j >= capacity) {
                    continue;
                }
                slot = (int) j;
            }
            features[slot] = newFeatures[i];
            targets[slot] = newTargets[i];
            weights[slot] = newWeights == null ? 1f : newWeights[i];
            changed.set(slot);
        }
    }

    /** Forgets every example, as after a drift: the reservoir fills again from the next one. */
    public void clear() {
        changed.set(0, size);
        Arrays.fill(features, 0, size, null);
        Arrays.fill(targets, 0, size, null);
        size = 0;
        seen = 0;
    }

    // ---------------------------------------------------------------- saving and restoring

    /**
     * The slots changed since the last {@link #markSaved()}, ascending: a slot below {@link #size()} holds a new
     * example, one at or above it was emptied by a {@link #clear()}.
     */
    public int[] changedSlots() {
        return changed.stream().toArray();
    }

    /** The changed slots are saved: {@link #changedSlots()} starts empty again. */
    public void markSaved() {
        changed.clear();
    }

    /** The features of the example in {@code slot} (below {@link #size()}). */
    public float[] features(int slot) {
        checkSlot(slot);
        return features[slot];
    }

    public Target target(int slot) {
        checkSlot(slot);
        return targets[slot];
    }

    public float weight(int slot) {
        checkSlot(slot);
        return weights[slot];
    }

    /**
     * Puts back a saved reservoir: {@code seen} examples offered, the examples of slots 0 to {@code count - 1}
     * given by {@code slots}. Nothing is then marked changed.
     *
     * @throws IllegalStateException when a slot is missing or out of range, or the counts do not fit together
     */
    public void restore(long seenOffered, int count, Slots slots) {
        if (count < 0 || count > capacity || seenOffered < count) {
            throw new IllegalStateException("a replay reservoir of capacity " + capacity + " cannot hold " + count
                    + " of " + seenOffered + " examples offered");
        }
        ensureRoom(count);
        Arrays.fill(features, null);
        for (int slot = 0; slot < count; slot++) {
            Slot s = slots.get(slot);
            if (s == null) {
                throw new IllegalStateException("the replay reservoir's slot " + slot + " of " + count + " is missing");
            }
            features[slot] = s.features();
            targets[slot] = s.target();
            weights[slot] = s.weight();
        }
        size = count;
        seen = seenOffered;
        changed.clear();
    }

    /** A saved example of the reservoir. */
    public record Slot(float[] features, Target target, float weight) {
    }

    /** Saved examples by slot, for {@link #restore}. */
    @FunctionalInterface
    public interface Slots {
        /** The example saved in {@code slot}, or null when none is. */
        Slot get(int slot);
    }

    private void ensureRoom(int needed) {
        if (needed <= features.length) {
            return;
        }
        int room = (int) Math.min(capacity, Math.max(needed, Math.max(16L, 2L * features.length)));
        features = Arrays.copyOf(features, room);
        targets = Arrays.copyOf(targets, room);
        weights = Arrays.copyOf(weights, room);
    }

    private void checkSlot(int slot) {
        if (slot < 0 || slot >= size) {
            throw new IndexOutOfBoundsException("slot " + slot + " of a reservoir holding " + size);
        }
    }

    private static float[] ones(int n) {
        float[] w = new float[n];
        Arrays.fill(w, 1f);
        return w;
    }

    /** SplitMix64's finalizer: a well-mixed 64-bit value from a counter. */
    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
