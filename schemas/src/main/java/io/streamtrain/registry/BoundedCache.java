package io.streamtrain.registry;

import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A thread-safe map that holds about {@code capacity} entries. When full it drops an arbitrary entry:
 * every entry can be fetched again from the registry, so a cheap bound beats exact LRU order here.
 */
final class BoundedCache<K, V> {

    /** The capacity of caches built without a config, and the default of {@code schema.registry.cache.capacity}. */
    static final int DEFAULT_CAPACITY = 1000;

    private final ConcurrentHashMap<K, V> entries = new ConcurrentHashMap<>();
    private final int capacity;

    BoundedCache(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
        }
        this.capacity = capacity;
    }

    /** The value for {@code key}, or null. */
    V get(K key) {
        return entries.get(key);
    }

    /** Stores a value; callers compute it outside the map so no lock is held during a remote call. */
    void put(K key, V value) {
        if (entries.size() >= capacity && !entries.containsKey(key)) {
            Iterator<K> keys = entries.keySet().iterator();
            if (keys.hasNext()) {
                keys.next();
                keys.remove();
            }
        }
        entries.put(key, value);
    }

    int size() {
        return entries.size();
    }

    void clear() {
        entries.clear();
    }
}
