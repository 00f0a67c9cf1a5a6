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
            PrequentialRun run = new PrequentialRun(learner, 32, 1000).curveEvery(500);
            new SyntheticStream(42, 20, 0.1).stream().limit(6_010).forEach(run::add);
            assertThat(run.examples()).as("full batches only until flushed").isEqualTo(6_016 - 32);
            run.flush();
            assertThat(run.examples()).isEqualTo(6_010);
            assertThat(learner.examplesTrained()).isEqualTo(run.score().totalCount());
            assertThat(run.score().totalCount()).isBetween(5_000L, 5_800L);
            assertThat(run.windowCount()).isEqualTo(1000);
            assertThat(run.windowAccuracy()).isGreaterThan(run.score().totalAccuracy()).isGreaterThan(0.85);
            // the learning curve: a point every 500 labeled examples (at the end of the step that reached it)
            assertThat(run.curve()).hasSize((int) (run.score().totalCount() / 500));
            double[] last = run.curve().get(run.curve().size() - 1);
            assertThat(last[0]).isBetween(run.score().totalCount() - 500.0, (double) run.score().totalCount());
            for (int i = 1; i < run.curve().size(); i++) {
                assertThat(run.curve().get(i)[0] - run.curve().get(i - 1)[0]).isBetween(500.0, 532.0);
            }
            assertThat(run.curve().get(0)[1]).as("prequential accuracy early").isLessThan(last[1]);
            assertThat(last[2]).as("recent accuracy").isGreaterThan(last[1]);
        }
    }
}
