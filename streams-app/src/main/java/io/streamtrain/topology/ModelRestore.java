package io.streamtrain.topology;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongSupplier;

import io.streamtrain.learn.CheckpointException;
import io.streamtrain.learn.Learner;
import io.streamtrain.learn.NetworkSpec;
import io.streamtrain.learn.PrequentialScore;
import io.streamtrain.learn.Reservoir;
import io.streamtrain.learn.Target;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a model into memory as the store has it: a new one from its spec, or its checkpoint and then, batch by batch
 * and in the same composition, the mini-batches fitted since; the examples not yet processed go back to the inbox,
 * the recent ids to the dedupe window and both sides of the late-label join to their indexes. Restore cost is bounded
 * by the checkpoint interval, not by traffic.
 */
final class ModelRestore {

    private static final Logger log = LoggerFactory.getLogger(ModelRestore.class);

    /** The fewest example slots a model's ring has. */
    static final int MIN_SLOTS = 1024;
    /** The most example slots a model's ring has; beyond, checkpoints come more often instead. */
    static final int MAX_SLOTS = 1 << 22;

    private final LearnerSettings settings;
    private final LearnerStore store;
    private final LateLabelJoin join;
    private final LongSupplier clock;

    ModelRestore(LearnerSettings settings, LearnerStore store, LateLabelJoin join, LongSupplier clock) {
        this.settings = settings;
        this.store = store;
        this.join = join;
        this.clock = clock;
    }

    /** The model's runtime: restored when the store has state for it, else new. */
    ModelRuntime load(String model) {
        long started = System.nanoTime();
        ModelState stored = store.meta(model);
        ModelState state = stored == null ? new ModelState() : stored;
        byte[] checkpoint = checkpoint(model, state);
        Learner learner = network(model, state, checkpoint);
        PrequentialScore score = state.score == null ? new PrequentialScore() : PrequentialScore.fromBytes(state.score);
        ModelRuntime runtime = new ModelRuntime(model, learner, score, state, settings.dedupeWindow(),
                settings.maxPendingLabels(), settings.labelWait().toMillis());
        runtime.restoreDrift(settings.drift());
        restoreTrainedState(runtime, checkpoint);
        if (stored == null) {
            state.windowStartMs = clock.getAsLong();
            state.slots = slotsFor(runtime.batchSize);
        }

        // the live examples: the slots written after the checkpoint; the others hold examples it includes
        List<StoredExample> live = store.examplesAfter(model, state.checkpointSeq);
        if (state.slots < 2 * runtime.batchSize) {
            // a larger batch than the ring was made for (the spec changed): a new ring, the live examples moved to it
            int slots = slotsFor(runtime.batchSize);
            store.reslot(model, state, live, slots);
            log.info("model {}: {} example slots for its batch size; {} examples moved", model, slots, live.size());
        }
        int replayed = replay(runtime, live);
        if (runtime.dedupe != null) {
            for (LearnerStore.IdSegment segment : store.idSegments(model)) {
                runtime.dedupe.restoreSegment(segment.number(), segment.ids());
            }
        }
        long maxSeq = state.processedSeq;
        for (StoredExample waiting : live) {
            if (waiting.seq() > state.processedSeq) {
                runtime.inbox.add(waiting);
                if (runtime.dedupe != null) {
                    runtime.dedupe.remember(waiting.id());
                }
            }
            maxSeq = Math.max(maxSeq, waiting.seq());
        }
        runtime.nextSeq = maxSeq + 1;
        runtime.oldestArrivalMs = clock.getAsLong();
        if (runtime.joinsLateLabels()) {
            join.restore(runtime);
        }
        if (stored != null) {
            log.info("model {} restored at version {} ({} examples trained): checkpoint generation {}, {} examples "
                    + "fitted again in {} batches, {} waiting, {} waiting for a label, {} labels waiting for their "
                    + "example, in {} ms", model, learner.version(), learner.examplesTrained(),
                    state.checkpointGeneration, replayed, state.batchEnds.size(), runtime.inbox.size(),
                    runtime.awaiting == null ? 0 : runtime.awaiting.size(),
                    runtime.waitingLabels == null ? 0 : runtime.waitingLabels.size(),
                    (System.nanoTime() - started) / 1_000_000);
        } else {
            log.info("model {} created on {} from its spec", model, learner.backend());
        }
        return runtime;
    }

    /**
     * Puts back all that training changes (the network, the reservoir, what the racing baselines learned) as the
     * store has it: the checkpoint, then the mini-batches logged since, fitted again. The race's scores and the rest
     * of the runtime stay as they are. For a training step undone after the fact: the step is not in the log, so this
     * is also the state a restart restores.
     */
    void rebuildTraining(ModelRuntime runtime) {
        ModelState state = runtime.state;
        byte[] checkpoint = checkpoint(runtime.model, state);
        Learner undone = runtime.learner;
        runtime.learner = network(runtime.model, state, checkpoint);
        undone.close();
        if (runtime.race != null) {
            // the scores as they are now go through the restore below unchanged
            state.race = runtime.raceScores();
        }
        restoreTrainedState(runtime, checkpoint);
        replay(runtime, store.examplesAfter(runtime.model, state.checkpointSeq));
    }

    /** The checkpoint the state points at, or null when the model has none yet. */
    private byte[] checkpoint(String model, ModelState state) {
        try {
            return state.checkpointGeneration < 0 ? null : store.readCheckpoint(model, state);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot load model '" + model + "': " + e.getMessage(), e);
        }
    }

    /** The length of the baselines' part at the end of a checkpoint. */
    private static int raceBytes(ModelState state, byte[] checkpoint) {
        return checkpoint == null ? 0 : Math.max(0, Math.min(state.raceModelBytes, checkpoint.length));
    }

    /** The network as the checkpoint has it (a new one without a checkpoint), at the rate a command set. */
    private Learner network(String model, ModelState state, byte[] checkpoint) {
        int raceBytes = raceBytes(state, checkpoint);
        Learner learner = learner(model, state,
                checkpoint == null ? null : Arrays.copyOf(checkpoint, checkpoint.length - raceBytes));
        if (!Double.isNaN(state.learningRate)) {
            // set by a command: the checkpoint taken then includes everything trained before it, so the batches
            // replayed after it were all trained at this rate
            learner.setLearningRate(state.learningRate);
        }
        return learner;
    }

    /** The reservoir and the racing baselines as the checkpoint (and the state) have them. */
    private void restoreTrainedState(ModelRuntime runtime, byte[] checkpoint) {
        runtime.replay = Reservoir.forSpec(runtime.learner.spec());
        store.loadReplay(runtime.model, runtime.state, runtime.replay);
        int raceBytes = raceBytes(runtime.state, checkpoint);
        restoreRace(runtime, raceBytes == 0 ? null
                : Arrays.copyOfRange(checkpoint, checkpoint.length - raceBytes, checkpoint.length));
    }

    /**
     * The race as the checkpoint ({@code models}: the baselines' learned state) and the state (their scores) have it;
     * new when there is none, or when the settings race other baselines than those saved. The batches fitted since
     * the checkpoint then train the baselines too ({@link #replay}).
     */
    private void restoreRace(ModelRuntime runtime, byte[] models) {
        runtime.startRace(settings.race());
        ModelState state = runtime.state;
        if (runtime.race == null) {
            state.race = null;
            return;
        }
        // each part on its own: a part saved for other baselines is refused and that part starts over, the same way
        // at every restore until the next checkpoint saves the new race
        if (models != null) {
            try {
                runtime.race.readModels(new DataInputStream(new ByteArrayInputStream(models)));
            } catch (IOException | IllegalStateException e) {
                log.info("model {}: the racing baselines learn from scratch ({})", runtime.model, e.getMessage());
            }
        }
        if (state.race != null) {
            try {
                runtime.race.readScores(new DataInputStream(new ByteArrayInputStream(state.race)));
            } catch (IOException | IllegalStateException e) {
                log.info("model {}: the race's scores start over ({})", runtime.model, e.getMessage());
            }
        }
    }

    /** A new network, or the checkpoint the state points at ({@code checkpoint}, the network's part). */
    private Learner learner(String model, ModelState state, byte[] checkpoint) {
        try {
            NetworkSpec spec = settings.specs().apply(model);
            return checkpoint == null ? Learner.create(spec) : Learner.restore(spec, checkpoint);
        } catch (CheckpointException e) {
            throw new IllegalStateException("cannot load model '" + model + "': " + e.getMessage() + ". The model "
                    + "was trained with another network spec: run the changed spec under a new application.id (it "
                    + "starts new models), or go back to the spec this one was trained with", e);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot load model '" + model + "': " + e.getMessage(), e);
        }
    }

    /**
     * Fits again what was fitted since the checkpoint, batch by batch: the labeled examples up to each logged
     * batch end, in order, with the past examples the reservoir (as of the checkpoint, then as these batches change
     * it) gives each step. Returns how many new examples were fitted.
     */
    static int replay(ModelRuntime runtime, List<StoredExample> live) {
        ModelState state = runtime.state;
        int replayed = 0;
        int cursor = 0;
        for (long end : state.batchEnds) {
            List<StoredExample> labeled = new ArrayList<>();
            while (cursor < live.size() && live.get(cursor).seq() <= end) {
                StoredExample e = live.get(cursor++);
                if (e.target() != null) {
                    labeled.add(e);
                }
            }
            if (labeled.isEmpty()) {
                continue;
            }
            float[][] features = new float[labeled.size()][];
            Target[] targets = new Target[labeled.size()];
            float[] weights = new float[labeled.size()];
            for (int i = 0; i < labeled.size(); i++) {
                StoredExample e = labeled.get(i);
                features[i] = e.features();
                targets[i] = e.target();
                weights[i] = e.weight();
            }
            runtime.train(features, targets, weights);
            replayed += labeled.size();
        }
        return replayed;
    }

    /** The ring size for a batch size: the examples of the batches between two checkpoints, and two more batches. */
    int slotsFor(int batchSize) {
        long slots = ((long) settings.checkpointEveryBatches() + 2) * batchSize;
        return (int) Math.max(Math.max(MIN_SLOTS, 2L * batchSize), Math.min(slots, MAX_SLOTS));
    }
}
