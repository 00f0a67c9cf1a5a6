package io.streamtrain.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import io.streamtrain.contract.ReplicaKey;
import io.streamtrain.data.LabeledExample;
import io.streamtrain.data.SyntheticStream;
import io.streamtrain.learn.Learner;
import io.streamtrain.learn.NetworkSpec;
import io.streamtrain.learn.Target;
import org.junit.jupiter.api.Test;

class RoundsSuiteTest {

    private static final NetworkSpec SPEC = BenchSpec.load("classpath:specs/mlp-classifier.yaml").spec();
    private static final List<LabeledExample> STREAM = new SyntheticStream(3, 20, 0.0).stream().limit(3_000).toList();

    @Test
    void theConfigurationsAreTheSingleLearnerThenEachReplicaCountKAndMomentum() {
        assertThat(RoundsSuite.configs(List.of(2, 4), List.of(8), List.of(0.0, 0.9))).containsExactly(
                new RoundsSuite.Config(1, 0, 0), new RoundsSuite.Config(2, 8, 0), new RoundsSuite.Config(2, 8, 0.9),
                new RoundsSuite.Config(4, 8, 0), new RoundsSuite.Config(4, 8, 0.9));
        assertThatThrownBy(() -> RoundsSuite.configs(List.of(1), List.of(8), List.of(0.0)))
                .hasMessageContaining("--rounds-replicas");
        assertThatThrownBy(() -> RoundsSuite.configs(List.of(2), List.of(0), List.of(0.0)))
                .hasMessageContaining("--rounds-average-every");
        assertThatThrownBy(() -> RoundsSuite.configs(List.of(2), List.of(8), List.of(1.0)))
                .hasMessageContaining("--rounds-momentum");
    }

    @Test
    void theSingleLearnerPredictsEachMiniBatchBeforeItTrainsOnIt() {
        RoundsSuite.Result single = RoundsSuite.simulate(SPEC, STREAM, new RoundsSuite.Config(1, 0, 0), "average", 1,
                500);
        int right = 0;
        try (Learner learner = Learner.create(SPEC)) {
            for (int from = 0; from < STREAM.size(); from += SPEC.batchSize()) {
                List<LabeledExample> batch = STREAM.subList(from, Math.min(STREAM.size(), from + SPEC.batchSize()));
                float[][] x = batch.stream().map(LabeledExample::features).toArray(float[][]::new);
                int[] predicted = new int[batch.size()];
                var outputs = learner.predict(x);
                for (int j = 0; j < batch.size(); j++) {
                    predicted[j] = outputs.predictedClass(j);
                    right += from + j >= STREAM.size() - 500 && predicted[j] == batch.get(j).label() ? 1 : 0;
                }
                float[] weights = new float[batch.size()];
                java.util.Arrays.fill(weights, 1f);
                learner.train(x, batch.stream().map(e -> Target.ofClass(e.label())).toArray(Target[]::new), weights);
            }
        }
        assertThat(single.rounds()).isZero();
        assertThat(single.windowAccuracy()).isEqualTo(right / 500.0);
        assertThat(single.windowAccuracy()).as("it learns (chance: 0.5)").isGreaterThan(0.8);
    }

    @Test
    void replicasMeetEveryKStepsOfTheirShardsAndTheMomentumChangesWhereTheyGo() {
        int[] shard = new int[3];
        for (int i = 0; i < STREAM.size(); i++) {
            shard[ReplicaKey.shard("e" + i, 3)]++;
        }
        int longest = 0;
        for (int s : shard) {
            longest = Math.max(longest, (s + SPEC.batchSize() - 1) / SPEC.batchSize());
        }
        RoundsSuite.Result plain = RoundsSuite.simulate(SPEC, STREAM, new RoundsSuite.Config(3, 4, 0), "average", 1,
                500);
        assertThat(plain.rounds()).as("the longest shard's steps, 4 a round").isEqualTo((longest + 3) / 4);
        assertThat(RoundsSuite.simulate(SPEC, STREAM, new RoundsSuite.Config(3, 4, 0), "average", 1, 500))
                .as("deterministic").usingRecursiveComparison().ignoringFields("seconds").isEqualTo(plain);
        RoundsSuite.Result momentum = RoundsSuite.simulate(SPEC, STREAM, new RoundsSuite.Config(3, 4, 0.5), "average",
                1, 500);
        assertThat(momentum.rounds()).isEqualTo(plain.rounds());
        assertThat(momentum.accuracy()).isNotEqualTo(plain.accuracy());
        assertThat(momentum.windowAccuracy()).as("it learns (chance: 0.5)").isGreaterThan(0.7);
    }
}
