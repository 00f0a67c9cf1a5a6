package io.streamtrain.learn.baseline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.function.IntFunction;

import io.streamtrain.embedded.Tries;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * The race test-then-trains the baselines beside a stand-in for the network whose scores the test makes up: a
 * clearly better contender becomes champion once, after the patience; contenders within the margin of each other
 * never take it from one another; a race read from its state goes on exactly as the original.
 */
class RaceTest {

    private static final int FEATURES = 20;
    private static final int CLASSES = 10;

    /** The network's stand-in on an example: its loss and whether it was right. */
    private record Stand(double loss, boolean correct) {
    }

    /** No better than chance on ten classes: loss 2.0 (uniform would be ln 10, 2.30), right one time in ten. */
    private static final IntFunction<Stand> POOR = i -> new Stand(2.0, i % 10 == 0);

    @Test
    void aClearlyBetterBaselineBecomesChampionOnceAfterThePatience() {
        int window = 200;
        int patience = 25;
        Race race = Race.create(List.of("majority", "gaussian-nb"), FEATURES, CLASSES, window, 0.1, patience);
        Stream stream = new Stream(1);
        double[][] p = race.newScratch();
        List<Race.Switch> switches = new ArrayList<>();
        int ahead = 0;
        for (int i = 0; i < 4000; i++) {
            Optional<Race.Switch> s = step(race, stream, p, POOR.apply(i));
            // the rule, from the outside: gaussian-nb ahead of the network by the margin, both ready
            if (switches.isEmpty()) {
                boolean isAhead = race.score(0).count() >= 100
                        && race.score(2).loss() < race.score(0).loss() * 0.9;
                ahead = isAhead ? ahead + 1 : 0;
                assertThat(s.isPresent()).as("example %d, ahead %d decisions in a row", i, ahead)
                        .isEqualTo(ahead == patience + 1);
            }
            s.ifPresent(switches::add);
        }
        assertThat(switches).hasSize(1);
        Race.Switch s = switches.get(0);
        assertThat(s.from()).isZero();
        assertThat(s.fromName()).isEqualTo("network");
        assertThat(s.to()).isEqualTo(2);
        assertThat(s.toName()).isEqualTo("gaussian-nb");
        assertThat(s.fromLoss()).isEqualTo(2.0);
        assertThat(s.toLoss()).isLessThan(1.8);
        assertThat(s.examplesScored()).isGreaterThanOrEqualTo(100 + patience);
        assertThat(race.champion()).isEqualTo(2);
        assertThat(race.championName()).isEqualTo("gaussian-nb");
        assertThat(race.leader()).isEqualTo(2);
        assertThat(race.score(2).accuracy()).isGreaterThan(0.8);
        assertThat(race.score(1).loss()).as("majority, on ten balanced classes")
                .isCloseTo(Math.log(CLASSES), Offset.offset(0.1));
    }

    @Test
    void theNetworkTakesTheChampionshipBackWhenItBecomesClearlyBetter() {
        Race race = Race.create(List.of("majority", "gaussian-nb"), FEATURES, CLASSES, 200, 0.1, 25);
        Stream stream = new Stream(2);
        double[][] p = race.newScratch();
        List<Race.Switch> switches = new ArrayList<>();
        // poor for 2,000 examples, then better than anyone can be
        IntFunction<Stand> network = i -> i < 2000 ? POOR.apply(i) : new Stand(0, true);
        for (int i = 0; i < 5000; i++) {
            step(race, stream, p, network.apply(i)).ifPresent(switches::add);
        }
        assertThat(switches).extracting(Race.Switch::to).containsExactly(2, 0);
        Race.Switch back = switches.get(1);
        assertThat(back.fromName()).isEqualTo("gaussian-nb");
        assertThat(back.toName()).isEqualTo("network");
        assertThat(back.toLoss()).isLessThan(back.fromLoss() * 0.9);
        assertThat(back.examplesScored()).isGreaterThan(2000 + 25);
        assertThat(race.champion()).isZero();
    }

    /** Leads that change hands within the margin: the champion stays. */
    @Test
    void contendersWithinTheMarginOfEachOtherNeverSwitch() {
        Race race = Race.create(List.of("majority", "softmax-regression"), FEATURES, CLASSES, 50, 0.1, 10);
        SplittableRandom r = new SplittableRandom(3);
        int leaderChanges = 0;
        int leader = -1;
        for (int i = 0; i < 20_000; i++) {
            // in turns of 300 examples, each contender is 4% below the others
            int ahead = i / 300 % 3;
            for (int k = 0; k < 3; k++) {
                double mean = k == ahead ? 0.96 : 1.0;
                race.score(k, mean + 0.1 * r.nextGaussian(), r.nextBoolean());
            }
            assertThat(race.decide()).as("example %d", i).isEmpty();
            if (race.leader() != leader) {
                leader = race.leader();
                leaderChanges++;
            }
        }
        assertThat(leaderChanges).as("the lead changed hands").isGreaterThan(60);
        assertThat(race.champion()).isZero();
    }

    /** With a window of 1 each windowed loss is the last one, so each decision's losses are what the test says. */
    @Test
    void theStreakStartsOverWhenTheChallengerFallsBackOrAnotherTakesItsPlace() {
        Race race = Race.create(List.of("majority", "gaussian-nb"), FEATURES, CLASSES, 1, 0.1, 3);
        for (int d = 0; d < 3; d++) {
            assertThat(decide(race, 1.0, 0.8, 1.0)).isEmpty();
        }
        assertThat(race.challenger()).isEqualTo(1);
        assertThat(race.streak()).isEqualTo(3);

        assertThat(decide(race, 1.0, 0.95, 1.0)).as("within the margin").isEmpty();
        assertThat(race.challenger()).isEqualTo(-1);
        assertThat(race.streak()).isZero();

        for (int d = 0; d < 3; d++) {
            assertThat(decide(race, 1.0, 0.8, 1.0)).isEmpty();
        }
        assertThat(decide(race, 1.0, 0.8, 0.7)).as("another challenger").isEmpty();
        assertThat(race.challenger()).isEqualTo(2);
        assertThat(race.streak()).isEqualTo(1);
        assertThat(decide(race, 1.0, 0.8, 0.7)).isEmpty();
        assertThat(decide(race, 1.0, 0.8, 0.7)).isEmpty();
        assertThat(decide(race, 1.0, 0.8, 0.7)).contains(
                new Race.Switch(0, 2, "network", "gaussian-nb", 1.0, 0.7, 11));
        assertThat(race.champion()).isEqualTo(2);
        assertThat(race.challenger()).isEqualTo(-1);
        assertThat(race.streak()).isZero();
    }

    @Test
    void withPatienceZeroTheFirstDecisionAheadSwitchesAndExactlyAtTheMarginIsNotAhead() {
        Race race = Race.create(List.of("majority"), FEATURES, CLASSES, 1, 0.5, 0);
        assertThat(decide(race, 1.0, 0.5)).as("exactly at the margin").isEmpty();
        assertThat(decide(race, 1.0, 0.49)).contains(new Race.Switch(0, 1, "network", "majority", 1.0, 0.49, 2));
        assertThat(decide(race, 0.3, 0.49)).as("the network, back within the margin").isEmpty();
        assertThat(decide(race, 0.2, 0.49)).contains(new Race.Switch(1, 0, "majority", "network", 0.49, 0.2, 4));
    }

    /** Ready means at least min(window, 100) examples scored; before that, no decision changes anything. */
    @Test
    void noSwitchBeforeBothHaveScoredMinWindowAnd100Examples() {
        for (int window : new int[] {30, 100, 1000}) {
            Race race = Race.create(List.of("majority"), FEATURES, CLASSES, window, 0.1, 0);
            int ready = Math.min(window, Race.MIN_SCORED);
            for (int i = 1; i < ready; i++) {
                assertThat(decide(race, 2.0, 0.5)).as("window %d, example %d", window, i).isEmpty();
                assertThat(race.streak()).isZero();
            }
            assertThat(decide(race, 2.0, 0.5)).as("window %d", window).map(Race.Switch::examplesScored)
                    .contains((long) ready);
        }
        Race race = Race.create(List.of("majority"), FEATURES, CLASSES, 10, 0.1, 0);
        for (int i = 0; i < 50; i++) {
            race.score(1, 0.1, true);
            assertThat(race.decide()).as("the network not scored yet").isEmpty();
        }
    }

    @Test
    void aRaceReadFromItsStateDecidesAndPredictsExactlyAsTheOriginal() {
        List<String> baselines = List.of("gaussian-nb", "majority", "softmax-regression");
        Race original = Race.create(baselines, FEATURES, CLASSES, 100, 0.05, 20);
        Stream stream = new Stream(4);
        double[][] p = original.newScratch();
        // poor, then good from 1,500: the restart falls in the streak of the network's way back
        IntFunction<Stand> network = i -> i < 1500 ? POOR.apply(i) : new Stand(0.05, true);
        int i = 0;
        while (i < 1500 || original.streak() == 0) {
            step(original, stream, p, network.apply(i++));
            assertThat(i).isLessThan(4000);
        }
        assertThat(original.champion()).isNotZero();
        byte[] scores = write(original::writeScores);
        byte[] models = write(original::writeModels);

        Race copy = Race.create(baselines, FEATURES, CLASSES, 100, 0.05, 20);
        read(copy::readScores, scores);
        read(copy::readModels, models);
        assertThat(write(copy::writeScores)).isEqualTo(scores);
        assertThat(write(copy::writeModels)).isEqualTo(models);
        assertThat(copy.streak()).isEqualTo(original.streak());

        double[][] q = copy.newScratch();
        int switches = 0;
        for (; i < 3000; i++) {
            Example e = stream.next();
            original.predict(e.x(), p);
            copy.predict(e.x(), q);
            for (int k = 1; k < p.length; k++) {
                assertThat(bits(q[k])).as("contender %d, example %d", k, i).isEqualTo(bits(p[k]));
            }
            Stand n = network.apply(i);
            original.score(0, n.loss(), n.correct());
            copy.score(0, n.loss(), n.correct());
            original.scoreBaselines(p, e.label());
            copy.scoreBaselines(q, e.label());
            Optional<Race.Switch> decided = original.decide();
            assertThat(copy.decide()).as("example %d", i).isEqualTo(decided);
            switches += decided.isPresent() ? 1 : 0;
            original.train(e.x(), e.label(), e.weight());
            copy.train(e.x(), e.label(), e.weight());
        }
        assertThat(switches).as("switches after the restart").isPositive();
        assertThat(copy.champion()).isEqualTo(original.champion()).isZero();
        for (int k = 0; k < p.length; k++) {
            assertThat(Double.doubleToRawLongBits(copy.score(k).loss()))
                    .isEqualTo(Double.doubleToRawLongBits(original.score(k).loss()));
        }
        assertThat(write(copy::writeModels)).isEqualTo(write(original::writeModels));
    }

    /** The two parts are saved at different times; each reads alone and leaves the other as it was. */
    @Test
    void eachPartOfTheStateReadsAlone() {
        Race original = Race.create(List.of("gaussian-nb"), FEATURES, CLASSES, 100, 0.05, 20);
        Stream stream = new Stream(5);
        double[][] p = original.newScratch();
        for (int i = 0; i < 300; i++) {
            step(original, stream, p, POOR.apply(i));
        }
        Race scoresOnly = Race.create(List.of("gaussian-nb"), FEATURES, CLASSES, 100, 0.05, 20);
        byte[] freshModels = write(scoresOnly::writeModels);
        read(scoresOnly::readScores, write(original::writeScores));
        assertThat(scoresOnly.champion()).isEqualTo(original.champion()).isEqualTo(1);
        assertThat(write(scoresOnly::writeModels)).isEqualTo(freshModels);

        Race modelsOnly = Race.create(List.of("gaussian-nb"), FEATURES, CLASSES, 100, 0.05, 20);
        byte[] freshScores = write(modelsOnly::writeScores);
        read(modelsOnly::readModels, write(original::writeModels));
        assertThat(write(modelsOnly::writeModels)).isEqualTo(write(original::writeModels));
        assertThat(write(modelsOnly::writeScores)).isEqualTo(freshScores);
    }

    @Test
    void stateOfOtherContendersOrOfTheOtherPartIsRefusedAndTheRaceKept() {
        Race majority = trained(List.of("majority"));
        Race bayes = trained(List.of("gaussian-nb"));
        byte[] scores = write(bayes::writeScores);
        byte[] models = write(bayes::writeModels);

        assertThatThrownBy(() -> read(majority::readScores, scores)).isInstanceOf(IllegalStateException.class)
                .hasMessage("race scores state: it was written for the contenders [network, gaussian-nb], this race"
                        + " has [network, majority]");
        assertThatThrownBy(() -> read(majority::readModels, models)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("race models state: it was written for the contenders [network, gaussian-nb]");
        assertThatThrownBy(() -> read(bayes::readModels, scores)).isInstanceOf(IllegalStateException.class)
                .hasMessage("race models state: it starts with 0x53, not 'M': it is the scores' part");
        assertThatThrownBy(() -> read(bayes::readScores, models)).isInstanceOf(IllegalStateException.class)
                .hasMessage("race scores state: it starts with 0x4d, not 'S': it is the models' part");
        byte[] otherVersion = scores.clone();
        otherVersion[1] = 2;
        assertThatThrownBy(() -> read(bayes::readScores, otherVersion)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("format 2 is not supported");

        Race otherClasses = Race.create(List.of("gaussian-nb"), FEATURES, CLASSES - 1, 100, 0.05, 20);
        assertThatThrownBy(() -> read(otherClasses::readModels, models)).isInstanceOf(IllegalStateException.class)
                .hasMessage("gaussian-nb state: it was written with " + CLASSES + " classes, this one has "
                        + (CLASSES - 1));

        byte[] majorityScores = write(majority::writeScores);
        byte[] majorityModels = write(majority::writeModels);
        byte[] cut = Arrays.copyOf(models, models.length - 1);
        Race target = trained(List.of("gaussian-nb"));
        byte[] before = write(target::writeModels);
        assertThatThrownBy(() -> read(target::readModels, cut)).hasCauseInstanceOf(EOFException.class);
        assertThat(write(target::writeModels)).isEqualTo(before);
        assertThat(write(majority::writeScores)).isEqualTo(majorityScores);
        assertThat(write(majority::writeModels)).isEqualTo(majorityModels);
    }

    @Test
    void scoresThatCannotBeAreRefused() {
        Race race = Race.create(List.of("majority"), FEATURES, CLASSES, 1, 0.1, 5);
        decide(race, 1.0, 0.5);
        byte[] scores = write(race::writeScores);
        // after the header (tag, version, count, two names): champion, challenger, streak
        int at = 2 + 4 + 2 + "network".length() + 2 + "majority".length();
        byte[] champion = scores.clone();
        champion[at + 3] = 5;
        assertThatThrownBy(() -> read(race::readScores, champion))
                .hasMessage("race scores state: champion 5 is not a contender of [network, majority]");
        byte[] streak = scores.clone();
        streak[at + 11] = 0;
        assertThatThrownBy(() -> read(race::readScores, streak))
                .hasMessageContaining("challenger 1 with a streak of 0 cannot be");
    }

    @Test
    void badArgumentsAreRefusedNamingTheParameter() {
        assertThatThrownBy(() -> Race.create(List.of("forest"), 2, 2, 10, 0.1, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("baselineNames: 'forest' is not a baseline");
        assertThatThrownBy(() -> Race.create(List.of("network"), 2, 2, 10, 0.1, 1))
                .hasMessageStartingWith("baselineNames: 'network' is not a baseline");
        assertThatThrownBy(() -> Race.create(List.of("majority", "gaussian-nb", "majority"), 2, 2, 10, 0.1, 1))
                .hasMessageStartingWith("baselineNames: 'majority' is listed twice");
        assertThatThrownBy(() -> Race.create(List.of(), 0, 2, 10, 0.1, 1))
                .hasMessage("features must be at least 1, was 0");
        assertThatThrownBy(() -> Race.create(List.of(), 2, 1, 10, 0.1, 1))
                .hasMessage("classes must be at least 2, was 1");
        assertThatThrownBy(() -> Race.create(List.of(), 2, 2, 0, 0.1, 1))
                .hasMessage("window must be at least 1, was 0");
        for (double margin : new double[] {-0.01, 1, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThatThrownBy(() -> Race.create(List.of(), 2, 2, 10, margin, 1))
                    .hasMessage("margin must be at least 0 and below 1, was " + margin);
        }
        assertThatThrownBy(() -> Race.create(List.of(), 2, 2, 10, 0.1, -1))
                .hasMessage("patience must be at least 0, was -1");
        assertThat(Race.create(List.of(), 2, 2, 1, 0, 0).names()).containsExactly("network");
    }

    @Test
    void examplesOfAnotherShapeAreRefused() {
        Race race = Race.create(List.of("majority", "gaussian-nb"), 3, 2, 10, 0.1, 1);
        assertThat(race.names()).containsExactly("network", "majority", "gaussian-nb");
        double[][] p = race.newScratch();
        assertThat(p).hasDimensions(3, 2);
        assertThatThrownBy(() -> race.predict(new float[4], p)).hasMessage("an example must have 3 features, had 4");
        assertThatThrownBy(() -> race.train(new float[2], 0, 1f)).hasMessage("an example must have 3 features, had 2");
        assertThatThrownBy(() -> race.train(new float[3], 2, 1f))
                .hasMessage("label must be a class from 0 to 1, was 2");
        assertThatThrownBy(() -> race.scoreBaselines(p, -1)).hasMessage("label must be a class from 0 to 1, was -1");
        for (float weight : new float[] {-1f, Float.NaN, Float.POSITIVE_INFINITY}) {
            assertThatThrownBy(() -> race.train(new float[3], 0, weight))
                    .hasMessage("weight must be a finite number at least 0, was " + weight);
        }
        assertThatThrownBy(() -> race.score(3, 1, true)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void crossEntropyIsCappedAndThePredictedClassIsTheFirstHighest() {
        assertThat(Race.crossEntropy(new double[] {0.25, 0.75}, 1)).isEqualTo(-Math.log(0.75));
        assertThat(Race.crossEntropy(new double[] {0, 1}, 1)).isEqualTo(0.0);
        assertThat(Race.crossEntropy(new double[] {1, 0}, 1)).isEqualTo(FadingScore.LOSS_CAP);
        assertThat(Race.crossEntropy(new double[] {1, 1e-300}, 1)).isEqualTo(FadingScore.LOSS_CAP);
        assertThat(Race.predictedClass(new double[] {0.2, 0.4, 0.4})).isEqualTo(1);
    }

    /**
     * Whatever finite features and weights the race is given (the learner refuses NaN and infinite ones before), each
     * baseline predicts a distribution of finite probabilities, its loss is finite, and a copy made from the race's
     * state at any point goes on exactly as the race.
     */
    @Test
    void extremeFeaturesGiveDistributionsAndTheStateStillRoundTrips() {
        Map<String, Integer> tally = Tries.run("race on extreme features", 200, r -> r.split(), r -> {
            int features = r.nextInt(1, 30);
            int classes = r.nextInt(2, 11);
            List<String> names = new ArrayList<>(Baseline.NAMES);
            Collections.shuffle(names, new Random(r.nextLong()));
            int window = r.nextInt(1, 50);
            int patience = r.nextInt(3);
            Race race = Race.create(names, features, classes, window, 0.1, patience);
            Race copy = null;
            int copyAt = r.nextInt(60);
            double[][] p = race.newScratch();
            double[][] q = race.newScratch();
            for (int i = 0; i < 60; i++) {
                if (i == copyAt) {
                    copy = Race.create(names, features, classes, window, 0.1, patience);
                    read(copy::readScores, write(race::writeScores));
                    read(copy::readModels, write(race::writeModels));
                }
                float[] x = new float[features];
                for (int f = 0; f < features; f++) {
                    x[f] = extreme(r);
                }
                int label = r.nextInt(classes);
                race.predict(x, p);
                for (int k = 1; k < p.length; k++) {
                    double sum = 0;
                    for (double v : p[k]) {
                        assertThat(v).as(race.names().get(k)).isBetween(0.0, 1.0);
                        sum += v;
                    }
                    assertThat(sum).as("%s: probabilities sum", race.names().get(k)).isCloseTo(1.0,
                            Offset.offset(1e-9));
                    assertThat(Race.crossEntropy(p[k], label)).isBetween(0.0, FadingScore.LOSS_CAP);
                }
                race.score(0, 1.0, false);
                race.scoreBaselines(p, label);
                Optional<Race.Switch> decided = race.decide();
                if (copy != null) {
                    copy.predict(x, q);
                    for (int k = 1; k < p.length; k++) {
                        assertThat(bits(q[k])).as("%s after the copy", race.names().get(k)).isEqualTo(bits(p[k]));
                    }
                    copy.score(0, 1.0, false);
                    copy.scoreBaselines(q, label);
                    assertThat(copy.decide()).isEqualTo(decided);
                    copy.train(x, label, 0f);
                }
                float weight = switch (r.nextInt(5)) {
                    case 0 -> Float.MAX_VALUE;
                    case 1 -> 0f;
                    case 2 -> Float.MIN_VALUE;
                    default -> (float) r.nextDouble(1e-6, 10);
                };
                race.train(x, label, weight);
                if (copy != null) {
                    // the copy was trained at weight 0 above, to check that it changes nothing; now as the race
                    copy.train(x, label, weight);
                }
            }
            assertThat(write(copy::writeModels)).isEqualTo(write(race::writeModels));
            return "champion " + race.championName();
        });
        assertThat(tally.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(Tries.count(200));
    }

    private static float extreme(SplittableRandom r) {
        return switch (r.nextInt(9)) {
            case 0 -> Float.MAX_VALUE;
            case 1 -> -Float.MAX_VALUE;
            case 2 -> Float.MIN_VALUE;
            case 3 -> -Float.MIN_NORMAL / 3;
            case 4 -> 0f;
            case 5 -> r.nextBoolean() ? 1e30f : -1e30f;
            case 6 -> (float) r.nextDouble(-1e30, 1e30);
            default -> (float) r.nextGaussian();
        };
    }

    /** Scores the contenders on one labeled example, given the network's scores, and decides. */
    private static Optional<Race.Switch> decide(Race race, double... losses) {
        for (int k = 0; k < losses.length; k++) {
            race.score(k, losses[k], false);
        }
        return race.decide();
    }

    /** One labeled example, test-then-train: predict, score every contender, decide, train the baselines. */
    private static Optional<Race.Switch> step(Race race, Stream stream, double[][] p, Stand network) {
        Example e = stream.next();
        race.predict(e.x(), p);
        race.score(0, network.loss(), network.correct());
        race.scoreBaselines(p, e.label());
        Optional<Race.Switch> s = race.decide();
        race.train(e.x(), e.label(), e.weight());
        return s;
    }

    private static Race trained(List<String> baselines) {
        Race race = Race.create(baselines, FEATURES, CLASSES, 100, 0.05, 20);
        Stream stream = new Stream(6);
        double[][] p = race.newScratch();
        for (int i = 0; i < 200; i++) {
            step(race, stream, p, POOR.apply(i));
        }
        return race;
    }

    private record Example(float[] x, int label, float weight) {
    }

    /**
     * Ten classes, each a Gaussian around its own corner: feature c and c + 10 are 2 higher for class c. Gaussian
     * naive Bayes learns it in a few hundred examples; every tenth example weighs 0.5, every seventh 2.
     */
    private static final class Stream {
        private final SplittableRandom r;
        private int n;

        Stream(long seed) {
            this.r = new SplittableRandom(seed);
        }

        Example next() {
            int label = r.nextInt(CLASSES);
            float[] x = new float[FEATURES];
            for (int f = 0; f < FEATURES; f++) {
                x[f] = (float) (r.nextGaussian() + (f % CLASSES == label ? 2.0 : 0.0));
            }
            n++;
            return new Example(x, label, n % 10 == 0 ? 0.5f : n % 7 == 0 ? 2f : 1f);
        }
    }

    private static long[] bits(double[] p) {
        return Arrays.stream(p).mapToLong(Double::doubleToRawLongBits).toArray();
    }

    private interface Writer {
        void write(java.io.DataOutput out) throws IOException;
    }

    private interface Reader {
        void read(java.io.DataInput in) throws IOException;
    }

    private static byte[] write(Writer writer) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            writer.write(new DataOutputStream(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void read(Reader reader, byte[] state) {
        try {
            reader.read(new DataInputStream(new ByteArrayInputStream(state)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
