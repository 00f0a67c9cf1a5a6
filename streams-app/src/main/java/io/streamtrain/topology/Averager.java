package io.streamtrain.topology;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.streamtrain.avro.ParamsChunk;
import io.streamtrain.avro.ParamsKind;
import io.streamtrain.contract.RecordLimits;
import io.streamtrain.contract.RejectionRule;
import io.streamtrain.contract.ReplicaKey;
import io.streamtrain.learn.Learner;
import io.streamtrain.learn.NetworkSpec;
import io.streamtrain.learn.PrequentialScore;
import io.streamtrain.learn.Rejection;
import io.streamtrain.learn.RoundCombiner;
import io.streamtrain.registry.WireFormatException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The averaging step of data-parallel training ({@link Replicas}): reads the replicas' contributions from the params
 * topic, keyed by model id so that one task sees all of a model's, and keeps them in its changelogged store. When
 * every replica has contributed to a round, the round's global version is made from them and the last one as the
 * spec's {@code combine}, {@code serverRate} and {@code serverMomentum} say ({@link RoundCombiner}), the momentum's
 * velocity kept in the store. Replicas that trained on none add nothing. It goes back to each replica on the global
 * topic and, as version {@code N} of the model, to the models topic as a snapshot (for export, serving and warm
 * starts). A round in which no replica trained only closes the round. All of it happens in the transaction that read
 * the round's last chunk: a round is averaged and published once.
 *
 * <p>Rounds in lockstep: a replica contributes again only after it adopted the last global, so each round has
 * exactly one contribution from each replica (how far a replica trains on meanwhile is its {@code maxStaleSteps}).
 * The contributions are combined in replica order, so a round's result does not depend on the order they came in.
 * The last global version is kept in the store.
 */
final class Averager implements Processor<String, byte[], String, SpecificRecord> {

    private static final Logger log = LoggerFactory.getLogger(Averager.class);
    private static final char SEP = '\u0000';
    private static final int FORMAT = 2;
    /** Store tags of the last global version's chunks and of the server momentum's velocity. */
    private static final char GLOBAL = 'g';
    private static final char VELOCITY = 'v';

    private final LearnerSettings settings;
    private final Map<String, Learner> exporters = new HashMap<>();
    private ProcessorContext<String, SpecificRecord> context;
    private KeyValueStore<String, byte[]> store;
    private SnapshotPublisher snapshots;
    private int chunkFloats;
    private Deserializer<ParamsChunk> deserializer;
    private Rejections rejections;
    private String paramsTopic;

    Averager(LearnerSettings settings) {
        this.settings = settings;
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        this.store = context.getStateStore(LearnerSettings.AVERAGER_STORE);
        RecordBudget budget = new RecordBudget(settings.maxRecordBytes());
        this.chunkFloats = budget.checkpointChunkBytes() / 4;
        this.snapshots = new SnapshotPublisher(context, null, 0, settings.snapshotKeep(),
                budget.checkpointChunkBytes());
        this.paramsTopic = settings.topics().params().name();
        this.deserializer = settings.topics().params().valueSerde().deserializer();
        this.rejections = Rejections.forServing(context, budget);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        ParamsChunk c;
        try {
            c = deserializer.deserialize(paramsTopic, record.headers(), record.value());
        } catch (WireFormatException e) {
            rejections.reject(record, null, new Rejection("value", RejectionRule.UNDECODABLE.code(), e.getMessage()));
            return;
        }
        String model = record.key();
        Rejection problem = problem(model, c);
        if (problem != null) {
            // the learner writes none of these: another writer, or a spec changed under a round in flight
            rejections.reject(record, null, problem);
            return;
        }
        if (c.getTotalFloats() != 0 && c.getTotalFloats() != exporter(model).numParams()
                || c.getData().remaining() % 4 != 0 || c.getData().remaining() / 4 > c.getTotalFloats()
                || (c.getTotalFloats() == 0 ? c.getChunks() != 1 : c.getChunks() > c.getTotalFloats())) {
            rejections.reject(record, null, new Rejection("totalFloats", RejectionRule.PARAMS_RECORD.code(), "model '"
                    + Rejections.abbreviate(model) + "' has " + exporter(model).numParams() + " parameters; this "
                    + "contribution says " + c.getTotalFloats() + " and carries " + c.getData().remaining()
                    + " bytes in chunk " + c.getChunk() + " of " + c.getChunks()));
            return;
        }
        int nonFinite = ParamsCodec.firstNonFinite(c.getData());
        if (nonFinite >= 0) {
            rejections.reject(record, null, new Rejection("data", RejectionRule.PARAMS_RECORD.code(), "model '"
                    + Rejections.abbreviate(model) + "': chunk " + c.getChunk() + " of replica " + c.getReplica()
                    + "'s contribution has a NaN or an infinity at " + nonFinite + " (a replica's training steps "
                    + "never leave its network so)"));
            return;
        }
        int replicas = c.getReplicas();
        Round round = load(model);
        if (round == null || round.replicas != replicas) {
            if (round != null) {
                log.warn("model {}: now on {} replicas (was {}): the open round starts over", model, replicas,
                        round.replicas);
                deleteContributions(model, round);
            }
            Round previous = round;
            round = new Round(replicas, round == null ? 0 : round.version, round == null ? 0 : round.examplesTotal,
                    round == null ? new ArrayList<>() : round.snapshots);
            round.globalChunks = previous == null ? 0 : previous.globalChunks;
        }
        int i = c.getReplica();
        if (c.getRound() != round.version) {
            // a spec whose replica count changed under a round in flight; never otherwise
            rejections.reject(record, null, new Rejection("round", RejectionRule.PARAMS_RECORD.code(), "model '"
                    + Rejections.abbreviate(model) + "': replica " + i + " contributes on global version "
                    + c.getRound() + ", but the open round is on version " + round.version));
            return;
        }
        if (round.complete[i]) {
            rejections.reject(record, null, new Rejection("replica", RejectionRule.PARAMS_RECORD.code(), "model '"
                    + Rejections.abbreviate(model) + "': replica " + i + "'s contribution on global version "
                    + round.version + " is in already"));
            return;
        }
        if (c.getTotalFloats() > 0) {
            String key = chunkKey(model, i, c.getChunk());
            if (store.get(key) == null) {
                ByteBuffer data = c.getData();
                byte[] bytes = new byte[data.remaining()];
                data.duplicate().get(bytes);
                store.put(key, bytes);
                round.received[i]++;
            }
        }
        if (c.getTotalFloats() > 0 && round.received[i] == c.getChunks()
                && storedFloats(model, i, c.getChunks()) != c.getTotalFloats()) {
            // chunks that are not one vector: the contribution is dropped, and the replica's next one is taken
            rejections.reject(record, null, new Rejection("chunks", RejectionRule.PARAMS_RECORD.code(), "model '"
                    + Rejections.abbreviate(model) + "': the " + c.getChunks() + " chunks of replica " + i
                    + "'s contribution do not make one vector of " + c.getTotalFloats() + " floats"));
            for (int k = 0; k < Math.max(round.received[i], c.getChunks()); k++) {
                store.delete(chunkKey(model, i, k));
            }
            round.received[i] = 0;
            store.put(metaKey(model), round.toBytes());
            return;
        }
        if (c.getTotalFloats() == 0 || round.received[i] == c.getChunks()) {
            if (!round.seen[i]) {
                round.seen[i] = true;
                openRound(model, round, context.currentSystemTimeMs());
            }
            round.complete[i] = true;
            round.examples[i] = c.getTotalFloats() == 0 ? 0 : c.getExamples();
            round.steps[i] = c.getSteps();
            round.floats[i] = c.getTotalFloats();
            round.chunks[i] = c.getTotalFloats() == 0 ? 0 : c.getChunks();
        }
        boolean all = true;
        for (boolean done : round.complete) {
            all &= done;
        }
        if (all) {
            finish(model, round, context.currentSystemTimeMs());
        }
        store.put(metaKey(model), round.toBytes());
    }

    /** What is wrong with a record of the params topic, or null. */
    private Rejection problem(String model, ParamsChunk c) {
        if (c == null) {
            return new Rejection("value", RejectionRule.NULL_VALUE.code(), "a record of the params topic must have "
                    + "a value");
        }
        if (c.getKind() != ParamsKind.CONTRIBUTION) {
            return new Rejection("kind", RejectionRule.PARAMS_RECORD.code(), "the params topic carries "
                    + "CONTRIBUTION records, not " + c.getKind());
        }
        if (!c.getModel().equals(model)) {
            return new Rejection("key", RejectionRule.KEY_MODEL_MISMATCH.code(), "a contribution to model '"
                    + Rejections.abbreviate(c.getModel()) + "' must be keyed by its id, was "
                    + (model == null ? "null" : "'" + Rejections.abbreviate(model) + "'"));
        }
        NetworkSpec spec = RecordLimits.isValidModelId(model) ? settings.specs().apply(model) : null;
        if (spec == null || spec.replicas() != c.getReplicas()) {
            return new Rejection("replicas", RejectionRule.PARAMS_RECORD.code(), "model '"
                    + Rejections.abbreviate(model) + "' is trained by " + (spec == null ? "no spec here"
                    : spec.replicas() + " replica(s) here") + ", the contribution says " + c.getReplicas());
        }
        if (c.getReplica() < 0 || c.getReplica() >= c.getReplicas() || c.getChunk() < 0
                || c.getChunk() >= c.getChunks() || c.getTotalFloats() < 0 || c.getExamples() < 0
                || c.getExamples() > Integer.MAX_VALUE || c.getSteps() < 0) {
            return new Rejection("replica", RejectionRule.PARAMS_RECORD.code(), "model '"
                    + Rejections.abbreviate(model) + "': replica " + c.getReplica() + " of " + c.getReplicas()
                    + ", chunk " + c.getChunk() + " of " + c.getChunks() + ", " + c.getTotalFloats() + " floats, "
                    + c.getExamples() + " examples: out of range");
        }
        return null;
    }

    /** Averages a round every replica contributed to, sends it back and publishes it; the round is then reset. */
    private void finish(String model, Round round, long now) {
        long weight = 0;
        long steps = 0;
        int floats = 0;
        for (int i = 0; i < round.replicas; i++) {
            weight += round.examples[i];
            steps += round.steps[i];
            if (round.examples[i] > 0) {
                floats = round.floats[i];
            }
        }
        if (weight == 0) {
            // no replica trained: nothing to average, the round closes
            send(model, round, new float[0], round.version, 0, 0, now);
            round.reset();
            return;
        }
        NetworkSpec.Parallel parallel = settings.specs().apply(model).parallel().orElseThrow();
        RoundCombiner combiner = new RoundCombiner(parallel,
                RoundCombiner.needsLast(parallel) ? lastGlobal(model, round, floats) : null, weight, floats);
        for (int i = 0; i < round.replicas; i++) {
            if (round.examples[i] > 0) {
                combiner.add(read(model, i, round.floats[i], round.chunks[i]), round.examples[i]);
            }
        }
        float[] velocity = null;
        if (parallel.serverMomentum() > 0) {
            velocity = round.momentumChunks == 0 ? new float[floats]
                    : readVector(model, VELOCITY, round.momentumChunks, floats);
        }
        float[] global = combiner.result(velocity);
        // the velocity goes with the momentum (and starts from zero if the spec gives it back)
        round.momentumChunks = writeVector(model, VELOCITY, velocity == null ? new float[0] : velocity,
                round.momentumChunks);
        // kept whatever the combine: a spec may change it (or the rate) between rounds
        round.globalChunks = writeVector(model, GLOBAL, global, round.globalChunks);
        long version = round.version + 1;
        send(model, round, global, version, weight, steps, now);
        round.examplesTotal += weight;
        Learner exporter = exporter(model);
        exporter.setParams(global);
        snapshots.publish(model, exporter, version, round.examplesTotal, new PrequentialScore(), round.snapshots, -1,
                SnapshotPublisher.AVERAGED, now);
        log.debug("model {}: global version {} averaged from {} examples in {} steps of {} replicas", model, version,
                weight, steps, round.replicas);
        deleteContributions(model, round);
        round.version = version;
        round.reset();
        // the replicas wait for this version (at most maxStaleSteps more steps): it is readable once committed
        context.commit();
    }

    /**
     * Tells each replica that has never contributed that a round waits for it: a replica whose shard has had no
     * record has no runtime to contribute from, and this record makes one.
     */
    private void openRound(String model, Round round, long now) {
        for (int r = 0; r < round.replicas; r++) {
            if (!round.seen[r] && !round.opened[r]) {
                round.opened[r] = true;
                context.forward(new Record<>(ReplicaKey.shardKey(model, r), new ParamsChunk(ParamsKind.ROUND_OPEN,
                        model, r, round.replicas, round.version, 0L, 0L, 0, 0, 1, ByteBuffer.allocate(0),
                        Instant.ofEpochMilli(now)), now));
            }
        }
    }

    /**
     * The last global version's parameters: as this store keeps them, or (version 0) the network every replica
     * starts from, made from the same spec and seed.
     */
    private float[] lastGlobal(String model, Round round, int floats) {
        if (round.globalChunks == 0) {
            if (round.version != 0) {
                throw new IllegalStateException("model " + model + ": global version " + round.version
                        + " is not in the averaging store");
            }
            try (Learner initial = Learner.create(settings.specs().apply(model))) {
                return initial.params();
            }
        }
        return readVector(model, GLOBAL, round.globalChunks, floats);
    }

    /** A vector kept in the store under {@code tag} in {@code chunks} chunks. */
    private float[] readVector(String model, char tag, int chunks, int floats) {
        List<ByteBuffer> parts = new ArrayList<>(chunks);
        for (int c = 0; c < chunks; c++) {
            parts.add(ByteBuffer.wrap(store.get(vectorKey(model, tag, c))));
        }
        return ParamsCodec.join(parts, floats);
    }

    /** Keeps {@code values} under {@code tag} in chunks, deleting those of an older one beyond; the chunks written. */
    private int writeVector(String model, char tag, float[] values, int oldChunks) {
        List<ByteBuffer> chunks = values.length == 0 ? List.of() : ParamsCodec.cut(values, chunkFloats);
        for (int c = 0; c < chunks.size(); c++) {
            store.put(vectorKey(model, tag, c), chunks.get(c).array());
        }
        for (int c = chunks.size(); c < oldChunks; c++) {
            store.delete(vectorKey(model, tag, c));
        }
        return chunks.size();
    }

    private static String vectorKey(String model, char tag, int chunk) {
        return model + SEP + tag + SEP + Integer.toHexString(chunk);
    }

    /** The network the model's averaged versions are published from; its parameters are set before each. */
    private Learner exporter(String model) {
        return exporters.computeIfAbsent(model, m -> Learner.create(settings.specs().apply(m)));
    }

    /** The global version to every replica, keyed so that it lands in the partition of the replica's examples. */
    private void send(String model, Round round, float[] global, long version, long weight, long steps, long now) {
        List<ByteBuffer> chunks = ParamsCodec.cut(global, chunkFloats);
        for (int r = 0; r < round.replicas; r++) {
            for (int c = 0; c < chunks.size(); c++) {
                ParamsChunk chunk = new ParamsChunk(ParamsKind.GLOBAL, model, r, round.replicas, version, weight, steps,
                        global.length, c, chunks.size(), chunks.get(c).duplicate(), Instant.ofEpochMilli(now));
                context.forward(new Record<>(ReplicaKey.shardKey(model, r), chunk, now));
            }
        }
    }

    /** How many floats chunks 0 to {@code chunks - 1} of a contribution hold; -1 when one is missing. */
    private long storedFloats(String model, int replica, int chunks) {
        long floats = 0;
        for (int c = 0; c < chunks; c++) {
            byte[] bytes = store.get(chunkKey(model, replica, c));
            if (bytes == null) {
                return -1;
            }
            floats += bytes.length / 4;
        }
        return floats;
    }

    private float[] read(String model, int replica, int floats, int chunks) {
        List<ByteBuffer> parts = new ArrayList<>(chunks);
        for (int c = 0; c < chunks; c++) {
            byte[] bytes = store.get(chunkKey(model, replica, c));
            if (bytes == null) {
                throw new IllegalStateException("model " + model + ": chunk " + c + " of replica " + replica
                        + "'s contribution is missing from the averaging store");
            }
            parts.add(ByteBuffer.wrap(bytes));
        }
        return ParamsCodec.join(parts, floats);
    }

    private void deleteContributions(String model, Round round) {
        for (int i = 0; i < round.replicas; i++) {
            for (int c = 0; c < Math.max(round.received[i], round.chunks[i]); c++) {
                store.delete(chunkKey(model, i, c));
            }
        }
    }

    private Round load(String model) {
        byte[] bytes = store.get(metaKey(model));
        return bytes == null ? null : Round.fromBytes(bytes);
    }

    private static String metaKey(String model) {
        return model + SEP + 'm';
    }

    private static String chunkKey(String model, int replica, int chunk) {
        return model + SEP + 'c' + SEP + Integer.toHexString(replica) + SEP + Integer.toHexString(chunk);
    }

    @Override
    public void close() {
        exporters.values().forEach(Learner::close);
        exporters.clear();
    }

    /** A model's open round, its global version, and its snapshots on the models topic. */
    static final class Round {
        final int replicas;
        long version;
        long examplesTotal;
        /** Chunks of the last global version in the store; 0 before the first. */
        int globalChunks;
        /** Chunks of the server momentum's velocity in the store; 0 without one. */
        int momentumChunks;
        final List<ModelState.Published> snapshots;
        final boolean[] complete;
        final long[] examples;
        final long[] steps;
        final int[] floats;
        final int[] chunks;
        final int[] received;
        /** Replicas that have contributed at least once, and those told of a round before they had. */
        final boolean[] seen;
        final boolean[] opened;

        Round(int replicas, long version, long examplesTotal, List<ModelState.Published> snapshots) {
            this.replicas = replicas;
            this.version = version;
            this.examplesTotal = examplesTotal;
            this.snapshots = snapshots;
            this.complete = new boolean[replicas];
            this.examples = new long[replicas];
            this.steps = new long[replicas];
            this.floats = new int[replicas];
            this.chunks = new int[replicas];
            this.received = new int[replicas];
            this.seen = new boolean[replicas];
            this.opened = new boolean[replicas];
        }

        void reset() {
            Arrays.fill(complete, false);
            Arrays.fill(examples, 0);
            Arrays.fill(steps, 0);
            Arrays.fill(floats, 0);
            Arrays.fill(chunks, 0);
            Arrays.fill(received, 0);
        }

        byte[] toBytes() {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + 40 * replicas);
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                out.writeInt(FORMAT);
                out.writeInt(replicas);
                out.writeLong(version);
                out.writeLong(examplesTotal);
                out.writeInt(globalChunks);
                out.writeInt(momentumChunks);
                out.writeInt(snapshots.size());
                for (ModelState.Published p : snapshots) {
                    out.writeLong(p.version());
                    out.writeInt(p.chunks());
                }
                for (int i = 0; i < replicas; i++) {
                    out.writeBoolean(complete[i]);
                    out.writeLong(examples[i]);
                    out.writeLong(steps[i]);
                    out.writeInt(floats[i]);
                    out.writeInt(chunks[i]);
                    out.writeInt(received[i]);
                    out.writeBoolean(seen[i]);
                    out.writeBoolean(opened[i]);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return bytes.toByteArray();
        }

        static Round fromBytes(byte[] data) {
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
                int format = in.readInt();
                if (format != FORMAT && format != 1) {
                    throw new IllegalStateException("averaging state format " + format + " is not supported");
                }
                int replicas = in.readInt();
                long version = in.readLong();
                long examplesTotal = in.readLong();
                int globalChunks = in.readInt();
                // format 1 had no server momentum
                int momentumChunks = format == 1 ? 0 : in.readInt();
                int n = in.readInt();
                List<ModelState.Published> snapshots = new ArrayList<>(n);
                for (int k = 0; k < n; k++) {
                    snapshots.add(new ModelState.Published(in.readLong(), in.readInt()));
                }
                Round r = new Round(replicas, version, examplesTotal, snapshots);
                r.globalChunks = globalChunks;
                r.momentumChunks = momentumChunks;
                for (int i = 0; i < replicas; i++) {
                    r.complete[i] = in.readBoolean();
                    r.examples[i] = in.readLong();
                    r.steps[i] = in.readLong();
                    r.floats[i] = in.readInt();
                    r.chunks[i] = in.readInt();
                    r.received[i] = in.readInt();
                    r.seen[i] = in.readBoolean();
                    r.opened[i] = in.readBoolean();
                }
                return r;
            } catch (IOException e) {
                throw new UncheckedIOException("corrupt averaging state", e);
            }
        }
    }
}
