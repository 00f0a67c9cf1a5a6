package io.streamtrain.topology;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.IntFunction;

import io.streamtrain.avro.ParamsChunk;
import io.streamtrain.avro.ParamsKind;
import io.streamtrain.contract.RejectionRule;
import io.streamtrain.learn.Learner;
import io.streamtrain.learn.NetworkSpec;
import io.streamtrain.learn.Rejection;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replica side of data-parallel training (a spec's {@code parallel}): each of a model's replicas trains on its
 * shard of the stream like any model, and exchanges parameters with the averaging step ({@link Averager}) in rounds.
 *
 * <p>A round: after {@code averageEverySteps} training steps (or {@code maxWaitMs} with fewer) a replica writes its
 * parameters to the params topic with the examples it trained on since its last contribution (none, and no
 * parameters, when it trained on none), in the transaction of the step. While the round is open it takes at most the
 * spec's {@code maxStaleSteps} more steps (0, the default: none; synchronous averaging), and it contributes again
 * only once the round's global version has come back. The averaging step waits for every
 * replica, combines the contributions (the spec's {@code combine}) and writes the result back to each. A replica
 * adopts it plus what it learned since it contributed: {@code global + (current - reference)}, where the reference is
 * the parameters it contributed (or, when it did not train, the global it adopted before); so nothing it learned is
 * dropped or counted twice. The adopted network is checkpointed in the transaction that read the global's last
 * chunk, so a restore never replays a step across an adoption, and a killed instance's round is finished by whoever
 * takes its task over: the contribution and the adoption are each committed once, with the input they came from.
 *
 * <p>Only the parameters are combined; each replica keeps its own optimizer state.
 */
final class Replicas {

    private static final Logger log = LoggerFactory.getLogger(Replicas.class);

    private final ProcessorContext<String, SpecificRecord> context;
    private final LearnerStore store;
    private final int chunkFloats;
    private final Consumer<ModelRuntime> checkpoint;
    private final LearnerMetrics metrics;

    Replicas(ProcessorContext<String, SpecificRecord> context, LearnerStore store, int chunkFloats,
            Consumer<ModelRuntime> checkpoint, LearnerMetrics metrics) {
        this.context = context;
        this.metrics = metrics;
        this.store = store;
        this.chunkFloats = chunkFloats;
        this.checkpoint = checkpoint;
    }

    /**
     * Makes {@code runtime} the replica {@code replica} names. A new replica's reference is the network it starts
     * from, global version 0: the same on every replica, since all are made from the same spec and seed.
     */
    void attach(ModelRuntime runtime, ReplicaSpecs.Replica replica, long now) {
        runtime.replicaOf = replica.model();
        runtime.replicaIndex = replica.index();
        runtime.parallel = replica.spec().parallel().orElseThrow();
        ModelState state = runtime.state;
        if (state.replica == null) {
            ReplicaState r = new ReplicaState();
            r.lastExchangeMs = now;
            r.stepsAtAdoption = runtime.learner.version();
            r.referenceChunks = store.putFloats(referenceKeys(runtime), runtime.learner.params(), chunkFloats, 0);
            state.replica = r;
            store.putMeta(runtime.model, state);
            log.info("model {}: replica {} of {} created, contributing every {} steps (or {} ms)", replica.model(),
                    replica.index(), runtime.parallel.replicas(), runtime.parallel.averageEverySteps(),
                    runtime.parallel.maxWaitMs());
        }
    }

    /** After a step of a replica that trained on {@code trained} labeled examples (0: it did not train). */
    void afterStep(ModelRuntime runtime, int trained, long now) {
        ReplicaState r = runtime.state.replica;
        if (trained > 0) {
            r.examplesSinceContribution += trained;
            r.stepsSinceContribution++;
        }
        contributeIfDue(runtime, now);
    }

    /**
     * Whether the replica's next step waits for the global version of the round its contribution is in: it has taken
     * the spec's {@code maxStaleSteps} since it contributed (0: synchronous averaging, it takes none), and the round
     * has been open less than {@code maxWaitMs}. Beyond that wait it goes on training (a replica whose instance died
     * holds the round up until its task is taken over), and the round's version is adopted when it comes, with all
     * the replica learned meanwhile. Its examples wait for the step, unpredicted, in the inbox.
     */
    boolean holds(ModelRuntime runtime, long now) {
        ReplicaState r = runtime.state.replica;
        return r.pending && r.stepsSinceContribution >= runtime.parallel.maxStaleSteps()
                && now - r.lastExchangeMs < runtime.parallel.maxWaitMs();
    }

    /**
     * Contributes to the next round when the replica has none in flight and has taken {@code averageEverySteps}
     * steps since its last, or {@code maxWaitMs} have passed since its last exchange; the caller saves the meta.
     *
     * @return whether it contributed
     */
    boolean contributeIfDue(ModelRuntime runtime, long now) {
        ReplicaState r = runtime.state.replica;
        NetworkSpec.Parallel parallel = runtime.parallel;
        if (r.pending || r.stepsSinceContribution < parallel.averageEverySteps()
                && now - r.lastExchangeMs < parallel.maxWaitMs()) {
            return false;
        }
        long weight = r.examplesSinceContribution;
        float[] params = weight > 0 ? runtime.learner.params() : new float[0];
        List<ByteBuffer> chunks = ParamsCodec.cut(params, chunkFloats);
        for (int c = 0; c < chunks.size(); c++) {
            ParamsChunk chunk = new ParamsChunk(ParamsKind.CONTRIBUTION, runtime.replicaOf, runtime.replicaIndex,
                    parallel.replicas(), r.globalVersion, weight, r.stepsSinceContribution, params.length, c,
                    chunks.size(), chunks.get(c), Instant.ofEpochMilli(now));
            // keyed by the model: every replica's contributions meet in one task of the averaging step
            context.forward(new Record<>(runtime.replicaOf, chunk, now));
        }
        if (weight > 0) {
            // what this contribution carries is in the next global: the replica's later changes are measured from it
            r.referenceChunks = store.putFloats(referenceKeys(runtime), params, chunkFloats, r.referenceChunks);
        }
        log.debug("model {}: replica {} contributed to round {}: {} examples in {} steps, {} floats in {} chunks",
                runtime.replicaOf, runtime.replicaIndex, r.globalVersion + 1, weight, r.stepsSinceContribution,
                params.length, chunks.size());
        metrics.recordContribution(runtime.model, 4L * params.length);
        r.pending = true;
        // the averaging step reads the contribution once it is committed; the round waits for it until then
        context.commit();
        r.examplesSinceContribution = 0;
        r.stepsSinceContribution = 0;
        r.lastExchangeMs = now;
        return true;
    }

    /**
     * A chunk of a global version for this replica: kept in the store until the version's last chunk has come, then
     * adopted, checkpointed and the meta saved. A round in which no replica trained carries no parameters and only
     * closes the round. A round that waits for a replica whose shard has had no record yet makes it
     * ({@link ParamsKind#ROUND_OPEN}): it contributes within its {@code maxWaitMs}.
     *
     * @return why the record cannot be used (the replica is unchanged), or null
     */
    Rejection onGlobal(ModelRuntime runtime, ParamsChunk global, long now) {
        ReplicaState r = runtime.state.replica;
        long version = global.getRound();
        if (global.getKind() == ParamsKind.ROUND_OPEN) {
            // the runtime exists now (made for this record): it contributes when its maxWaitMs is up
            return null;
        }
        if (global.getTotalFloats() == 0) {
            if (version != r.globalVersion || !r.pending) {
                return new Rejection("round", RejectionRule.PARAMS_RECORD.code(), "a round without parameters on "
                        + "global version " + version + " closes nothing here: replica " + runtime.replicaIndex
                        + " holds version " + r.globalVersion + (r.pending ? " and waits for the next"
                                : " with no contribution in flight"));
            }
            r.pending = false;
            r.lastExchangeMs = now;
            runtime.saveWithScore(store);
            return null;
        }
        if (version <= r.globalVersion) {
            // at-least-once processing delivers a version twice; exactly-once never
            return new Rejection("round", RejectionRule.PARAMS_RECORD.code(), "replica " + runtime.replicaIndex
                    + " adopted global version " + r.globalVersion + " already; this is version " + version);
        }
        if (r.incomingVersion != version) {
            // a version whose chunks did not all come (never under exactly-once) is dropped for this one
            dropIncoming(runtime);
        }
        if (global.getChunks() == 1) {
            // the whole version in this record: adopted from it, nothing kept
            if (global.getData().remaining() != 4 * global.getTotalFloats()) {
                return new Rejection("data", RejectionRule.PARAMS_RECORD.code(), "global version " + version
                        + " in one chunk of " + global.getData().remaining() + " bytes, not " + global.getTotalFloats()
                        + " floats");
            }
            adopt(runtime, ParamsCodec.join(List.of(global.getData()), global.getTotalFloats()), version, now);
            runtime.saveWithScore(store);
            return null;
        }
        r.incomingVersion = version;
        String key = StateKeys.incomingChunk(runtime.model, global.getChunk());
        if (!store.has(key)) {
            ByteBuffer data = global.getData();
            byte[] bytes = new byte[data.remaining()];
            data.duplicate().get(bytes);
            store.put(key, bytes);
            r.incomingReceived++;
        }
        if (r.incomingReceived < global.getChunks()) {
            store.putMeta(runtime.model, runtime.state);
            return null;
        }
        float[] params;
        try {
            params = store.readFloats(incomingKeys(runtime), global.getTotalFloats(), global.getChunks());
        } catch (IllegalArgumentException | IllegalStateException e) {
            dropIncoming(runtime);
            store.putMeta(runtime.model, runtime.state);
            return new Rejection("chunks", RejectionRule.PARAMS_RECORD.code(), "the " + global.getChunks()
                    + " chunks of global version " + version + " do not make one vector of "
                    + global.getTotalFloats() + " floats: " + e.getMessage());
        }
        adopt(runtime, params, version, now);
        dropIncoming(runtime);
        runtime.saveWithScore(store);
        return null;
    }

    /** Deletes the chunks of an incoming version from the store. */
    private void dropIncoming(ModelRuntime runtime) {
        ReplicaState r = runtime.state.replica;
        for (int c = 0; c < r.incomingReceived; c++) {
            store.delete(StateKeys.incomingChunk(runtime.model, c));
        }
        r.incomingVersion = -1;
        r.incomingReceived = 0;
    }

    /** Adopts a global version and checkpoints the network; the caller saves the meta. */
    private void adopt(ModelRuntime runtime, float[] global, long version, long now) {
        ReplicaState r = runtime.state.replica;
        // from its contribution (the round's last exchange) to now
        long roundTripMs = now - r.lastExchangeMs;
        Learner learner = runtime.learner;
        float[] current = learner.params();
        if (current.length != global.length) {
            throw new IllegalStateException("global version " + version + " of model " + runtime.replicaOf + " has "
                    + global.length + " parameters, but replica " + runtime.replicaIndex + "'s network has "
                    + current.length);
        }
        float[] reference = store.readFloats(referenceKeys(runtime), current.length, r.referenceChunks);
        for (int i = 0; i < current.length; i++) {
            // exact where the global is what this replica contributed (it alone trained): its value stays as it is
            if (global[i] != reference[i]) {
                current[i] = global[i] + (current[i] - reference[i]);
            }
        }
        learner.setParams(current);
        r.referenceChunks = store.putFloats(referenceKeys(runtime), global, chunkFloats, r.referenceChunks);
        long localSteps = r.stepsSinceContribution;
        r.globalVersion = version;
        r.stepsAtAdoption = learner.version();
        r.pending = false;
        r.lastExchangeMs = now;
        metrics.recordAdoption(runtime.model, version, 4L * global.length, roundTripMs);
        checkpoint.accept(runtime);
        log.debug("model {}: replica {} adopted global version {} ({} local steps since its contribution kept)",
                runtime.replicaOf, runtime.replicaIndex, version, localSteps);
    }

    private static IntFunction<String> referenceKeys(ModelRuntime runtime) {
        return c -> StateKeys.referenceChunk(runtime.model, c);
    }

    private static IntFunction<String> incomingKeys(ModelRuntime runtime) {
        return c -> StateKeys.incomingChunk(runtime.model, c);
    }
}
