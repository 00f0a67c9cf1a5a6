package io.streamtrain.snapshot;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.OptionalLong;
import java.util.TreeMap;

import io.streamtrain.avro.ModelSnapshot;
import io.streamtrain.registry.ConfluentAvroSerde;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a model's snapshots from a models topic, from any cluster: its partition from the beginning to the end that
 * is committed ({@code read_committed}), chunks put together per version, tombstoned versions left out. What a
 * learner's training step wrote is either all there or not at all, so a version whose chunks are incomplete is one
 * that compaction or a tombstone is removing, never one half-written.
 */
public final class SnapshotReader {

    private static final Logger log = LoggerFactory.getLogger(SnapshotReader.class);

    /** A version of a model on the topic: its description (the first chunk, without its data) and its zip. */
    public record Snapshot(ModelSnapshot description, byte[] zip) {
    }

    private final Map<String, Object> consumerConfig;
    private final Map<String, ?> registryConfig;
    private final String topic;
    private final Duration timeout;

    /**
     * @param clientConfig   Kafka client settings (bootstrap.servers, security); the reader sets its own
     *                       deserializers, isolation level and offsets
     * @param registryConfig the schema registry client's settings
     * @param topic          the models topic
     * @param timeout        how long reading may take before it gives up
     */
    public SnapshotReader(Map<String, ?> clientConfig, Map<String, ?> registryConfig, String topic, Duration timeout) {
        this.consumerConfig = new HashMap<>(clientConfig);
        consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
        consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerConfig.remove(ConsumerConfig.GROUP_ID_CONFIG);
        consumerConfig.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        consumerConfig.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "streamtrain-snapshot-reader");
        this.registryConfig = registryConfig;
        this.topic = topic;
        this.timeout = timeout;
    }

    /**
     * The model's complete versions on the topic, by version, each with its zip.
     *
     * @throws SnapshotException when the topic is missing or cannot be read within the timeout
     */
    public NavigableMap<Long, Snapshot> read(String model) {
        Map<Long, List<ModelSnapshot>> chunks = new HashMap<>();
        Deserializer<ModelSnapshot> values = ConfluentAvroSerde.specific(ModelSnapshot.class, registryConfig, false)
                .deserializer();
        try (values; KafkaConsumer<String, ModelSnapshot> consumer = new KafkaConsumer<>(consumerConfig,
                new StringDeserializer(), values)) {
            List<PartitionInfo> partitions = consumer.partitionsFor(topic, timeout);
            if (partitions == null || partitions.isEmpty()) {
                throw new SnapshotException("the models topic " + topic + " does not exist on "
                        + consumerConfig.get(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG));
            }
            TopicPartition partition = new TopicPartition(topic,
                    SnapshotKey.partitionOf(model, partitions.size()));
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition), timeout).get(partition);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (consumer.position(partition, timeout) < end) {
                if (System.nanoTime() > deadline) {
                    throw new SnapshotException("reading " + partition + " took longer than " + timeout + " (at offset "
                            + consumer.position(partition) + " of " + end + ")");
                }
                for (ConsumerRecord<String, ModelSnapshot> record : consumer.poll(Duration.ofMillis(200))) {
                    SnapshotKey key = SnapshotKey.parse(record.key());
                    if (key == null || !key.model().equals(model)) {
                        continue;
                    }
                    List<ModelSnapshot> version = chunks.computeIfAbsent(key.version(), v -> new ArrayList<>());
                    // a later record under the same key replaces it; a tombstone removes it
                    version.removeIf(c -> c.getChunk() == key.chunk());
                    if (record.value() != null) {
                        version.add(record.value());
                    }
                }
            }
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw new SnapshotException("cannot read the models topic " + topic + " on "
                    + consumerConfig.get(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG) + " within " + timeout + ": "
                    + e.getMessage(), e);
        }
        NavigableMap<Long, Snapshot> complete = new TreeMap<>();
        chunks.forEach((version, list) -> {
            if (!list.isEmpty() && list.size() == list.get(0).getChunks()) {
                try {
                    byte[] zip = SnapshotChunks.join(list);
                    ModelSnapshot description = ModelSnapshot.newBuilder(list.get(0))
                            .setData(ByteBuffer.allocate(0)).setChunk(0).build();
                    complete.put(version, new Snapshot(description, zip));
                } catch (IllegalArgumentException e) {
                    // not written by a learner (whose chunks of a version are written together): left out, said why
                    log.warn("{} left out: {}", topic, e.getMessage());
                }
            }
        });
        return complete;
    }

    /**
     * One version of the model, or its latest when {@code version} is empty.
     *
     * @throws SnapshotException naming the versions there are when the one asked for is not on the topic
     */
    public Snapshot fetch(String model, OptionalLong version) {
        NavigableMap<Long, Snapshot> versions = read(model);
        if (versions.isEmpty()) {
            throw new SnapshotException("the models topic " + topic + " has no snapshot of model '" + model + "'");
        }
        if (version.isEmpty()) {
            return versions.lastEntry().getValue();
        }
        Snapshot snapshot = versions.get(version.getAsLong());
        if (snapshot == null) {
            throw new SnapshotException("the models topic " + topic + " has no version " + version.getAsLong()
                    + " of model '" + model + "'; it has " + describe(versions));
        }
        return snapshot;
    }

    private static String describe(NavigableMap<Long, Snapshot> versions) {
        return versions.size() <= 12 ? "versions " + versions.keySet()
                : versions.size() + " versions from " + versions.firstKey() + " to " + versions.lastKey();
    }
}
