package io.streamtrain.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamtrain.data.SyntheticStream;
import io.streamtrain.learn.Learner;
import io.streamtrain.learn.NetworkSpec;
import org.junit.jupiter.api.Test;

class PrequentialRunTest {

    @Test
    void predictsEveryExampleTrainsTheLabeledOnesAndLearnsTheSeparableStream() {
        NetworkSpec spec = BenchSpec.load("classpath:specs/mlp-classifier.yaml").spec();
        try (Learner learner = Learner.create(spec)) {
            PrequentialRun run = new PrequentialRun(learner, 32, 1000);
            new SyntheticStream(42, 20, 0.1).stream().limit(6_010).forEach(run::add);
            assertThat(run.examples()).as("full batches only until flushed").isEqualTo(6_016 - 32);
            run.flush();
            assertThat(run.examples()).isEqualTo(6_010);
            assertThat(learner.examplesTrained()).isEqualTo(run.score().totalCount());
            assertThat(run.score().totalCount()).isBetween(5_000L, 5_800L);
            assertThat(run.windowCount()).isEqualTo(1000);
            assertThat(run.windowAccuracy()).isGreaterThan(run.score().totalAccuracy()).isGreaterThan(0.85);
        }
    }
}
