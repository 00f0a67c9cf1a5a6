package io.streamtrain.learn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import io.streamtrain.learn.NetworkSpec.Format;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.factory.Nd4j;

class LearnerTest {

    private static final NetworkSpec MLP = NetworkSpec.fromResource("mlp-classifier.yaml");

    /** A small classifier with a learning-rate schedule, so that the iteration count matters twice over. */
    private static final NetworkSpec SCHEDULED = NetworkSpec.parse("""
            inputSize: 6
            layers: [{type: dense, units: 12}, {type: batchnorm}, {type: dense, units: 8, activation: tanh}]
            output: {type: classification, classes: [a, b, c]}
            optimizer: {type: adam, learningRate: 0.01, schedule: {type: exponential, gamma: 0.99}}
            l2: 1e-4
            """, Format.YAML);

    // ---------------------------------------------------------------- predict, loss, train

    @Test
    void predictsProbabilitiesAndTheMostProbableClass() {
        try (Learner learner = Learner.create(MLP)) {
            assertThat(learner.inputSize()).isEqualTo(20);
            assertThat(learner.isClassification()).isTrue();
            assertThat(learner.numClasses()).isEqualTo(2);
            assertThat(learner.classNames()).containsExactly("0", "1");
            assertThat(learner.backend()).isEqualTo("CPU");
            assertThat(learner.lossKind()).isEqualTo(LossKind.MCXENT);
            assertThat(learner.numParams()).isEqualTo(20 * 64 + 64 + 64 * 64 + 64 + 64 * 2 + 2);

            Outputs out = learner.predict(randomFeatures(new Random(1), 5, 20));
            assertThat(out.size()).isEqualTo(5);
            assertThat(out.isClassification()).isTrue();
            for (int i = 0; i < 5; i++) {
                float[] p = out.probabilities(i);
                assertThat(p).hasSize(2);
                assertThat(p[0] + p[1]).isCloseTo(1f, within(1e-5f));
                assertThat(out.predictedClass(i)).isEqualTo(p[1] > p[0] ? 1 : 0);
                assertThat(out.confidence(i)).isEqualTo(Math.max(p[0], p[1]));
            }
            assertThatThrownBy(() -> out.value(0)).isInstanceOf(IllegalStateException.class);
            assertThat(learner.predict(new float[0][]).size()).isZero();
            assertThat(learner.version()).as("predicting is not training").isZero();
        }
    }

    @Test
    void inputArraysKeptBetweenCallsAreFilledAfreshEachTime() {
        Random random = new Random(11);
        float[][] a = randomFeatures(random, 5, 20);
        float[][] b = randomFeatures(random, 5, 20);
        Target[] labels = {Target.ofClass(0), Target.ofClass(1), Target.ofClass(1), Target.ofClass(0),
            Target.ofClass(1)};
        float[] ones = {1, 1, 1, 1, 1};
        try (Learner reused = Learner.create(MLP); Learner fresh = Learner.create(MLP)) {
            // the same row count each time: one kept array, refilled
            float[] firstA = reused.predict(a).row(0);
            float[] firstB = reused.predict(b).row(0);
            assertThat(firstB).isNotEqualTo(firstA);
            assertThat(reused.predict(a).row(0)).isEqualTo(firstA);
            // sizes 1 to 12 come and go (more than are kept), and training gives what a learner without them gives
            for (int n = 1; n <= 12; n++) {
                reused.predict(randomFeatures(random, n, 20));
            }
            reused.train(b, labels, ones);
            fresh.train(b, labels, ones);
            assertThat(reused.checkpoint()).isEqualTo(fresh.checkpoint());
            assertThat(reused.predict(a).row(3)).isEqualTo(fresh.predict(a).row(3));
        }
    }

    @Test
    void classificationLossIsTheNegativeLogOfTheLabelsProbability() {
        try (Learner learner = Learner.create(MLP)) {
            Outputs out = learner.predict(randomFeatures(new Random(2), 3, 20));
            for (int i = 0; i < 3; i++) {
                for (int c = 0; c < 2; c++) {
                    assertThat(learner.loss(i, out, Target.ofClass(c)))
                            .isCloseTo(-Math.log(out.probability(i, c)), within(1e-9));
                }
            }
            Outputs certain = new Outputs(1, 2, new float[] {1f, 0f}, true);
            assertThat(learner.loss(0, certain, Target.ofClass(1))).isCloseTo(-Math.log(1e-7), within(1e-9));
            assertThatThrownBy(() -> learner.loss(0, out, Target.ofValue(1.0)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs a class label");
            assertThatThrownBy(() -> learner.loss(0, out, Target.ofClass(2)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("class 2 is outside [0, 2)");
        }
    }

    @Test
    void regressionLossIsSquaredOrAbsoluteError() {
        NetworkSpec mse = NetworkSpec.fromResource("regression.yaml");
        NetworkSpec mae = NetworkSpec.parse("inputSize: 10\noutput: {type: regression}\nloss: l1", Format.YAML);
        float[][] x = randomFeatures(new Random(3), 4, 10);
        try (Learner a = Learner.create(mse); Learner b = Learner.create(mae)) {
            assertThat(a.numClasses()).isZero();
            assertThat(a.classNames()).isEmpty();
            assertThat(b.lossKind()).isEqualTo(LossKind.MAE);
            Outputs oa = a.predict(x);
            Outputs ob = b.predict(x);
            assertThat(oa.isClassification()).isFalse();
            for (int i = 0; i < 4; i++) {
                assertThat(a.loss(i, oa, Target.ofValue(2.5))).isCloseTo(Math.pow(oa.value(i) - 2.5, 2), within(1e-9));
                assertThat(b.loss(i, ob, Target.ofValue(-1))).isCloseTo(Math.abs(ob.value(i) + 1), within(1e-9));
            }
            assertThatThrownBy(() -> oa.predictedClass(0)).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> a.loss(0, oa, Target.ofClass(1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs a value label");
        }
    }

    @Test
    void binaryCrossEntropyGivesTwoProbabilitiesFromOneSigmoid() {
        NetworkSpec spec = NetworkSpec.parse("""
                inputSize: 3
                layers: [{type: dense, units: 4}]
                output: {type: classification, classes: [no, yes]}
                loss: xent
                optimizer: {type: adam, learningRate: 0.05}
                """, Format.YAML);
        try (Learner learner = Learner.create(spec)) {
            assertThat(learner.classNames()).containsExactly("no", "yes");
            assertThat(learner.network().getOutputLayer().getParam("W").shape()).containsExactly(4, 1);
            float[][] x = randomFeatures(new Random(4), 64, 3);
            Target[] y = new Target[64];
            for (int i = 0; i < 64; i++) {
                y[i] = Target.ofClass(x[i][0] > 0 ? 1 : 0);
            }
            Outputs before = learner.predict(x);
            assertThat(before.probabilities(0)[0] + before.probabilities(0)[1]).isCloseTo(1f, within(1e-6f));
            double lossBefore = meanLoss(learner, before, y);
            for (int step = 0; step < 100; step++) {
                learner.train(x, y, null);
            }
            assertThat(meanLoss(learner, learner.predict(x), y)).isLessThan(lossBefore / 2);
        }
    }

    @Test
    void trainingCountsStepsAndExamples() {
        try (Learner learner = Learner.create(MLP)) {
            float[] before = learner.network().params().toFloatVector();
            Random random = new Random(5);
            learner.train(randomFeatures(random, 32, 20), randomClasses(random, 32, 2), null);
            learner.train(randomFeatures(random, 7, 20), randomClasses(random, 7, 2), null);
            assertThat(learner.version()).isEqualTo(2);
            assertThat(learner.examplesTrained()).isEqualTo(39);
            assertThat(learner.network().getIterationCount()).isEqualTo(2);
            assertThat(learner.network().params().toFloatVector()).isNotEqualTo(before);
        }
    }

    @Test
    void weightsScaleEachExamplesLoss() {
        Random random = new Random(6);
        float[][] x = randomFeatures(random, 32, 20);
        Target[] y = randomClasses(random, 32, 2);
        float[] ones = new float[32];
        Arrays.fill(ones, 1f);
        try (Learner plain = Learner.create(MLP); Learner weighted = Learner.create(MLP);
             Learner ignored = Learner.create(MLP)) {
            plain.train(x, y, null);
            weighted.train(x, y, ones);
            assertThat(weighted.checkpoint()).as("weight 1 is no weight").isEqualTo(plain.checkpoint());

            float[] initial = ignored.network().params().toFloatVector();
            ignored.train(x, y, new float[32]);
            assertThat(ignored.network().params().toFloatVector()).as("weight 0 is no gradient").isEqualTo(initial);
            assertThat(ignored.version()).isEqualTo(1);
        }
    }

    @Test
    void aSingleWeightedExampleTrainsAsIfItWereInABatchOfItsOwn() {
        // a partial mini-batch of one example, as a wall-clock flush makes, with a weight other than 1
        Random random = new Random(8);
        float[][] x = randomFeatures(random, 1, 20);
        Target[] y = randomClasses(random, 1, 2);
        try (Learner half = Learner.create(MLP); Learner none = Learner.create(MLP)) {
            float[] initial = none.network().params().toFloatVector();
            half.train(x, y, new float[] {0.5f});
            assertThat(half.version()).isEqualTo(1);
            assertThat(half.examplesTrained()).isEqualTo(1);
            assertThat(half.network().params().toFloatVector()).isNotEqualTo(initial);
            none.train(x, y, new float[] {0f});
            assertThat(none.network().params().toFloatVector()).as("weight 0 is no gradient").isEqualTo(initial);
        }
    }

    @Test
    void refusesMalformedBatches() {
        try (Learner learner = Learner.create(MLP)) {
            float[][] x = randomFeatures(new Random(7), 2, 20);
            Target[] y = {Target.ofClass(0), Target.ofClass(1)};
            assertThatThrownBy(() -> learner.train(new float[0][], new Target[0], null))
                    .hasMessage("cannot train on an empty batch");
            assertThatThrownBy(() -> learner.train(x, new Target[1], null)).hasMessage("2 examples but 1 labels");
            assertThatThrownBy(() -> learner.train(x, y, new float[] {1f}))
                    .hasMessage("2 examples but 1 weights");
            assertThatThrownBy(() -> learner.train(x, y, new float[] {1f, -1f}))
                    .hasMessage("weights[1] must be finite and >= 0, was -1.0");
            assertThatThrownBy(() -> learner.train(x, y, new float[] {Float.NaN, 1f}))
                    .hasMessage("weights[0] must be finite and >= 0, was NaN");
            assertThatThrownBy(() -> learner.predict(new float[][] {new float[20], new float[19]}))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("features[1] has 19 values, expected 20");
            assertThatThrownBy(() -> learner.train(x, new Target[] {Target.ofClass(0), Target.ofClass(5)}, null))
                    .hasMessage("class 5 is outside [0, 2)");
            assertThat(learner.version()).isZero();
        }
    }

    @Test
    void aClosedLearnerCannotBeUsed() {
        Learner learner = Learner.create(MLP);
        learner.close();
        learner.close();
        assertThatThrownBy(() -> learner.predict(new float[1][20])).isInstanceOf(IllegalStateException.class)
                .hasMessage("learner is closed");
        assertThatThrownBy(learner::checkpoint).isInstanceOf(IllegalStateException.class);
    }

    // ---------------------------------------------------------------- checkpoint

    @Test
    void checkpointRoundTripIsBitExact() {
        try (Learner a = Learner.create(SCHEDULED)) {
            Random random = new Random(8);
            for (int i = 0; i < 40; i++) {
                a.train(randomFeatures(random, 16, 6), randomClasses(random, 16, 3), null);
            }
            byte[] checkpoint = a.checkpoint();
            try (Learner b = Learner.restore(SCHEDULED, checkpoint)) {
                assertThat(b.network().params().toFloatVector()).isEqualTo(a.network().params().toFloatVector());
                assertThat(b.network().getUpdater().getStateViewArray().toFloatVector())
                        .isEqualTo(a.network().getUpdater().getStateViewArray().toFloatVector());
                assertThat(b.network().getIterationCount()).isEqualTo(40);
                assertThat(b.version()).isEqualTo(40);
                assertThat(b.examplesTrained()).isEqualTo(640);
                assertThat(b.checkpoint()).isEqualTo(checkpoint);
            }
        }
    }

    @Test
    void mlpCheckpointIsCompact() {
        try (Learner learner = Learner.create(MLP)) {
            learner.train(randomFeatures(new Random(9), 32, 20), randomClasses(new Random(9), 32, 2), null);
            // 48-byte header, 5,634 parameters and 11,268 Adam moments as floats, a 4-byte CRC
            assertThat(learner.checkpoint()).hasSize(48 + 4 * (5_634 + 11_268) + 4);
        }
    }

    @Test
    void trainingAfterRestoreContinuesExactlyAsWithoutTheCheckpoint() {
        Random data = new Random(10);
        float[][][] xs = new float[60][][];
        Target[][] ys = new Target[60][];
        for (int i = 0; i < 60; i++) {
            xs[i] = randomFeatures(data, 16, 6);
            ys[i] = randomClasses(data, 16, 3);
        }
        try (Learner original = Learner.create(SCHEDULED)) {
            for (int i = 0; i < 30; i++) {
                original.train(xs[i], ys[i], null);
            }
            byte[] checkpoint = original.checkpoint();
            for (int i = 30; i < 60; i++) {
                original.train(xs[i], ys[i], null);
            }

            try (Learner restored = Learner.restore(SCHEDULED, checkpoint);
                 Learner reused = Learner.create(SCHEDULED);
                 Learner forgetful = Learner.restore(SCHEDULED, checkpoint)) {
                // restoring into a network that has trained on something else
                Random other = new Random(11);
                for (int i = 0; i < 5; i++) {
                    reused.train(randomFeatures(other, 8, 6), randomClasses(other, 8, 3), null);
                }
                reused.restoreFrom(checkpoint);
                // what goes wrong without the iteration count: Adam's bias correction and the schedule restart
                forgetful.network().setIterationCount(0);
                for (int i = 30; i < 60; i++) {
                    restored.train(xs[i], ys[i], null);
                    reused.train(xs[i], ys[i], null);
                    forgetful.train(xs[i], ys[i], null);
                }
                float[] expected = original.network().params().toFloatVector();
                assertThat(restored.network().params().toFloatVector()).isEqualTo(expected);
                assertThat(reused.network().params().toFloatVector()).isEqualTo(expected);
                assertThat(restored.checkpoint()).isEqualTo(original.checkpoint());
                assertThat(reused.checkpoint()).isEqualTo(original.checkpoint());
                assertThat(forgetful.network().params().toFloatVector()).isNotEqualTo(expected);
            }
        }
    }

    @Test
    void aStepOnExtremeFeatureValuesIsSeenToLeaveTheNetworkNonFinite() {
        NetworkSpec spec = NetworkSpec.fromResource("specs/mlp-classifier.yaml");
        Target[] labels = new Target[32];
        for (int i = 0; i < 32; i++) {
            labels[i] = Target.ofClass(i % 2);
        }
        try (Learner learner = Learner.create(spec)) {
            learner.train(rows(32, 20, 3f), labels, null);
            assertThat(learner.isFinite()).isTrue();
            assertThat(learner.finiteAfterStep()).isTrue();
            // large but harmless: checked, and finite
            learner.train(rows(32, 20, 2e6f), labels, null);
            assertThat(learner.finiteAfterStep()).isTrue();
        }
        try (Learner learner = Learner.create(spec)) {
            // Adam's second moment (the squared gradient) overflows first, the parameters still finite
            learner.train(rows(32, 20, 1e25f), labels, null);
            assertThat(learner.isFinite()).isFalse();
            assertThat(learner.finiteAfterStep()).isFalse();
        }
        try (Learner learner = Learner.create(spec)) {
            learner.train(rows(32, 20, -3e38f), labels, null);
            assertThat(learner.finiteAfterStep()).as("parameters overflowed").isFalse();
            // below the magnitude that is checked, a step takes the network's word for it
            learner.train(rows(32, 20, 1f), labels, null);
            assertThat(learner.finiteAfterStep()).isTrue();
            assertThat(learner.isFinite()).isFalse();
        }
    }

    /** Rows of alternating sign and falling magnitude, from {@code value}. */
    private static float[][] rows(int n, int width, float value) {
        float[][] x = new float[n][width];
        for (int i = 0; i < n; i++) {
            Arrays.fill(x[i], (i % 2 == 0 ? value : -value) / (1 + i));
        }
        return x;
    }

    @Test
    void dropoutStepsRepeatExactlyAfterARestore() {
        NetworkSpec spec = NetworkSpec.parse("""
                inputSize: 6
                layers: [{type: dense, units: 16}, {type: dropout, rate: 0.5}, {type: dense, units: 8}]
                output: {type: classification, classes: 2}
                """, Format.YAML);
        Random data = new Random(17);
        float[][][] xs = new float[10][][];
        Target[][] ys = new Target[10][];
        for (int i = 0; i < 10; i++) {
            xs[i] = randomFeatures(data, 16, 6);
            ys[i] = randomClasses(data, 16, 2);
        }
        try (Learner a = Learner.create(spec)) {
            for (int i = 0; i < 5; i++) {
                a.train(xs[i], ys[i], null);
            }
            byte[] checkpoint = a.checkpoint();
            try (Learner b = Learner.restore(spec, checkpoint)) {
                for (int i = 5; i < 10; i++) {
                    a.train(xs[i], ys[i], null);
                    Nd4j.getRandom().nextDouble(); // whatever else uses the thread's generator in between
                    b.train(xs[i], ys[i], null);
                }
                assertThat(b.checkpoint()).isEqualTo(a.checkpoint());
            }
            // and the masks do differ from step to step
            assertThat(Learner.stepSeed(42, 5)).isNotEqualTo(Learner.stepSeed(42, 6));
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{type: sgd, learningRate: 0.1}                                                          | 0",
            "{type: adam, schedule: {type: step, decayRate: 0.5, every: 2}}                          | 2",
            "{type: rmsprop, learningRate: 0.01, decay: 0.9, schedule: {type: inverse, gamma: 0.1}}  | 1",
            "{type: adagrad, schedule: {type: poly, power: 2, maxSteps: 100}}                        | 1",
            "{type: nesterovs, momentum: 0.8}                                                        | 1"})
    void everyOptimizerTrainsAndResumesExactly(String optimizer, int statePerParam) {
        NetworkSpec spec = NetworkSpec.parse("inputSize: 5\nlayers: [{type: dense, units: 7}]\n"
                + "output: {type: classification, classes: 3}\noptimizer: " + optimizer, Format.YAML);
        Random data = new Random(16);
        try (Learner a = Learner.create(spec)) {
            for (int i = 0; i < 3; i++) {
                a.train(randomFeatures(data, 8, 5), randomClasses(data, 8, 3), null);
            }
            byte[] checkpoint = a.checkpoint();
            long params = a.numParams();
            assertThat(checkpoint).hasSize((int) (48 + 4 * params * (1 + statePerParam) + 4));
            try (Learner b = Learner.restore(spec, checkpoint)) {
                for (int i = 0; i < 3; i++) {
                    float[][] x = randomFeatures(data, 8, 5);
                    Target[] y = randomClasses(data, 8, 3);
                    a.train(x, y, null);
                    b.train(x, y, null);
                }
                assertThat(b.checkpoint()).isEqualTo(a.checkpoint());
            }
        }
    }

    @Test
    void refusesACheckpointOfAnotherArchitecture() {
        NetworkSpec tanh = NetworkSpec.parse(
                "inputSize: 20\nlayers: [{type: dense, units: 64}, {type: dense, units: 64, activation: tanh}]\n"
                        + "output: {type: classification, classes: 2}", Format.YAML);
        NetworkSpec sgd = NetworkSpec.parse(
                "inputSize: 20\nlayers: [{type: dense, units: 64}, {type: dense, units: 64}]\n"
                        + "output: {type: classification, classes: 2}\noptimizer: {type: sgd}", Format.YAML);
        NetworkSpec otherRate = NetworkSpec.parse(
                "inputSize: 20\nlayers: [{type: dense, units: 64}, {type: dense, units: 64}]\n"
                        + "output: {type: classification, classes: 2}\n"
                        + "optimizer: {type: adam, learningRate: 0.01, schedule: {type: step, decayRate: 0.5,"
                        + " every: 100}}\nbatch: {size: 128}", Format.YAML);
        try (Learner mlp = Learner.create(MLP)) {
            mlp.train(randomFeatures(new Random(12), 8, 20), randomClasses(new Random(12), 8, 2), null);
            byte[] checkpoint = mlp.checkpoint();
            for (NetworkSpec other : new NetworkSpec[] {tanh, sgd, NetworkSpec.fromResource("regression.yaml")}) {
                assertThatThrownBy(() -> Learner.restore(other, checkpoint))
                        .isInstanceOf(CheckpointException.class)
                        .hasMessageStartingWith("checkpoint was written for a different network");
            }
            try (Learner resumed = Learner.restore(otherRate, checkpoint)) {
                assertThat(resumed.version()).as("learning rate, schedule and batch may change").isEqualTo(1);
            }
        }
    }

    @Test
    void refusesCorruptCheckpointsAndStaysAsItWas() {
        try (Learner learner = Learner.create(MLP)) {
            learner.train(randomFeatures(new Random(13), 8, 20), randomClasses(new Random(13), 8, 2), null);
            byte[] good = learner.checkpoint();
            learner.train(randomFeatures(new Random(14), 8, 20), randomClasses(new Random(14), 8, 2), null);
            byte[] current = learner.checkpoint();

            byte[] flipped = good.clone();
            flipped[1000] ^= 0x10;
            assertThatThrownBy(() -> learner.restoreFrom(flipped)).isInstanceOf(CheckpointException.class)
                    .hasMessage("corrupt checkpoint: CRC32C mismatch");
            assertThatThrownBy(() -> learner.restoreFrom(Arrays.copyOf(good, good.length - 8)))
                    .isInstanceOf(CheckpointException.class).hasMessageStartingWith("corrupt checkpoint: 67652 bytes");
            assertThatThrownBy(() -> learner.restoreFrom("not a checkpoint at all, clearly not one".getBytes()))
                    .isInstanceOf(CheckpointException.class).hasMessageStartingWith("not a Streamtrain checkpoint");
            byte[] future = good.clone();
            ByteBuffer.wrap(future).order(ByteOrder.LITTLE_ENDIAN).putShort(4, (short) 2);
            assertThatThrownBy(() -> learner.restoreFrom(future)).isInstanceOf(CheckpointException.class)
                    .hasMessage("checkpoint format version 2 is not supported (this build reads version 1)");

            assertThat(learner.checkpoint()).isEqualTo(current);
            learner.restoreFrom(good);
            assertThat(learner.checkpoint()).isEqualTo(good);
        }
    }

    // ---------------------------------------------------------------- warm start

    @Test
    void warmStartsFromAModelSerializerZip(@TempDir Path dir) throws IOException {
        Random data = new Random(15);
        try (Learner trained = Learner.create(MLP)) {
            for (int i = 0; i < 20; i++) {
                trained.train(randomFeatures(data, 32, 20), randomClasses(data, 32, 2), null);
            }
            ModelSerializer.writeModel(trained.network(), dir.resolve("model.zip").toFile(), true);

            Path specFile = Files.writeString(dir.resolve("warm.yaml"), """
                    inputSize: 20
                    output: {type: classification, classes: [left, right]}
                    warmStart: model.zip
                    batch: {size: 16}
                    """);
            try (Learner warm = Learner.create(NetworkSpec.parse(specFile))) {
                assertThat(warm.lossKind()).isEqualTo(LossKind.MCXENT);
                assertThat(warm.classNames()).containsExactly("left", "right");
                assertThat(warm.version()).isZero();
                assertThat(warm.network().params().toFloatVector())
                        .isEqualTo(trained.network().params().toFloatVector());
                assertThat(warm.network().getUpdater().getStateViewArray().toFloatVector())
                        .isEqualTo(trained.network().getUpdater().getStateViewArray().toFloatVector());
                assertThat(warm.network().getIterationCount()).isEqualTo(20);

                float[][] x = randomFeatures(data, 32, 20);
                Target[] y = randomClasses(data, 32, 2);
                trained.train(x, y, null);
                warm.train(x, y, null);
                assertThat(warm.network().params().toFloatVector())
                        .isEqualTo(trained.network().params().toFloatVector());
            }

            assertThat(warmStartViolations(dir, "inputSize: 21\noutput: {type: classification, classes: 2}"))
                    .singleElement().asString()
                    .startsWith("warmStart: the model in " + dir.resolve("model.zip") + " does not take 21 features");
            assertThat(warmStartViolations(dir, "inputSize: 20\noutput: {type: classification, classes: 3}"))
                    .containsExactly("output: the spec expects 3 classes but the model in " + dir.resolve("model.zip")
                            + " has 2 outputs");
            assertThat(warmStartViolations(dir, "inputSize: 20\noutput: {type: regression}"))
                    .containsExactly("output.type: the spec says regression but the model in "
                            + dir.resolve("model.zip") + " uses the mcxent loss");
            assertThat(warmStartViolations(dir, "inputSize: 20\noutput: {type: classification, classes: 2}\n"
                    + "loss: negative_log_likelihood"))
                    .containsExactly("loss: the spec says negative_log_likelihood but the model in "
                            + dir.resolve("model.zip") + " was trained with mcxent");
            Files.writeString(dir.resolve("model.zip"), "not a zip");
            assertThat(warmStartViolations(dir, "inputSize: 20\noutput: {type: classification, classes: 2}"))
                    .singleElement().asString().startsWith("warmStart: cannot read a DL4J MultiLayerNetwork from ");
        }
    }

    private static List<String> warmStartViolations(Path dir, String yaml) throws IOException {
        Path file = Files.writeString(dir.resolve("bad.yaml"), yaml + "\nwarmStart: model.zip\n");
        NetworkSpec spec = NetworkSpec.parse(file);
        SpecValidationException e = catchThrowableOfType(SpecValidationException.class, () -> Learner.create(spec));
        assertThat(e).isNotNull();
        return e.violations();
    }

    // ---------------------------------------------------------------- helpers

    static float[][] randomFeatures(Random random, int n, int size) {
        float[][] x = new float[n][size];
        for (float[] row : x) {
            for (int j = 0; j < size; j++) {
                row[j] = (float) random.nextGaussian();
            }
        }
        return x;
    }

    static Target[] randomClasses(Random random, int n, int classes) {
        Target[] y = new Target[n];
        for (int i = 0; i < n; i++) {
            y[i] = Target.ofClass(random.nextInt(classes));
        }
        return y;
    }

    private static double meanLoss(Learner learner, Outputs out, Target[] y) {
        double sum = 0;
        for (int i = 0; i < y.length; i++) {
            sum += learner.loss(i, out, y[i]);
        }
        return sum / y.length;
    }
}
