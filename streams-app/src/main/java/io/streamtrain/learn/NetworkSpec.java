package io.streamtrain.learn;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;

/**
 * A network, described in the words a deep-learning user knows, read from a JSON or YAML file. Immutable and
 * validated: an instance always describes a network that can be built.
 *
 * <pre>{@code
 * name: fashion-mnist-mlp
 * inputSize: 784                  # or, for images: input: {height: 28, width: 28, channels: 1}
 * layers:
 *   - {type: dense, units: 256, activation: relu}
 *   - {type: dropout, rate: 0.2}  # the fraction dropped, as in Keras
 *   - {type: dense, units: 128}   # activation defaults to relu
 * output: {type: classification, classes: [T-shirt/top, Trouser, ...]}   # or classes: 10
 * loss: mcxent                    # default: mcxent for classification, mse for regression
 * optimizer:
 *   type: adam                    # sgd, adam, rmsprop, adagrad, nesterovs
 *   learningRate: 1.0e-3
 *   schedule: {type: exponential, gamma: 0.9999}   # per training step (one fit of a mini-batch)
 * weightInit: xavier
 * l2: 1.0e-5
 * seed: 42
 * batch: {size: 32, maxWaitMs: 1000}
 * replay: {ratio: 3, capacity: 10000}   # optional: each step also fits 3 past examples per new one
 * parallel: {replicas: 4, averageEverySteps: 16, combine: average, serverMomentum: 0.9}   # optional
 * }</pre>
 *
 * <p>Layer types: {@code dense} (units, activation), {@code dropout} (rate), {@code conv2d} (filters, kernel,
 * stride, padding, activation), {@code maxpool2d} / {@code avgpool2d} (kernel, stride, padding),
 * {@code batchnorm} (decay, epsilon). Kernels, strides and explicit paddings are an integer or
 * {@code [height, width]}; padding is also {@code valid} (the default) or {@code same}. Image features arrive as a
 * flat vector of {@code height * width * channels} values, channels first: all of channel 0 row by row, then
 * channel 1, and so on.
 *
 * <p>Instead of layers, a spec may name a DL4J {@code ModelSerializer} zip with {@code warmStart: model.zip}
 * (relative to the spec file), or a snapshot on the learner's models topic with {@code warmStart: topic:M@N}
 * (model {@code M}, version {@code N}; {@code topic:M} or {@code topic:M@latest} for its latest version): the
 * network, with its updater state, comes from the zip and is checked against the spec's input and output.
 */
public final class NetworkSpec {

    /** How a spec file is written. */
    public enum Format {
        JSON, YAML;

        /** The format of a file, by its extension: {@code .json}, {@code .yaml} or {@code .yml}. */
        public static Format ofFileName(String fileName) {
            String lower = fileName.toLowerCase(Locale.ROOT);
            if (lower.endsWith(".json")) {
                return JSON;
            }
            if (lower.endsWith(".yaml") || lower.endsWith(".yml")) {
                return YAML;
            }
            throw new IllegalArgumentException(
                    "cannot tell the format of network spec '" + fileName + "': expected .json, .yaml or .yml");
        }
    }

    /** Shape of image input; the features are a flat, channels-first vector of {@link #size()} values. */
    public record ImageShape(int height, int width, int channels) {
        public int size() {
            return height * width * channels;
        }
    }

    /** What the network predicts. */
    public enum OutputKind { CLASSIFICATION, REGRESSION }

    /** One hidden layer. */
    public sealed interface LayerSpec permits Dense, Dropout, Conv2d, Pool2d, BatchNorm {
    }

    /** A fully connected layer. */
    public record Dense(int units, Activation activation) implements LayerSpec {
    }

    /** Drops this fraction of its inputs while training (not when predicting). */
    public record Dropout(double rate) implements LayerSpec {
    }

    /** Zero padding of a convolution or pooling window: {@code same} or explicit (0, 0 being {@code valid}). */
    public record Padding(boolean same, int height, int width) {
        public static final Padding VALID = new Padding(false, 0, 0);
        public static final Padding SAME = new Padding(true, 0, 0);

        @Override
        public String toString() {
            return same ? "same" : height == 0 && width == 0 ? "valid" : height + "x" + width;
        }
    }

    /** A 2-D convolution. */
    public record Conv2d(int filters, int kernelHeight, int kernelWidth, int strideHeight, int strideWidth,
                         Padding padding, Activation activation) implements LayerSpec {
    }

    /** A 2-D pooling layer. */
    public record Pool2d(boolean max, int kernelHeight, int kernelWidth, int strideHeight, int strideWidth,
                         Padding padding) implements LayerSpec {
    }

    /** Batch normalization. */
    public record BatchNorm(double decay, double epsilon) implements LayerSpec {
    }

    /** The optimizers a spec may name. */
    public enum OptimizerType { SGD, ADAM, RMSPROP, ADAGRAD, NESTEROVS }

    /**
     * How to update the weights. Only the hyper-parameters of the chosen type are used; the others keep their
     * defaults.
     */
    public record Optimizer(OptimizerType type, double learningRate, double beta1, double beta2, double epsilon,
                            double momentum, double rmsDecay, Schedule schedule) {
    }

    /** How the learning rate changes with training steps (mini-batch fits); null in {@link Optimizer} for none. */
    public sealed interface Schedule permits StepDecay, ExponentialDecay, InverseDecay, PolyDecay {
    }

    /** {@code lr * decayRate ^ floor(step / every)}. */
    public record StepDecay(double decayRate, int every) implements Schedule {
    }

    /** {@code lr * gamma ^ step}. */
    public record ExponentialDecay(double gamma) implements Schedule {
    }

    /** {@code lr / (1 + gamma * step) ^ power}. */
    public record InverseDecay(double gamma, double power) implements Schedule {
    }

    /** {@code lr * (1 - step / maxSteps) ^ power}, then 0. */
    public record PolyDecay(double power, int maxSteps) implements Schedule {
    }

    /**
     * Experience replay: each training step fits, beside its new labeled examples, {@code ratio} times as many drawn
     * from a uniform sample of {@code capacity} of the model's past labeled examples ({@link Reservoir}).
     */
    public record Replay(int ratio, int capacity) {
    }

    /**
     * Data-parallel training: {@code replicas} learner tasks train the model at once, each on the shard of the
     * stream its examples' ids hash to ({@code io.streamtrain.contract.ReplicaKey}); each contributes its parameters
     * after {@code averageEverySteps} training steps (or after {@code maxWaitMs} with fewer), and adopts the round's
     * weighted average when every replica has contributed. {@code serverRate} scales the change a round makes to the
     * global version (1: the average itself), and {@code serverMomentum} carries a share of each round's change into
     * the next (Nesterov momentum on the rounds' changes; 0: none), which makes up for the steps that averaging
     * divides among the replicas (by default 0.9, or 0 with {@code averageEverySteps} under 8).
     * {@code maxStaleSteps} bounds how far a replica runs ahead of the round its contribution is in: at most that many
     * more steps before the round's global version is back (0, the default: synchronous averaging, a replica's next
     * step waits for it), though never longer than {@code maxWaitMs}.
     */
    public record Parallel(int replicas, int averageEverySteps, long maxWaitMs, Combine combine, double serverRate,
            double serverMomentum, int maxStaleSteps) {
    }

    /**
     * How a round's contributions make the next global version. {@code AVERAGE} (the default): model averaging, the
     * contributions weighted by the examples each trained on (each example's effect divided among the replicas).
     * {@code SUM}: every replica's change since the last global applied in full, as if their steps had been taken
     * one after the other from it (each example's effect counted once); it overshoots, and can diverge, when a
     * replica takes more than a few steps between rounds.
     */
    public enum Combine {
        SUM, AVERAGE
    }

    private final String name;
    private final int inputSize;
    private final ImageShape image;
    private final List<LayerSpec> layers;
    private final OutputKind outputKind;
    private final List<String> classNames;
    private final LossKind loss;
    private final Optimizer optimizer;
    private final WeightInit weightInit;
    private final double l2;
    private final long seed;
    private final int batchSize;
    private final long maxWaitMs;
    private final Replay replay;
    private final Parallel parallel;
    private final Path warmStart;
    private final SnapshotRef warmStartSnapshot;
    private final String json;

    NetworkSpec(String name, int inputSize, ImageShape image, List<LayerSpec> layers, OutputKind outputKind,
                List<String> classNames, LossKind loss, Optimizer optimizer, WeightInit weightInit, double l2,
                long seed, int batchSize, long maxWaitMs, Replay replay, Parallel parallel, Path warmStart,
                SnapshotRef warmStartSnapshot, String json) {
        this.name = name;
        this.inputSize = inputSize;
        this.image = image;
        this.layers = List.copyOf(layers);
        this.outputKind = Objects.requireNonNull(outputKind);
        this.classNames = List.copyOf(classNames);
        this.loss = loss;
        this.optimizer = optimizer;
        this.weightInit = weightInit;
        this.l2 = l2;
        this.seed = seed;
        this.batchSize = batchSize;
        this.maxWaitMs = maxWaitMs;
        this.replay = replay;
        this.parallel = parallel;
        this.warmStart = warmStart;
        this.warmStartSnapshot = warmStartSnapshot;
        this.json = Objects.requireNonNull(json);
    }

    /** Reads a spec file; the format comes from its extension, and {@code warmStart} is relative to its folder. */
    public static NetworkSpec parse(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read network spec " + file, e);
        }
        Path dir = file.toAbsolutePath().getParent();
        return new SpecParser(Format.ofFileName(file.getFileName().toString()), dir, file.toString()).parse(text);
    }

    /**
     * Reads the spec a snapshot carries, as JSON, on any machine: a {@code warmStart} file it names need not be
     * there (the snapshot's zip is the network).
     */
    public static NetworkSpec parseFromSnapshot(String json) {
        return new SpecParser(Format.JSON, null, "the spec of a snapshot", false).parse(json);
    }

    /** Reads a spec from text; a relative {@code warmStart} is resolved against the working directory. */
    public static NetworkSpec parse(String text, Format format) {
        return new SpecParser(format, null, null).parse(text);
    }

    /**
     * Reads a spec from the class path: a bare file name is looked up among the shipped specs
     * ({@code specs/<name>}), anything with a slash as it is.
     */
    public static NetworkSpec fromResource(String name) {
        String resource = name.contains("/") ? name.replaceFirst("^/", "") : "specs/" + name;
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        if (loader == null) {
            loader = NetworkSpec.class.getClassLoader();
        }
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no network spec '" + resource + "' on the class path");
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return new SpecParser(Format.ofFileName(resource), null, resource).parse(text);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read network spec " + resource, e);
        }
    }

    /** The spec's name, when it gives one. */
    public Optional<String> name() {
        return Optional.ofNullable(name);
    }

    /** The number of features of an example (for images, {@code height * width * channels}). */
    public int inputSize() {
        return inputSize;
    }

    /** The image shape, for image input. */
    public Optional<ImageShape> image() {
        return Optional.ofNullable(image);
    }

    /** The hidden layers, in order; empty for a warm start. */
    public List<LayerSpec> layers() {
        return layers;
    }

    public OutputKind outputKind() {
        return outputKind;
    }

    public boolean isClassification() {
        return outputKind == OutputKind.CLASSIFICATION;
    }

    /** The class names (generated {@code "0"} .. {@code "n-1"} when the spec gives a count); empty for regression. */
    public List<String> classNames() {
        return classNames;
    }

    /** The number of classes; 0 for regression. */
    public int numClasses() {
        return classNames.size();
    }

    /** The loss function; empty for a warm start that leaves it to the model. */
    public Optional<LossKind> loss() {
        return Optional.ofNullable(loss);
    }

    /** The optimizer; empty for a warm start (the zip holds its own). */
    public Optional<Optimizer> optimizer() {
        return Optional.ofNullable(optimizer);
    }

    public WeightInit weightInit() {
        return weightInit;
    }

    public double l2() {
        return l2;
    }

    public long seed() {
        return seed;
    }

    /** The most examples one training step (mini-batch) takes. */
    public int batchSize() {
        return batchSize;
    }

    /**
     * The longest, in milliseconds, the first example of a mini-batch waits for the batch to fill before the model
     * trains on a partial batch.
     */
    public long maxWaitMs() {
        return maxWaitMs;
    }

    /** The experience replay of each training step, when the spec asks for it. */
    public Optional<Replay> replay() {
        return Optional.ofNullable(replay);
    }

    /** Data-parallel training, when the spec asks for more than one replica. */
    public Optional<Parallel> parallel() {
        return Optional.ofNullable(parallel);
    }

    /** How many replicas train the model: 1 unless the spec's {@code parallel} says more. */
    public int replicas() {
        return parallel == null ? 1 : parallel.replicas();
    }

    /** The model zip to start from, when the spec names one (or a snapshot it was fetched from). */
    public Optional<Path> warmStart() {
        return Optional.ofNullable(warmStart);
    }

    /**
     * The snapshot on the models topic to start from, when the spec names one ({@code warmStart: topic:M@N}). It is
     * fetched when the learner starts ({@link #withWarmStartFile}); until then {@link #warmStart()} is empty.
     */
    public Optional<SnapshotRef> warmStartSnapshot() {
        return Optional.ofNullable(warmStartSnapshot);
    }

    /** This spec starting from a zip fetched for its {@link #warmStartSnapshot()}. */
    public NetworkSpec withWarmStartFile(Path zip) {
        return new NetworkSpec(name, inputSize, image, layers, outputKind, classNames, loss, optimizer, weightInit, l2,
                seed, batchSize, maxWaitMs, replay, parallel, zip, warmStartSnapshot, json);
    }

    /** The spec as JSON (a YAML spec converted), as snapshots carry it. */
    public String json() {
        return json;
    }

    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        if (name != null) {
            parts.add("name=" + name);
        }
        parts.add(image != null ? "input=" + image.height() + "x" + image.width() + "x" + image.channels()
                : "inputSize=" + inputSize);
        if (warmStartSnapshot != null) {
            parts.add("warmStart=" + warmStartSnapshot);
        } else if (warmStart != null) {
            parts.add("warmStart=" + warmStart);
        } else {
            parts.add("layers=" + layers);
        }
        parts.add(outputKind == OutputKind.CLASSIFICATION ? "classes=" + classNames : "regression");
        return "NetworkSpec[" + String.join(", ", parts) + "]";
    }
}
