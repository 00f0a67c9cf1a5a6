package io.streamtrain.topology;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

import io.streamtrain.avro.ChampionSwitch;
import io.streamtrain.avro.DriftEvent;
import io.streamtrain.avro.Prediction;
import io.streamtrain.contract.RejectionRule;
import io.streamtrain.learn.Learner;
import io.streamtrain.learn.Outputs;
import io.streamtrain.learn.Rejection;
import io.streamtrain.learn.Target;
import io.streamtrain.learn.baseline.Race;
import io.streamtrain.learn.drift.DriftResponse;
import io.streamtrain.learn.drift.DriftSettings;
import io.streamtrain.learn.drift.DriftWatch;
import io.streamtrain.snapshot.SnapshotSource;
import org.apache.avro.Schema;
import org.apache.avro.generic.PrimitivesArrays;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One test-then-train step of a model: its waiting examples are predicted in one call with the model as it is, each
 * prediction is written, the labeled ones are scored and then fitted in one call; the step is logged in the model's
 * state (the mini-batch's last example, for an exact replay), its ids are remembered, and every
 * {@code checkpointEveryBatches} steps the network is checkpointed. A version due for a snapshot is published to the
 * models topic ({@link SnapshotPublisher}). So a prediction is always made by the model
 * before it trained on that example. A step that leaves the network non-finite is undone ({@link #undoStep}).
 */
final class BatchStep {

    private static final Logger log = LoggerFactory.getLogger(BatchStep.class);
    /** The schema of a prediction's probabilities, to build them as primitive floats. */
    private static final Schema PROBABILITIES = Prediction.SCHEMA$.getField("probabilities").schema();
    /** A labeled example of a mini-batch whose training step was undone. Field {@code features}. */
    static final String NON_FINITE_STEP = RejectionRule.NON_FINITE_STEP.code();

    private final ProcessorContext<String, SpecificRecord> context;
    private final LearnerStore store;
    private final LateLabelJoin join;
    private final LearnerMetrics metrics;
    private final int checkpointEveryBatches;
    private final SnapshotPublisher snapshots;
    private final DriftSettings drift;
    private final SnapshotSource snapshotSource;
    private final RaceSettings raceSettings;
    private final Rejections rejections;
    private final Consumer<ModelRuntime> rebuild;
    private final String examplesTopic;
    private final Replicas replicas;

    BatchStep(ProcessorContext<String, SpecificRecord> context, LearnerStore store, LateLabelJoin join,
            LearnerMetrics metrics, int checkpointEveryBatches, SnapshotPublisher snapshots, DriftSettings drift,
            SnapshotSource snapshotSource, RaceSettings raceSettings, Rejections rejections,
            Consumer<ModelRuntime> rebuild, String examplesTopic, Replicas replicas) {
        this.context = context;
        this.store = store;
        this.join = join;
        this.metrics = metrics;
        this.checkpointEveryBatches = checkpointEveryBatches;
        this.snapshots = snapshots;
        this.drift = drift;
        this.snapshotSource = snapshotSource;
        this.raceSettings = raceSettings;
        this.rejections = rejections;
        this.rebuild = rebuild;
        this.examplesTopic = examplesTopic;
        this.replicas = replicas;
    }

    /** Predicts the whole inbox in one call, writes the predictions, scores and fits the labeled examples. */
    void run(ModelRuntime runtime) {
        List<StoredExample> batch = runtime.inbox;
        int n = batch.size();
        float[][] features = new float[n][];
        for (int i = 0; i < n; i++) {
            features[i] = batch.get(i).features();
        }
        Learner learner = runtime.learner;
        long version = learner.version();
        Outputs outputs = learner.predict(features);
        long now = context.currentSystemTimeMs();

        float[][] trainFeatures = new float[n][];
        Target[] trainTargets = new Target[n];
        float[] trainWeights = new float[n];
        int m = 0;
        int predicted = 0;
        List<Drift> drifts = null;
        for (int i = 0; i < n; i++) {
            StoredExample entry = batch.get(i);
            Target target = entry.target();
            if (target != null) {
                trainFeatures[m] = entry.features();
                trainTargets[m] = target;
                trainWeights[m++] = entry.weight();
            }
            if (entry.predicted()) {
                // a late-labeled example: predicted when it came, scored when its label came
                continue;
            }
            predicted++;
            Race race = runtime.race;
            int served = 0;
            if (race != null) {
                // the champion as it is before this example's label: the prediction it serves is made blind too
                served = raceSettings.champion() ? race.champion() : 0;
                if (target != null || served != 0) {
                    // the baselines predict only what is scored or served: an unlabeled example the network serves
                    // needs nothing of them
                    race.predict(entry.features(), runtime.raceScratch);
                }
            }
            Double loss = null;
            if (target != null) {
                double l = learner.loss(i, outputs, target);
                runtime.score.add(l, outputs, i, target);
                loss = l;
                if (runtime.drift != null) {
                    boolean wrong = outputs.isClassification() && outputs.predictedClass(i) != target.classIndex();
                    for (DriftWatch.Detection d : runtime.drift.observe(outputs.isClassification(), wrong, l)) {
                        if (drifts == null) {
                            drifts = new ArrayList<>(2);
                        }
                        drifts.add(new Drift(entry, d));
                    }
                }
                if (race != null) {
                    race.score(0, l, outputs.predictedClass(i) == target.classIndex());
                    race.scoreBaselines(runtime.raceScratch, target.classIndex());
                    Optional<Race.Switch> change = race.decide();
                    if (change.isPresent()) {
                        switchChampion(runtime, entry, change.get(), version, now);
                    }
                }
            } else if (runtime.joinsLateLabels()) {
                join.awaitLabel(runtime, entry, outputs.row(i), now);
            }
            // stamped with the time it was made, like predictedAt: an event time, taken from the record's content,
            // may be years off, and a broker refuses timestamps more than an hour ahead by default
            Prediction p;
            if (race == null) {
                p = prediction(learner, runtime.model, entry.id(), entry.label(), entry.eventTimeMs(), outputs, i,
                        version, loss, now);
            } else if (served == 0) {
                p = prediction(learner, runtime.model, entry.id(), entry.label(), entry.eventTimeMs(), outputs, i,
                        version, loss, now, Race.NETWORK);
            } else {
                double[] probabilities = runtime.raceScratch[served];
                p = classPrediction(learner, runtime.model, entry.id(), entry.label(), entry.eventTimeMs(),
                        floats(probabilities), Race.predictedClass(probabilities), version,
                        target == null ? null : Race.crossEntropy(probabilities, target.classIndex()), now,
                        race.names().get(served));
            }
            if (runtime.isReplica()) {
                // a replica predicts for its model: stamped with the global version it holds and its steps since
                p.setModel(runtime.replicaOf);
                p.setGlobalVersion(runtime.state.replica.globalVersion);
                p.setLocalSteps(runtime.state.replica.localSteps(version));
            }
            context.forward(new Record<>(runtime.predictionModel(), p, now));
        }
        long last = batch.get(n - 1).seq();
        boolean undone = false;
        int trained = 0;
        if (m > 0 && !runtime.state.paused) {
            runtime.train(m == n ? trainFeatures : Arrays.copyOf(trainFeatures, m),
                    m == n ? trainTargets : Arrays.copyOf(trainTargets, m),
                    m == n ? trainWeights : Arrays.copyOf(trainWeights, m));
            if (runtime.learner.finiteAfterStep()) {
                trained = m;
                runtime.state.batchEnds.add(last);
                runtime.state.windowTrained += m;
                if (!runtime.isReplica() && snapshots.due(learner.version())) {
                    // a replicated model's versions are the averaging step's (Averager)
                    snapshots.publish(runtime, SnapshotPublisher.EVERY_STEPS, now);
                }
            } else {
                undoStep(runtime, batch, version, now);
                undone = true;
            }
        }
        if (runtime.dedupe != null) {
            rememberIds(runtime, batch);
        }
        ModelState state = runtime.state;
        state.processedSeq = last;
        state.windowExamples += predicted;
        runtime.inbox = new ArrayList<>(runtime.batchSize);
        if (runtime.driftResponse != null) {
            respondToDrift(runtime, drifts, version, now);
        }
        // the next examples take the slots after the last one: those must hold nothing the checkpoint lacks
        // after an undone step too: the checkpoint then includes its examples, which no restore may fit again
        if (undone || state.batchEnds.size() >= checkpointEveryBatches
                || state.processedSeq + runtime.batchSize - state.checkpointSeq > state.slots) {
            checkpoint(runtime);
        }
        if (runtime.isReplica()) {
            replicas.afterStep(runtime, trained, now);
        }
        runtime.saveWithScore(store);
        metrics.recordBatch(runtime.model, predicted, trained, runtime.learner.version());
        log.debug("model {}: predicted {} and trained on {} examples, version {}", runtime.model, predicted, trained,
                runtime.learner.version());
    }

    /**
     * Undoes a training step that left the network's parameters or optimizer state with a NaN or an infinity (an
     * overflow on extreme feature values; such a network predicts NaN, or stops learning, from then on): the network,
     * the reservoir and the baselines' models go back to the checkpoint and the steps logged since, and each labeled
     * example of the mini-batch goes to the errors topic, predicted but not trained on. The step is not logged, and
     * a checkpoint follows, so a restart restores the same.
     */
    private void undoStep(ModelRuntime runtime, List<StoredExample> batch, long version, long now) {
        rebuild.accept(runtime);
        long first = batch.get(0).seq();
        long last = batch.get(batch.size() - 1).seq();
        log.warn("model {}: the training step on examples #{} to #{} left the network's parameters or optimizer "
                + "state non-finite and was undone; the network stays at version {}; its labeled examples go to the "
                + "errors topic ({})", runtime.model, first, last, version, NON_FINITE_STEP);
        int partition = context.taskId().partition();
        for (StoredExample e : batch) {
            if (e.target() == null) {
                continue;
            }
            rejections.write(runtime.model, runtime, new Rejections.ReadAt(examplesTopic, partition, -1,
                    e.eventTimeMs()), null, null, new Rejection("features", NON_FINITE_STEP, "example '"
                            + Rejections.abbreviate(e.id()) + "' of model '" + runtime.model + "' was predicted but "
                            + "not trained on: training on its mini-batch (examples #" + first + " to #" + last
                            + ") left the network's parameters or optimizer state with a NaN or an infinity, so "
                            + "that step was undone and the network stays at version " + version + ". Feature "
                            + "values of extreme magnitude overflow a network: scale them before they reach the "
                            + "learner. Its offset is not kept here (-1); its event time is the timestamp"));
        }
    }

    /** Writes a change of the race's lead, decided on {@code entry}'s label, to the champions topic. */
    private void switchChampion(ModelRuntime runtime, StoredExample entry, Race.Switch change, long version,
            long now) {
        Race race = runtime.race;
        context.forward(new Record<>(runtime.model, new ChampionSwitch(runtime.model, change.fromName(),
                change.toName(), change.fromLoss(), change.toLoss(), race.score(change.from()).accuracy(),
                race.score(change.to()).accuracy(), entry.seq(), entry.id(), change.examplesScored(), version,
                raceSettings.champion(), Instant.ofEpochMilli(now)), now));
        metrics.recordChampionSwitch(runtime.model);
        log.info("model {}: {} leads the race of baselines ({} before): windowed loss {} against {}, after {} "
                + "labeled examples{}", runtime.model, change.toName(), change.fromName(), change.toLoss(),
                change.fromLoss(), change.examplesScored(), raceSettings.champion()
                        ? "; predictions come from " + change.toName() + " from the next example on" : "");
    }

    private static float[] floats(double[] values) {
        float[] f = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            f[i] = (float) values[i];
        }
        return f;
    }

    /** An example that made a drift detector fire. */
    private record Drift(StoredExample example, DriftWatch.Detection detection) {
    }

    /**
     * Acts on the drifts this step detected, once, and ends a raised learning rate whose steps are over; each drift
     * is written to the events topic with what was done. A change to the network (its rate, its optimizer state) is
     * followed by a checkpoint, so that a restore never replays a step under the wrong rate or optimizer state.
     */
    private void respondToDrift(ModelRuntime runtime, List<Drift> drifts, long version, long now) {
        Learner learner = runtime.learner;
        ModelState state = runtime.state;
        DriftResponse.Outcome outcome = runtime.driftResponse.afterStep(learner, state.learningRate);
        boolean changed = outcome.changed();
        state.learningRate = outcome.fixedRate();
        if (outcome.changed()) {
            log.info("model {}: {}", runtime.model, outcome.message());
        }
        if (drifts != null) {
            outcome = runtime.driftResponse.onDrift(learner, state.learningRate, keptSnapshots(runtime),
                    runtime.replay);
            changed |= outcome.changed();
            state.learningRate = outcome.fixedRate();
            for (Drift d : drifts) {
                DriftWatch.Detection detection = d.detection();
                context.forward(new Record<>(runtime.model, new DriftEvent(runtime.model, detection.detector(),
                        runtime.drift.signal(learner.isClassification()), detection.statistic(),
                        detection.evidence(), d.example().seq(), d.example().id(), version,
                        learner.examplesTrained(), drift.action().text(), outcome.message(),
                        Instant.ofEpochMilli(now)), now));
                log.info("model {}: drift detected by {} at example {} (statistic {}, {} values seen): {}",
                        runtime.model, detection.detector(), d.example().id(), detection.statistic(),
                        detection.evidence(), outcome.message());
            }
            metrics.recordDrift(runtime.model, drifts.size());
        }
        if (changed) {
            checkpoint(runtime);
        }
    }

    /** The model's snapshots on the models topic, as its state lists them, for a rollback on a drift. */
    private DriftResponse.Snapshots keptSnapshots(ModelRuntime runtime) {
        return new DriftResponse.Snapshots() {
            @Override
            public long newestAtMost(long version) {
                return runtime.state.snapshots.stream().mapToLong(ModelState.Published::version)
                        .filter(v -> v <= version).max().orElse(-1);
            }

            @Override
            public byte[] zip(long version) {
                return snapshotSource.zip(runtime.model, version);
            }
        };
    }

    /**
     * Remembers the ids of a processed batch in the store, one record per batch (several for a large batch of long
     * ids), and forgets the oldest batches once more ids than the window are kept: the window costs one small write
     * per batch, not one per example.
     */
    private void rememberIds(ModelRuntime runtime, List<StoredExample> batch) {
        List<String> ids = new ArrayList<>(batch.size());
        long bytes = 0;
        for (StoredExample e : batch) {
            if (e.predicted()) {
                // a late-labeled example's id was remembered when it came
                continue;
            }
            long idBytes = 4L + 3L * e.id().length();
            if (!ids.isEmpty() && bytes + idBytes > RecordBudget.MAX_DEDUPE_SEGMENT_BYTES) {
                // each segment well within a record's size
                writeIdSegment(runtime, ids);
                ids = new ArrayList<>(batch.size());
                bytes = 0;
            }
            ids.add(e.id());
            bytes += idBytes;
        }
        if (!ids.isEmpty()) {
            writeIdSegment(runtime, ids);
        }
    }

    private void writeIdSegment(ModelRuntime runtime, List<String> ids) {
        store.putIdSegment(runtime.model, runtime.dedupe.addSegment(ids.size()), ids);
        for (long dropped : runtime.dedupe.dropSurplusSegments()) {
            store.deleteIdSegment(runtime.model, dropped);
        }
    }

    /** Writes a checkpoint that includes every example processed so far; their slots become free. */
    void checkpoint(ModelRuntime runtime) {
        ModelState state = runtime.state;
        byte[] bytes = runtime.learner.checkpoint();
        state.raceModelBytes = 0;
        if (runtime.race != null) {
            // the baselines' learned state after the network's, in the same generation: one restore point for both
            byte[] race = runtime.raceModels();
            byte[] both = Arrays.copyOf(bytes, bytes.length + race.length);
            System.arraycopy(race, 0, both, bytes.length, race.length);
            bytes = both;
            state.raceModelBytes = race.length;
        }
        state.score = runtime.score.toBytes();
        if (runtime.replay != null) {
            store.saveReplay(runtime.model, state, runtime.replay);
        }
        store.writeCheckpoint(runtime.model, state, bytes, state.processedSeq);
        metrics.recordCheckpoint(runtime.model, bytes.length);
        log.debug("model {}: checkpoint generation {} ({} bytes) includes examples up to #{}", runtime.model,
                state.checkpointGeneration, bytes.length, state.checkpointSeq);
    }

    /** A prediction, built without the builder's per-field checks and defaults, its probabilities unboxed. */
    static Prediction prediction(Learner learner, String model, String id, Object label, long eventTimeMs,
            Outputs outputs, int row, long version, Double loss, long now) {
        return prediction(learner, model, id, label, eventTimeMs, outputs, row, version, loss, now, null);
    }

    /** As above, saying which learner of a race made it ({@code servedBy}; null when none races). */
    static Prediction prediction(Learner learner, String model, String id, Object label, long eventTimeMs,
            Outputs outputs, int row, long version, Double loss, long now, String servedBy) {
        if (learner.isClassification()) {
            return classPrediction(learner, model, id, label, eventTimeMs, outputs.probabilities(row),
                    outputs.predictedClass(row), version, loss, now, servedBy);
        }
        return new Prediction(id, model, version, null, null, outputs.value(row), List.of(), label, loss,
                Instant.ofEpochMilli(eventTimeMs), Instant.ofEpochMilli(now), servedBy, null, null);
    }

    /** A classifier's prediction from its class probabilities and the class it predicts. */
    static Prediction classPrediction(Learner learner, String model, String id, Object label, long eventTimeMs,
            float[] p, int predicted, long version, Double loss, long now, String servedBy) {
        PrimitivesArrays.FloatArray probabilities = new PrimitivesArrays.FloatArray(p.length, PROBABILITIES);
        for (int i = 0; i < p.length; i++) {
            probabilities.add(i, p[i]);
        }
        return new Prediction(id, model, version, predicted, learner.classNames().get(predicted), null,
                probabilities, label, loss, Instant.ofEpochMilli(eventTimeMs), Instant.ofEpochMilli(now), servedBy,
                null, null);
    }
}
