package io.streamtrain.topology;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

import io.streamtrain.learn.ExampleCheck;
import io.streamtrain.learn.Learner;
import io.streamtrain.learn.PrequentialScore;
import io.streamtrain.learn.Reservoir;
import io.streamtrain.learn.Target;
import io.streamtrain.learn.baseline.Race;
import io.streamtrain.learn.drift.DriftResponse;
import io.streamtrain.learn.drift.DriftSettings;
import io.streamtrain.learn.drift.DriftWatch;

/**
 * One model in memory, in the task that owns it: its network, its score, its state as the store has it, and what
 * waits to be predicted. Made by {@link ModelRestore}; changed only on the stream thread.
 */
final class ModelRuntime {
    final String model;
    /** Replaced by a reset; otherwise the same network for the runtime's life. */
    Learner learner;
    final PrequentialScore score;
    final ModelState state;
    final int batchSize;
    final long maxWaitMs;
    final ExampleCheck check;
    /** The ids seen recently, or null when the dedupe window is off. */
    final RecentIds dedupe;
    /** Predicted unlabeled examples waiting for a late label, or null when late labels are off. */
    final PendingIds awaiting;
    /** Labels waiting for their example, or null when late labels are off. */
    final PendingIds waitingLabels;
    /** Unlabeled examples that stopped waiting for their label, remembered as long as they could have waited. */
    final PendingIds dropped;
    /** The drift detectors, or null when drift detection is off; kept in the state with every save. */
    DriftWatch drift;
    /** What is done on a drift, and a raised learning rate's end; null when drift detection is off. */
    DriftResponse driftResponse;
    /** The spec's experience replay, or null when it has none; its slots are saved with each checkpoint. */
    Reservoir replay;
    /**
     * The shallow baselines racing the network, or null when none race (or the model is a regressor); their scores
     * are saved with every save, their learned state with each checkpoint.
     */
    Race race;
    /** Each contender's class probabilities for the example being predicted, when a race is on. */
    double[][] raceScratch;
    /** The examples waiting for their mini-batch, in arrival order. */
    List<StoredExample> inbox;
    long nextSeq;
    long oldestArrivalMs;
    /**
     * For one replica of a model trained by several ({@link Replicas}): the model's id (this runtime's
     * {@link #model} is its key, {@code <model>#<replica>}), which replica, and the spec's averaging; null and -1
     * for a model trained by one task. Its state's {@link ModelState#replica} is then set too.
     */
    String replicaOf;
    int replicaIndex = -1;
    io.streamtrain.learn.NetworkSpec.Parallel parallel;

    ModelRuntime(String model, Learner learner, PrequentialScore score, ModelState state, int dedupeWindow,
            int maxPending, long labelWaitMs) {
        this.model = model;
        this.learner = learner;
        this.score = score;
        this.state = state;
        this.batchSize = learner.spec().batchSize();
        this.maxWaitMs = learner.spec().maxWaitMs();
        this.inbox = new ArrayList<>(batchSize);
        this.dedupe = dedupeWindow > 0 ? new RecentIds(dedupeWindow) : null;
        this.check = ExampleCheck.forLearner(learner);
        this.awaiting = maxPending > 0 ? new PendingIds(maxPending, labelWaitMs) : null;
        this.waitingLabels = maxPending > 0 ? new PendingIds(maxPending, labelWaitMs) : null;
        this.dropped = maxPending > 0 ? new PendingIds(maxPending, labelWaitMs) : null;
    }

    /** One training step on labeled examples, with past ones drawn from the reservoir when the spec replays. */
    void train(float[][] features, Target[] targets, float[] weights) {
        if (replay != null) {
            replay.train(learner, features, targets, weights);
        } else {
            learner.train(features, targets, weights);
        }
        if (race != null) {
            // the baselines learn from the same new examples (not the replayed ones), one at a time
            for (int i = 0; i < features.length; i++) {
                race.train(features[i], targets[i].classIndex(), weights == null ? 1f : weights[i]);
            }
        }
    }

    /** A new race for this model, or none when the settings race no baselines or the model is a regressor. */
    void startRace(RaceSettings settings) {
        if (!settings.enabled() || !learner.isClassification()) {
            race = null;
            raceScratch = null;
            return;
        }
        race = Race.create(settings.baselines(), learner.inputSize(), learner.numClasses(), settings.window(),
                settings.margin(), settings.patience());
        raceScratch = race.newScratch();
    }

    /** The race's scores, as the state keeps them after every mini-batch. */
    byte[] raceScores() {
        return bytes(256, race::writeScores);
    }

    /** The baselines' learned state, as a checkpoint keeps it. */
    byte[] raceModels() {
        return bytes(64 * 1024, race::writeModels);
    }

    /** Something written to a {@link DataOutputStream}, as bytes. */
    private static byte[] bytes(int expectedSize, Writer writer) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(expectedSize);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            writer.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    @FunctionalInterface
    private interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    /** Whether this is one replica of a model trained by several. */
    boolean isReplica() {
        return replicaOf != null;
    }

    /** The model id its predictions carry: the model's own, also for a replica. */
    String predictionModel() {
        return replicaOf == null ? model : replicaOf;
    }

    /** Whether late labels are on: then both sides of the join are kept. */
    boolean joinsLateLabels() {
        return awaiting != null;
    }

    /** Writes the model's meta, with its score and its drift detectors as they are now. */
    void saveWithScore(LearnerStore store) {
        state.score = score.toBytes();
        if (drift != null) {
            state.drift = driftBytes();
        }
        state.race = race == null ? null : raceScores();
        store.putMeta(model, state);
    }

    /** The drift detectors and action as the state has them (fresh when it has none), or none when drift is off. */
    void restoreDrift(DriftSettings settings) {
        if (!settings.enabled()) {
            drift = null;
            driftResponse = null;
            return;
        }
        if (state.drift == null) {
            drift = DriftWatch.create(settings);
            driftResponse = new DriftResponse(settings);
            return;
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(state.drift))) {
            drift = DriftWatch.restore(settings, in.readNBytes(in.readInt()));
            driftResponse = DriftResponse.read(settings, in);
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt drift state of model " + model, e);
        }
    }

    private byte[] driftBytes() {
        return bytes(512, out -> {
            byte[] watch = drift.toBytes();
            out.writeInt(watch.length);
            out.write(watch);
            driftResponse.write(out);
        });
    }
}
