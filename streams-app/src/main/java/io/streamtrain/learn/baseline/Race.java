package io.streamtrain.learn.baseline;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The network and some baselines of one classification model, racing test-then-train on the same labeled examples,
 * and which of them is champion: the contender whose predictions the model would serve in champion mode. Contender 0
 * is the network, which the caller predicts with, scores and trains; contenders 1 to n are the baselines, in the order
 * given, which the race predicts with and trains itself.
 *
 * <p>For each labeled example, in this order: {@link #predict} (before any training on it), {@link #score} for every
 * contender (or {@link #score} for the network and {@link #scoreBaselines}), {@link #decide}, then {@link #train}.
 * Each contender's {@link FadingScore} is its recent loss and accuracy.
 *
 * <p>The champion changes seldom, by a rule with hysteresis (see {@link #decide}): a challenger must beat the
 * champion's windowed loss by more than the margin, on enough examples, for more than {@code patience} decisions in a
 * row. Its state is saved in two parts because the caller saves them at different times: the scores, the champion and
 * the streak are small ({@link #writeScores}), the baselines' learned state can be large ({@link #writeModels}).
 *
 * <p>Not thread-safe: confine a race to the thread of its model.
 */
public final class Race {

    /** The name of contender 0. */
    public static final String NETWORK = "network";

    /**
     * The examples a contender must have scored before it can take the championship or lose it, or the window if that
     * is smaller: enough for a mean loss worth comparing, few enough that a clearly better baseline does not wait long.
     */
    public static final int MIN_SCORED = 100;

    private static final byte SCORES = 'S';
    private static final byte MODELS = 'M';
    private static final int VERSION = 1;
    /** Far above the contenders there can be (the network and one of each baseline); guards reading damaged bytes. */
    private static final int MAX_CONTENDERS = 64;

    private final List<String> names;
    private final int features;
    private final int classes;
    private final int window;
    private final double margin;
    private final int patience;
    private final Baseline[] baselines;
    private final FadingScore[] scores;

    private int champion;
    private int challenger = -1;
    private int streak;

    private Race(List<String> names, int features, int classes, int window, double margin, int patience) {
        this.names = names;
        this.features = features;
        this.classes = classes;
        this.window = window;
        this.margin = margin;
        this.patience = patience;
        this.baselines = new Baseline[names.size() - 1];
        for (int k = 1; k < names.size(); k++) {
            baselines[k - 1] = Baseline.create(names.get(k), features, classes);
        }
        this.scores = new FadingScore[names.size()];
        for (int k = 0; k < scores.length; k++) {
            scores[k] = new FadingScore(window);
        }
    }

    /**
     * A race of the network, champion to begin with, and fresh baselines.
     *
     * @param baselineNames the baselines, by {@link Baseline#NAMES}, each at most once, in the order of their
     *                      contender numbers from 1; none leaves the network alone, champion for good
     * @param features      the number of features of an example, at least 1
     * @param classes       the number of classes, at least 2
     * @param window        the window of every {@link FadingScore}, at least 1
     * @param margin        the fraction by which a challenger's loss must be below the champion's, at least 0 and
     *                      below 1
     * @param patience      the decisions in a row a challenger must be ahead by the margin before the one that makes it
     *                      champion, at least 0
     * @throws IllegalArgumentException naming the parameter and its rule when one is out of range
     */
    public static Race create(List<String> baselineNames, int features, int classes, int window, double margin,
            int patience) {
        checkSettings(baselineNames, window, margin, patience);
        if (features < 1) {
            throw new IllegalArgumentException("features must be at least 1, was " + features);
        }
        if (classes < 2) {
            throw new IllegalArgumentException("classes must be at least 2, was " + classes);
        }
        List<String> names = new ArrayList<>(baselineNames.size() + 1);
        names.add(NETWORK);
        names.addAll(baselineNames);
        return new Race(List.copyOf(names), features, classes, window, margin, patience);
    }

    /**
     * Checks the settings of a race as {@link #create} does, before any model is known: for a configuration to be
     * refused when it is read rather than when the first example comes.
     *
     * @throws IllegalArgumentException naming the parameter and its rule when one is out of range
     */
    public static void checkSettings(List<String> baselineNames, int window, double margin, int patience) {
        Objects.requireNonNull(baselineNames, "baselineNames");
        Set<String> seen = new HashSet<>();
        for (String name : baselineNames) {
            if (!Baseline.NAMES.contains(name)) {
                throw new IllegalArgumentException("baselineNames: '" + name + "' is not a baseline, which are "
                        + Baseline.NAMES);
            }
            if (!seen.add(name)) {
                throw new IllegalArgumentException("baselineNames: '" + name + "' is listed twice; each baseline"
                        + " races at most once");
            }
        }
        if (window < 1) {
            throw new IllegalArgumentException("window must be at least 1, was " + window);
        }
        if (!(margin >= 0 && margin < 1)) {
            throw new IllegalArgumentException("margin must be at least 0 and below 1, was " + margin);
        }
        if (patience < 0) {
            throw new IllegalArgumentException("patience must be at least 0, was " + patience);
        }
    }

    /** The contenders' names by number: {@value #NETWORK}, then the baselines'. */
    public List<String> names() {
        return names;
    }

    /** An array for {@link #predict}: a row of the number of classes per contender. */
    public double[][] newScratch() {
        return new double[names.size()][classes];
    }

    /**
     * Each baseline's class probabilities for {@code features}: baseline k's into {@code out[k]}, for k from 1. Row 0
     * is left alone, for the caller's network.
     *
     * @throws IllegalArgumentException when {@code features} is not of the race's number of features
     */
    public void predict(float[] features, double[][] out) {
        checkFeatures(features);
        for (int k = 1; k < names.size(); k++) {
            baselines[k - 1].predict(features, out[k]);
        }
    }

    /** Adds one labeled example's loss and whether its predicted class was right to a contender's score. */
    public void score(int contender, double loss, boolean correct) {
        scores[Objects.checkIndex(contender, names.size())].add(loss, correct);
    }

    /**
     * Scores every baseline on one labeled example from what {@link #predict} gave: its {@link #crossEntropy} and
     * whether its {@link #predictedClass} is the label.
     */
    public void scoreBaselines(double[][] predictions, int label) {
        checkLabel(label);
        for (int k = 1; k < names.size(); k++) {
            scores[k].add(crossEntropy(predictions[k], label), predictedClass(predictions[k]) == label);
        }
    }

    /**
     * Decides who is champion, after a labeled example has been scored for every contender; the switch when the
     * champion changes.
     *
     * <p>The rule: a contender is <em>ready</em> when it has scored at least min({@code window}, {@value #MIN_SCORED})
     * examples. The best challenger is the ready contender other than the champion with the lowest windowed loss (the
     * lower number on a tie). It is <em>ahead</em> when the champion is ready too and its loss is below the champion's
     * times (1 - {@code margin}). Each decision it is ahead adds one to its streak; a decision it is not ends the
     * streak, and a decision another contender is the best challenger and ahead starts a new streak of 1 for that one.
     * When the streak passes {@code patience} (at the first decision ahead with patience 0) the challenger becomes
     * champion, and no streak goes on.
     */
    public Optional<Switch> decide() {
        int best = -1;
        for (int k = 0; k < names.size(); k++) {
            if (k != champion && ready(k) && (best < 0 || scores[k].loss() < scores[best].loss())) {
                best = k;
            }
        }
        if (best < 0 || !ready(champion) || !(scores[best].loss() < scores[champion].loss() * (1 - margin))) {
            challenger = -1;
            streak = 0;
            return Optional.empty();
        }
        if (best != challenger) {
            challenger = best;
            streak = 0;
        }
        streak++;
        if (streak <= patience) {
            return Optional.empty();
        }
        Switch s = new Switch(champion, best, names.get(champion), names.get(best), scores[champion].loss(),
                scores[best].loss(), scores[0].count());
        champion = best;
        challenger = -1;
        streak = 0;
        return Optional.of(s);
    }

    private boolean ready(int contender) {
        return scores[contender].count() >= Math.min(window, MIN_SCORED);
    }

    /** The champion's number: 0 (the network) until a baseline takes over. */
    public int champion() {
        return champion;
    }

    /** The champion's name, as in {@link #names()}. */
    public String championName() {
        return names.get(champion);
    }

    /**
     * The contender with the lowest windowed loss now, whether or not it is champion (the lower number on a tie,
     * 0 before any example is scored).
     */
    public int leader() {
        int leader = 0;
        for (int k = 1; k < names.size(); k++) {
            if (scores[k].count() > 0 && !(scores[k].loss() >= scores[leader].loss())) {
                leader = k;
            }
        }
        return leader;
    }

    /** The contender whose streak of decisions ahead of the champion is going on; -1 when none is. */
    public int challenger() {
        return challenger;
    }

    /** The decisions in a row that {@link #challenger()} has been ahead of the champion; 0 when none is. */
    public int streak() {
        return streak;
    }

    /**
     * Trains every baseline on one labeled example; the caller trains the network.
     *
     * @throws IllegalArgumentException for features not of the race's number, a label that is not a class, or a
     *                                  weight that is not a finite number at least 0
     */
    public void train(float[] features, int label, float weight) {
        checkFeatures(features);
        checkLabel(label);
        if (!(weight >= 0) || Float.isInfinite(weight)) {
            throw new IllegalArgumentException("weight must be a finite number at least 0, was " + weight);
        }
        for (Baseline b : baselines) {
            b.train(features, label, weight);
        }
    }

    /** A contender's windowed score. */
    public FadingScore score(int contender) {
        return scores[Objects.checkIndex(contender, names.size())];
    }

    /**
     * Writes the small part of its state, to save after every mini-batch: the contenders' names, the champion, the
     * challenger and its streak, and every score.
     */
    public void writeScores(DataOutput out) throws IOException {
        writeHeader(out, SCORES);
        out.writeInt(champion);
        out.writeInt(challenger);
        out.writeInt(streak);
        for (FadingScore s : scores) {
            s.write(out);
        }
    }

    /**
     * Replaces the champion, the streak and the scores with what {@link #writeScores} wrote. Throws
     * IllegalStateException naming what differs for state of another format, of the models' part, or of other
     * contenders, and for numbers that cannot be; EOFException for bytes that end too soon. On any failure the race
     * keeps the state it had.
     */
    public void readScores(DataInput in) throws IOException {
        readHeader(in, SCORES);
        int readChampion = in.readInt();
        int readChallenger = in.readInt();
        int readStreak = in.readInt();
        if (readChampion < 0 || readChampion >= names.size()) {
            throw new IllegalStateException("race scores state: champion " + readChampion + " is not a contender of "
                    + names);
        }
        if (readChallenger < -1 || readChallenger >= names.size() || readChallenger == readChampion
                || readStreak < 0 || (readChallenger < 0) != (readStreak == 0)) {
            throw new IllegalStateException("race scores state: challenger " + readChallenger + " with a streak of "
                    + readStreak + " cannot be, with champion " + readChampion + " among " + names.size()
                    + " contenders");
        }
        FadingScore[] read = new FadingScore[scores.length];
        for (int k = 0; k < read.length; k++) {
            read[k] = FadingScore.read(window, in);
        }
        champion = readChampion;
        challenger = readChallenger;
        streak = readStreak;
        System.arraycopy(read, 0, scores, 0, scores.length);
    }

    /** Writes the baselines' learned state, which can be large: to save with a checkpoint of the network. */
    public void writeModels(DataOutput out) throws IOException {
        writeHeader(out, MODELS);
        for (Baseline b : baselines) {
            b.write(out);
        }
    }

    /**
     * Replaces the baselines' learned state with what {@link #writeModels} wrote. Throws IllegalStateException naming
     * what differs for state of another format, of the scores' part, or of other contenders, and for a baseline's
     * state that does not fit (see {@link Baseline#read}); EOFException for bytes that end too soon. On any failure
     * the race keeps the baselines it had.
     */
    public void readModels(DataInput in) throws IOException {
        readHeader(in, MODELS);
        Baseline[] read = new Baseline[baselines.length];
        for (int k = 0; k < read.length; k++) {
            read[k] = Baseline.create(names.get(k + 1), features, classes);
            read[k].read(in);
        }
        System.arraycopy(read, 0, baselines, 0, baselines.length);
    }

    private void writeHeader(DataOutput out, byte part) throws IOException {
        out.writeByte(part);
        out.writeByte(VERSION);
        out.writeInt(names.size());
        for (String name : names) {
            out.writeUTF(name);
        }
    }

    private void readHeader(DataInput in, byte part) throws IOException {
        String what = part == SCORES ? "race scores state" : "race models state";
        int tag = in.readUnsignedByte();
        if (tag != part) {
            String other = tag == SCORES ? ": it is the scores' part" : tag == MODELS ? ": it is the models' part" : "";
            throw new IllegalStateException(String.format("%s: it starts with 0x%02x, not '%c'%s", what, tag,
                    (char) part, other));
        }
        int version = in.readUnsignedByte();
        if (version != VERSION) {
            throw new IllegalStateException(what + ": format " + version + " is not supported (expected " + VERSION
                    + "); it was written by another version of Streamtrain, or damaged");
        }
        int n = in.readInt();
        if (n < 1 || n > MAX_CONTENDERS) {
            throw new IllegalStateException(what + ": it says it has " + n + " contenders, which is not between 1"
                    + " and " + MAX_CONTENDERS + ": damaged");
        }
        List<String> written = new ArrayList<>(n);
        for (int k = 0; k < n; k++) {
            written.add(in.readUTF());
        }
        if (!written.equals(names)) {
            throw new IllegalStateException(what + ": it was written for the contenders " + written
                    + ", this race has " + names);
        }
    }

    private void checkFeatures(float[] x) {
        if (x.length != features) {
            throw new IllegalArgumentException("an example must have " + features + " features, had " + x.length);
        }
    }

    private void checkLabel(int label) {
        if (label < 0 || label >= classes) {
            throw new IllegalArgumentException("label must be a class from 0 to " + (classes - 1) + ", was " + label);
        }
    }

    /**
     * The cross-entropy of class probabilities against the label, -ln(p[label]), at most {@link FadingScore#LOSS_CAP}
     * (a probability of 0 counts as 1e-7): the loss the baselines are scored by.
     */
    public static double crossEntropy(double[] probabilities, int label) {
        // 0 - rather than -: a probability of 1 gives 0.0, not -0.0
        return Math.min(0 - Math.log(probabilities[label]), FadingScore.LOSS_CAP);
    }

    /** The class of the highest probability (the lowest of those on a tie). */
    public static int predictedClass(double[] probabilities) {
        int best = 0;
        for (int c = 1; c < probabilities.length; c++) {
            if (probabilities[c] > probabilities[best]) {
                best = c;
            }
        }
        return best;
    }

    /**
     * A change of champion.
     *
     * @param from           the contender that was champion
     * @param to             the contender that is champion now
     * @param fromName       the name of {@code from}
     * @param toName         the name of {@code to}
     * @param fromLoss       the windowed loss of {@code from} at the switch
     * @param toLoss         the windowed loss of {@code to} at the switch
     * @param examplesScored the examples the network had been scored on at the switch
     */
    public record Switch(int from, int to, String fromName, String toName, double fromLoss, double toLoss,
            long examplesScored) {
    }
}
