package io.streamtrain.docker;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * The files of the Compose stack, read from this module's directory (docker/) and the repository root above it:
 * the Compose file, the Dockerfiles, the learner's properties and spec, the connector and Connect worker settings.
 */
final class StackFiles {

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final ObjectMapper JSON = new ObjectMapper();

    /** docker/, where the Compose file is; Surefire and Failsafe run in the module directory. */
    static final Path DOCKER_DIR = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
    static final Path REPOSITORY_ROOT = DOCKER_DIR.getParent();
    static final Path COMPOSE_FILE = DOCKER_DIR.resolve("docker-compose.yml");

    private StackFiles() {
    }

    static JsonNode compose() {
        return readYaml(COMPOSE_FILE);
    }

    static JsonNode readYaml(Path file) {
        try {
            return YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    static Properties properties(Path file) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return properties;
    }

    static Map<String, String> connectorConfig(Path file) {
        try {
            return JSON.readValue(file.toFile(), new TypeReference<LinkedHashMap<String, String>>() { });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    static String text(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** The names of a mapping's fields. */
    static List<String> fieldNames(JsonNode mapping) {
        List<String> names = new ArrayList<>();
        mapping.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** A service's bind mounts and volumes in short syntax, as {@code source -> target}. */
    static Map<String, String> mounts(JsonNode service) {
        Map<String, String> mounts = new LinkedHashMap<>();
        for (JsonNode volume : service.path("volumes")) {
            String[] parts = volume.asText().split(":");
            mounts.put(parts[0], parts[1]);
        }
        return mounts;
    }

    /** The file a bind mount of the Compose file mounts, or the target of a named volume. */
    static Path composeRelative(String source) {
        return DOCKER_DIR.resolve(source).normalize();
    }
}
