package io.streamtrain.snapshot;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;

import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * The key of one chunk of a snapshot on the models topic: {@code <model>/<version>/<chunk>}. Every chunk of every kept
 * version has a key of its own, so compaction keeps them all until the learner tombstones a version. The model is what
 * comes before the last two slashes, so a model id may hold slashes. All of a model's chunks go to one partition (the
 * murmur2 hash of its id, as Kafka's producer hashes keys), in the order they are written.
 *
 * @param model   the model
 * @param version the version of the snapshot
 * @param chunk   the chunk's index, from 0
 */
public record SnapshotKey(String model, long version, int chunk) {

    public SnapshotKey {
        if (model == null || model.isEmpty()) {
            throw new IllegalArgumentException("a snapshot key needs a model");
        }
        if (version < 0 || chunk < 0) {
            throw new IllegalArgumentException("a snapshot's version and chunk are 0 or more, were " + version + " and "
                    + chunk);
        }
    }

    /** The key as it is written. */
    public String text() {
        return model + "/" + version + "/" + chunk;
    }

    /** Reads a key, or returns null when it is not one (a record someone else wrote to the topic). */
    public static SnapshotKey parse(String key) {
        if (key == null) {
            return null;
        }
        int second = key.lastIndexOf('/');
        int first = second <= 0 ? -1 : key.lastIndexOf('/', second - 1);
        if (first <= 0) {
            return null;
        }
        try {
            long version = Long.parseLong(key.substring(first + 1, second));
            int chunk = Integer.parseInt(key.substring(second + 1));
            return version < 0 || chunk < 0 ? null : new SnapshotKey(key.substring(0, first), version, chunk);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The partition of a model's snapshots in a topic of {@code partitions} partitions. */
    public static int partitionOf(String model, int partitions) {
        return Utils.toPositive(Utils.murmur2(model.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    /** Sends every chunk (and tombstone) of a model to the model's partition. */
    public static <V> StreamPartitioner<String, V> partitioner() {
        return (topic, key, value, partitions) -> {
            SnapshotKey parsed = parse(key);
            if (parsed == null) {
                throw new IllegalArgumentException("not a snapshot key: " + key);
            }
            return Optional.of(Set.of(partitionOf(parsed.model(), partitions)));
        };
    }

    @Override
    public String toString() {
        return text();
    }
}
