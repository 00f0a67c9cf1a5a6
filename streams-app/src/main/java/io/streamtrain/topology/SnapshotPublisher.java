package io.streamtrain.topology;

import java.time.Instant;
import java.util.List;

import io.streamtrain.avro.ModelSnapshot;
import io.streamtrain.learn.Learner;
import io.streamtrain.learn.PrequentialScore;
import io.streamtrain.snapshot.SnapshotChunks;
import io.streamtrain.snapshot.SnapshotKey;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes a model's snapshot to the models topic: its zip in chunks, forwarded from the training step that made the
 * version, so they are written in that step's transaction (exactly once, and never a version whose step was not
 * committed). Keeps the model's last {@code keep} snapshots there, tombstoning older versions' chunks in the same
 * transaction; which versions are kept is part of the model's state ({@link ModelState#snapshots}), so a restore
 * goes on from it. A version pinned for serving is kept beyond that count until it is unpinned.
 */
final class SnapshotPublisher {

    private static final Logger log = LoggerFactory.getLogger(SnapshotPublisher.class);
    /** Why a snapshot was made: its model's version reached a multiple of the setting. */
    static final String EVERY_STEPS = "every-steps";
    /** Why a snapshot was made: the averaging step of a model's replicas made a global version. */
    static final String AVERAGED = "averaged";
    /** Why a snapshot was made: a command asked for it. */
    static final String COMMAND = "command";

    private final ProcessorContext<String, SpecificRecord> context;
    private final LearnerMetrics metrics;
    private final long everySteps;
    private final int keep;
    private final int chunkBytes;

    SnapshotPublisher(ProcessorContext<String, SpecificRecord> context, LearnerMetrics metrics, long everySteps,
            int keep, int chunkBytes) {
        this.context = context;
        this.metrics = metrics;
        this.everySteps = everySteps;
        this.keep = keep;
        this.chunkBytes = chunkBytes;
    }

    /** Whether {@code version} is one of the model's snapshots on the topic. */
    static boolean isKept(ModelState state, long version) {
        return state.snapshots.stream().anyMatch(p -> p.version() == version);
    }

    /** Whether a model that has just reached {@code version} publishes it. */
    boolean due(long version) {
        return everySteps > 0 && version > 0 && version % everySteps == 0;
    }

    /**
     * Publishes the model as it is now, unless this version is on the topic already; the caller writes the model's
     * state afterwards, in the same step.
     */
    void publish(ModelRuntime runtime, String trigger, long now) {
        Learner learner = runtime.learner;
        ModelState state = runtime.state;
        publish(runtime.model, learner, learner.version(), learner.examplesTrained(), runtime.score, state.snapshots,
                state.pinnedVersion, trigger, now);
    }

    /**
     * Publishes {@code learner}'s network as version {@code version} of {@code model}, unless it is the newest of
     * {@code kept} already; adds it to {@code kept} and tombstones the oldest beyond the count to keep (a pinned
     * one stays), for the caller to save.
     */
    void publish(String model, Learner learner, long version, long examplesTrained, PrequentialScore score,
            List<ModelState.Published> kept, long pinnedVersion, String trigger, long now) {
        if (!kept.isEmpty() && kept.get(kept.size() - 1).version() == version) {
            return;
        }
        long started = System.nanoTime();
        byte[] zip = learner.exportZip();
        boolean scored = score.totalCount() > 0;
        boolean classification = learner.isClassification();
        String spec = learner.spec().json();
        SnapshotChunks.Description description = new SnapshotChunks.Description(model, version, examplesTrained,
                Instant.ofEpochMilli(now), trigger, spec, score.totalCount(),
                scored ? score.totalMeanLoss() : null,
                scored && classification ? score.totalAccuracy() : null,
                scored && !classification ? score.totalMae() : null,
                scored && !classification ? score.totalRmse() : null);
        // the spec goes with every chunk: the data takes what is left of the chunk's share of a record
        int dataBytes = Math.max(4096, chunkBytes - 3 * spec.length());
        List<ModelSnapshot> chunks = SnapshotChunks.cut(description, zip, dataBytes);
        for (ModelSnapshot chunk : chunks) {
            context.forward(new Record<>(new SnapshotKey(model, version, chunk.getChunk()).text(), chunk, now));
        }
        kept.add(new ModelState.Published(version, chunks.size()));
        boolean pinKept = kept.stream().anyMatch(p -> p.version() == pinnedVersion);
        while (kept.size() > keep + (pinKept ? 1 : 0)) {
            // the oldest but a pinned one: the serving instances load it from the topic
            int oldest = kept.get(0).version() == pinnedVersion ? 1 : 0;
            ModelState.Published old = kept.remove(oldest);
            for (int c = 0; c < old.chunks(); c++) {
                // a tombstone: compaction removes the chunk
                context.forward(new Record<>(new SnapshotKey(model, old.version(), c).text(), null, now));
            }
        }
        if (metrics != null) {
            metrics.recordSnapshot(model, version, zip.length);
        }
        log.debug("model {}: snapshot of version {} ({}, {} bytes in {} chunks) in {} ms", model, version,
                trigger, zip.length, chunks.size(), (System.nanoTime() - started) / 1_000_000);
    }
}
