package io.streamtrain.topology;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Which models the global stores of a serving replica have news of: the global thread counts each record of a model
 * it writes to them, and a serving task looks at a model's store again only when its count has moved. Shared by the
 * processors of one Kafka Streams instance.
 */
final class StoreChanges {

    private final ConcurrentHashMap<String, AtomicLong> changes = new ConcurrentHashMap<>();

    /** A record of {@code model} was written to a global store (after the write). */
    void changed(String model) {
        changes.computeIfAbsent(model, m -> new AtomicLong()).incrementAndGet();
    }

    /** How many records of {@code model} were written so far (by this instance's global thread). */
    long count(String model) {
        AtomicLong count = changes.get(model);
        return count == null ? 0 : count.get();
    }
}
