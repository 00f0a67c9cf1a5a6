package io.streamtrain.bench;

import java.util.ArrayList;
import java.util.List;

import io.streamtrain.data.LabeledExample;
import io.streamtrain.learn.Learner;
import io.streamtrain.learn.Outputs;
import io.streamtrain.learn.PrequentialScore;
import io.streamtrain.learn.Reservoir;
import io.streamtrain.learn.Target;

/**
 * Test-then-train over a stream with a {@link Learner} and no Kafka, as the learner's processor does it for a full
 * mini-batch: predict the whole batch in one call, score each labeled example on its prediction, then fit the
 * labeled ones in one call (with past examples, when the spec asks for replay). Also keeps the accuracy of the last
 * {@code window} labeled examples.
 */
final class PrequentialRun {

    private final Learner learner;
    /** The spec's experience replay, as the learner's processor runs it; null when it has none. */
    private final Reservoir replay;
    private final int batchSize;
    private final PrequentialScore score = new PrequentialScore();
    private final boolean[] recent;
    private final List<LabeledExample> batch;
    private int recentNext;
    private long recentCount;
    private long examples;
    /** Every how many labeled examples {@link #curve()} takes a point; 0: none. */
    private int curveEvery;
    private long nextCurvePoint;
    private final List<double[]> curve = new ArrayList<>();

    /**
     * @param window how many of the last labeled examples {@link #windowAccuracy()} covers
     */
    PrequentialRun(Learner learner, int batchSize, int window) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be positive, was " + batchSize);
        }
        this.learner = learner;
        this.replay = Reservoir.forSpec(learner.spec());
        this.batchSize = batchSize;
        this.recent = new boolean[Math.max(1, window)];
        this.batch = new ArrayList<>(batchSize);
    }

    /** Takes a point of {@link #curve()} every {@code labeled} labeled examples. */
    PrequentialRun curveEvery(int labeled) {
        this.curveEvery = labeled;
        this.nextCurvePoint = labeled;
        return this;
    }

    /**
     * The learning curve: per point, the labeled examples scored so far, the prequential accuracy over all of them
     * and the accuracy over the last {@code window} of them.
     */
    List<double[]> curve() {
        return curve;
    }

    /** Adds an example; a full batch is predicted and trained at once. */
    void add(LabeledExample example) {
        batch.add(example);
        if (batch.size() >= batchSize) {
            step();
        }
    }

    /** Predicts and trains what is left in a partial batch. */
    void flush() {
        if (!batch.isEmpty()) {
            step();
        }
    }

    private void step() {
        int n = batch.size();
        float[][] features = new float[n][];
        int labeled = 0;
        for (int i = 0; i < n; i++) {
            features[i] = batch.get(i).features();
            if (batch.get(i).isLabeled()) {
                labeled++;
            }
        }
        Outputs outputs = learner.predict(features);
        float[][] trainFeatures = new float[labeled][];
        Target[] targets = new Target[labeled];
        int t = 0;
        for (int i = 0; i < n; i++) {
            LabeledExample e = batch.get(i);
            if (!e.isLabeled()) {
                continue;
            }
            Target target = Target.ofClass(e.label());
            double loss = learner.loss(i, outputs, target);
            score.add(loss, outputs, i, target);
            recent[recentNext] = outputs.predictedClass(i) == e.label();
            recentNext = (recentNext + 1) % recent.length;
            recentCount++;
            trainFeatures[t] = features[i];
            targets[t++] = target;
        }
        if (labeled > 0 && replay != null) {
            replay.train(learner, trainFeatures, targets, null);
        } else if (labeled > 0) {
            learner.train(trainFeatures, targets, null);
        }
        examples += n;
        batch.clear();
        if (curveEvery > 0 && score.totalCount() >= nextCurvePoint) {
            curve.add(new double[] {score.totalCount(), score.totalAccuracy(), windowAccuracy()});
            nextCurvePoint = score.totalCount() + curveEvery;
        }
    }

    /** Examples predicted so far (a partial batch not yet flushed is not counted). */
    long examples() {
        return examples;
    }

    PrequentialScore score() {
        return score;
    }

    /** The accuracy over the last {@code window} labeled examples (or all of them, when fewer). */
    double windowAccuracy() {
        int n = (int) Math.min(recentCount, recent.length);
        if (n == 0) {
            return Double.NaN;
        }
        int right = 0;
        for (int i = 0; i < n; i++) {
            if (recent[i]) {
                right++;
            }
        }
        return (double) right / n;
    }

    /** How many labeled examples {@link #windowAccuracy()} covers. */
    long windowCount() {
        return Math.min(recentCount, recent.length);
    }
}
