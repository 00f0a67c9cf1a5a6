package io.streamtrain.learn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;

import io.streamtrain.learn.NetworkSpec.Conv2d;
import io.streamtrain.learn.NetworkSpec.Dense;
import io.streamtrain.learn.NetworkSpec.Dropout;
import io.streamtrain.learn.NetworkSpec.ExponentialDecay;
import io.streamtrain.learn.NetworkSpec.Format;
import io.streamtrain.learn.NetworkSpec.ImageShape;
import io.streamtrain.learn.NetworkSpec.OptimizerType;
import io.streamtrain.learn.NetworkSpec.Padding;
import io.streamtrain.learn.NetworkSpec.Pool2d;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.activations.Activation;

class NetworkSpecTest {

    private static final String HEAD = """
            inputSize: 4
            output: {type: classification, classes: 2}
            """;

    private static List<String> violations(String yaml) {
        return violations(yaml, Format.YAML);
    }

    private static List<String> violations(String text, Format format) {
        SpecValidationException e = catchThrowableOfType(SpecValidationException.class,
                () -> NetworkSpec.parse(text, format));
        assertThat(e).as("expected the spec to be rejected:%n%s", text).isNotNull();
        return e.violations();
    }

    static Stream<Arguments> oneViolation() {
        return Stream.of(
                // input
                Arguments.of("output: {type: regression}",
                        "inputSize: is required (or input: {height, width, channels} for images)"),
                Arguments.of(HEAD + "input: {height: 2, width: 2}",
                        "input: give either inputSize or input {height, width, channels}, not both"),
                Arguments.of("inputSize: abc\noutput: {type: regression}",
                        "inputSize: must be a positive integer, was 'abc'"),
                Arguments.of("inputSize: 0\noutput: {type: regression}",
                        "inputSize: must be a positive integer, was 0"),
                Arguments.of("inputSize: 2.5\noutput: {type: regression}",
                        "inputSize: must be a positive integer, was 2.5"),
                Arguments.of("input: {height: 0, width: 28}\noutput: {type: regression}",
                        "input.height: must be a positive integer, was 0"),
                Arguments.of("input: {height: 28, width: 28, depth: 1}\noutput: {type: regression}",
                        "input.depth: unknown key (known: height, width, channels)"),
                Arguments.of("input: 784\noutput: {type: regression}",
                        "input: must be a mapping {height, width, channels}, was 784"),
                // layers
                Arguments.of(HEAD + "layers: dense", "layers: must be a list, was 'dense'"),
                Arguments.of(HEAD + "layers: [dense]", "layers[0]: must be a mapping with a type, was 'dense'"),
                Arguments.of(HEAD + "layers: [{units: 3}]",
                        "layers[0].type: is required (known: dense, dropout, conv2d, maxpool2d, avgpool2d, batchnorm)"),
                Arguments.of(HEAD + "layers: [{type: dense, units: 8}, {type: densee, units: 8}]",
                        "layers[1].type: unknown layer type 'densee' (known: dense, dropout, conv2d, maxpool2d,"
                                + " avgpool2d, batchnorm)"),
                Arguments.of(HEAD + "layers: [{type: dense, units: 8}, {type: dense, units: 8},"
                                + " {type: dense, units: -3}]",
                        "layers[2].units: must be a positive integer, was -3"),
                Arguments.of(HEAD + "layers: [{type: dense}]", "layers[0].units: is required (a positive integer)"),
                Arguments.of(HEAD + "layers: [{type: dense, units: 8, activation: relu2}]",
                        "layers[0].activation: unknown activation 'relu2' (known: relu, relu6, leakyrelu, elu, selu,"
                                + " gelu, swish, mish, tanh, sigmoid, hardsigmoid, hardtanh, softplus, softsign,"
                                + " identity, linear)"),
                Arguments.of(HEAD + "layers: [{type: dense, units: 8, activation: 3}]",
                        "layers[0].activation: must be a string, was 3"),
                Arguments.of(HEAD + "layers: [{type: dropout, rate: 1.5}]",
                        "layers[0].rate: must be in [0, 1) (the fraction of inputs dropped), was 1.5"),
                Arguments.of(HEAD + "layers: [{type: dropout}]",
                        "layers[0].rate: is required (in [0, 1) (the fraction of inputs dropped))"),
                Arguments.of(HEAD + "layers: [{type: dropout, rate: 0.5, units: 3}]",
                        "layers[0].units: unknown key for a dropout layer (known: type, rate)"),
                Arguments.of(HEAD + "layers: [{type: batchnorm, decay: 1}]",
                        "layers[0].decay: must be in (0, 1), was 1"),
                Arguments.of(HEAD + "layers: [{type: conv2d, filters: 4, kernel: 3}]",
                        "layers[0].type: conv2d needs image input (input: {height, width, channels}), but the input"
                                + " is a flat vector (inputSize)"),
                Arguments.of(HEAD.replace("inputSize: 4", "input: {height: 8, width: 8}")
                                + "layers: [{type: dense, units: 8}, {type: maxpool2d}]",
                        "layers[1].type: maxpool2d needs image input (input: {height, width, channels}), but it"
                                + " follows a dense layer (layers[0]), whose output is a flat vector"),
                Arguments.of(HEAD.replace("inputSize: 4", "input: {height: 28, width: 28}")
                                + "layers: [{type: conv2d, filters: 4, kernel: 5}, {type: maxpool2d, kernel: 2},"
                                + " {type: conv2d, filters: 4, kernel: 13}]",
                        "layers[2].kernel: 13x13 does not fit the 12x12 image reaching this layer (padding valid)"),
                Arguments.of(HEAD.replace("inputSize: 4", "input: {height: 4, width: 4}")
                                + "layers: [{type: conv2d, filters: 4, kernel: [3, 0]}]",
                        "layers[0].kernel: must be a positive integer or [height, width], was [3,0]"),
                Arguments.of(HEAD.replace("inputSize: 4", "input: {height: 4, width: 4}")
                                + "layers: [{type: conv2d, filters: 4, kernel: 3, padding: full}]",
                        "layers[0].padding: must be same, valid, a non-negative integer or [height, width], was"
                                + " 'full'"),
                Arguments.of(HEAD.replace("inputSize: 4", "input: {height: 4, width: 4}")
                                + "layers: [{type: conv2d, kernel: 3}]",
                        "layers[0].filters: is required (a positive integer)"),
                Arguments.of(HEAD.replace("inputSize: 4", "input: {height: 4, width: 4}")
                                + "layers: [{type: avgpool2d, kernel: 2, filters: 3}]",
                        "layers[0].filters: unknown key for an avgpool2d layer (known: type, kernel, stride, padding)"),
                // output and loss
                Arguments.of("inputSize: 4", "output: is required ({type: classification, classes: [...]} or"
                        + " {type: regression})"),
                Arguments.of("inputSize: 4\noutput: classification",
                        "output: must be a mapping, was 'classification'"),
                Arguments.of("inputSize: 4\noutput: {classes: 2}",
                        "output.type: is required (classification or regression)"),
                Arguments.of("inputSize: 4\noutput: {type: ranking}",
                        "output.type: unknown output type 'ranking' (known: classification, regression)"),
                Arguments.of("inputSize: 4\noutput: {type: classification}",
                        "output.classes: is required (a list of class names, or their count)"),
                Arguments.of("inputSize: 4\noutput: {type: classification, classes: 1}",
                        "output.classes: must be a list of class names or a count >= 2, was 1"),
                Arguments.of("inputSize: 4\noutput: {type: classification, classes: [cat]}",
                        "output.classes: needs at least 2 classes, was 1"),
                Arguments.of("inputSize: 4\noutput: {type: classification, classes: [cat, dog, cat]}",
                        "output.classes[2]: duplicate class name 'cat'"),
                Arguments.of("inputSize: 4\noutput: {type: classification, classes: [cat, '']}",
                        "output.classes[1]: must be a non-empty class name, was ''"),
                Arguments.of("inputSize: 4\noutput: {type: classification, classes: 2, targets: 1}",
                        "output.targets: unknown key for a classification output (known: type, classes)"),
                Arguments.of("inputSize: 4\noutput: {type: regression, targets: 3}",
                        "output.targets: must be 1 (one regression target per model), was 3"),
                Arguments.of("inputSize: 4\noutput: {type: regression, classes: 3}",
                        "output.classes: unknown key for a regression output (known: type, targets)"),
                Arguments.of(HEAD + "loss: hinge",
                        "loss: unknown loss 'hinge' (known: mcxent, negative_log_likelihood, xent, mse, mae)"),
                Arguments.of(HEAD + "loss: mse", "loss: mse is a regression loss, but output.type is classification"
                        + " (use mcxent, negative_log_likelihood, or xent for 2 classes)"),
                Arguments.of("inputSize: 4\noutput: {type: regression}\nloss: mcxent",
                        "loss: mcxent is a classification loss, but output.type is regression (use mse or mae)"),
                Arguments.of("inputSize: 4\noutput: {type: classification, classes: 3}\nloss: xent",
                        "loss: xent (binary cross-entropy) needs exactly 2 classes, but output.classes has 3"
                                + " (use mcxent)"),
                // optimizer
                Arguments.of(HEAD + "optimizer: adam", "optimizer: must be a mapping with a type, was 'adam'"),
                Arguments.of(HEAD + "optimizer: {learningRate: 0.1}",
                        "optimizer.type: is required (known: sgd, adam, rmsprop, adagrad, nesterovs)"),
                Arguments.of(HEAD + "optimizer: {type: adamw}",
                        "optimizer.type: unknown optimizer type 'adamw' (known: sgd, adam, rmsprop, adagrad,"
                                + " nesterovs)"),
                Arguments.of(HEAD + "optimizer: {type: adam, learningRate: 0}",
                        "optimizer.learningRate: must be > 0, was 0"),
                Arguments.of(HEAD + "optimizer: {type: adam, learningRate: -1e-3}",
                        "optimizer.learningRate: must be > 0, was -0.001"),
                Arguments.of(HEAD + "optimizer: {type: sgd, learningRate: fast}",
                        "optimizer.learningRate: must be a number, was 'fast'"),
                Arguments.of(HEAD + "optimizer: {type: adam, momentum: 0.9}",
                        "optimizer.momentum: unknown key for optimizer adam (known: type, learningRate, schedule,"
                                + " beta1, beta2, epsilon)"),
                Arguments.of(HEAD + "optimizer: {type: adam, beta1: 1.0}",
                        "optimizer.beta1: must be in [0, 1), was 1.0"),
                Arguments.of(HEAD + "optimizer: {type: rmsprop, epsilon: 0}",
                        "optimizer.epsilon: must be > 0, was 0"),
                Arguments.of(HEAD + "optimizer: {type: nesterovs, momentum: 1.2}",
                        "optimizer.momentum: must be in [0, 1), was 1.2"),
                Arguments.of(HEAD + "optimizer: {type: adam, schedule: {type: cosine}}",
                        "optimizer.schedule.type: unknown schedule type 'cosine' (known: step, exponential, inverse,"
                                + " poly)"),
                Arguments.of(HEAD + "optimizer: {type: adam, schedule: {gamma: 0.9}}",
                        "optimizer.schedule.type: is required (known: step, exponential, inverse, poly)"),
                Arguments.of(HEAD + "optimizer: {type: adam, schedule: {type: step, decayRate: 0.5}}",
                        "optimizer.schedule.every: is required (a positive integer number of training steps)"),
                Arguments.of(HEAD + "optimizer: {type: adam, schedule: {type: exponential, gamma: 1.5}}",
                        "optimizer.schedule.gamma: must be in (0, 1], was 1.5"),
                Arguments.of(HEAD + "optimizer: {type: adam, schedule: {type: inverse, gamma: 0.1, power: 0}}",
                        "optimizer.schedule.power: must be > 0, was 0"),
                Arguments.of(HEAD + "optimizer: {type: adam, schedule: {type: poly, maxSteps: 0}}",
                        "optimizer.schedule.maxSteps: must be a positive integer number of training steps, was 0"),
                Arguments.of(HEAD + "optimizer: {type: adam, schedule: {type: exponential, gamma: 0.9, every: 3}}",
                        "optimizer.schedule.every: unknown key for an exponential schedule (known: type, gamma)"),
                // the rest
                Arguments.of(HEAD + "weightInit: glorot",
                        "weightInit: unknown weight init 'glorot' (known: xavier, xavier_uniform, he, he_uniform,"
                                + " relu, relu_uniform, lecun_normal, lecun_uniform, normal, uniform)"),
                Arguments.of(HEAD + "l2: -0.1", "l2: must be >= 0, was -0.1"),
                Arguments.of(HEAD + "seed: x", "seed: must be an integer, was 'x'"),
                Arguments.of(HEAD + "batch: 32", "batch: must be a mapping {size, maxWaitMs}, was 32"),
                Arguments.of(HEAD + "batch: {size: 0}", "batch.size: must be a positive integer <= 65536, was 0"),
                Arguments.of(HEAD + "batch: {size: 100000}",
                        "batch.size: must be a positive integer <= 65536, was 100000"),
                Arguments.of(HEAD + "batch: {maxWaitMs: -1}",
                        "batch.maxWaitMs: must be a non-negative integer (milliseconds), was -1"),
                Arguments.of(HEAD + "batch: {size: 8, maxWait: 10}",
                        "batch.maxWait: unknown key (known: size, maxWaitMs)"),
                Arguments.of(HEAD + "name: [a]", "name: must be a string, was [\"a\"]"),
                Arguments.of(HEAD + "layerz: []", "layerz: unknown key (known: name, description, inputSize, input,"
                        + " layers, output, loss, optimizer, weightInit, l2, seed, batch, replay, parallel, warmStart)"),
                Arguments.of(HEAD + "replay: 3", "replay: must be a mapping {ratio, capacity}, was 3"),
                Arguments.of(HEAD + "replay: {ratio: 3}",
                        "replay.capacity: is required (an integer from 1 to 10000000 (past examples kept))"),
                Arguments.of(HEAD + "replay: {ratio: 0, capacity: 10}",
                        "replay.ratio: must be an integer from 1 to 64 (past examples fitted per new one), was 0"),
                Arguments.of(HEAD + "replay: {ratio: 2.5, capacity: 10}",
                        "replay.ratio: must be an integer from 1 to 64 (past examples fitted per new one), was 2.5"),
                Arguments.of(HEAD + "replay: {ratio: 1, capacity: 10000001}", "replay.capacity: must be an integer "
                        + "from 1 to 10000000 (past examples kept), was 10000001"),
                Arguments.of(HEAD + "replay: {ratio: 1, capacity: 10, size: 3}",
                        "replay.size: unknown key (known: ratio, capacity)"),
                Arguments.of("inputSize: 784\noutput: {type: classification, classes: 2}\n"
                        + "replay: {ratio: 1, capacity: 1000000}", "replay.capacity: times the 784 features must be "
                        + "at most 268435456 values (1 GiB of floats), was 1000000 × 784 = 784000000"),
                Arguments.of(HEAD + "parallel: 4",
                        "parallel: must be a mapping {replicas, averageEverySteps, maxWaitMs, combine, serverRate, "
                                + "serverMomentum, maxStaleSteps}, was 4"),
                Arguments.of(HEAD + "parallel: {averageEverySteps: 8}", "parallel.replicas: is required (an integer "
                        + "from 1 to 256 (learner tasks training the model at once; its examples and labels are keyed "
                        + "<model>#<shard>))"),
                Arguments.of(HEAD + "parallel: {replicas: 257}", "parallel.replicas: must be an integer from 1 to "
                        + "256 (learner tasks training the model at once; its examples and labels are keyed "
                        + "<model>#<shard>), was 257"),
                Arguments.of(HEAD + "parallel: {replicas: 2, averageEverySteps: 0}", "parallel.averageEverySteps: "
                        + "must be an integer from 1 to 1000000 (training steps a replica takes between "
                        + "contributions), was 0"),
                Arguments.of(HEAD + "parallel: {replicas: 2, maxWaitMs: 0}", "parallel.maxWaitMs: must be an "
                        + "integer from 1 to 86400000 (milliseconds a replica waits for averageEverySteps before it "
                        + "contributes what it has), was 0"),
                Arguments.of(HEAD + "parallel: {replicas: 2, every: 3}",
                        "parallel.every: unknown key (known: replicas, averageEverySteps, maxWaitMs, combine, "
                                + "serverRate, serverMomentum, maxStaleSteps)"),
                Arguments.of(HEAD + "parallel: {replicas: 2, serverMomentum: 1}", "parallel.serverMomentum: must be "
                        + "a number from 0 to below 1 (the share of a round's change carried into the next; 0: none), "
                        + "was 1"),
                Arguments.of(HEAD + "parallel: {replicas: 2, maxStaleSteps: -1}", "parallel.maxStaleSteps: must be an "
                        + "integer from 0 to 1000000 (training steps a replica may take while the round of its "
                        + "contribution is open; 0: it waits for the round), was -1"),
                Arguments.of(HEAD + "parallel: {replicas: 2, serverRate: 0}", "parallel.serverRate: must be a number "
                        + "above 0 and at most 256 (how far a round moves the model: 1 takes the average as it is), "
                        + "was 0"),
                Arguments.of(HEAD + "parallel: {replicas: 2, combine: median}", "parallel.combine: must be sum "
                        + "(every replica's change applied in full) or average (model averaging, weighted by "
                        + "examples), was 'median'"),
                Arguments.of("[1, 2]", "(root): must be a mapping, was [1,2]"),
                Arguments.of("", "(root): the spec is empty"));
    }

    @ParameterizedTest
    @MethodSource
    void oneViolation(String yaml, String expected) {
        assertThat(violations(yaml)).containsExactly(expected);
    }

    @Test
    void collectsEveryViolationInOrder() {
        List<String> v = violations("""
                inputSize: -1
                layers:
                  - {type: dense, units: 0}
                  - {type: densee}
                output: {type: classification, classes: 2}
                optimizer: {type: adam, learningRate: 0}
                batch: {size: 0}
                """);
        assertThat(v).containsExactly(
                "inputSize: must be a positive integer, was -1",
                "layers[0].units: must be a positive integer, was 0",
                "layers[1].type: unknown layer type 'densee' (known: dense, dropout, conv2d, maxpool2d, avgpool2d,"
                        + " batchnorm)",
                "optimizer.learningRate: must be > 0, was 0",
                "batch.size: must be a positive integer <= 65536, was 0");
    }

    @Test
    void exceptionMessageListsEveryViolation() {
        assertThatThrownBy(() -> NetworkSpec.parse("inputSize: 0\noutput: {type: regression, targets: 2}",
                Format.YAML))
                .isInstanceOf(SpecValidationException.class)
                .hasMessage("invalid network spec (2 problems):\n"
                        + "  - inputSize: must be a positive integer, was 0\n"
                        + "  - output.targets: must be 1 (one regression target per model), was 2");
    }

    @Test
    void syntaxErrorsAndDuplicateKeysAreViolations() {
        assertThat(violations("inputSize: [4\n")).singleElement().asString().startsWith("(syntax): ");
        assertThat(violations("inputSize: 4\ninputSize: 5\noutput: {type: regression}"))
                .singleElement().asString().startsWith("(syntax): Duplicate field 'inputSize'");
        assertThat(violations("{\"inputSize\": 4,}", Format.JSON))
                .singleElement().asString().startsWith("(syntax): ").contains("line 1");
    }

    @Test
    void fillsDefaults() {
        NetworkSpec spec = NetworkSpec.parse(HEAD, Format.YAML);
        assertThat(spec.inputSize()).isEqualTo(4);
        assertThat(spec.image()).isEmpty();
        assertThat(spec.layers()).isEmpty();
        assertThat(spec.classNames()).containsExactly("0", "1");
        assertThat(spec.loss()).contains(LossKind.MCXENT);
        assertThat(spec.optimizer()).hasValueSatisfying(o -> {
            assertThat(o.type()).isEqualTo(OptimizerType.ADAM);
            assertThat(o.learningRate()).isEqualTo(1e-3);
            assertThat(o.schedule()).isNull();
        });
        assertThat(spec.weightInit()).isEqualTo(WeightInit.XAVIER);
        assertThat(spec.l2()).isZero();
        assertThat(spec.seed()).isEqualTo(42);
        assertThat(spec.batchSize()).isEqualTo(32);
        assertThat(spec.maxWaitMs()).isEqualTo(1000);
        assertThat(spec.warmStart()).isEmpty();
        assertThat(spec.replay()).as("no replay unless asked").isEmpty();
        assertThat(NetworkSpec.parse(HEAD + "replay: {ratio: 3, capacity: 10000}", Format.YAML).replay())
                .contains(new NetworkSpec.Replay(3, 10_000));
        assertThat(spec.parallel()).as("one replica unless asked").isEmpty();
        assertThat(spec.replicas()).isEqualTo(1);
        NetworkSpec parallel = NetworkSpec.parse(HEAD + "parallel: {replicas: 4}", Format.YAML);
        assertThat(parallel.parallel()).contains(new NetworkSpec.Parallel(4, 16, 5_000, NetworkSpec.Combine.AVERAGE, 1.0,
                0.9, 0));
        assertThat(NetworkSpec.parse(HEAD + "parallel: {replicas: 2, combine: sum, serverRate: 0.5, serverMomentum: 0, "
                + "maxStaleSteps: 3}", Format.YAML).parallel())
                .contains(new NetworkSpec.Parallel(2, 16, 5_000, NetworkSpec.Combine.SUM, 0.5, 0, 3));
        assertThat(parallel.replicas()).isEqualTo(4);
        assertThat(NetworkSpec.parse(HEAD + "parallel: {replicas: 4, averageEverySteps: 7}", Format.YAML).parallel()
                .orElseThrow().serverMomentum()).as("rounds of few steps: none by default").isZero();
        assertThat(NetworkSpec.parse(HEAD + "parallel: {replicas: 4, averageEverySteps: 8}", Format.YAML).parallel()
                .orElseThrow().serverMomentum()).isEqualTo(0.9);

        assertThat(NetworkSpec.parse("inputSize: 3\noutput: {type: regression}", Format.YAML).loss())
                .contains(LossKind.MSE);
    }

    @Test
    void readsEveryPart() {
        NetworkSpec spec = NetworkSpec.parse("""
                name: cnn
                description: all the parts
                input: {height: 28, width: 28, channels: 1}
                layers:
                  - {type: conv2d, filters: 8, kernel: [5, 3], stride: 1, padding: same, activation: tanh}
                  - {type: batchnorm}
                  - {type: maxpool2d, kernel: 2}
                  - {type: avgpool2d, kernel: 2, stride: 1, padding: [1, 0]}
                  - {type: dense, units: 16, activation: linear}
                  - {type: dropout, rate: 0.25}
                output: {type: classification, classes: [a, b, c]}
                loss: negative_log_likelihood
                optimizer: {type: adam, learningRate: 3e-4, beta1: 0.8, schedule: {type: exponential, gamma: 0.999}}
                weightInit: he
                l2: 1e-5
                seed: -7
                batch: {size: 64, maxWaitMs: 250}
                """, Format.YAML);
        assertThat(spec.name()).contains("cnn");
        assertThat(spec.image()).contains(new ImageShape(28, 28, 1));
        assertThat(spec.inputSize()).isEqualTo(784);
        assertThat(spec.layers()).hasSize(6);
        assertThat(spec.layers().get(0)).isEqualTo(new Conv2d(8, 5, 3, 1, 1, Padding.SAME, Activation.TANH));
        assertThat(spec.layers().get(2)).isEqualTo(new Pool2d(true, 2, 2, 2, 2, Padding.VALID));
        assertThat(spec.layers().get(3)).isEqualTo(new Pool2d(false, 2, 2, 1, 1, new Padding(false, 1, 0)));
        assertThat(spec.layers().get(4)).isEqualTo(new Dense(16, Activation.IDENTITY));
        assertThat(spec.layers().get(5)).isEqualTo(new Dropout(0.25));
        assertThat(spec.classNames()).containsExactly("a", "b", "c");
        assertThat(spec.numClasses()).isEqualTo(3);
        assertThat(spec.loss()).contains(LossKind.NEGATIVE_LOG_LIKELIHOOD);
        assertThat(spec.optimizer()).hasValueSatisfying(o -> {
            assertThat(o.learningRate()).isEqualTo(3e-4);
            assertThat(o.beta1()).isEqualTo(0.8);
            assertThat(o.schedule()).isEqualTo(new ExponentialDecay(0.999));
        });
        assertThat(spec.weightInit()).isEqualTo(WeightInit.RELU);
        assertThat(spec.l2()).isEqualTo(1e-5);
        assertThat(spec.seed()).isEqualTo(-7);
        assertThat(spec.batchSize()).isEqualTo(64);
        assertThat(spec.maxWaitMs()).isEqualTo(250);
        Learner.create(spec).close();
    }

    @Test
    void jsonIsStrictAboutNumbers() {
        String json = """
                {"inputSize": 4, "output": {"type": "classification", "classes": ["no", "yes"]},
                 "loss": "xent", "optimizer": {"type": "sgd", "learningRate": 0.05}}
                """;
        NetworkSpec spec = NetworkSpec.parse(json, Format.JSON);
        assertThat(spec.loss()).contains(LossKind.XENT);
        assertThat(spec.optimizer().orElseThrow().learningRate()).isEqualTo(0.05);
        assertThat(violations(json.replace("0.05", "\"0.05\""), Format.JSON))
                .containsExactly("optimizer.learningRate: must be a number, was '0.05'");
    }

    @Test
    void fileFormatComesFromTheExtension(@TempDir Path dir) throws IOException {
        Path yml = Files.writeString(dir.resolve("a.yml"), HEAD);
        Path json = Files.writeString(dir.resolve("a.json"),
                "{\"inputSize\": 4, \"output\": {\"type\": \"regression\"}}");
        assertThat(NetworkSpec.parse(yml).isClassification()).isTrue();
        assertThat(NetworkSpec.parse(json).isClassification()).isFalse();
        assertThatThrownBy(() -> NetworkSpec.parse(Files.writeString(dir.resolve("a.txt"), HEAD)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected .json, .yaml or .yml");
        assertThatThrownBy(() -> NetworkSpec.parse(Files.writeString(dir.resolve("bad.yaml"), "inputSize: 0")))
                .isInstanceOf(SpecValidationException.class)
                .hasMessageStartingWith("invalid network spec " + dir.resolve("bad.yaml") + " (2 problems)");
    }

    @Test
    void warmStartReplacesTheNetworkPartsAndMustExist(@TempDir Path dir) throws IOException {
        assertThat(violations(HEAD + "warmStart: " + dir.resolve("missing.zip")
                + "\nlayers: []\noptimizer: {type: sgd}\nseed: 1"))
                .containsExactly(
                        "warmStart: no such file: " + dir.resolve("missing.zip"),
                        "layers: must not be given with warmStart (the network, its optimizer and its weights come"
                                + " from the model zip)",
                        "optimizer: must not be given with warmStart (the network, its optimizer and its weights"
                                + " come from the model zip)",
                        "seed: must not be given with warmStart (the network, its optimizer and its weights come"
                                + " from the model zip)");

        Files.writeString(dir.resolve("model.zip"), "not really a zip");
        Path spec = Files.writeString(dir.resolve("spec.yaml"), HEAD + "warmStart: model.zip");
        NetworkSpec parsed = NetworkSpec.parse(spec);
        assertThat(parsed.warmStart()).contains(dir.resolve("model.zip").toAbsolutePath());
        assertThat(parsed.loss()).as("left to the model").isEmpty();
        assertThat(parsed.optimizer()).isEmpty();
    }

    @Test
    void warmStartFromTheModelsTopicNamesAModelAndAVersionOrLatest(@TempDir Path dir) throws IOException {
        NetworkSpec pinned = NetworkSpec.parse(HEAD + "warmStart: topic:fraud/eu@4000", NetworkSpec.Format.YAML);
        assertThat(pinned.warmStartSnapshot()).contains(new SnapshotRef("fraud/eu", OptionalLong.of(4000)));
        assertThat(pinned.warmStart()).as("fetched when the learner starts").isEmpty();
        assertThat(pinned.optimizer()).isEmpty();
        assertThat(pinned.toString()).contains("warmStart=topic:fraud/eu@4000");
        assertThat(NetworkSpec.parse(HEAD + "warmStart: topic:a@b@latest", NetworkSpec.Format.YAML)
                .warmStartSnapshot()).contains(new SnapshotRef("a@b", OptionalLong.empty()));
        assertThat(NetworkSpec.parse(HEAD + "warmStart: topic:m", NetworkSpec.Format.YAML).warmStartSnapshot())
                .contains(new SnapshotRef("m", OptionalLong.empty()));
        assertThatThrownBy(() -> Learner.create(pinned)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("has not been fetched from the models topic");

        assertThat(violations(HEAD + "warmStart: topic:m@v2")).containsExactly("warmStart: must name a snapshot as "
                + "topic:<model>@<version> (or @latest): the version after '@' must be a number or 'latest', was 'v2'");
        assertThat(violations(HEAD + "warmStart: topic:m@-1")).singleElement().asString()
                .contains("a snapshot version is 0 or more, was -1");
        assertThat(violations(HEAD + "warmStart: 'topic:'")).singleElement().asString()
                .contains("the model id is blank");
        assertThat(violations(HEAD + "warmStart: topic:@7")).singleElement().asString()
                .contains("the model id is blank");

        Path zip = dir.resolve("fetched.zip");
        assertThat(pinned.withWarmStartFile(zip).warmStart()).contains(zip);
        assertThat(pinned.withWarmStartFile(zip).warmStartSnapshot()).isEqualTo(pinned.warmStartSnapshot());
    }

    @Test
    void aSpecKeepsItselfAsJsonForSnapshots() {
        NetworkSpec yaml = NetworkSpec.parse(HEAD + "batch: {size: 8}", NetworkSpec.Format.YAML);
        assertThat(yaml.json()).isEqualTo("{\"inputSize\":4,\"output\":{\"type\":\"classification\","
                + "\"classes\":2},\"batch\":{\"size\":8}}");
        assertThat(NetworkSpec.parse(yaml.json(), NetworkSpec.Format.JSON).toString()).isEqualTo(yaml.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"mlp-classifier.yaml", "fashion-mnist-mlp.yaml", "fashion-mnist-cnn.yaml",
            "regression.yaml"})
    void shippedSpecsBuildPredictAndTrain(String name) {
        NetworkSpec spec = NetworkSpec.fromResource(name);
        try (Learner learner = Learner.create(spec)) {
            int n = spec.batchSize();
            float[][] x = new float[n][spec.inputSize()];
            Target[] y = new Target[n];
            for (int i = 0; i < n; i++) {
                x[i][i % spec.inputSize()] = 1f;
                y[i] = spec.isClassification() ? Target.ofClass(i % spec.numClasses()) : Target.ofValue(i);
            }
            Outputs out = learner.predict(x);
            assertThat(out.size()).isEqualTo(n);
            learner.train(x, y, null);
            assertThat(learner.version()).isEqualTo(1);
            assertThat(learner.examplesTrained()).isEqualTo(n);
        }
    }

    @Test
    void shippedSpecsSayWhatTheBriefAsks() {
        NetworkSpec mlp = NetworkSpec.fromResource("mlp-classifier.yaml");
        assertThat(mlp.inputSize()).isEqualTo(20);
        assertThat(mlp.layers()).containsExactly(new Dense(64, Activation.RELU), new Dense(64, Activation.RELU));
        assertThat(mlp.numClasses()).isEqualTo(2);
        assertThat(mlp.optimizer().orElseThrow().type()).isEqualTo(OptimizerType.ADAM);
        assertThat(mlp.batchSize()).isEqualTo(32);

        NetworkSpec fashion = NetworkSpec.fromResource("fashion-mnist-mlp.yaml");
        assertThat(fashion.inputSize()).isEqualTo(784);
        assertThat(fashion.layers()).containsExactly(new Dense(256, Activation.RELU), new Dense(128, Activation.RELU));
        assertThat(fashion.classNames()).containsExactly("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
        assertThat(fashion.optimizer().orElseThrow().learningRate()).isEqualTo(1e-3);

        assertThat(NetworkSpec.fromResource("fashion-mnist-cnn.yaml").image()).contains(new ImageShape(28, 28, 1));
        assertThat(NetworkSpec.fromResource("regression.yaml").isClassification()).isFalse();
        assertThatThrownBy(() -> NetworkSpec.fromResource("nope.yaml"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("no network spec 'specs/nope.yaml' on the"
                        + " class path");
    }
}
