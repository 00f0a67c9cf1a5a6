package io.streamtrain.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.streamtrain.avro.ChampionSwitch;
import io.streamtrain.avro.ClassLabel;
import io.streamtrain.avro.ContenderScore;
import io.streamtrain.avro.ControlCommand;
import io.streamtrain.avro.Example;
import io.streamtrain.avro.Prediction;
import io.streamtrain.avro.TrainingMetrics;
import io.streamtrain.learn.NetworkSpec;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Shallow baselines racing the network in the learner's processor: on a stream a linear model learns at once and
 * this network (plain SGD at a tiny rate) hardly at all, a baseline takes the lead once, the switch is written to
 * the champions topic, and in champion mode the predictions come from it, saying so; the metrics carry every
 * contender's windowed figures. A task restarted from its store anywhere goes on exactly as one that never stopped.
 */
class RaceTopologyTest {

    private static final NetworkSpec SLOW = NetworkSpec.parse("""
            inputSize: 20
            layers: [{type: dense, units: 16}]
            output: {type: classification, classes: 3}
            optimizer: {type: sgd, learningRate: 1.0e-6}
            batch: {size: 16, maxWaitMs: 100}
            """, NetworkSpec.Format.YAML);
    private static final List<String> BASELINES = List.of("majority", "softmax-regression", "gaussian-nb");
    private static final int EXAMPLES = 1_600;

    private final List<ProcessorHarness> harnesses = new ArrayList<>();

    @AfterEach
    void close() {
        harnesses.forEach(ProcessorHarness::close);
    }

    @Test
    void aBaselineThatLearnsFasterTakesTheLeadOnceAndServesThePredictionsInChampionMode() {
        ProcessorHarness harness = harness(true);
        LearnerProcessor processor = harness.processor(SLOW);
        List<Example> stream = stream(31);
        stream.forEach(e -> harness.process(processor, e));
        MockProcessorContext<String, ?> context = harness.contextOf(processor);

        List<ChampionSwitch> switches = switches(context);
        assertThat(switches).as("one change of lead").hasSize(1);
        ChampionSwitch change = switches.get(0);
        assertThat(change.getFrom()).isEqualTo("network");
        assertThat(change.getTo()).isIn("softmax-regression", "gaussian-nb");
        assertThat(change.getToLoss()).isLessThan(change.getFromLoss() * 0.95);
        assertThat(change.getToAccuracy()).isGreaterThan(change.getFromAccuracy());
        assertThat(change.getServingChampion()).isTrue();
        assertThat(change.getExamplesScored()).as("100 scored, then 200 more ahead: the earliest the rule allows")
                .isGreaterThanOrEqualTo(300);
        assertThat(change.getExampleId()).isEqualTo("x" + change.getOffset());

        List<Prediction> predictions = predictions(context);
        assertThat(predictions).hasSize(EXAMPLES);
        for (Prediction p : predictions) {
            int index = Integer.parseInt(p.getExampleId().substring(1));
            String expected = index <= change.getOffset() ? "network" : change.getTo();
            assertThat(p.getServedBy()).as("%s", p.getExampleId()).isEqualTo(expected);
            float sum = 0;
            for (float f : p.getProbabilities()) {
                sum += f;
            }
            assertThat(sum).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-4f));
            assertThat(p.getPredictedClass()).isEqualTo(argmax(p.getProbabilities()));
        }
        long rightAfter = predictions.stream().filter(p -> !p.getServedBy().equals("network"))
                .filter(p -> p.getPredictedClass().equals(((ClassLabel) p.getLabel()).getIndex())).count();
        long servedAfter = predictions.stream().filter(p -> !p.getServedBy().equals("network")).count();
        assertThat((double) rightAfter / servedAfter).as("the champion's accuracy once it serves").isGreaterThan(0.8);

        List<TrainingMetrics> windows = metrics(context);
        TrainingMetrics last = windows.get(windows.size() - 1);
        assertThat(last.getChampion()).isEqualTo(change.getTo());
        assertThat(last.getContenders()).extracting(ContenderScore::getName)
                .containsExactly("network", "majority", "softmax-regression", "gaussian-nb");
        assertThat(last.getContenders()).allSatisfy(c -> {
            assertThat(c.getScored()).isEqualTo(last.getContenders().get(0).getScored()).isPositive();
            assertThat(c.getWindowLoss()).isNotNull().isFinite();
            assertThat(c.getWindowAccuracy()).isBetween(0.0, 1.0);
        });
    }

    @Test
    void inNetworkModeThePredictionsStayTheNetworksAndTheLeadIsStillWritten() {
        ProcessorHarness harness = harness(false);
        LearnerProcessor processor = harness.processor(SLOW);
        stream(31).forEach(e -> harness.process(processor, e));
        MockProcessorContext<String, ?> context = harness.contextOf(processor);
        assertThat(predictions(context)).extracting(Prediction::getServedBy).containsOnly("network");
        assertThat(switches(context)).singleElement().satisfies(s -> assertThat(s.getServingChampion()).isFalse());
    }

    @Test
    void aTaskRestartedFromItsStoreAnywhereGoesOnExactlyAsOneThatNeverStopped() {
        List<Example> stream = stream(32);
        ProcessorHarness whole = harness(true);
        LearnerProcessor once = whole.processor(SLOW);
        stream.forEach(e -> whole.process(once, e));
        ModelRuntime a = whole.restore(SLOW);
        List<ChampionSwitch> switches = switches(whole.contextOf(once));
        assertThat(switches).hasSize(1);

        // before the switch, in the middle of the challenger's streak, and after it; mid-batch and at a checkpoint
        long switchAt = switches.get(0).getOffset();
        for (int stop : new int[] {123, (int) switchAt - 40, (int) switchAt + 1, 1_104}) {
            ProcessorHarness split = harness(true);
            LearnerProcessor before = split.processor(SLOW);
            stream.subList(0, stop).forEach(e -> split.process(before, e));
            LearnerProcessor after = split.processor(SLOW);
            stream.subList(stop, stream.size()).forEach(e -> split.process(after, e));

            List<Prediction> got = new ArrayList<>(predictions(split.contextOf(before)));
            got.addAll(predictions(split.contextOf(after)));
            assertThat(got).as("stopped at %d: the same predictions, from the same learners", stop)
                    .usingRecursiveComparison().ignoringFields("predictedAt")
                    .isEqualTo(predictions(whole.contextOf(once)));
            List<ChampionSwitch> gotSwitches = new ArrayList<>(switches(split.contextOf(before)));
            gotSwitches.addAll(switches(split.contextOf(after)));
            assertThat(gotSwitches).as("stopped at %d: the switch once", stop).usingRecursiveComparison()
                    .ignoringFields("switchedAt").isEqualTo(switches);
            ModelRuntime b = split.restore(SLOW);
            assertThat(b.raceModels()).as("stopped at %d: the baselines' learned state", stop)
                    .isEqualTo(a.raceModels());
            assertThat(b.raceScores()).as("stopped at %d: the scores, the champion, the streak", stop)
                    .isEqualTo(a.raceScores());
            assertThat(b.learner.checkpoint()).isEqualTo(a.learner.checkpoint());
            b.learner.close();
        }
        a.learner.close();
    }

    @Test
    void aResetStartsTheRaceOverAndRegressionModelsDoNotRace() {
        ProcessorHarness harness = harness(true);
        LearnerProcessor processor = harness.processor(SLOW);
        stream(33).forEach(e -> harness.process(processor, e));
        assertThat(harness.restore(SLOW).race.championName()).isNotEqualTo("network");
        harness.command(processor, ControlCommand.newBuilder().setId("c1").setModel(ProcessorHarness.MODEL)
                .setCommand("reset").setIssuedAt(Instant.ofEpochMilli(1)).build());
        ModelRuntime reset = harness.restore(SLOW);
        assertThat(reset.race.championName()).isEqualTo("network");
        assertThat(reset.race.score(1).count()).isZero();
        reset.learner.close();

        NetworkSpec regression = NetworkSpec.parse("inputSize: 20\noutput: {type: regression}\n",
                NetworkSpec.Format.YAML);
        ProcessorHarness other = harness(true);
        LearnerProcessor regressor = other.processor(regression);
        Random data = new Random(34);
        for (int i = 0; i < 100; i++) {
            other.process(regressor, Example.newBuilder().setId("r" + i).setModel(ProcessorHarness.MODEL)
                    .setFeatures(features(data)).setLabel(new io.streamtrain.avro.RegressionTarget(1.5))
                    .setEventTime(Instant.ofEpochMilli(1_700_000_000_000L)).build());
        }
        assertThat(predictions(other.contextOf(regressor))).isNotEmpty().extracting(Prediction::getServedBy)
                .containsOnlyNulls();
        assertThat(other.restore(regression).race).isNull();
    }

    private ProcessorHarness harness(boolean champion) {
        ProcessorHarness harness = new ProcessorHarness();
        harness.tune(b -> b.race(new RaceSettings(BASELINES, 200, champion, 0.05, 200)).checkpointEveryBatches(5)
                .metricsEveryExamples(400));
        harnesses.add(harness);
        return harness;
    }

    /** Three classes by which of the first three features is largest: linear, so softmax regression learns it. */
    private static List<Example> stream(long seed) {
        Random data = new Random(seed);
        List<Example> stream = new ArrayList<>();
        for (int i = 0; i < EXAMPLES; i++) {
            List<Float> x = features(data);
            int label = x.get(0) > x.get(1) ? (x.get(0) > x.get(2) ? 0 : 2) : (x.get(1) > x.get(2) ? 1 : 2);
            stream.add(Example.newBuilder().setId("x" + i).setModel(ProcessorHarness.MODEL).setFeatures(x)
                    .setLabel(new ClassLabel(label, null)).setWeight(i % 5 == 2 ? 0.5f : 1f)
                    .setEventTime(Instant.ofEpochMilli(1_700_000_000_000L)).build());
        }
        return stream;
    }

    private static List<Float> features(Random data) {
        List<Float> x = new ArrayList<>(20);
        for (int f = 0; f < 20; f++) {
            x.add((float) (data.nextGaussian() * (f < 3 ? 2 : 1)));
        }
        return x;
    }

    private static int argmax(List<Float> p) {
        int best = 0;
        for (int i = 1; i < p.size(); i++) {
            if (p.get(i) > p.get(best)) {
                best = i;
            }
        }
        return best;
    }

    private static List<Prediction> predictions(MockProcessorContext<String, ?> context) {
        return ProcessorHarness.forwarded(context, Prediction.class);
    }

    private static List<ChampionSwitch> switches(MockProcessorContext<String, ?> context) {
        return ProcessorHarness.forwarded(context, ChampionSwitch.class);
    }

    private static List<TrainingMetrics> metrics(MockProcessorContext<String, ?> context) {
        return ProcessorHarness.forwarded(context, TrainingMetrics.class);
    }
}
