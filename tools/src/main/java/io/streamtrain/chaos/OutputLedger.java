package io.streamtrain.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import io.streamtrain.avro.ChampionSwitch;
import io.streamtrain.avro.ContenderScore;
import io.streamtrain.avro.DriftEvent;
import io.streamtrain.avro.ModelSnapshot;
import io.streamtrain.avro.Prediction;
import io.streamtrain.avro.TrainingMetrics;
import io.streamtrain.contract.ReplicaKey;
import io.streamtrain.registry.ConfluentAvroSerde;
import io.streamtrain.snapshot.SnapshotKey;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * What the learner has committed, as a user reads it (read_committed, from the start): its predictions, its
 * TrainingMetrics windows, its rejected records and its models' snapshots, tallied per model as they arrive.
 *
 * <p>A model trained by several replicas is tallied per replica too, under the key of its state,
 * {@code <model>#<shard>} ({@link ReplicaKey}): its TrainingMetrics windows, drift events and changes of lead name
 * the replica, and its predictions, which name the model, are counted under the replica their example id's shard
 * gives. Its snapshots on the models topic, the averaged versions, are the model's.
 */
final class OutputLedger implements AutoCloseable {

    /** One model's committed output. */
    static final class ModelOutput {
        long predictions;
        final Set<String> predictedIds = new HashSet<>();
        long windows;
        long sumExamples;
        long sumLabeled;
        long sumTrained;
        long sumDuplicates;
        long sumLateLabels;
        long sumErrors;
        /** examplesTrained of the last window (by offset): the model's count when it was written. */
        long lastExamplesTrained = -1;
        long lastVersion = -1;
        /** replayKept and replayOffered of the last window; null for a model that does not replay. */
        Long lastReplayKept;
        Long lastReplayOffered;
        Double lastPrequentialAccuracy;
        /** The snapshot chunks on the models topic, by version: each key's records, in order (null: a tombstone). */
        final Map<Long, Map<Integer, List<ModelSnapshot>>> snapshotChunks = new TreeMap<>();
        final Set<Long> tombstonedVersions = new TreeSet<>();
        /** The drift events on the events topic, in order. */
        final List<DriftEvent> drifts = new ArrayList<>();
        /** The changes of the race's lead on the champions topic, in order. */
        final List<ChampionSwitch> switches = new ArrayList<>();
        /** Predictions made with the example's label known, so scored when made (their loss is set). */
        long predictionsScored;
        /** Predictions that say which learner of the race made them, by that learner. */
        final Map<String, Long> servedBy = new TreeMap<>();
        /** The race's contenders in the last metrics window; null when no baselines race. */
        List<ContenderScore> lastContenders;
        /** A model on several replicas: its predictions without a globalVersion or a localSteps. */
        long replicaFieldsMissing;
        /** A model on one: its predictions with a globalVersion or a localSteps. */
        long replicaFieldsUnexpected;
        /** Its predictions with localSteps below 0. */
        long negativeLocalSteps;
        /** The highest globalVersion among its predictions; -1 before one has one. */
        long maxGlobalVersion = -1;
        /** One replica (a key {@code <model>#<shard>}): its last prediction's globalVersion, in commit order. */
        long lastGlobalVersion = -1;
        /** One replica: its predictions whose globalVersion is below the one of a prediction committed before. */
        final List<String> globalVersionRegressions = new ArrayList<>();
        /** The snapshot chunks of the models topic, in the order read (tombstones left out). */
        final List<ModelSnapshot> snapshotsInOrder = new ArrayList<>();
    }

    private final String predictionsTopic;
    private final String metricsTopic;
    private final String errorsTopic;
    private final String modelsTopic;
    private final String eventsTopic;
    private final String championsTopic;
    private final Deserializer<ChampionSwitch> championSwitches;
    private final Deserializer<DriftEvent> driftEvents;
    private final Deserializer<ModelSnapshot> snapshots;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Deserializer<Prediction> predictions;
    private final Deserializer<TrainingMetrics> metrics;
    private final Map<String, ModelOutput> models = new HashMap<>();
    private final Set<String> predictedIds = new HashSet<>();
    private final List<String> duplicatePredictions = new ArrayList<>();
    /** Predictions by the model they name; then those whose record key is not that name. */
    private final Map<String, Long> predictionsNaming = new TreeMap<>();
    private final List<String> predictionKeyMismatches = new ArrayList<>();
    private final int replicas;
    private long errorRecords;
    private long unreadableSnapshotKeys;

    OutputLedger(String bootstrapServers, String registryUrl, String prefix) {
        this(bootstrapServers, registryUrl, prefix, 1);
    }

    /** @param replicas the replicas each model is trained by (its spec's {@code parallel.replicas}) */
    OutputLedger(String bootstrapServers, String registryUrl, String prefix, int replicas) {
        this.replicas = replicas;
        this.predictionsTopic = prefix + ".predictions";
        this.metricsTopic = prefix + ".metrics";
        this.errorsTopic = prefix + ".errors";
        this.modelsTopic = prefix + ".models";
        this.eventsTopic = prefix + ".events";
        this.championsTopic = prefix + ".champions";
        Map<String, Object> registry = Map.of("schema.registry.url", registryUrl);
        this.predictions = ConfluentAvroSerde.specific(Prediction.class, registry, false).deserializer();
        this.metrics = ConfluentAvroSerde.specific(TrainingMetrics.class, registry, false).deserializer();
        this.snapshots = ConfluentAvroSerde.specific(ModelSnapshot.class, registry, false).deserializer();
        this.driftEvents = ConfluentAvroSerde.specific(DriftEvent.class, registry, false).deserializer();
        this.championSwitches = ConfluentAvroSerde.specific(ChampionSwitch.class, registry, false).deserializer();
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000),
                new StringDeserializer(), new ByteArrayDeserializer());
        assignFromStart(consumer, List.of(predictionsTopic, metricsTopic, errorsTopic, modelsTopic, eventsTopic,
                championsTopic));
    }

    /** Reads what arrives within {@code time}. */
    void poll(Duration time) {
        long deadline = System.nanoTime() + time.toNanos();
        do {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                add(record);
            }
        } while (System.nanoTime() < deadline);
    }

    private void add(ConsumerRecord<String, byte[]> record) {
        String topic = record.topic();
        if (topic.equals(predictionsTopic)) {
            Prediction p = predictions.deserialize(topic, record.headers(), record.value());
            predictionsNaming.merge(p.getModel(), 1L, Long::sum);
            if (!p.getModel().equals(record.key())) {
                predictionKeyMismatches.add(p.getExampleId() + " keyed '" + record.key() + "', model '" + p.getModel()
                        + "'");
            }
            ModelOutput named = model(p.getModel());
            ModelOutput m = model(ReplicaKey.of(p.getModel(), p.getExampleId(), replicas));
            if (replicas > 1) {
                Long global = p.getGlobalVersion();
                if (global == null || p.getLocalSteps() == null) {
                    named.replicaFieldsMissing++;
                } else {
                    named.maxGlobalVersion = Math.max(named.maxGlobalVersion, global);
                    if (p.getLocalSteps() < 0) {
                        named.negativeLocalSteps++;
                    }
                    if (global < m.lastGlobalVersion) {
                        m.globalVersionRegressions.add(p.getExampleId() + " at global version " + global + " after "
                                + m.lastGlobalVersion);
                    }
                    m.lastGlobalVersion = global;
                }
            } else if (p.getGlobalVersion() != null || p.getLocalSteps() != null) {
                named.replicaFieldsUnexpected++;
            }
            m.predictions++;
            m.predictedIds.add(p.getExampleId());
            if (p.getLoss() != null) {
                m.predictionsScored++;
            }
            if (p.getServedBy() != null) {
                m.servedBy.merge(p.getServedBy(), 1L, Long::sum);
            }
            if (!predictedIds.add(p.getExampleId())) {
                duplicatePredictions.add(p.getExampleId());
            }
        } else if (topic.equals(metricsTopic)) {
            TrainingMetrics w = metrics.deserialize(topic, record.headers(), record.value());
            ModelOutput m = model(w.getModel());
            m.windows++;
            m.sumExamples += w.getExamples();
            m.sumLabeled += w.getLabeled();
            m.sumTrained += w.getTrained();
            m.sumDuplicates += w.getDuplicates();
            m.sumLateLabels += w.getLateLabels();
            m.sumErrors += w.getErrors();
            m.lastExamplesTrained = w.getExamplesTrained();
            m.lastVersion = w.getModelVersion();
            m.lastReplayKept = w.getReplayKept();
            m.lastReplayOffered = w.getReplayOffered();
            m.lastPrequentialAccuracy = w.getPrequentialAccuracy();
            m.lastContenders = w.getContenders();
        } else if (topic.equals(errorsTopic)) {
            errorRecords++;
        } else if (topic.equals(championsTopic)) {
            ChampionSwitch change = championSwitches.deserialize(topic, record.headers(), record.value());
            model(change.getModel()).switches.add(change);
        } else if (topic.equals(eventsTopic)) {
            DriftEvent event = driftEvents.deserialize(topic, record.headers(), record.value());
            model(event.getModel()).drifts.add(event);
        } else if (topic.equals(modelsTopic)) {
            SnapshotKey key = SnapshotKey.parse(record.key());
            if (key == null) {
                unreadableSnapshotKeys++;
                return;
            }
            ModelOutput m = model(key.model());
            ModelSnapshot chunk = snapshots.deserialize(topic, record.headers(), record.value());
            if (chunk == null) {
                m.tombstonedVersions.add(key.version());
            } else {
                m.snapshotsInOrder.add(chunk);
            }
            m.snapshotChunks.computeIfAbsent(key.version(), v -> new TreeMap<>())
                    .computeIfAbsent(key.chunk(), c -> new ArrayList<>()).add(chunk);
        }
    }

    /**
     * Assigns every partition of the topics, from the start. Not a subscription: a consumer group that never commits
     * would, on the rebalance that a broker restart causes, start again from the earliest offsets and count
     * everything twice.
     */
    static void assignFromStart(KafkaConsumer<?, ?> consumer, List<String> topics) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
            if (infos == null || infos.isEmpty()) {
                throw new IllegalStateException("topic " + topic + " does not exist");
            }
            infos.forEach(i -> partitions.add(new TopicPartition(i.topic(), i.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    ModelOutput model(String model) {
        return models.computeIfAbsent(model, k -> new ModelOutput());
    }

    Set<String> predictedIds() {
        return predictedIds;
    }

    List<String> duplicatePredictions() {
        return duplicatePredictions;
    }

    /** Committed predictions by the model id they name. */
    Map<String, Long> predictionsNaming() {
        return predictionsNaming;
    }

    /** Predictions whose record key is not the model id they name. */
    List<String> predictionKeyMismatches() {
        return predictionKeyMismatches;
    }

    /** The highest version of {@code model} written (not only tombstoned) on the models topic so far; 0 if none. */
    long lastSnapshotVersion(String model) {
        ModelOutput m = models.get(model);
        return m == null || m.snapshotsInOrder.isEmpty() ? 0
                : m.snapshotsInOrder.stream().mapToLong(ModelSnapshot::getVersion).max().orElse(0);
    }

    long predictionRecords() {
        return models.values().stream().mapToLong(m -> m.predictions).sum();
    }

    long errorRecords() {
        return errorRecords;
    }

    /** Records on the models topic whose key is not a snapshot's. */
    long unreadableSnapshotKeys() {
        return unreadableSnapshotKeys;
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
        predictions.close();
        metrics.close();
        snapshots.close();
        driftEvents.close();
    }
}
