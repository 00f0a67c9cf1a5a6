package io.streamtrain.topology;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import io.streamtrain.avro.ModelSnapshot;
import io.streamtrain.avro.ServingPin;
import io.streamtrain.learn.CheckpointException;
import io.streamtrain.learn.ExampleCheck;
import io.streamtrain.learn.Learner;
import io.streamtrain.learn.NetworkSpec;
import io.streamtrain.learn.SpecValidationException;
import io.streamtrain.snapshot.SnapshotChunks;
import io.streamtrain.snapshot.SnapshotKey;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The versions one serving task serves, one per model: the pinned version when the pins topic names one that is
 * complete on the models topic, else the latest complete version. Loaded from the global stores on a model's first
 * request and swapped between two requests when {@link #refresh()} finds another version to serve; a version that
 * cannot be loaded is logged and the one served goes on being served.
 */
final class ServedModels implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ServedModels.class);

    /** A version in service. */
    record Served(Learner learner, ExampleCheck check, long version) {
    }

    private final ReadOnlyKeyValueStore<String, byte[]> models;
    private final ReadOnlyKeyValueStore<String, byte[]> pins;
    private final StoreChanges changes;
    /** Per model served, the count of its global store records when the stores were last looked at. */
    private final Map<String, Long> lookedAt = new HashMap<>();
    private final Deserializer<ModelSnapshot> snapshots;
    private final Deserializer<ServingPin> pinDeserializer;
    private final String modelsTopic;
    private final String pinsTopic;
    private final Map<String, Served> served = new HashMap<>();
    /** Per model, the chunk count of each version in the store, as its first chunk says. */
    private final Map<String, Map<Long, Integer>> chunkCounts = new HashMap<>();
    private final StringSerializer prefixSerializer = new StringSerializer();
    private long swaps;

    ServedModels(ReadOnlyKeyValueStore<String, byte[]> models, ReadOnlyKeyValueStore<String, byte[]> pins,
            StoreChanges changes, Deserializer<ModelSnapshot> snapshots, Deserializer<ServingPin> pinDeserializer,
            String modelsTopic, String pinsTopic) {
        this.models = models;
        this.changes = changes;
        this.pins = pins;
        this.snapshots = snapshots;
        this.pinDeserializer = pinDeserializer;
        this.modelsTopic = modelsTopic;
        this.pinsTopic = pinsTopic;
    }

    /** What serves the model now, loaded on its first request; null when there is no version of it to serve. */
    Served get(String model) {
        Served current = served.get(model);
        if (current == null) {
            // counted before the look: a change during it is looked at again on the next refresh
            lookedAt.put(model, changes.count(model));
            long version = target(model);
            if (version >= 0) {
                current = load(model, version);
                if (current != null) {
                    served.put(model, current);
                }
            }
        }
        return current;
    }

    /**
     * Swaps each model served for the version it should be served at now, when that is another one; a model whose
     * snapshots and pin have not changed since the last look is not looked at again.
     */
    void refresh() {
        for (Map.Entry<String, Served> e : served.entrySet()) {
            long count = changes.count(e.getKey());
            if (lookedAt.getOrDefault(e.getKey(), -1L) == count) {
                continue;
            }
            lookedAt.put(e.getKey(), count);
            long version = target(e.getKey());
            if (version >= 0 && version != e.getValue().version()) {
                Served next = load(e.getKey(), version);
                if (next != null) {
                    log.info("model {}: serving version {} (was {})", e.getKey(), version, e.getValue().version());
                    e.getValue().learner().close();
                    e.setValue(next);
                    swaps++;
                }
            }
        }
    }

    /** How many times a version was swapped for another. */
    long swaps() {
        return swaps;
    }

    /** The version to serve: pinned and complete, else the latest complete one; -1 when none is complete. */
    long target(String model) {
        NavigableMap<Long, Integer> complete = completeVersions(model);
        if (complete.isEmpty()) {
            return -1;
        }
        byte[] pinBytes = pins.get(model);
        ServingPin pin = pinBytes == null ? null : pinDeserializer.deserialize(pinsTopic, pinBytes);
        if (pin != null && pin.getVersion() != null) {
            if (complete.containsKey(pin.getVersion())) {
                return pin.getVersion();
            }
            log.warn("model {} is pinned to version {}, which is not complete on {}: serving the latest, {}", model,
                    pin.getVersion(), modelsTopic, complete.lastKey());
        }
        return complete.lastKey();
    }

    /** The model's versions whose every chunk is in the store, with their chunk counts. */
    private NavigableMap<Long, Integer> completeVersions(String model) {
        Map<Long, Set<Integer>> chunks = new HashMap<>();
        Map<Long, byte[]> firstChunk = new HashMap<>();
        try (KeyValueIterator<String, byte[]> it = models.prefixScan(model + "/", prefixSerializer)) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> kv = it.next();
                SnapshotKey key = SnapshotKey.parse(kv.key);
                if (key != null && key.model().equals(model)) {
                    chunks.computeIfAbsent(key.version(), v -> new TreeSet<>()).add(key.chunk());
                    if (key.chunk() == 0) {
                        firstChunk.put(key.version(), kv.value);
                    }
                }
            }
        }
        NavigableMap<Long, Integer> complete = new TreeMap<>();
        // a version's chunk count, read once from its first chunk (a chunk never changes under its key); the counts
        // of versions gone from the store are forgotten
        Map<Long, Integer> known = chunkCounts.getOrDefault(model, Map.of());
        Map<Long, Integer> counts = new HashMap<>();
        chunks.forEach((version, have) -> {
            byte[] first = firstChunk.get(version);
            Integer count = first == null ? null : known.get(version);
            if (first != null && count == null) {
                count = snapshots.deserialize(modelsTopic, first).getChunks();
            }
            if (count != null) {
                counts.put(version, count);
                if (have.size() == count && ((TreeSet<Integer>) have).last() == count - 1) {
                    complete.put(version, count);
                }
            }
        });
        chunkCounts.put(model, counts);
        return complete;
    }

    private Served load(String model, long version) {
        long started = System.nanoTime();
        try {
            int count = completeVersions(model).getOrDefault(version, 0);
            List<ModelSnapshot> parts = new ArrayList<>(count);
            for (int c = 0; c < count; c++) {
                parts.add(snapshots.deserialize(modelsTopic, models.get(new SnapshotKey(model, version, c).text())));
            }
            ModelSnapshot first = parts.get(0);
            byte[] zip = SnapshotChunks.join(parts);
            NetworkSpec spec = NetworkSpec.parseFromSnapshot(first.getSpec());
            Learner learner = Learner.fromSnapshot(spec, zip, version, first.getExamplesTrained());
            log.info("model {}: version {} loaded ({} bytes, {} examples trained) in {} ms", model, version,
                    zip.length, first.getExamplesTrained(), (System.nanoTime() - started) / 1_000_000);
            return new Served(learner, ExampleCheck.forLearner(learner), version);
        } catch (IllegalArgumentException | CheckpointException | SpecValidationException
                 | IndexOutOfBoundsException | NullPointerException e) {
            // a chunk compacted away between the scan and the read, or a snapshot not written by a learner
            log.warn("model {}: version {} on {} cannot be served: {}", model, version, modelsTopic, e.toString());
            return null;
        }
    }

    @Override
    public void close() {
        served.values().forEach(s -> s.learner().close());
        served.clear();
    }
}
