package io.streamtrain.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.streamtrain.avro.ParamsChunk;
import io.streamtrain.avro.ParamsKind;
import io.streamtrain.contract.ReplicaKey;
import org.junit.jupiter.api.Test;

class ScaleSuiteTest {

    private static final Machine MACHINE = new Machine(2, "test CPU", 8L << 30, "JDK", "Linux", 0.5);

    // ---------------------------------------------------------------- projection

    /**
     * X 6,000/s, batch 32, K 16, P 1 MB, S 3,200 B, c 4 ms, a 1 ms, T0 0, replicas that never wait for a round:
     * rounds every K steps.
     */
    private static final ScaleProjection P = new ScaleProjection(6000, 32, 16, 1_000_000, 3200, 0.004, 0.001, 0,
            Integer.MAX_VALUE);

    @Test
    void oneInstanceIsTheSingleLearnerWithNoParameterTraffic() {
        ScaleProjection.Point one = P.project(1, 1e12);
        assertThat(one.computeRate()).isEqualTo(6000);
        assertThat(one.rate()).isEqualTo(6000);
        assertThat(one.paramBytesPerExample()).isZero();
        assertThat(one.roundsPerSecond()).isZero();
        assertThat(one.bound()).isEqualTo("compute");
    }

    @Test
    void computeIsTheInstancesTimesTheRateLessTheShareOfRoundWork() {
        // t = 16·32 / 6000 = 0.085333 s; 4 instances: 4·6000·t / (t + 0.004 + 4·0.001)
        double t = 512 / 6000.0;
        assertThat(P.trainSecondsPerRound()).isCloseTo(t, within(1e-12));
        ScaleProjection.Point four = P.project(4, 1e12);
        assertThat(four.computeRate()).isCloseTo(24_000 * t / (t + 0.008), within(1e-6));
        assertThat(four.computeRate()).isCloseTo(21_942.9, within(0.1));
        assertThat(four.bound()).isEqualTo("compute");
        // 4 replicas each training K·B examples per round
        assertThat(four.roundsPerSecond()).isCloseTo(four.rate() / 2048, within(1e-9));
    }

    @Test
    void parameterBytesPerExampleCountEveryCopyOfARound() {
        // 2 replicas: 2 contributions + 2 averages + 1 snapshot = 5 MB per 2·512 examples
        assertThat(P.paramBytesPerExample(2)).isCloseTo(5_000_000 / 1024.0, within(1e-9));
        // 4: 9 MB per 2048 examples
        assertThat(P.paramBytesPerExample(4)).isCloseTo(4394.53125, within(1e-9));
        assertThat(P.paramBytesPerExample(1)).isZero();
    }

    @Test
    void aSlowLinkBoundsTheStreamByItsBytesPerExample() {
        // 1 Gbit/s = 125 MB/s over 3,200 + 4,394.53 bytes per example
        ScaleProjection.Point gigabit = P.project(4, 125_000_000);
        assertThat(gigabit.linkRate()).isCloseTo(125_000_000 / 7594.53125, within(1e-6));
        assertThat(gigabit.linkRate()).isCloseTo(16_459.2, within(0.1));
        assertThat(gigabit.rate()).isEqualTo(gigabit.linkRate());
        assertThat(gigabit.bound()).isEqualTo("link");
        assertThat(gigabit.linkShare()).isCloseTo(1.0, within(1e-12));
        ScaleProjection.Point tenGigabit = P.project(4, 1_250_000_000);
        assertThat(tenGigabit.bound()).isEqualTo("compute");
        assertThat(tenGigabit.linkShare()).isCloseTo(tenGigabit.rate() * 7594.53125 / 1.25e9, within(1e-12));
    }

    @Test
    void aRoundTripLongerThanKStepsMakesRoundsRarerAndLeavesTheLinkToTheExamples() {
        ScaleProjection slow = new ScaleProjection(6000, 32, 16, 1_000_000, 3200, 0.004, 0.001, 0.5,
                Integer.MAX_VALUE);
        // 1 Gbit/s: every K steps would be 8 rounds/s, but one takes 0.5 + 9 MB / 125 MB/s = 0.572 s
        assertThat(slow.roundTripSeconds(4, 125_000_000)).isCloseTo(0.572, within(1e-12));
        ScaleProjection.Point q = slow.project(4, 125_000_000);
        assertThat(q.roundsPerSecond()).isCloseTo(1 / 0.572, within(1e-9));
        // the examples get what the parameters leave: (125 MB/s - 9 MB / 0.572 s) / 3,200 B = 34,145/s > compute
        assertThat(q.linkRate()).isCloseTo((125e6 - 9e6 / 0.572) / 3200, within(1e-6));
        assertThat(q.bound()).isEqualTo("compute");
        assertThat(q.rate()).isCloseTo(21_942.9, within(0.1));
        assertThat(q.paramBytesPerExample()).isCloseTo(9e6 / 0.572 / q.rate(), within(1e-9));
        // 21,943/s over 4 replicas of batch 32, 1.748 rounds/s: 98 steps a round instead of 16
        assertThat(q.stepsPerRound()).isCloseTo(q.rate() / (4 * 32 / 0.572), within(1e-9));
        assertThat(q.stepsPerRound()).isCloseTo(98.05, within(0.01));
        assertThat(q.linkShare()).isCloseTo((q.rate() * 3200 + 9e6 / 0.572) / 125e6, within(1e-12));
        // with T0 = 0 the same cluster is link-bound, rounds every K steps
        assertThat(P.project(4, 125_000_000).stepsPerRound()).isCloseTo(16, within(1e-9));
    }

    @Test
    void aSynchronousReplicaWaitsOutEachRoundTripAndAStaleOneOnlyWhatItsStepsDoNotCover() {
        // S = 0: each round is K steps (85.33 ms) plus the round trip 0.1 + 9 MB / 1.25 GB/s = 0.1072 s plus 8 ms
        ScaleProjection sync = new ScaleProjection(6000, 32, 16, 1_000_000, 3200, 0.004, 0.001, 0.1, 0);
        double t = 512 / 6000.0;
        double trip = 0.1 + 9e6 / 1.25e9;
        ScaleProjection.Point q = sync.project(4, 1.25e9);
        assertThat(q.computeRate()).isCloseTo(4 * 512 / (t + trip + 0.008), within(1e-6));
        assertThat(q.computeRate()).isCloseTo(10_212.8, within(0.1));
        assertThat(q.stepsPerRound()).isEqualTo(16);
        assertThat(q.roundsPerSecond()).isCloseTo(1 / (t + trip + 0.008), within(1e-9));
        // S = 8 covers 42.67 ms of it
        ScaleProjection stale = new ScaleProjection(6000, 32, 16, 1_000_000, 3200, 0.004, 0.001, 0.1, 8);
        assertThat(stale.project(4, 1.25e9).computeRate())
                .isCloseTo(4 * 512 / (8 * 32 / 6000.0 + trip + 0.008), within(1e-6));
        // S = 24 > K: rounds of 24 steps, one per round trip and round work
        ScaleProjection wide = new ScaleProjection(6000, 32, 16, 1_000_000, 3200, 0.004, 0.001, 0.2, 24);
        ScaleProjection.Point w = wide.project(4, 1.25e9);
        assertThat(w.stepsPerRound()).isEqualTo(24);
        assertThat(w.computeRate()).isCloseTo(4 * 24 * 32 / (0.2 + 9e6 / 1.25e9 + 0.008), within(1e-6));
        // S covering the whole round trip: the replicas never wait, as P
        ScaleProjection covered = new ScaleProjection(6000, 32, 16, 1_000_000, 3200, 0.004, 0.001, 0.1, 40);
        assertThat(covered.project(4, 1.25e9).computeRate()).isCloseTo(24_000 * t / (t + 0.008), within(1e-6));
    }

    @Test
    void aProjectionRefusesNonsense() {
        assertThatThrownBy(() -> new ScaleProjection(0, 32, 16, 1, 1, 0, 0, 0, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ScaleProjection(6000, 32, 16, 1, 1, 0, 0, 0, -1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> P.project(0, 1e9)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> P.project(2, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    // ---------------------------------------------------------------- measuring

    @Test
    void theModelIdPutsEveryShardOnAPartitionOfItsOwn() {
        String model = ScaleSuite.modelId("fashion-mnist-mlp", 4, 4);
        Set<Integer> partitions = new HashSet<>();
        for (int s = 0; s < 4; s++) {
            partitions.add(ScaleSuite.partitionOf(ReplicaKey.shardKey(model, s), 4));
        }
        assertThat(partitions).containsExactlyInAnyOrder(0, 1, 2, 3);
        assertThat(ScaleSuite.partitionOf(ReplicaKey.shardKey(model, 0), 4) % 2)
                .isNotEqualTo(ScaleSuite.partitionOf(ReplicaKey.shardKey(model, 1), 4) % 2);
        assertThat(ScaleSuite.modelId("fashion-mnist-mlp", 4, 4)).isEqualTo(model);
    }

    @Test
    void theRateRunsFromATenthOfThePredictionsOrALaterTimeToTheLast() {
        // 100 predictions, one per 10 ms from t = 1000: the tenth at 1100, the last at 1990
        long[] at = new long[100];
        for (int i = 0; i < at.length; i++) {
            at[i] = 1000 + 10L * i;
        }
        // from a tenth: 90 predictions from 1100 to 1990
        assertThat(ScaleSuite.rate(at, 0)).isCloseTo(90 / 0.89, within(1e-9));
        // not before 1500: 50 predictions
        assertThat(ScaleSuite.rate(at, 1500)).isCloseTo(50 / 0.49, within(1e-9));
    }

    @Test
    void accuracyCountsTheLabeledExamplesFromAnIndexOn() {
        int[] labels = {1, 2, 3, -1, 5};
        int[] predicted = {1, 0, 3, 4, 5};
        assertThat(ScaleSuite.accuracy(predicted, labels, 0)).isEqualTo(0.75);
        assertThat(ScaleSuite.accuracy(predicted, labels, 2)).isEqualTo(1.0);
        assertThat(ScaleSuite.accuracy(predicted, labels, 1)).isCloseTo(2 / 3.0, within(1e-12));
    }

    @Test
    void aRoundRunsFromItsFirstContributionToItsAverage() {
        List<ParamsChunk> contributions = List.of(
                chunk(ParamsKind.CONTRIBUTION, 0, 0, 100, 1000),
                chunk(ParamsKind.CONTRIBUTION, 1, 0, 100, 1040),
                chunk(ParamsKind.CONTRIBUTION, 0, 1, 100, 2000),
                // round 3 never completed
                chunk(ParamsKind.CONTRIBUTION, 0, 2, 100, 3000));
        List<ParamsChunk> globals = List.of(
                chunk(ParamsKind.GLOBAL, 0, 1, 100, 1200),
                chunk(ParamsKind.GLOBAL, 1, 1, 100, 1201),
                chunk(ParamsKind.GLOBAL, 0, 2, 100, 2150),
                chunk(ParamsKind.GLOBAL, 1, 2, 100, 2150),
                chunk(ParamsKind.ROUND_OPEN, 1, 1, 0, 2010));
        List<ScaleSuite.Round> rounds = ScaleSuite.rounds(contributions, List.of(10L, 11L, 12L, 13L), globals,
                List.of(20L, 21L, 22L, 23L, 5L));
        assertThat(rounds).hasSize(2);
        ScaleSuite.Round first = rounds.get(0);
        assertThat(first.version()).isEqualTo(1);
        assertThat(first.spanMs()).isEqualTo(200);
        assertThat(first.averagingMs()).isEqualTo(160);
        assertThat(first.bytes()).isEqualTo(10 + 11 + 20 + 21);
        ScaleSuite.Round second = rounds.get(1);
        assertThat(second.spanMs()).isEqualTo(150);
        // the ROUND_OPEN to replica 1 crossed the broker too
        assertThat(second.bytes()).isEqualTo(12 + 22 + 23 + 5);
    }

    private static ParamsChunk chunk(ParamsKind kind, int replica, long round, int floats, long sentAt) {
        return new ParamsChunk(kind, "m", replica, 2, round, 10L, 1L, floats, 0, 1, ByteBuffer.allocate(4 * floats),
                Instant.ofEpochMilli(sentAt));
    }

    @Test
    void placementNamesTheShardsOfEachInstance() {
        String model = ScaleSuite.modelId("m", 4, 4);
        int p0 = ScaleSuite.partitionOf(ReplicaKey.shardKey(model, 0), 4);
        int p1 = ScaleSuite.partitionOf(ReplicaKey.shardKey(model, 1), 4);
        int other = 0;
        while (other == p0 || other == p1) {
            other++;
        }
        assertThat(ScaleSuite.placement(List.of(Set.of(p0, other), Set.of(p1)), model, 2)).isEqualTo("[0] [1]");
        assertThat(ScaleSuite.placement(List.of(Set.of(p0, p1), Set.of(other)), model, 2)).isEqualTo("[0,1] []");
    }

    @Test
    void configurationsStartWithTheSingleLearnerAndRefuseMoreReplicasThanPartitions() {
        assertThat(ScaleSuite.configs(List.of(2, 4), List.of(16, 4)).stream().map(ScaleSuite.Config::label))
                .containsExactly("single learner", "2 replicas, K=16", "4 replicas, K=16", "2 replicas, K=4",
                        "4 replicas, K=4");
        assertThatThrownBy(() -> ScaleSuite.configs(List.of(8), List.of(16)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 to 4");
    }

    // ---------------------------------------------------------------- tables

    private static ScaleSuite.Run run(int replicas, double rate, double window, long rounds, long paramsBytes,
            List<ScaleSuite.Round> completeRounds) {
        return new ScaleSuite.Run(replicas, 70_000, rate, window - 0.02, window, rounds, paramsBytes, paramsBytes,
                7_000_000, completeRounds, replicas == 1 ? "[0]" : "[0] [1]");
    }

    @Test
    void theResultTableComparesEachConfigurationWithTheSingleLearner() {
        Map<ScaleSuite.Config, List<ScaleSuite.Run>> runs = new LinkedHashMap<>();
        runs.put(new ScaleSuite.Config(1, 0), List.of(run(1, 6000, 0.85, 0, 0, List.of()),
                run(1, 5000, 0.84, 0, 0, List.of())));
        List<ScaleSuite.Round> rounds = List.of(new ScaleSuite.Round(1, 0, 50, 150, 4_000_000),
                new ScaleSuite.Round(2, 1000, 1010, 1110, 4_000_000));
        runs.put(new ScaleSuite.Config(2, 16), List.of(run(2, 3000, 0.8345, 60, 35_000_000, rounds)));
        runs.put(new ScaleSuite.Config(4, 16), List.of(run(4, 2000, 0.8250, 30, 70_000_000, rounds)));
        ResultTable table = ScaleSuite.resultTable(runs, "fashion-mnist-train+t10k", 70_000, 10_000,
                "fashion-mnist-mlp", 32, 2000, "sum", MACHINE);
        assertThat(table.rowCount()).isEqualTo(3);
        assertThat(table.value(0, 0)).isEqualTo("single learner");
        assertThat(((Summary) table.value(0, 2)).median()).isEqualTo(5500);
        assertThat(((Summary) table.value(0, 3)).median()).isCloseTo(84.5, within(1e-9));
        assertThat(table.value(0, 4)).isNull();
        assertThat(table.value(0, 7)).isEqualTo("reference");
        // against the single learner's median, 84.5
        assertThat(((Summary) table.value(1, 4)).median()).isCloseTo(-1.05, within(1e-9));
        assertThat(table.value(1, 7)).isEqualTo("missed by 0.05 pt");
        assertThat(((Summary) table.value(2, 4)).median()).isCloseTo(-2.0, within(1e-9));
        assertThat(((Summary) table.value(2, 5)).median()).isEqualTo(30);
        // params and global, 2 × 70 MB over 70k examples
        assertThat(((Summary) table.value(2, 6)).median()).isEqualTo(2000);
        assertThat(table.toText()).contains("2 cores", "cannot grow with N here");
        assertThat(ScaleSuite.goal(-0.99)).isEqualTo("met (-0.99 pt)");
        assertThat(ScaleSuite.goal(0.3)).isEqualTo("met (+0.30 pt)");

        ResultTable costs = ScaleSuite.roundsTable(runs);
        assertThat(costs.value(0, 1)).isNull();
        assertThat(((Summary) costs.value(1, 2)).median()).isEqualTo(4_000_000);
        // spans 150 and 110 ms, averaging 100 each
        assertThat(((Summary) costs.value(1, 3)).median()).isEqualTo(130);
        assertThat(((Summary) costs.value(1, 4)).median()).isEqualTo(100);
        assertThat(((Summary) costs.value(1, 5)).median()).isEqualTo(100);
        // 2 rounds of 4 MB, each 2 replicas' contributions and averages: 1 MB per copy
        assertThat(ScaleSuite.bytesPerCopy(runs.get(new ScaleSuite.Config(2, 16)).get(0))).isEqualTo(1_000_000);
    }

    @Test
    void theProjectionTableSaysItIsAProjectionAndHowItIsComputed() {
        ResultTable table = ScaleSuite.projectionTable(P, List.of(1, 4), List.of(1000.0, 10_000.0),
                new ScaleSuite.Config(4, 16), MACHINE);
        assertThat(table.rowCount()).isEqualTo(4);
        assertThat(table.title()).contains("PROJECTED").contains("not a measurement");
        assertThat(table.value(0, 2)).isEqualTo(6000.0);
        assertThat(table.value(0, 6)).isNull();
        assertThat((double) table.value(2, 2)).isCloseTo(16_459.2, within(0.1));
        assertThat(table.value(2, 4)).isEqualTo("link");
        assertThat((double) table.value(3, 3)).isCloseTo(21_942.9 / 4, within(0.1));
        assertThat(String.join("\n", table.notes())).contains("min(compute, link)").contains("X = 6000");
    }

    @Test
    void scaleRunsOnlyWhenNamed() {
        assertThat(Bench.select(List.of("scale")).stream().map(BenchSuite::name)).containsExactly("scale");
        assertThat(Bench.select(List.of("all")).stream().map(BenchSuite::name)).doesNotContain("scale");
        assertThat(Bench.select(List.of("all", "scale")).stream().map(BenchSuite::name)).contains("scale");
    }
}
