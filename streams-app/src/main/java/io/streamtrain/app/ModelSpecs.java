package io.streamtrain.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;

import io.streamtrain.contract.RecordLimits;
import io.streamtrain.learn.NetworkSpec;
import io.streamtrain.learn.SpecValidationException;
import io.streamtrain.topology.RecordBudget;

/**
 * The network spec of each model: its own ({@code streamtrain.model.spec.<model>}, or {@code <model>.yaml} in
 * {@code streamtrain.model.specs.dir}), else the default spec, or none when models without their own are rejected.
 * Every spec is loaded and checked at start, so a bad one stops the start with its path, not a model's first record.
 */
public final class ModelSpecs implements Function<String, NetworkSpec> {

    private final NetworkSpec fallback;
    private final Map<String, NetworkSpec> byModel;

    private ModelSpecs(NetworkSpec fallback, Map<String, NetworkSpec> byModel) {
        this.fallback = fallback;
        this.byModel = Map.copyOf(byModel);
    }

    /**
     * Loads every spec the configuration names and checks each against the producer's {@code max.request.size}.
     *
     * @throws IllegalArgumentException or {@link SpecValidationException} naming the file or key at fault
     */
    public static ModelSpecs load(LearnerConfig config) {
        RecordBudget budget = new RecordBudget(config.maxRecordBytes());
        Map<String, NetworkSpec> byModel = new TreeMap<>();
        if (config.modelSpecsDir() != null) {
            byModel.putAll(fromDirectory(Path.of(config.modelSpecsDir())));
        }
        config.modelSpecKeys().forEach((model, location) -> {
            checkModelId(model, LearnerConfig.MODEL_SPEC_PREFIX + model);
            byModel.put(model, LearnerApp.loadSpec(location));
        });
        byModel.forEach((model, spec) -> check(budget, spec, "the spec of model '" + model + "'"));
        NetworkSpec fallback = null;
        if (!config.rejectUnlistedModels()) {
            fallback = LearnerApp.loadSpec(config.modelSpec());
            check(budget, fallback, "the default spec " + config.modelSpec());
        }
        return new ModelSpecs(fallback, byModel);
    }

    /** These specs, each changed by {@code change} (the same when it has nothing to change). */
    public ModelSpecs map(java.util.function.UnaryOperator<NetworkSpec> change) {
        Map<String, NetworkSpec> changed = new TreeMap<>();
        byModel.forEach((model, spec) -> changed.put(model, change.apply(spec)));
        return new ModelSpecs(fallback == null ? null : change.apply(fallback), changed);
    }

    /** The spec of a model, or null when it has none of its own and such models are rejected. */
    @Override
    public NetworkSpec apply(String model) {
        NetworkSpec own = byModel.get(model);
        return own != null ? own : fallback;
    }

    /** The models with a spec of their own. */
    public Map<String, NetworkSpec> byModel() {
        return byModel;
    }

    /** The spec of models without their own, or null when they are rejected. */
    public NetworkSpec fallback() {
        return fallback;
    }

    private static Map<String, NetworkSpec> fromDirectory(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(LearnerConfig.MODEL_SPECS_DIR + ": " + dir + " is not a directory");
        }
        Map<String, NetworkSpec> specs = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.sorted().toList()) {
                String name = file.getFileName().toString();
                String lower = name.toLowerCase(Locale.ROOT);
                int dot = name.lastIndexOf('.');
                if (dot <= 0 || !(lower.endsWith(".yaml") || lower.endsWith(".yml") || lower.endsWith(".json"))) {
                    continue;
                }
                String model = name.substring(0, dot);
                checkModelId(model, file.toString());
                if (specs.put(model, LearnerApp.loadSpec(file.toString())) != null) {
                    throw new IllegalArgumentException(LearnerConfig.MODEL_SPECS_DIR + ": model '" + model
                            + "' has more than one spec file in " + dir);
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot list " + LearnerConfig.MODEL_SPECS_DIR + " " + dir + ": " + e,
                    e);
        }
        return specs;
    }

    private static void checkModelId(String model, String where) {
        String problem = RecordLimits.modelIdProblem(model);
        if (problem != null) {
            throw new IllegalArgumentException(where + ": " + problem);
        }
    }

    private static void check(RecordBudget budget, NetworkSpec spec, String what) {
        try {
            budget.check(spec);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + ": " + e.getMessage(), e);
        }
    }
}
