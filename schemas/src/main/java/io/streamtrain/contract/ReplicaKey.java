package io.streamtrain.contract;

import java.nio.charset.StandardCharsets;

import org.apache.kafka.common.utils.Utils;

/**
 * The record key of an example or a label. A model trained by one learner task is keyed by its id. A model trained
 * by {@code R > 1} replicas at once (data-parallel, its parameters averaged over Kafka) is keyed by
 * {@code <model>#<shard>}, the shard a hash of the example id modulo {@code R}: its stream spreads over up to
 * {@code R} partitions, and an example and its late label, which name the same example id, still meet in one task.
 * The connector and the learner use this one function, so that any producer that keys records the same way is
 * taken.
 */
public final class ReplicaKey {

    /** The most replicas a model may train on. */
    public static final int MAX_REPLICAS = 256;
    /** Between a model id and its shard in a key. */
    public static final char SEPARATOR = '#';

    private ReplicaKey() {
    }

    /** The key of the example (or label) {@code exampleId} of {@code model}, trained by {@code replicas} replicas. */
    public static String of(String model, String exampleId, int replicas) {
        return replicas <= 1 ? model : shardKey(model, shard(exampleId, replicas));
    }

    /** The shard of an example id among {@code replicas}: Kafka's murmur2 of its UTF-8 bytes, modulo the count. */
    public static int shard(String exampleId, int replicas) {
        if (replicas < 1 || replicas > MAX_REPLICAS) {
            throw new IllegalArgumentException("replicas must be 1 to " + MAX_REPLICAS + ", was " + replicas);
        }
        return Utils.toPositive(Utils.murmur2(exampleId.getBytes(StandardCharsets.UTF_8))) % replicas;
    }

    /** The key of replica {@code shard} of {@code model}. */
    public static String shardKey(String model, int shard) {
        return model + SEPARATOR + shard;
    }

    /** What is wrong with a replica count, or null: it must be 1 to {@link #MAX_REPLICAS}. */
    public static String replicasProblem(long replicas) {
        return replicas >= 1 && replicas <= MAX_REPLICAS ? null
                : "must be an integer from 1 to " + MAX_REPLICAS + ", was " + replicas;
    }
}
