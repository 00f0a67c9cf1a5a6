package io.streamtrain.learn;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Updater;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One model: a DL4J network that predicts a batch of examples, scores a prediction against its label, trains on a
 * mini-batch, and saves or restores its full training state as a compact checkpoint.
 *
 * <p>Not thread-safe: use each learner from one thread at a time (ND4J's workspaces are per thread, too). Every
 * array is FLOAT. The arrays made for a call are released when it returns instead of waiting for the garbage
 * collector, which keeps native memory flat under load; only the input arrays of the last few row counts (at most
 * {@value #MAX_KEPT_INPUTS}) are kept, filled in place at the next call of the same size. When the network has dropout, each training step seeds
 * ND4J's per-thread random generator from the spec's seed and the step number, so that a step repeats exactly.
 *
 * <h2>Checkpoint format, version 1</h2>
 * Little-endian: the 4 bytes {@code STCK}; the format version (u16) and reserved flags (u16); the network's
 * fingerprint (i64, a hash of its layer types, activations, parameter shapes, loss and updater, so a checkpoint
 * of another architecture is refused); {@link #version()} (i64); {@link #examplesTrained()} (i64); DL4J's iteration
 * and epoch counts (i32 each: Adam's bias correction and learning-rate schedules depend on the iteration); the
 * number of parameters and of updater-state values (i32 each); the flat parameters and the flat updater state
 * (f32 each); a CRC32C of everything before it (i32). For the 20-64-64-2 MLP with Adam that is 67,660 bytes.
 */
public final class Learner implements AutoCloseable {

    private static final byte[] MAGIC = "STCK".getBytes(StandardCharsets.US_ASCII);
    private static final int FORMAT_VERSION = 1;
    private static final int HEADER_BYTES = 48;
    /** Reading and writing native float buffers directly is only right where they live in host memory. */
    private static final boolean HOST_BUFFERS = Nd4j.getEnvironment().isCPU();
    /** Row counts whose input array is kept: a batch size and the labeled parts of its mini-batches. */
    private static final int MAX_KEPT_INPUTS = 8;
    /** A feature magnitude beyond which a training step is followed by {@link #isFinite()}. */
    public static final float OVERFLOW_RISK = 1e6f;

    /** Input arrays kept between calls, by row count: the few sizes of a model's mini-batches, least recent out. */
    private final Map<Integer, INDArray> inputs = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, INDArray> eldest) {
            if (size() > MAX_KEPT_INPUTS) {
                release(eldest.getValue());
                return true;
            }
            return false;
        }
    };

    private final NetworkSpec spec;
    private final MultiLayerNetwork net;
    private final LossKind loss;
    private final boolean classification;
    private final int inputSize;
    private final int numClasses;
    /** Columns of the network's output: the number of classes, or 1 (regression, or one sigmoid for xent). */
    private final int outputColumns;
    private final long fingerprint;
    /** Whether training draws random numbers (dropout), so that each step's draws must be pinned down. */
    private final boolean stochastic;
    private long version;
    private long examplesTrained;
    /** Whether a row of the last training step held a feature value beyond ±{@link #OVERFLOW_RISK}. */
    private boolean lastStepRisky;
    private boolean closed;

    private Learner(NetworkSpec spec, MultiLayerNetwork net) {
        this.spec = spec;
        this.net = net;
        this.loss = spec.loss().orElseGet(() -> LossKind.of(outputLayerConf(net).getLossFn()));
        this.classification = spec.isClassification();
        this.inputSize = spec.inputSize();
        this.numClasses = spec.numClasses();
        this.outputColumns = classification && loss != LossKind.XENT ? numClasses : 1;
        // make the updater (and its state array) now, so that a checkpoint can be written or restored at once
        net.getUpdater(true);
        this.fingerprint = fingerprint(net);
        this.stochastic = Arrays.stream(net.getLayers()).anyMatch(l -> l.conf().getLayer().getIDropout() != null);
    }

    /** A fresh model (or the warm start the spec names). */
    public static Learner create(NetworkSpec spec) {
        return new Learner(spec, NetworkFactory.build(spec));
    }

    /**
     * A model restored from a {@link #checkpoint()}, continuing exactly where it was.
     *
     * @throws CheckpointException when the checkpoint is corrupt or was written for a different network
     */
    public static Learner restore(NetworkSpec spec, byte[] checkpoint) {
        Learner learner = create(spec);
        try {
            learner.restoreFrom(checkpoint);
        } catch (RuntimeException e) {
            learner.close();
            throw e;
        }
        return learner;
    }

    /**
     * A model read from a snapshot's DL4J zip, at the snapshot's version, for predictions only (a serving replica):
     * its outputs are the learner's for that version.
     *
     * @param spec the spec the snapshot carries (its input, outputs and loss)
     * @throws CheckpointException when the zip cannot be read or does not fit the spec
     */
    public static Learner fromSnapshot(NetworkSpec spec, byte[] zip, long version, long examplesTrained) {
        MultiLayerNetwork net;
        try {
            net = ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(zip), false);
        } catch (IOException | RuntimeException e) {
            throw new CheckpointException("not a DL4J ModelSerializer zip: " + e);
        }
        if (net.params().dataType() != DataType.FLOAT) {
            net = net.convertDataType(DataType.FLOAT);
        }
        if (net.layerInputSize(0) != spec.inputSize() && spec.image().isEmpty()) {
            long inputs = net.layerInputSize(0);
            net.close();
            throw new CheckpointException("the zip's network takes " + inputs + " inputs, its spec "
                    + spec.inputSize());
        }
        Learner learner = new Learner(spec, net);
        learner.version = version;
        learner.examplesTrained = examplesTrained;
        return learner;
    }

    public NetworkSpec spec() {
        return spec;
    }

    public int inputSize() {
        return inputSize;
    }

    public boolean isClassification() {
        return classification;
    }

    /** The number of classes; 0 for regression. */
    public int numClasses() {
        return numClasses;
    }

    /** The class names, in class-index order ({@code "0"} .. {@code "n-1"} unless the spec names them). */
    public List<String> classNames() {
        return spec.classNames();
    }

    /** The loss function predictions are scored and trained by. */
    public LossKind lossKind() {
        return loss;
    }

    /** Where the network computes: {@code CPU} or {@code CUDA}. */
    public String backend() {
        return Nd4j.getEnvironment().isCPU() ? "CPU" : "CUDA";
    }

    /** The number of training steps (mini-batch fits) taken; 0 for a new model. */
    public long version() {
        return version;
    }

    /** The number of examples trained on. */
    public long examplesTrained() {
        return examplesTrained;
    }

    /** The number of parameters of the network. */
    public long numParams() {
        return net.numParams();
    }

    /**
     * Whether the parameters and the optimizer's state are finite: a step on extreme (finite) feature values can
     * overflow them, and a network with one NaN or infinity predicts NaN, or stops learning, from then on. Read as
     * the sum of each (one vectorised pass; a NaN or an infinity anywhere makes it non-finite), so values so large
     * that their sum overflows the float range count as non-finite too: the next step would overflow them.
     */
    public boolean isFinite() {
        checkOpen();
        if (!Double.isFinite(net.params().sumNumber().doubleValue())) {
            return false;
        }
        INDArray state = net.getUpdater(true).getStateViewArray();
        return state == null || Double.isFinite(state.sumNumber().doubleValue());
    }

    /**
     * Whether the network is finite after the last training step, as far as that step can have changed it: checked
     * ({@link #isFinite()}) only when the step's rows held a feature value beyond ±{@value #OVERFLOW_RISK}. The
     * overflow this guards against comes from values of such magnitude, and the check is a pass over every parameter
     * and optimizer value (~0.8 ms for 235k parameters under Adam, 13% of a step of 128 rows), too dear for every step.
     */
    public boolean finiteAfterStep() {
        return !lastStepRisky || isFinite();
    }

    /** A copy of the network's parameters: DL4J's flattened vector, {@link #numParams()} floats. */
    public float[] params() {
        checkOpen();
        INDArray params = net.params();
        return toFloats(params, (int) params.length());
    }

    /**
     * Replaces the network's parameters with {@code values}, DL4J's flattened vector (as {@link #params()} gives):
     * for a replica adopting an averaged model. The optimizer's state, the version and the counts stay.
     *
     * @throws IllegalArgumentException when {@code values} has another length than the network's parameters
     */
    public void setParams(float[] values) {
        checkOpen();
        INDArray params = net.params();
        if (values.length != params.length()) {
            throw new IllegalArgumentException("the network has " + params.length() + " parameters, not "
                    + values.length);
        }
        ByteBuffer in = ByteBuffer.allocate(4 * values.length).order(ByteOrder.nativeOrder());
        in.asFloatBuffer().put(values);
        copyIn(in, values.length, params);
    }

    /** The network, for tests and benchmarks in this package. */
    MultiLayerNetwork network() {
        return net;
    }

    /**
     * Predicts a batch of examples in one forward pass, in inference mode (no dropout; batch norm uses its running
     * statistics).
     *
     * @param features one row of {@link #inputSize()} values per example
     */
    public Outputs predict(float[][] features) {
        checkOpen();
        int n = features.length;
        if (n == 0) {
            return new Outputs(0, outputColumns, new float[0], classification);
        }
        INDArray x = matrix(features);
        INDArray y = null;
        try {
            y = net.output(x, false);
            float[] values = toFloats(y, n * outputColumns);
            if (loss == LossKind.XENT) {
                values = binaryProbabilities(values);
            }
            return new Outputs(n, classification ? numClasses : 1, values, classification);
        } finally {
            net.setInput(null);
            releaseInput(x);
            release(y);
        }
    }

    /** One sigmoid p per example becomes the pair (1 - p, p). */
    private static float[] binaryProbabilities(float[] p) {
        float[] pairs = new float[p.length * 2];
        for (int i = 0; i < p.length; i++) {
            pairs[2 * i] = 1f - p[i];
            pairs[2 * i + 1] = p[i];
        }
        return pairs;
    }

    /**
     * The loss of one prediction against its label, by the spec's loss function: {@code -ln(max(p_label, 1e-7))}
     * for the cross-entropies, the squared error for mse, the absolute error for mae.
     */
    public double loss(int row, Outputs outputs, Target label) {
        if (classification) {
            int c = classIndex(label);
            return -Math.log(Math.max(outputs.probability(row, c), LossKind.MIN_PROBABILITY));
        }
        double err = outputs.value(row) - regressionValue(label);
        return loss == LossKind.MAE ? Math.abs(err) : err * err;
    }

    /**
     * Trains one step on a mini-batch (one {@code fit}): increments {@link #version()} by one and
     * {@link #examplesTrained()} by the batch size.
     *
     * @param features one row of {@link #inputSize()} values per example
     * @param labels   one label per example
     * @param weights  null, or a finite weight {@code >= 0} per example: each example's loss (and gradient) is
     *                 multiplied by its weight, the batch loss still being divided by the batch size. Applied as
     *                 DL4J's per-example labels mask.
     */
    public void train(float[][] features, Target[] labels, float[] weights) {
        train(features, labels, weights, features.length);
    }

    /**
     * As {@link #train(float[][], Target[], float[])}, where only the first {@code fresh} rows are new examples (the
     * others replayed ones, {@link Reservoir}): {@link #examplesTrained()} grows by {@code fresh}.
     */
    public void train(float[][] features, Target[] labels, float[] weights, int fresh) {
        checkOpen();
        int n = features.length;
        if (fresh < 0 || fresh > n) {
            throw new IllegalArgumentException(fresh + " new examples in a batch of " + n);
        }
        if (n == 0) {
            throw new IllegalArgumentException("cannot train on an empty batch");
        }
        if (labels.length != n) {
            throw new IllegalArgumentException(n + " examples but " + labels.length + " labels");
        }
        if (weights != null) {
            if (weights.length != n) {
                throw new IllegalArgumentException(n + " examples but " + weights.length + " weights");
            }
            for (int i = 0; i < n; i++) {
                if (!(weights[i] >= 0) || Float.isInfinite(weights[i])) {
                    throw new IllegalArgumentException("weights[" + i + "] must be finite and >= 0, was " + weights[i]);
                }
            }
        }
        if (weights != null && allOnes(weights)) {
            // the common case: no mask at all, which is also cheaper
            weights = null;
        }
        if (weights != null && n == 1) {
            // DL4J reads a 1x1 mask as per-output masking, which softmax + MCXENT refuses: pad with a copy of the
            // example at weight 0 and double the weight, since the batch loss is divided by the batch size
            features = new float[][] {features[0], features[0]};
            labels = new Target[] {labels[0], labels[0]};
            weights = new float[] {2 * weights[0], 0f};
        }
        int rows = features.length;
        INDArray x = matrix(features);
        // (after matrix, which checks every row): ~33 µs for 128 rows of 784, 0.5% of their step
        lastStepRisky = anyBeyond(features, OVERFLOW_RISK);
        INDArray y = null;
        INDArray mask = null;
        try {
            y = labelMatrix(labels);
            mask = weights == null ? null : Nd4j.create(weights, new long[] {rows, 1}, 'c');
            if (stochastic) {
                // dropout draws from ND4J's per-thread generator: seeding it from the model's seed and the step makes
                // a step's masks the same whenever it is taken, so training after a restore or replay is identical
                Nd4j.getRandom().setSeed(stepSeed(spec.seed(), version));
            }
            net.fit(x, y, null, mask);
        } finally {
            net.setInput(null);
            net.setLabels(null);
            releaseInput(x);
            release(y);
            release(mask);
        }
        version++;
        examplesTrained += fresh;
    }

    private static boolean anyBeyond(float[][] rows, float magnitude) {
        for (float[] row : rows) {
            for (float v : row) {
                if (Math.abs(v) > magnitude) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean allOnes(float[] weights) {
        for (float w : weights) {
            if (w != 1f) {
                return false;
            }
        }
        return true;
    }

    /** A seed for one training step: the spec's seed and the step number, mixed (SplitMix64's finalizer). */
    static long stepSeed(long seed, long step) {
        long z = seed + (step + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private INDArray matrix(float[][] features) {
        int n = features.length;
        for (int i = 0; i < n; i++) {
            float[] row = features[i];
            if (row == null || row.length != inputSize) {
                throw new IllegalArgumentException("features[" + i + "] has " + (row == null ? "no" : row.length)
                        + " values, expected " + inputSize);
            }
        }
        if (HOST_BUFFERS) {
            // the rows go straight into a native array kept for this row count, not through a float[] and a new one
            INDArray x = inputs.computeIfAbsent(n, rows -> Nd4j.create(DataType.FLOAT, new long[] {rows, inputSize},
                    'c'));
            if (contiguous(x)) {
                FloatBuffer dst = hostFloats(x);
                for (float[] row : features) {
                    dst.put(row);
                }
                return x;
            }
        }
        float[] flat = new float[n * inputSize];
        for (int i = 0; i < n; i++) {
            System.arraycopy(features[i], 0, flat, i * inputSize, inputSize);
        }
        return Nd4j.create(flat, new long[] {n, inputSize}, 'c');
    }

    /** Releases an input array unless it is one of those kept for the next call of its row count. */
    private void releaseInput(INDArray x) {
        if (x != null && inputs.get((int) x.rows()) != x) {
            release(x);
        }
    }

    private INDArray labelMatrix(Target[] labels) {
        int n = labels.length;
        float[] flat = new float[n * outputColumns];
        for (int i = 0; i < n; i++) {
            if (!classification) {
                flat[i] = (float) regressionValue(labels[i]);
            } else if (loss == LossKind.XENT) {
                flat[i] = classIndex(labels[i]);
            } else {
                flat[i * outputColumns + classIndex(labels[i])] = 1f;
            }
        }
        return Nd4j.create(flat, new long[] {n, outputColumns}, 'c');
    }

    private int classIndex(Target label) {
        if (label == null || !label.isClass()) {
            throw new IllegalArgumentException("a classifier needs a class label, got " + label);
        }
        int c = label.classIndex();
        if (c < 0 || c >= numClasses) {
            throw new IllegalArgumentException("class " + c + " is outside [0, " + numClasses + ")");
        }
        return c;
    }

    private double regressionValue(Target label) {
        if (label == null || label.isClass()) {
            throw new IllegalArgumentException("a regression model needs a value label, got " + label);
        }
        double v = label.value();
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException("regression label must be finite, was " + v);
        }
        return v;
    }

    // ---------------------------------------------------------------- checkpoint

    /** The model's full training state; see the class comment for the format. */
    public byte[] checkpoint() {
        checkOpen();
        INDArray params = net.params();
        INDArray state = updaterState();
        int nParams = (int) params.length();
        int nState = state == null ? 0 : (int) state.length();
        byte[] bytes = new byte[HEADER_BYTES + 4 * (nParams + nState) + 4];
        ByteBuffer out = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC)
                .putShort((short) FORMAT_VERSION)
                .putShort((short) 0)
                .putLong(fingerprint)
                .putLong(version)
                .putLong(examplesTrained)
                .putInt(net.getIterationCount())
                .putInt(net.getEpochCount())
                .putInt(nParams)
                .putInt(nState);
        copyOut(params, out);
        if (state != null) {
            copyOut(state, out);
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, out.position());
        out.putInt((int) crc.getValue());
        return bytes;
    }

    /**
     * The network with its updater state as a DL4J {@code ModelSerializer} zip, which plain DL4J restores with
     * {@code ModelSerializer.restoreMultiLayerNetwork}: what a snapshot carries. Slower and larger than
     * {@link #checkpoint()}, which is for the learner's own restores.
     */
    public byte[] exportZip() {
        checkOpen();
        ByteArrayOutputStream zip = new ByteArrayOutputStream((int) Math.min(Integer.MAX_VALUE - 8,
                64 * 1024 + 12L * net.numParams()));
        try {
            ModelSerializer.writeModel(net, zip, true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the model as a DL4J zip", e);
        }
        return zip.toByteArray();
    }

    /**
     * Goes on from a snapshot's state: the parameters, updater state and iteration and epoch counts of a DL4J
     * {@code ModelSerializer} zip of the same network (what {@link #exportZip()} writes). The version goes on, one
     * more, so that versions never repeat; the examples trained go on too. A refused zip leaves the model as it was.
     *
     * @throws CheckpointException when the zip cannot be read or holds another network
     */
    public void adopt(byte[] zip) {
        checkOpen();
        MultiLayerNetwork other;
        try {
            other = ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(zip), true);
        } catch (IOException | RuntimeException e) {
            throw new CheckpointException("not a DL4J ModelSerializer zip: " + e);
        }
        try {
            if (other.params().dataType() != DataType.FLOAT) {
                other = other.convertDataType(DataType.FLOAT);
            }
            INDArray state = updaterState();
            INDArray theirState = other.getUpdater(true) == null ? null : other.getUpdater(true).getStateViewArray();
            long theirStateLength = theirState == null ? 0 : theirState.length();
            if (fingerprint(other) != fingerprint || other.params().length() != net.params().length()
                    || theirStateLength != (state == null ? 0 : state.length())) {
                throw new CheckpointException(String.format("the zip holds a different network (fingerprint %016x, "
                        + "%d parameters, %d updater values) than this one (%s: fingerprint %016x, %d parameters)",
                        fingerprint(other), other.params().length(), theirStateLength, spec, fingerprint,
                        net.params().length()));
            }
            net.params().assign(other.params());
            if (state != null) {
                state.assign(theirState);
            }
            net.setIterationCount(other.getIterationCount());
            net.setEpochCount(other.getEpochCount());
            version++;
        } finally {
            other.close();
        }
    }

    /**
     * Sets a fixed learning rate for every layer from the next training step on, in place of the spec's (and its
     * schedule). Not part of a {@link #checkpoint()}: whoever sets it sets it again after a restore.
     */
    public void setLearningRate(double learningRate) {
        checkOpen();
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("a learning rate must be finite and above 0, was " + learningRate);
        }
        net.setLearningRate(learningRate);
    }

    /** The learning rate the spec sets (its starting rate, when it has a schedule). */
    public double specLearningRate() {
        return spec.optimizer().orElseThrow().learningRate();
    }

    /** Goes back to the spec's learning rate and schedule, after {@link #setLearningRate}. */
    public void useSpecLearningRate() {
        checkOpen();
        NetworkSpec.Optimizer o = spec.optimizer().orElseThrow();
        org.nd4j.linalg.schedule.ISchedule schedule = NetworkFactory.schedule(o.schedule(), o.learningRate());
        if (schedule == null) {
            net.setLearningRate(o.learningRate());
        } else {
            net.setLearningRate(schedule);
        }
    }

    /**
     * Forgets what the optimizer learned of the gradients (Adam's moments, RMSProp's and AdaGrad's squares,
     * momentum): the next steps start from zeroed state, the parameters as they are. Part of the next
     * {@link #checkpoint()}.
     */
    public void resetOptimizer() {
        checkOpen();
        if (net.getUpdater() != null && net.getUpdater().getStateViewArray() != null) {
            net.getUpdater().getStateViewArray().assign(0);
        }
    }

    /** This new model's version and examples trained go on from {@code previous}'s: a reset keeps versions unique. */
    public void continueFrom(Learner previous) {
        checkOpen();
        version = previous.version + 1;
        examplesTrained = previous.examplesTrained;
    }

    /**
     * Replaces this model's state with a checkpoint's: parameters, updater state, iteration and epoch counts,
     * version and examples trained. Bit-exact: training goes on as if the checkpoint had never been taken. A
     * refused checkpoint leaves the model as it was.
     *
     * @throws CheckpointException when the checkpoint is corrupt or was written for a different network
     */
    public void restoreFrom(byte[] checkpoint) {
        checkOpen();
        ByteBuffer in = ByteBuffer.wrap(checkpoint).order(ByteOrder.LITTLE_ENDIAN);
        if (checkpoint.length < HEADER_BYTES + 4 || in.get() != MAGIC[0] || in.get() != MAGIC[1]
                || in.get() != MAGIC[2] || in.get() != MAGIC[3]) {
            throw new CheckpointException("not a Streamtrain checkpoint (" + checkpoint.length
                    + " bytes without the STCK header)");
        }
        int format = in.getShort() & 0xffff;
        in.getShort();
        if (format != FORMAT_VERSION) {
            throw new CheckpointException("checkpoint format version " + format + " is not supported (this build"
                    + " reads version " + FORMAT_VERSION + ")");
        }
        long theirFingerprint = in.getLong();
        long theirVersion = in.getLong();
        long theirExamples = in.getLong();
        int iterations = in.getInt();
        int epochs = in.getInt();
        int nParams = in.getInt();
        int nState = in.getInt();
        long expectedLength = HEADER_BYTES + 4L * nParams + 4L * nState + 4;
        if (nParams < 0 || nState < 0 || expectedLength != checkpoint.length) {
            throw new CheckpointException("corrupt checkpoint: " + checkpoint.length + " bytes, but its header says "
                    + nParams + " parameters and " + nState + " updater values");
        }
        CRC32C crc = new CRC32C();
        crc.update(checkpoint, 0, checkpoint.length - 4);
        int storedCrc = ByteBuffer.wrap(checkpoint, checkpoint.length - 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        if ((int) crc.getValue() != storedCrc) {
            throw new CheckpointException("corrupt checkpoint: CRC32C mismatch");
        }
        INDArray params = net.params();
        INDArray state = updaterState();
        long ourState = state == null ? 0 : state.length();
        if (theirFingerprint != fingerprint || nParams != params.length() || nState != ourState) {
            throw new CheckpointException(String.format("checkpoint was written for a different network"
                            + " (fingerprint %016x, %d parameters, %d updater values), but this one (%s) has"
                            + " fingerprint %016x, %d parameters, %d updater values",
                    theirFingerprint, nParams, nState, spec, fingerprint, params.length(), ourState));
        }
        copyIn(in, nParams, params);
        if (state != null) {
            copyIn(in, nState, state);
        }
        net.setIterationCount(iterations);
        net.setEpochCount(epochs);
        version = theirVersion;
        examplesTrained = theirExamples;
    }

    private INDArray updaterState() {
        Updater updater = net.getUpdater(true);
        INDArray state = updater == null ? null : updater.getStateViewArray();
        return state == null || state.length() == 0 ? null : state;
    }

    /** The fingerprint a checkpoint of this model carries. */
    long fingerprint() {
        return fingerprint;
    }

    /**
     * A hash of what makes a checkpoint fit a network: each layer's type, activation and parameter shapes with
     * their updater, and the loss. Learning rates, schedules and batch sizes may change between runs.
     */
    static long fingerprint(MultiLayerNetwork net) {
        StringBuilder b = new StringBuilder("streamtrain-network/1");
        Layer[] layers = net.getLayers();
        for (int i = 0; i < layers.length; i++) {
            org.deeplearning4j.nn.conf.layers.Layer conf = layers[i].conf().getLayer();
            b.append('|').append(i).append(':').append(conf.getClass().getSimpleName());
            if (conf instanceof BaseLayer base) {
                b.append(':').append(base.getActivationFn());
            }
            if (conf instanceof BaseOutputLayer out) {
                b.append(':').append(out.getLossFn().getClass().getSimpleName());
            }
            for (Map.Entry<String, INDArray> p : layers[i].paramTable().entrySet()) {
                b.append(':').append(p.getKey()).append(Arrays.toString(p.getValue().shape()))
                        .append(conf.getUpdaterByParam(p.getKey()).getClass().getSimpleName());
            }
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(b.toString().getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(hash).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static BaseOutputLayer outputLayerConf(MultiLayerNetwork net) {
        Layer[] layers = net.getLayers();
        return (BaseOutputLayer) layers[layers.length - 1].conf().getLayer();
    }

    // ---------------------------------------------------------------- native buffers

    /** Whether an array's values are exactly its buffer's, in order, so the buffer can be copied in one go. */
    private static boolean contiguous(INDArray a) {
        return HOST_BUFFERS && a.dataType() == DataType.FLOAT && a.offset() == 0 && a.data().length() == a.length()
                && (a.rank() <= 1 || a.ordering() == 'c') && !a.isView();
    }

    private static FloatBuffer hostFloats(INDArray a) {
        FloatBuffer f = a.data().asNio().order(ByteOrder.nativeOrder()).asFloatBuffer();
        f.limit((int) a.length());
        return f;
    }

    private static float[] toFloats(INDArray a, int expected) {
        if (a.length() != expected) {
            throw new IllegalStateException("network output has shape " + Arrays.toString(a.shape())
                    + ", expected " + expected + " values");
        }
        if (contiguous(a)) {
            float[] values = new float[expected];
            hostFloats(a).get(values);
            return values;
        }
        INDArray c = a.dup('c');
        try {
            return c.data().asFloat();
        } finally {
            release(c);
        }
    }

    private static void copyOut(INDArray a, ByteBuffer out) {
        FloatBuffer dst = out.asFloatBuffer();
        if (contiguous(a)) {
            dst.put(hostFloats(a));
        } else {
            dst.put(toFloats(a, (int) a.length()));
        }
        out.position(out.position() + 4 * (int) a.length());
    }

    private static void copyIn(ByteBuffer in, int n, INDArray a) {
        FloatBuffer src = in.asFloatBuffer();
        src.limit(n);
        if (contiguous(a)) {
            hostFloats(a).put(src);
        } else {
            float[] values = new float[n];
            src.get(values);
            INDArray tmp = Nd4j.create(values, a.shape(), 'c');
            a.assign(tmp);
            release(tmp);
        }
        in.position(in.position() + 4 * n);
    }

    private static void release(INDArray a) {
        if (a != null && a.closeable()) {
            a.close();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("learner is closed");
        }
    }

    /**
     * Frees the network's native memory (parameters, gradients, updater state) now rather than at some later
     * garbage collection. The learner cannot be used afterwards.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        inputs.values().forEach(Learner::release);
        inputs.clear();
        Updater updater = net.getUpdater(false);
        INDArray state = updater == null ? null : updater.getStateViewArray();
        release(net.getGradientsViewArray());
        release(state);
        release(net.params());
    }
}
