package io.streamtrain.learn;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import io.streamtrain.contract.ReplicaKey;
import io.streamtrain.learn.NetworkSpec.BatchNorm;
import io.streamtrain.learn.NetworkSpec.Conv2d;
import io.streamtrain.learn.NetworkSpec.Dense;
import io.streamtrain.learn.NetworkSpec.Dropout;
import io.streamtrain.learn.NetworkSpec.ExponentialDecay;
import io.streamtrain.learn.NetworkSpec.Format;
import io.streamtrain.learn.NetworkSpec.ImageShape;
import io.streamtrain.learn.NetworkSpec.InverseDecay;
import io.streamtrain.learn.NetworkSpec.LayerSpec;
import io.streamtrain.learn.NetworkSpec.Optimizer;
import io.streamtrain.learn.NetworkSpec.OptimizerType;
import io.streamtrain.learn.NetworkSpec.OutputKind;
import io.streamtrain.learn.NetworkSpec.Padding;
import io.streamtrain.learn.NetworkSpec.PolyDecay;
import io.streamtrain.learn.NetworkSpec.Pool2d;
import io.streamtrain.learn.NetworkSpec.Schedule;
import io.streamtrain.learn.NetworkSpec.StepDecay;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;

/**
 * Reads a spec from its JSON / YAML tree and validates it, collecting every problem with the path of the field and
 * the rule it breaks before throwing one {@link SpecValidationException}.
 */
final class SpecParser {

    static final int MAX_BATCH_SIZE = 65_536;
    static final long DEFAULT_SEED = 42;
    static final int DEFAULT_BATCH_SIZE = 32;
    static final long DEFAULT_MAX_WAIT_MS = 1_000;
    static final int MAX_REPLAY_RATIO = 64;
    static final int DEFAULT_AVERAGE_EVERY_STEPS = 16;
    static final long DEFAULT_AVERAGE_MAX_WAIT_MS = 5_000;
    static final int MAX_AVERAGE_EVERY_STEPS = 1_000_000;
    static final double MAX_SERVER_RATE = 256;
    static final int DEFAULT_MAX_STALE_STEPS = 0;
    /** The server momentum by default: rounds of fewer steps than {@link #MOMENTUM_FROM_STEPS} take none. */
    static final double DEFAULT_SERVER_MOMENTUM = 0.9;
    static final int MOMENTUM_FROM_STEPS = 8;
    static final int MAX_REPLAY_CAPACITY = 10_000_000;
    /** The most feature values a replay reservoir holds: 1 GiB of floats. */
    static final long MAX_REPLAY_VALUES = 1L << 28;

    private static final List<String> TOP_KEYS = List.of("name", "description", "inputSize", "input", "layers",
            "output", "loss", "optimizer", "weightInit", "l2", "seed", "batch", "replay", "parallel",
            "warmStart");
    /** Keys that describe a network built from the spec, so they make no sense with a warm start. */
    private static final List<String> BUILD_KEYS = List.of("layers", "optimizer", "weightInit", "l2", "seed");
    private static final List<String> LAYER_TYPES =
            List.of("dense", "dropout", "conv2d", "maxpool2d", "avgpool2d", "batchnorm");

    private static final Map<String, Activation> ACTIVATIONS = new LinkedHashMap<>();
    private static final Map<String, WeightInit> WEIGHT_INITS = new LinkedHashMap<>();
    private static final Map<String, OptimizerType> OPTIMIZERS = new LinkedHashMap<>();

    static {
        ACTIVATIONS.put("relu", Activation.RELU);
        ACTIVATIONS.put("relu6", Activation.RELU6);
        ACTIVATIONS.put("leakyrelu", Activation.LEAKYRELU);
        ACTIVATIONS.put("elu", Activation.ELU);
        ACTIVATIONS.put("selu", Activation.SELU);
        ACTIVATIONS.put("gelu", Activation.GELU);
        ACTIVATIONS.put("swish", Activation.SWISH);
        ACTIVATIONS.put("mish", Activation.MISH);
        ACTIVATIONS.put("tanh", Activation.TANH);
        ACTIVATIONS.put("sigmoid", Activation.SIGMOID);
        ACTIVATIONS.put("hardsigmoid", Activation.HARDSIGMOID);
        ACTIVATIONS.put("hardtanh", Activation.HARDTANH);
        ACTIVATIONS.put("softplus", Activation.SOFTPLUS);
        ACTIVATIONS.put("softsign", Activation.SOFTSIGN);
        ACTIVATIONS.put("identity", Activation.IDENTITY);
        ACTIVATIONS.put("linear", Activation.IDENTITY);

        WEIGHT_INITS.put("xavier", WeightInit.XAVIER);
        WEIGHT_INITS.put("xavier_uniform", WeightInit.XAVIER_UNIFORM);
        WEIGHT_INITS.put("he", WeightInit.RELU);
        WEIGHT_INITS.put("he_uniform", WeightInit.RELU_UNIFORM);
        WEIGHT_INITS.put("relu", WeightInit.RELU);
        WEIGHT_INITS.put("relu_uniform", WeightInit.RELU_UNIFORM);
        WEIGHT_INITS.put("lecun_normal", WeightInit.LECUN_NORMAL);
        WEIGHT_INITS.put("lecun_uniform", WeightInit.LECUN_UNIFORM);
        WEIGHT_INITS.put("normal", WeightInit.NORMAL);
        WEIGHT_INITS.put("uniform", WeightInit.UNIFORM);

        OPTIMIZERS.put("sgd", OptimizerType.SGD);
        OPTIMIZERS.put("adam", OptimizerType.ADAM);
        OPTIMIZERS.put("rmsprop", OptimizerType.RMSPROP);
        OPTIMIZERS.put("adagrad", OptimizerType.ADAGRAD);
        OPTIMIZERS.put("nesterovs", OptimizerType.NESTEROVS);
    }

    /** A number as YAML 1.1 may leave it a string ({@code 1e-3} has no dot, so SnakeYAML does not read a float). */
    private static final Pattern NUMBER = Pattern.compile("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?");
    private static final Pattern INTEGER = Pattern.compile("[-+]?\\d+");

    private final Format format;
    private final Path baseDir;
    private final String source;
    private final boolean checkFiles;
    private final List<String> errors = new ArrayList<>();

    /**
     * @param format  how the text is written
     * @param baseDir what a relative {@code warmStart} is resolved against; null for the working directory
     * @param source  where the text came from, for messages; may be null
     */
    SpecParser(Format format, Path baseDir, String source) {
        this(format, baseDir, source, true);
    }

    /** @param checkFiles whether a {@code warmStart} file must exist (not for a spec read back from a snapshot) */
    SpecParser(Format format, Path baseDir, String source, boolean checkFiles) {
        this.format = format;
        this.baseDir = baseDir;
        this.source = source;
        this.checkFiles = checkFiles;
    }

    NetworkSpec parse(String text) {
        JsonNode root;
        try {
            root = mapper().readTree(text);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
            throw new SpecValidationException(source, List.of("(syntax): " + e.getOriginalMessage() + where));
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            throw new SpecValidationException(source, List.of("(root): the spec is empty"));
        }
        if (!root.isObject()) {
            throw new SpecValidationException(source, List.of("(root): must be a mapping, was " + describe(root)));
        }
        NetworkSpec spec = read(root);
        if (!errors.isEmpty()) {
            throw new SpecValidationException(source, errors);
        }
        return spec;
    }

    private ObjectMapper mapper() {
        // YAML 1.1 reads yes/no/on/off as booleans: class names like [no, yes] must stay names
        ObjectMapper mapper = format == Format.YAML
                ? YAMLMapper.builder().enable(YAMLParser.Feature.PARSE_BOOLEAN_LIKE_WORDS_AS_STRINGS).build()
                : new ObjectMapper();
        mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        return mapper;
    }

    private NetworkSpec read(JsonNode root) {
        checkKeys(root, "", TOP_KEYS, null);
        String name = string(root, "name", "name");
        string(root, "description", "description");

        int inputSize = 0;
        ImageShape image = null;
        boolean flat = root.has("inputSize");
        boolean images = root.has("input");
        if (flat && images) {
            error("input", "give either inputSize or input {height, width, channels}, not both");
        } else if (!flat && !images) {
            error("inputSize", "is required (or input: {height, width, channels} for images)");
        } else if (flat) {
            inputSize = intValue(root, "inputSize", "inputSize", null, 1, Integer.MAX_VALUE,
                    "must be a positive integer");
        } else {
            image = image(root.get("input"));
            inputSize = image == null ? 0 : image.size();
        }

        Path warmStart = null;
        SnapshotRef warmStartSnapshot = null;
        if (root.has("warmStart")) {
            String text = string(root, "warmStart", "warmStart");
            if (text != null && text.startsWith(SnapshotRef.SCHEME)) {
                warmStartSnapshot = snapshotRef(text.substring(SnapshotRef.SCHEME.length()));
            } else {
                warmStart = warmStart(text);
            }
            for (String key : BUILD_KEYS) {
                if (root.has(key)) {
                    error(key, "must not be given with warmStart (the network, its optimizer and its weights come"
                            + " from the model zip)");
                }
            }
        }

        boolean warm = root.has("warmStart");
        List<LayerSpec> layers = warm ? List.of() : layers(root.get("layers"), image);

        OutputKind kind = null;
        List<String> classNames = List.of();
        JsonNode output = root.get("output");
        if (output == null) {
            error("output", "is required ({type: classification, classes: [...]} or {type: regression})");
        } else if (!output.isObject()) {
            error("output", "must be a mapping, was " + describe(output));
        } else {
            kind = outputKind(output);
            if (kind == OutputKind.CLASSIFICATION) {
                classNames = classes(output);
            } else if (kind == OutputKind.REGRESSION) {
                targets(output);
            }
        }

        LossKind loss = loss(root, kind, classNames.size(), warm);
        Optimizer optimizer = warm ? null : optimizer(root.get("optimizer"));
        WeightInit weightInit = weightInit(root);
        double l2 = doubleValue(root, "l2", "l2", 0.0, 0.0, true, Double.POSITIVE_INFINITY, false, "must be >= 0");
        long seed = longValue(root, "seed", "seed", DEFAULT_SEED, Long.MIN_VALUE, Long.MAX_VALUE, "must be an integer");
        long[] batch = batch(root.get("batch"));
        NetworkSpec.Replay replay = replay(root.get("replay"), inputSize);
        NetworkSpec.Parallel parallel = parallel(root.get("parallel"));

        if (!errors.isEmpty()) {
            return null;
        }
        return new NetworkSpec(name, inputSize, image, layers, kind, classNames, loss, optimizer, weightInit, l2,
                seed, (int) batch[0], batch[1], replay, parallel, warmStart, warmStartSnapshot, root.toString());
    }

    private ImageShape image(JsonNode input) {
        if (!input.isObject()) {
            error("input", "must be a mapping {height, width, channels}, was " + describe(input));
            return null;
        }
        checkKeys(input, "input", List.of("height", "width", "channels"), null);
        int h = intValue(input, "height", "input.height", null, 1, Integer.MAX_VALUE, "must be a positive integer");
        int w = intValue(input, "width", "input.width", null, 1, Integer.MAX_VALUE, "must be a positive integer");
        int c = intValue(input, "channels", "input.channels", 1, 1, Integer.MAX_VALUE, "must be a positive integer");
        return h > 0 && w > 0 && c > 0 ? new ImageShape(h, w, c) : null;
    }

    private SnapshotRef snapshotRef(String text) {
        try {
            return SnapshotRef.parse(text);
        } catch (IllegalArgumentException e) {
            error("warmStart", "must name a snapshot as " + SnapshotRef.SCHEME + "<model>@<version> (or @latest): "
                    + e.getMessage());
            return null;
        }
    }

    private Path warmStart(String file) {
        if (file == null) {
            return null;
        }
        if (file.isBlank()) {
            error("warmStart", "must name a model zip, was ''");
            return null;
        }
        Path path = Path.of(file);
        if (!path.isAbsolute() && baseDir != null) {
            path = baseDir.resolve(path);
        }
        path = path.toAbsolutePath().normalize();
        if (checkFiles && !Files.isRegularFile(path)) {
            error("warmStart", "no such file: " + path);
        }
        return path;
    }

    // ---------------------------------------------------------------- layers

    /** The shape flowing through the layers: an image (height, width, channels), or null once it is flat. */
    private List<LayerSpec> layers(JsonNode list, ImageShape input) {
        if (list == null) {
            return List.of();
        }
        if (!list.isArray()) {
            error("layers", "must be a list, was " + describe(list));
            return List.of();
        }
        List<LayerSpec> layers = new ArrayList<>();
        int[] shape = input == null ? null : new int[] {input.height(), input.width(), input.channels()};
        String flattenedBy = input == null ? "the input is a flat vector (inputSize)" : null;
        for (int i = 0; i < list.size(); i++) {
            String path = "layers[" + i + "]";
            JsonNode node = list.get(i);
            if (!node.isObject()) {
                error(path, "must be a mapping with a type, was " + describe(node));
                continue;
            }
            JsonNode typeNode = node.get("type");
            if (typeNode == null) {
                error(path + ".type", "is required (known: " + String.join(", ", LAYER_TYPES) + ")");
                continue;
            }
            if (!typeNode.isTextual()) {
                error(path + ".type", "must be a string, was " + describe(typeNode));
                continue;
            }
            String type = typeNode.asText();
            LayerSpec layer;
            switch (type) {
                case "dense" -> {
                    checkKeys(node, path, List.of("type", "units", "activation"), "a dense layer");
                    int units = intValue(node, "units", path + ".units", null, 1, Integer.MAX_VALUE,
                            "must be a positive integer");
                    layer = new Dense(units, activation(node, path));
                    shape = null;
                    flattenedBy = "it follows a dense layer (" + path + "), whose output is a flat vector";
                }
                case "dropout" -> {
                    checkKeys(node, path, List.of("type", "rate"), "a dropout layer");
                    double rate = doubleValue(node, "rate", path + ".rate", null, 0.0, true, 1.0, false,
                            "must be in [0, 1) (the fraction of inputs dropped)");
                    layer = new Dropout(rate);
                }
                case "batchnorm" -> {
                    checkKeys(node, path, List.of("type", "decay", "epsilon"), "a batchnorm layer");
                    double decay = doubleValue(node, "decay", path + ".decay", 0.9, 0.0, false, 1.0, false,
                            "must be in (0, 1)");
                    double eps = doubleValue(node, "epsilon", path + ".epsilon", 1e-5, 0.0, false,
                            Double.POSITIVE_INFINITY, false, "must be > 0");
                    layer = new BatchNorm(decay, eps);
                }
                case "conv2d" -> {
                    checkKeys(node, path, List.of("type", "filters", "kernel", "stride", "padding", "activation"),
                            "a conv2d layer");
                    int filters = intValue(node, "filters", path + ".filters", null, 1, Integer.MAX_VALUE,
                            "must be a positive integer");
                    int[] kernel = pair(node, "kernel", path + ".kernel", null);
                    int[] stride = pair(node, "stride", path + ".stride", new int[] {1, 1});
                    Padding padding = padding(node, path);
                    Activation activation = activation(node, path);
                    shape = window(path, type, shape, flattenedBy, kernel, stride, padding, filters);
                    layer = kernel == null ? null : new Conv2d(filters, kernel[0], kernel[1], stride[0], stride[1],
                            padding, activation);
                }
                case "maxpool2d", "avgpool2d" -> {
                    checkKeys(node, path, List.of("type", "kernel", "stride", "padding"),
                            (type.startsWith("a") ? "an " : "a ") + type + " layer");
                    int[] kernel = pair(node, "kernel", path + ".kernel", new int[] {2, 2});
                    int[] stride = pair(node, "stride", path + ".stride", kernel);
                    Padding padding = padding(node, path);
                    shape = window(path, type, shape, flattenedBy, kernel, stride, padding, -1);
                    layer = kernel == null ? null : new Pool2d(type.equals("maxpool2d"), kernel[0], kernel[1],
                            stride[0], stride[1], padding);
                }
                default -> {
                    error(path + ".type", "unknown layer type '" + type + "' (known: "
                            + String.join(", ", LAYER_TYPES) + ")");
                    layer = null;
                }
            }
            if (layer != null) {
                layers.add(layer);
            }
        }
        return layers;
    }

    /**
     * Checks that a convolution or pooling window fits the image reaching it, and returns the image it makes (null
     * when it cannot be told, so that later layers are not blamed for this one).
     *
     * @param filters the channels out, or -1 to keep the channels (pooling)
     */
    private int[] window(String path, String type, int[] in, String flattenedBy, int[] kernel, int[] stride,
                         Padding padding, int filters) {
        if (in == null) {
            if (flattenedBy != null) {
                error(path + ".type", type + " needs image input (input: {height, width, channels}), but "
                        + flattenedBy);
            }
            return null;
        }
        if (kernel == null || stride == null || padding == null) {
            return null;
        }
        int[] out = new int[3];
        for (int d = 0; d < 2; d++) {
            if (padding.same()) {
                out[d] = (in[d] + stride[d] - 1) / stride[d];
            } else {
                int pad = d == 0 ? padding.height() : padding.width();
                int span = in[d] + 2 * pad - kernel[d];
                if (span < 0) {
                    error(path + ".kernel", kernel[0] + "x" + kernel[1] + " does not fit the " + in[0] + "x" + in[1]
                            + " image reaching this layer (padding " + padding + ")");
                    return null;
                }
                out[d] = span / stride[d] + 1;
            }
        }
        out[2] = filters > 0 ? filters : in[2];
        return out;
    }

    private Activation activation(JsonNode node, String path) {
        String name = string(node, "activation", path + ".activation");
        if (name == null) {
            return Activation.RELU;
        }
        Activation a = ACTIVATIONS.get(name.toLowerCase(Locale.ROOT));
        if (a == null) {
            error(path + ".activation", "unknown activation '" + name + "' (known: "
                    + String.join(", ", ACTIVATIONS.keySet()) + ")");
            return Activation.RELU;
        }
        return a;
    }

    /** An integer or [height, width], each positive; the default when absent, null after an error. */
    private int[] pair(JsonNode node, String key, String path, int[] dflt) {
        JsonNode v = node.get(key);
        if (v == null) {
            if (dflt == null) {
                error(path, "is required (a positive integer or [height, width])");
            }
            return dflt;
        }
        int[] pair = pairValue(v, 1);
        if (pair == null) {
            error(path, "must be a positive integer or [height, width], was " + describe(v));
        }
        return pair;
    }

    private Padding padding(JsonNode node, String path) {
        JsonNode v = node.get("padding");
        if (v == null) {
            return Padding.VALID;
        }
        if (v.isTextual() && v.asText().equals("same")) {
            return Padding.SAME;
        }
        if (v.isTextual() && v.asText().equals("valid")) {
            return Padding.VALID;
        }
        int[] pair = pairValue(v, 0);
        if (pair == null) {
            error(path + ".padding", "must be same, valid, a non-negative integer or [height, width], was "
                    + describe(v));
            return null;
        }
        return new Padding(false, pair[0], pair[1]);
    }

    private int[] pairValue(JsonNode v, int min) {
        Long single = integer(v);
        if (single != null) {
            return single >= min && single <= Integer.MAX_VALUE ? new int[] {single.intValue(), single.intValue()}
                    : null;
        }
        if (v.isArray() && v.size() == 2) {
            Long h = integer(v.get(0));
            Long w = integer(v.get(1));
            if (h != null && w != null && h >= min && w >= min && h <= Integer.MAX_VALUE && w <= Integer.MAX_VALUE) {
                return new int[] {h.intValue(), w.intValue()};
            }
        }
        return null;
    }

    // ---------------------------------------------------------------- output and loss

    private OutputKind outputKind(JsonNode output) {
        String type = string(output, "type", "output.type");
        if (type == null) {
            if (!output.has("type")) {
                error("output.type", "is required (classification or regression)");
            }
            return null;
        }
        switch (type) {
            case "classification" -> {
                checkKeys(output, "output", List.of("type", "classes"), "a classification output");
                return OutputKind.CLASSIFICATION;
            }
            case "regression" -> {
                checkKeys(output, "output", List.of("type", "targets"), "a regression output");
                return OutputKind.REGRESSION;
            }
            default -> {
                error("output.type", "unknown output type '" + type + "' (known: classification, regression)");
                return null;
            }
        }
    }

    private List<String> classes(JsonNode output) {
        JsonNode classes = output.get("classes");
        if (classes == null) {
            error("output.classes", "is required (a list of class names, or their count)");
            return List.of();
        }
        if (classes.isArray()) {
            List<String> names = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            boolean ok = true;
            for (int i = 0; i < classes.size(); i++) {
                JsonNode c = classes.get(i);
                String path = "output.classes[" + i + "]";
                if (!(c.isTextual() || c.isIntegralNumber()) || c.asText().isBlank()) {
                    error(path, "must be a non-empty class name, was " + describe(c)
                            + (c.isBoolean() ? " (quote it to make it a name)" : ""));
                    ok = false;
                } else if (!seen.add(c.asText())) {
                    error(path, "duplicate class name '" + c.asText() + "'");
                    ok = false;
                } else {
                    names.add(c.asText());
                }
            }
            if (classes.size() < 2) {
                error("output.classes", "needs at least 2 classes, was " + classes.size());
                ok = false;
            }
            return ok ? names : List.of();
        }
        Long count = integer(classes);
        if (count == null || count < 2 || count > Integer.MAX_VALUE) {
            error("output.classes", "must be a list of class names or a count >= 2, was " + describe(classes));
            return List.of();
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            names.add(Integer.toString(i));
        }
        return names;
    }

    private void targets(JsonNode output) {
        JsonNode targets = output.get("targets");
        if (targets == null) {
            return;
        }
        Long n = integer(targets);
        if (n == null || n < 1) {
            error("output.targets", "must be a positive integer, was " + describe(targets));
        } else if (n != 1) {
            error("output.targets", "must be 1 (one regression target per model), was " + n);
        }
    }

    /** The loss, checked against the output; null when unknown, or left to the model of a warm start. */
    private LossKind loss(JsonNode root, OutputKind kind, int classes, boolean warmStart) {
        String name = string(root, "loss", "loss");
        if (name == null) {
            if (kind == null || warmStart) {
                return null;
            }
            return kind == OutputKind.CLASSIFICATION ? LossKind.MCXENT : LossKind.MSE;
        }
        LossKind loss = LossKind.fromSpecName(name.toLowerCase(Locale.ROOT));
        if (loss == null) {
            error("loss", "unknown loss '" + name + "' (known: " + LossKind.known() + ")");
            return null;
        }
        if (kind == OutputKind.CLASSIFICATION && !loss.isClassification()) {
            error("loss", loss.specName() + " is a regression loss, but output.type is classification (use mcxent,"
                    + " negative_log_likelihood, or xent for 2 classes)");
        } else if (kind == OutputKind.REGRESSION && loss.isClassification()) {
            error("loss", loss.specName() + " is a classification loss, but output.type is regression (use mse or"
                    + " mae)");
        } else if (loss == LossKind.XENT && classes > 0 && classes != 2) {
            error("loss", "xent (binary cross-entropy) needs exactly 2 classes, but output.classes has " + classes
                    + " (use mcxent)");
        }
        return loss;
    }

    // ---------------------------------------------------------------- optimizer

    private Optimizer optimizer(JsonNode node) {
        if (node == null) {
            return new Optimizer(OptimizerType.ADAM, 1e-3, 0.9, 0.999, 1e-8, 0.9, 0.95, null);
        }
        if (!node.isObject()) {
            error("optimizer", "must be a mapping with a type, was " + describe(node));
            return null;
        }
        String typeName = string(node, "type", "optimizer.type");
        if (typeName == null) {
            if (!node.has("type")) {
                error("optimizer.type", "is required (known: " + String.join(", ", OPTIMIZERS.keySet()) + ")");
            }
            return null;
        }
        OptimizerType type = OPTIMIZERS.get(typeName);
        if (type == null) {
            error("optimizer.type", "unknown optimizer type '" + typeName + "' (known: "
                    + String.join(", ", OPTIMIZERS.keySet()) + ")");
            return null;
        }
        List<String> keys = new ArrayList<>(List.of("type", "learningRate", "schedule"));
        switch (type) {
            case ADAM -> keys.addAll(List.of("beta1", "beta2", "epsilon"));
            case RMSPROP -> keys.addAll(List.of("decay", "epsilon"));
            case ADAGRAD -> keys.add("epsilon");
            case NESTEROVS -> keys.add("momentum");
            case SGD -> { }
        }
        checkKeys(node, "optimizer", keys, "optimizer " + typeName);
        double defaultRate = switch (type) {
            case ADAM, RMSPROP -> 1e-3;
            case SGD, ADAGRAD, NESTEROVS -> 1e-2;
        };
        double lr = doubleValue(node, "learningRate", "optimizer.learningRate", defaultRate, 0.0, false,
                Double.POSITIVE_INFINITY, false, "must be > 0");
        double beta1 = doubleValue(node, "beta1", "optimizer.beta1", 0.9, 0.0, true, 1.0, false, "must be in [0, 1)");
        double beta2 = doubleValue(node, "beta2", "optimizer.beta2", 0.999, 0.0, true, 1.0, false,
                "must be in [0, 1)");
        double eps = doubleValue(node, "epsilon", "optimizer.epsilon", type == OptimizerType.ADAM ? 1e-8 : 1e-6,
                0.0, false, Double.POSITIVE_INFINITY, false, "must be > 0");
        double momentum = doubleValue(node, "momentum", "optimizer.momentum", 0.9, 0.0, true, 1.0, false,
                "must be in [0, 1)");
        double decay = doubleValue(node, "decay", "optimizer.decay", 0.95, 0.0, false, 1.0, false,
                "must be in (0, 1)");
        Schedule schedule = schedule(node.get("schedule"));
        return new Optimizer(type, lr, beta1, beta2, eps, momentum, decay, schedule);
    }

    private Schedule schedule(JsonNode node) {
        if (node == null) {
            return null;
        }
        String path = "optimizer.schedule";
        if (!node.isObject()) {
            error(path, "must be a mapping with a type, was " + describe(node));
            return null;
        }
        String type = string(node, "type", path + ".type");
        List<String> known = List.of("step", "exponential", "inverse", "poly");
        if (type == null) {
            if (!node.has("type")) {
                error(path + ".type", "is required (known: " + String.join(", ", known) + ")");
            }
            return null;
        }
        switch (type) {
            case "step" -> {
                checkKeys(node, path, List.of("type", "decayRate", "every"), "a step schedule");
                double rate = doubleValue(node, "decayRate", path + ".decayRate", null, 0.0, false, 1.0, true,
                        "must be in (0, 1]");
                int every = intValue(node, "every", path + ".every", null, 1, Integer.MAX_VALUE,
                        "must be a positive integer number of training steps");
                return new StepDecay(rate, every);
            }
            case "exponential" -> {
                checkKeys(node, path, List.of("type", "gamma"), "an exponential schedule");
                return new ExponentialDecay(doubleValue(node, "gamma", path + ".gamma", null, 0.0, false, 1.0, true,
                        "must be in (0, 1]"));
            }
            case "inverse" -> {
                checkKeys(node, path, List.of("type", "gamma", "power"), "an inverse schedule");
                double gamma = doubleValue(node, "gamma", path + ".gamma", null, 0.0, false,
                        Double.POSITIVE_INFINITY, false, "must be > 0");
                double power = doubleValue(node, "power", path + ".power", 1.0, 0.0, false,
                        Double.POSITIVE_INFINITY, false, "must be > 0");
                return new InverseDecay(gamma, power);
            }
            case "poly" -> {
                checkKeys(node, path, List.of("type", "power", "maxSteps"), "a poly schedule");
                double power = doubleValue(node, "power", path + ".power", 1.0, 0.0, false,
                        Double.POSITIVE_INFINITY, false, "must be > 0");
                int maxSteps = intValue(node, "maxSteps", path + ".maxSteps", null, 1, Integer.MAX_VALUE,
                        "must be a positive integer number of training steps");
                return new PolyDecay(power, maxSteps);
            }
            default -> {
                error(path + ".type", "unknown schedule type '" + type + "' (known: " + String.join(", ", known)
                        + ")");
                return null;
            }
        }
    }

    private WeightInit weightInit(JsonNode root) {
        String name = string(root, "weightInit", "weightInit");
        if (name == null) {
            return WeightInit.XAVIER;
        }
        WeightInit w = WEIGHT_INITS.get(name.toLowerCase(Locale.ROOT));
        if (w == null) {
            error("weightInit", "unknown weight init '" + name + "' (known: "
                    + String.join(", ", WEIGHT_INITS.keySet()) + ")");
            return WeightInit.XAVIER;
        }
        return w;
    }

    /** The batch size and the longest wait in milliseconds. */
    private long[] batch(JsonNode node) {
        if (node == null) {
            return new long[] {DEFAULT_BATCH_SIZE, DEFAULT_MAX_WAIT_MS};
        }
        if (!node.isObject()) {
            error("batch", "must be a mapping {size, maxWaitMs}, was " + describe(node));
            return new long[] {DEFAULT_BATCH_SIZE, DEFAULT_MAX_WAIT_MS};
        }
        checkKeys(node, "batch", List.of("size", "maxWaitMs"), null);
        int size = intValue(node, "size", "batch.size", DEFAULT_BATCH_SIZE, 1, MAX_BATCH_SIZE,
                "must be a positive integer <= " + MAX_BATCH_SIZE);
        long wait = longValue(node, "maxWaitMs", "batch.maxWaitMs", DEFAULT_MAX_WAIT_MS, 0, Long.MAX_VALUE,
                "must be a non-negative integer (milliseconds)");
        return new long[] {size, wait};
    }

    /** Experience replay, or null when the spec has none. */
    private NetworkSpec.Replay replay(JsonNode node, int inputSize) {
        if (node == null) {
            return null;
        }
        if (!node.isObject()) {
            error("replay", "must be a mapping {ratio, capacity}, was " + describe(node));
            return null;
        }
        checkKeys(node, "replay", List.of("ratio", "capacity"), null);
        int ratio = intValue(node, "ratio", "replay.ratio", null, 1, MAX_REPLAY_RATIO,
                "must be an integer from 1 to " + MAX_REPLAY_RATIO + " (past examples fitted per new one)");
        int capacity = intValue(node, "capacity", "replay.capacity", null, 1, MAX_REPLAY_CAPACITY,
                "must be an integer from 1 to " + MAX_REPLAY_CAPACITY + " (past examples kept)");
        if (inputSize > 0 && (long) capacity * inputSize > MAX_REPLAY_VALUES) {
            error("replay.capacity", "times the " + inputSize + " features must be at most " + MAX_REPLAY_VALUES
                    + " values (1 GiB of floats), was " + capacity + " × " + inputSize + " = "
                    + (long) capacity * inputSize);
        }
        return new NetworkSpec.Replay(ratio, capacity);
    }

    /** Data-parallel training, or null when the spec has none (one replica). */
    private NetworkSpec.Parallel parallel(JsonNode node) {
        if (node == null) {
            return null;
        }
        if (!node.isObject()) {
            error("parallel", "must be a mapping {replicas, averageEverySteps, maxWaitMs, combine, serverRate, "
                    + "serverMomentum, maxStaleSteps}, was " + describe(node));
            return null;
        }
        checkKeys(node, "parallel", List.of("replicas", "averageEverySteps", "maxWaitMs", "combine", "serverRate",
                "serverMomentum", "maxStaleSteps"), null);
        int replicas = intValue(node, "replicas", "parallel.replicas", null, 1, ReplicaKey.MAX_REPLICAS,
                "must be an integer from 1 to " + ReplicaKey.MAX_REPLICAS + " (learner tasks training the model at "
                        + "once; its examples and labels are keyed <model>#<shard>)");
        int every = intValue(node, "averageEverySteps", "parallel.averageEverySteps", DEFAULT_AVERAGE_EVERY_STEPS, 1,
                MAX_AVERAGE_EVERY_STEPS, "must be an integer from 1 to " + MAX_AVERAGE_EVERY_STEPS
                        + " (training steps a replica takes between contributions)");
        long wait = longValue(node, "maxWaitMs", "parallel.maxWaitMs", DEFAULT_AVERAGE_MAX_WAIT_MS, 1,
                24L * 3600 * 1000, "must be an integer from 1 to 86400000 (milliseconds a replica waits for "
                        + "averageEverySteps before it contributes what it has)");
        NetworkSpec.Combine combine = NetworkSpec.Combine.AVERAGE;
        String combineName = string(node, "combine", "parallel.combine");
        if (combineName != null) {
            try {
                combine = NetworkSpec.Combine.valueOf(combineName.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                error("parallel.combine", "must be sum (every replica's change applied in full) or average (model "
                        + "averaging, weighted by examples), was '" + combineName + "'");
            }
        }
        double rate = doubleValue(node, "serverRate", "parallel.serverRate", 1.0, 0.0, false, MAX_SERVER_RATE, true,
                "must be a number above 0 and at most " + (int) MAX_SERVER_RATE + " (how far a round moves the model: "
                        + "1 takes the average as it is)");
        // a round of few steps loses little to averaging, and momentum on top of it overshot (bench rounds)
        double defaultMomentum = every >= MOMENTUM_FROM_STEPS ? DEFAULT_SERVER_MOMENTUM : 0.0;
        double momentum = doubleValue(node, "serverMomentum", "parallel.serverMomentum", defaultMomentum,
                0.0, true, 1.0, false, "must be a number from 0 to below 1 (the share of a round's change carried "
                        + "into the next; 0: none)");
        int stale = intValue(node, "maxStaleSteps", "parallel.maxStaleSteps", DEFAULT_MAX_STALE_STEPS, 0,
                MAX_AVERAGE_EVERY_STEPS, "must be an integer from 0 to " + MAX_AVERAGE_EVERY_STEPS + " (training steps "
                        + "a replica may take while the round of its contribution is open; 0: it waits for the round)");
        return new NetworkSpec.Parallel(replicas, every, wait, combine, rate, momentum, stale);
    }

    // ---------------------------------------------------------------- scalar readers

    private void checkKeys(JsonNode node, String path, Collection<String> known, String what) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!known.contains(key)) {
                error(path.isEmpty() ? key : path + "." + key, "unknown key" + (what == null ? "" : " for " + what)
                        + " (known: " + String.join(", ", known) + ")");
            }
        }
    }

    /** A string, or null when absent or not a string (recording the error). */
    private String string(JsonNode node, String key, String path) {
        JsonNode v = node.get(key);
        if (v == null) {
            return null;
        }
        if (!v.isTextual()) {
            error(path, "must be a string, was " + describe(v));
            return null;
        }
        return v.asText();
    }

    /**
     * An integer in [min, max]; {@code dflt} when absent (null: required). On error, records it and returns 0
     * (or {@code dflt} when given), so that reading goes on.
     */
    private int intValue(JsonNode node, String key, String path, Integer dflt, int min, int max, String rule) {
        return (int) longValue(node, key, path, dflt == null ? null : dflt.longValue(), min, max, rule);
    }

    private long longValue(JsonNode node, String key, String path, Long dflt, long min, long max, String rule) {
        JsonNode v = node.get(key);
        if (v == null) {
            if (dflt == null) {
                error(path, "is required (" + rule.replaceFirst("^must be ", "") + ")");
                return 0;
            }
            return dflt;
        }
        Long value = integer(v);
        if (value == null || value < min || value > max) {
            error(path, rule + ", was " + describe(v));
            return dflt == null ? 0 : dflt;
        }
        return value;
    }

    /**
     * A finite number in the given range; {@code dflt} when absent (null: required). On error, records it and
     * returns {@code dflt} (or NaN), so that reading goes on.
     */
    private double doubleValue(JsonNode node, String key, String path, Double dflt, double min, boolean minIncl,
                               double max, boolean maxIncl, String rule) {
        JsonNode v = node.get(key);
        if (v == null) {
            if (dflt == null) {
                error(path, "is required (" + rule.replaceFirst("^must be ", "") + ")");
                return Double.NaN;
            }
            return dflt;
        }
        Double value = number(v);
        if (value == null) {
            error(path, "must be a number, was " + describe(v));
            return dflt == null ? Double.NaN : dflt;
        }
        boolean ok = Double.isFinite(value) && (minIncl ? value >= min : value > min)
                && (maxIncl ? value <= max : value < max);
        if (!ok) {
            error(path, rule + ", was " + describe(v));
            return dflt == null ? Double.NaN : dflt;
        }
        return value;
    }

    private Long integer(JsonNode v) {
        if (v.isIntegralNumber()) {
            return v.canConvertToLong() ? v.longValue() : null;
        }
        if (format == Format.YAML && v.isTextual() && INTEGER.matcher(v.asText()).matches()) {
            try {
                return Long.parseLong(v.asText());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    private Double number(JsonNode v) {
        if (v.isNumber()) {
            return v.doubleValue();
        }
        if (format == Format.YAML && v.isTextual() && NUMBER.matcher(v.asText()).matches()) {
            return Double.parseDouble(v.asText());
        }
        return null;
    }

    private String describe(JsonNode v) {
        if (v.isTextual() && format == Format.YAML && NUMBER.matcher(v.asText()).matches()) {
            return v.asText();
        }
        if (v.isTextual()) {
            return "'" + v.asText() + "'";
        }
        if (v.isNumber() || v.isBoolean() || v.isNull()) {
            return v.asText();
        }
        String s = v.toString();
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }

    private void error(String path, String rule) {
        errors.add(path + ": " + rule);
    }
}
