package io.streamtrain.topology;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What the store remembers of one model between commits, apart from the checkpoint bytes and the examples:
 * which examples the checkpoint already includes, which were trained on since then and in which mini-batches
 * (to replay them exactly), the prequential score and the counters of the current metrics window.
 *
 * <p>Restoring a model is: load the checkpoint of {@link #checkpointGeneration}, then fit again, batch by batch,
 * the labeled entries after {@link #checkpointSeq} up to each of {@link #batchEnds}; entries after
 * {@link #processedSeq} wait in the inbox. Slots holding an entry up to {@link #checkpointSeq} are stale.
 */
final class ModelState {

    private static final int FORMAT = 10;
    /** The format before replicas; read as a model on one. */
    private static final int FORMAT_WITHOUT_REPLICAS = 9;
    /** The format before the race of baselines; read with none. */
    private static final int FORMAT_WITHOUT_RACE = 8;
    /** The format before the replay reservoir's counts; read with an empty reservoir. */
    private static final int FORMAT_WITHOUT_REPLAY = 7;
    /** The format before the drift detectors' state; read with none (they start fresh). */
    private static final int FORMAT_WITHOUT_DRIFT = 6;
    /** The format before the pause flag, the learning rate and the pin set by commands; read with none. */
    private static final int FORMAT_WITHOUT_CONTROL = 5;
    /** The format before the snapshots list; read with none published. */
    private static final int FORMAT_WITHOUT_SNAPSHOTS = 4;
    /** The format before the eviction counters; read with them at zero. */
    private static final int FORMAT_WITHOUT_EVICTIONS = 3;

    /**
     * How many example slots the model's store ring has: example {@code seq} is kept under slot {@code seq % slots},
     * overwriting an example that the checkpoint already includes. Fixed when the model is created (or when a larger
     * batch needs more), since it decides where examples are found.
     */
    int slots;
    /** Entries with a sequence number up to this one are included in the checkpoint. */
    long checkpointSeq = -1;
    /** Generation of the checkpoint chunks in the store; -1 when the model has none yet. */
    long checkpointGeneration = -1;
    int checkpointChunks;
    /** Entries up to this one were predicted (and, when labeled, trained on). */
    long processedSeq = -1;
    /** For each mini-batch fitted since the checkpoint, the sequence number of its last entry. */
    final List<Long> batchEnds = new ArrayList<>();
    /** The prequential score, as {@code PrequentialScore} bytes; null before the first labeled example. */
    byte[] score;
    long windowStartMs;
    long windowExamples;
    long windowTrained;
    long windowErrors;
    long windowDuplicates;
    long windowLateLabels;
    long windowUnlabeledEvicted;
    long windowUnlabeledExpired;
    long windowLabelsEvicted;
    long windowLabelsExpired;
    /** The snapshots of the model on the models topic, oldest first: those it keeps, to tombstone them in turn. */
    final List<Published> snapshots = new ArrayList<>();

    /** Paused by a command: examples are predicted and scored, none trained on. */
    boolean paused;
    /** The learning rate a command set, in place of the spec's; NaN when none was. */
    double learningRate = Double.NaN;
    /** The version the serving instances are pinned to, kept on the models topic while pinned; -1 when none. */
    long pinnedVersion = -1;
    /** The drift detectors and the drift action's state ({@code ModelRuntime}), or null when drift is off. */
    byte[] drift;
    /** The examples offered to the replay reservoir up to {@link #checkpointSeq}: its slots in the store hold those. */
    long replaySeen;
    /** The examples the replay reservoir held at the checkpoint, in slots 0 to this one less one. */
    int replaySize;
    /** The race's scores (after every save), or null when no baselines race. */
    byte[] race;
    /**
     * How many bytes at the end of the checkpoint are the racing baselines' learned state; 0 when the checkpoint is
     * the network's alone.
     */
    int raceModelBytes;
    /** A replica's exchange with the averaging step, or null for a model trained by one task. */
    ReplicaState replica;

    /** A snapshot on the models topic: its version and how many chunks it was written in. */
    record Published(long version, int chunks) {
    }

    /** Whether the current metrics window has anything to report. */
    boolean windowHasEvents() {
        return windowExamples > 0 || windowErrors > 0 || windowDuplicates > 0 || windowLateLabels > 0
                || windowUnlabeledEvicted > 0 || windowUnlabeledExpired > 0 || windowLabelsEvicted > 0
                || windowLabelsExpired > 0;
    }

    /** Starts a new metrics window at {@code now}. */
    void startWindow(long now) {
        windowStartMs = now;
        windowExamples = 0;
        windowTrained = 0;
        windowErrors = 0;
        windowDuplicates = 0;
        windowLateLabels = 0;
        windowUnlabeledEvicted = 0;
        windowUnlabeledExpired = 0;
        windowLabelsEvicted = 0;
        windowLabelsExpired = 0;
    }

    byte[] toBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(FORMAT);
            out.writeInt(slots);
            out.writeLong(checkpointSeq);
            out.writeLong(checkpointGeneration);
            out.writeInt(checkpointChunks);
            out.writeLong(processedSeq);
            out.writeInt(batchEnds.size());
            for (long end : batchEnds) {
                out.writeLong(end);
            }
            out.writeInt(score == null ? -1 : score.length);
            if (score != null) {
                out.write(score);
            }
            out.writeLong(windowStartMs);
            out.writeLong(windowExamples);
            out.writeLong(windowTrained);
            out.writeLong(windowErrors);
            out.writeLong(windowDuplicates);
            out.writeLong(windowLateLabels);
            out.writeLong(windowUnlabeledEvicted);
            out.writeLong(windowUnlabeledExpired);
            out.writeLong(windowLabelsEvicted);
            out.writeLong(windowLabelsExpired);
            out.writeInt(snapshots.size());
            for (Published p : snapshots) {
                out.writeLong(p.version());
                out.writeInt(p.chunks());
            }
            out.writeBoolean(paused);
            out.writeDouble(learningRate);
            out.writeLong(pinnedVersion);
            out.writeInt(drift == null ? -1 : drift.length);
            if (drift != null) {
                out.write(drift);
            }
            out.writeLong(replaySeen);
            out.writeInt(replaySize);
            out.writeInt(race == null ? -1 : race.length);
            if (race != null) {
                out.write(race);
            }
            out.writeInt(raceModelBytes);
            out.writeBoolean(replica != null);
            if (replica != null) {
                replica.write(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static ModelState fromBytes(byte[] data) {
        ModelState s = new ModelState();
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            int format = in.readInt();
            if (format < FORMAT_WITHOUT_EVICTIONS || format > FORMAT) {
                throw new IllegalStateException("model state format " + format + " is not supported (expected "
                        + FORMAT + "); it was written by another version of Streamtrain");
            }
            s.slots = in.readInt();
            s.checkpointSeq = in.readLong();
            s.checkpointGeneration = in.readLong();
            s.checkpointChunks = in.readInt();
            s.processedSeq = in.readLong();
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                s.batchEnds.add(in.readLong());
            }
            int scoreLength = in.readInt();
            if (scoreLength >= 0) {
                s.score = in.readNBytes(scoreLength);
            }
            s.windowStartMs = in.readLong();
            s.windowExamples = in.readLong();
            s.windowTrained = in.readLong();
            s.windowErrors = in.readLong();
            s.windowDuplicates = in.readLong();
            s.windowLateLabels = in.readLong();
            if (format >= FORMAT_WITHOUT_SNAPSHOTS) {
                s.windowUnlabeledEvicted = in.readLong();
                s.windowUnlabeledExpired = in.readLong();
                s.windowLabelsEvicted = in.readLong();
                s.windowLabelsExpired = in.readLong();
            }
            if (format >= FORMAT_WITHOUT_CONTROL) {
                int published = in.readInt();
                for (int i = 0; i < published; i++) {
                    s.snapshots.add(new Published(in.readLong(), in.readInt()));
                }
            }
            if (format >= FORMAT_WITHOUT_DRIFT) {
                s.paused = in.readBoolean();
                s.learningRate = in.readDouble();
                s.pinnedVersion = in.readLong();
            }
            if (format >= FORMAT_WITHOUT_REPLAY) {
                int driftLength = in.readInt();
                if (driftLength >= 0) {
                    s.drift = in.readNBytes(driftLength);
                }
            }
            if (format >= FORMAT_WITHOUT_RACE) {
                s.replaySeen = in.readLong();
                s.replaySize = in.readInt();
            }
            if (format >= FORMAT_WITHOUT_REPLICAS) {
                int raceLength = in.readInt();
                if (raceLength >= 0) {
                    s.race = in.readNBytes(raceLength);
                }
                s.raceModelBytes = in.readInt();
            }
            if (format >= FORMAT && in.readBoolean()) {
                s.replica = ReplicaState.read(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt model state", e);
        }
        return s;
    }
}
