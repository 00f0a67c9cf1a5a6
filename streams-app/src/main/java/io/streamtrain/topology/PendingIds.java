package io.streamtrain.topology;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ids waiting on one side of a model's late-label join, in arrival order: unlabeled examples waiting for their
 * label, or labels that came before their example. Bounded in number and in age; what is over either bound is
 * evicted oldest first. Only ids and times are held in memory; what waits is in the state store.
 */
final class PendingIds {

    private final int max;
    private final long waitMs;
    /** id → arrival time (the learner's wall clock), in arrival order. */
    private final LinkedHashMap<String, Long> arrivals = new LinkedHashMap<>();
    private long nextOrder;

    PendingIds(int max, long waitMs) {
        this.max = max;
        this.waitMs = waitMs;
    }

    boolean contains(String id) {
        return arrivals.containsKey(id);
    }

    int size() {
        return arrivals.size();
    }

    /** Adds an id that arrived now; returns its place in the arrival order, kept in the store to restore it. */
    long add(String id, long arrivalMs) {
        arrivals.remove(id);
        arrivals.put(id, arrivalMs);
        return nextOrder++;
    }

    /** Takes back an id read from the store; ids must come in their arrival order. */
    void restore(String id, long order, long arrivalMs) {
        arrivals.put(id, arrivalMs);
        nextOrder = Math.max(nextOrder, order + 1);
    }

    void remove(String id) {
        arrivals.remove(id);
    }

    /** An id that stops waiting: over the bound ({@code overBound}), or past the wait. */
    record Eviction(String id, boolean overBound) {
    }

    /**
     * Removes and returns the oldest id when it is to be evicted now: when more than the bound wait, or when it has
     * waited longer than the wait; else null.
     */
    Eviction evict(long now) {
        if (arrivals.isEmpty()) {
            return null;
        }
        Iterator<Map.Entry<String, Long>> it = arrivals.entrySet().iterator();
        Map.Entry<String, Long> oldest = it.next();
        boolean overBound = arrivals.size() > max;
        if (!overBound && now - oldest.getValue() <= waitMs) {
            return null;
        }
        it.remove();
        return new Eviction(oldest.getKey(), overBound);
    }
}
