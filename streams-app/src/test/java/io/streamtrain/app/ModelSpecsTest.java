package io.streamtrain.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import io.streamtrain.learn.SpecValidationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelSpecsTest {

    @TempDir
    Path dir;

    private Map<String, String> settings() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("bootstrap.servers", "127.0.0.1:1");
        s.put("schema.registry.url", "http://127.0.0.1:1");
        return s;
    }

    private static String shipped(String name) throws IOException {
        try (var in = ModelSpecsTest.class.getResourceAsStream("/specs/" + name)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    @Test
    void everyModelGetsTheDefaultSpecUnlessConfiguredOtherwise() {
        ModelSpecs specs = ModelSpecs.load(new LearnerConfig(settings()));
        assertThat(specs.apply("any").name()).contains("mlp-classifier");
        assertThat(specs.byModel()).isEmpty();
    }

    @Test
    void aModelTakesItsOwnSpecFromAKeyOrFromTheDirectoryAndTheKeyWins() throws IOException {
        Files.writeString(dir.resolve("prices.yaml"), shipped("regression.yaml"));
        Files.writeString(dir.resolve("churn.yml"), shipped("regression.yaml"));
        Files.writeString(dir.resolve("notes.txt"), "not a spec");
        Map<String, String> s = settings();
        s.put(LearnerConfig.MODEL_SPECS_DIR, dir.toString());
        s.put(LearnerConfig.MODEL_SPEC_PREFIX + "churn", "classpath:specs/mlp-classifier.yaml");
        ModelSpecs specs = ModelSpecs.load(new LearnerConfig(s));
        assertThat(specs.byModel()).containsOnlyKeys("prices", "churn");
        assertThat(specs.apply("prices").isClassification()).isFalse();
        assertThat(specs.apply("churn").name()).as("the key wins over the file").contains("mlp-classifier");
        assertThat(specs.apply("other").name()).contains("mlp-classifier");
    }

    @Test
    void withRejectAModelWithoutItsOwnSpecHasNone() {
        Map<String, String> s = settings();
        s.put(LearnerConfig.MODEL_UNLISTED, "reject");
        s.put(LearnerConfig.MODEL_SPEC_PREFIX + "known", "classpath:specs/regression.yaml");
        ModelSpecs specs = ModelSpecs.load(new LearnerConfig(s));
        assertThat(specs.apply("known")).isNotNull();
        assertThat(specs.apply("unknown")).isNull();
        assertThat(specs.fallback()).isNull();
    }

    @Test
    void aBadSpecInTheDirectoryOrAnUnusableFileNameStopsTheStartNamingIt() throws IOException {
        Files.writeString(dir.resolve("broken.yaml"), "inputSize: 0\n");
        Map<String, String> s = settings();
        s.put(LearnerConfig.MODEL_SPECS_DIR, dir.toString());
        assertThatThrownBy(() -> ModelSpecs.load(new LearnerConfig(s)))
                .isInstanceOf(SpecValidationException.class).hasMessageContaining("inputSize");
        Files.delete(dir.resolve("broken.yaml"));
        Files.writeString(dir.resolve("m" + "x".repeat(249) + ".yaml"), shipped("regression.yaml"));
        assertThatThrownBy(() -> ModelSpecs.load(new LearnerConfig(s)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("250 characters long");
        s.put(LearnerConfig.MODEL_SPECS_DIR, dir.resolve("missing").toString());
        assertThatThrownBy(() -> ModelSpecs.load(new LearnerConfig(s)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not a directory");
    }
}
