package io.streamtrain.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.streamtrain.learn.NetworkSpec;

/**
 * A network spec with its mini-batch size set by the benchmark: {@link NetworkSpec} is immutable, so the spec's text
 * is read as a tree, {@code batch.size} (and optionally {@code batch.maxWaitMs}) replaced, and the result parsed and
 * validated as any spec. It is also written to a file, for a learner configured by {@code streamtrain.model.spec}.
 */
final class BenchSpec {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String location;
    private final ObjectNode tree;

    private BenchSpec(String location, ObjectNode tree) {
        this.location = location;
        this.tree = tree;
    }

    /** Reads a spec: a file path, or {@code classpath:specs/<name>} for a shipped one. */
    static BenchSpec load(String location) {
        String text;
        if (location.startsWith("classpath:")) {
            String resource = location.substring("classpath:".length()).replaceFirst("^/", "");
            try (InputStream in = BenchSpec.class.getClassLoader().getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalArgumentException("no network spec '" + resource + "' on the class path");
                }
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + location, e);
            }
        } else {
            try {
                text = Files.readString(Path.of(location), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read network spec " + location + ": " + e.getMessage(), e);
            }
        }
        try {
            // YAML is a superset of JSON: one parser reads both
            JsonNode node = YAML.readTree(text);
            if (!(node instanceof ObjectNode object)) {
                throw new IllegalArgumentException("network spec " + location + " is not a mapping");
            }
            return new BenchSpec(location, object);
        } catch (IOException e) {
            throw new IllegalArgumentException("network spec " + location + " is not valid YAML/JSON: "
                    + e.getMessage(), e);
        }
    }

    String location() {
        return location;
    }

    /** The spec's name, or its location. */
    String name() {
        JsonNode name = tree.get("name");
        return name != null && name.isTextual() ? name.asText() : location;
    }

    /** The batch size the spec itself sets (32 when it sets none). */
    int batchSize() {
        JsonNode batch = tree.path("batch").path("size");
        return batch.isInt() ? batch.asInt() : 32;
    }

    /** This spec with another mini-batch size. */
    BenchSpec withBatch(int size) {
        ObjectNode copy = tree.deepCopy();
        JsonNode batch = copy.get("batch");
        ObjectNode b = batch instanceof ObjectNode o ? o : copy.putObject("batch");
        b.put("size", size);
        return new BenchSpec(location + "@batch" + size, copy);
    }

    /** This spec with another longest wait for a partial mini-batch. */
    BenchSpec withMaxWaitMs(long ms) {
        ObjectNode copy = tree.deepCopy();
        JsonNode batch = copy.get("batch");
        ObjectNode b = batch instanceof ObjectNode o ? o : copy.putObject("batch");
        b.put("maxWaitMs", ms);
        return new BenchSpec(location + "@wait" + ms, copy);
    }

    /**
     * This spec trained data-parallel: its {@code parallel} block set to {@code replicas} replicas that contribute
     * every {@code averageEverySteps} steps, or after {@code maxWaitMs} with fewer, combined as {@code combine} says
     * (sum or average), each round's change to the model times {@code serverRate}.
     */
    BenchSpec withParallel(int replicas, int averageEverySteps, long maxWaitMs, String combine, double serverRate,
            double serverMomentum, int maxStaleSteps) {
        ObjectNode copy = tree.deepCopy();
        ObjectNode p = copy.putObject("parallel");
        p.put("replicas", replicas);
        p.put("averageEverySteps", averageEverySteps);
        p.put("maxWaitMs", maxWaitMs);
        p.put("combine", combine);
        p.put("serverRate", serverRate);
        p.put("serverMomentum", serverMomentum);
        p.put("maxStaleSteps", maxStaleSteps);
        return new BenchSpec(location + "@parallel" + replicas + "x" + averageEverySteps + combine + serverRate
                + "m" + serverMomentum + "s" + maxStaleSteps, copy);
    }

    /** The parsed, validated spec. */
    NetworkSpec spec() {
        return NetworkSpec.parse(json(), NetworkSpec.Format.JSON);
    }

    /** Writes the spec as a JSON file in {@code directory}; for {@code streamtrain.model.spec}. */
    Path writeTo(Path directory, String fileName) {
        spec(); // refuse an invalid spec here, not in the learner
        try {
            Files.createDirectories(directory);
            Path file = directory.resolve(fileName.endsWith(".json") ? fileName : fileName + ".json");
            Files.writeString(file, json(), StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a spec into " + directory, e);
        }
    }

    private String json() {
        try {
            return JSON.writeValueAsString(tree);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
