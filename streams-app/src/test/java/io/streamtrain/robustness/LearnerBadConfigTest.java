package io.streamtrain.robustness;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

import io.streamtrain.robustness.LearnerCommand.Outcome;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad configuration of the learner, as data: each case is refused before anything connects, with exit code 2 and a
 * message that names the key or the spec field at fault and the rule. No broker is needed: the configuration points
 * at ports nobody listens on, and a run that got past the checks would fail differently (exit 1, or a hang).
 */
class LearnerBadConfigTest {

    /** A valid spec, which each case breaks in one place. */
    private static final String SPEC = """
            inputSize: 4
            layers:
              - {type: dense, units: 8, activation: relu}
            output: {type: classification, classes: 2}
            optimizer: {type: adam, learningRate: 0.001}
            batch: {size: 8, maxWaitMs: 100}
            """;

    @TempDir
    Path dir;

    static Stream<Arguments> cases() {
        return Stream.of(
                spec("an unknown layer type", SPEC.replace("type: dense", "type: lstm9"),
                        "layers[0].type", "unknown layer type 'lstm9'"),
                spec("a negative learning rate", SPEC.replace("0.001", "-0.1"), "optimizer.learningRate", "> 0"),
                spec("a zero learning rate", SPEC.replace("0.001", "0"), "optimizer.learningRate"),
                spec("an unknown optimizer", SPEC.replace("type: adam", "type: adamw9"), "optimizer.type"),
                spec("negative units", SPEC.replace("units: 8", "units: -3"), "layers[0].units"),
                spec("an unknown activation", SPEC.replace("relu", "relux"), "layers[0].activation"),
                spec("one class", SPEC.replace("classes: 2", "classes: 1"), "output.classes"),
                spec("a zero input size", SPEC.replace("inputSize: 4", "inputSize: 0"), "inputSize"),
                spec("a zero batch size", SPEC.replace("size: 8", "size: 0"), "batch.size"),
                spec("no output", SPEC.replace("output: {type: classification, classes: 2}\n", ""), "output"),
                spec("not YAML at all", "{{{ not: [yaml", "bad.yaml"),
                spec("so many classes that a prediction exceeds max.request.size",
                        SPEC.replace("classes: 2", "classes: 300000"), "300000 classes", "max.request.size",
                        "raise producer.max.request.size"),
                spec("so many features that a stored example exceeds max.request.size",
                        SPEC.replace("inputSize: 4", "inputSize: 300000"), "300000 features", "max.request.size"),
                setting("a max.request.size too small for the errors topic's copies", "producer.max.request.size",
                        "1000", "producer.max.request.size", "at least 65536"),
                setting("a topic prefix with a space", "streamtrain.topic.prefix", "my topics",
                        "streamtrain.topic.prefix"),
                setting("zero partitions", "streamtrain.topics.partitions", "0", "streamtrain.topics.partitions"),
                setting("a checkpoint interval of 0", "streamtrain.checkpoint.every.batches", "0",
                        "streamtrain.checkpoint.every.batches"),
                setting("a metrics interval that is no number", "streamtrain.metrics.interval.ms", "often",
                        "streamtrain.metrics.interval.ms"),
                setting("a negative dedupe window", "streamtrain.dedupe.window", "-1", "streamtrain.dedupe.window"),
                setting("an unknown processing guarantee", "processing.guarantee", "exactly_once",
                        "processing.guarantee"),
                setting("no bootstrap servers", "bootstrap.servers", "", "bootstrap.servers"),
                setting("no registry", "schema.registry.url", "", "schema.registry.url"),
                setting("a registry URL that is no URL", "schema.registry.url", "not a url", "schema.registry.url"),
                setting("a spec file that does not exist", "streamtrain.model.spec", "/nonexistent/spec.yaml",
                        "/nonexistent/spec.yaml"),
                setting("a shipped spec that does not exist", "streamtrain.model.spec", "classpath:specs/nope.yaml",
                        "specs/nope.yaml"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void isRefusedWithExitCode2NamingTheField(String name, String key, String value, String spec, String[] expected)
            throws IOException {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("bootstrap.servers", "127.0.0.1:1");
        settings.put("schema.registry.url", "http://127.0.0.1:1");
        if (spec != null) {
            Path file = dir.resolve("bad.yaml");
            Files.writeString(file, spec);
            settings.put("streamtrain.model.spec", file.toString());
        }
        if (key != null) {
            settings.put(key, value);
        }
        Outcome outcome = LearnerCommand.run(dir, settings, Duration.ofSeconds(30));
        assertThat(outcome.exitCode()).as("exit code of '%s'; it wrote: %s", name, outcome.err()).isEqualTo(2);
        assertThat(outcome.err()).as("what '%s' wrote", name).contains(expected);
    }

    private static Arguments spec(String name, String spec, String... expected) {
        return Arguments.of(name, null, null, spec, expected);
    }

    private static Arguments setting(String name, String key, String value, String... expected) {
        return Arguments.of(name, key, value, null, expected);
    }
}
