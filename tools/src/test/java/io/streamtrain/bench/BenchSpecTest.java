package io.streamtrain.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;

import io.streamtrain.learn.NetworkSpec;
import io.streamtrain.learn.SpecValidationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchSpecTest {

    @TempDir
    Path dir;

    @Test
    void theBatchSizeAndWaitAreReplacedAndTheRestKept() {
        BenchSpec base = BenchSpec.load("classpath:specs/mlp-classifier.yaml");
        assertThat(base.name()).isEqualTo("mlp-classifier");
        assertThat(base.batchSize()).isEqualTo(32);
        NetworkSpec spec = base.withBatch(512).withMaxWaitMs(50).spec();
        assertThat(spec.batchSize()).isEqualTo(512);
        assertThat(spec.maxWaitMs()).isEqualTo(50);
        assertThat(spec.inputSize()).isEqualTo(20);
        assertThat(spec.layers()).isEqualTo(base.spec().layers());
        assertThat(base.spec().batchSize()).as("the original is unchanged").isEqualTo(32);
    }

    @Test
    void theWrittenFileIsASpecTheLearnerReads() {
        Path file = BenchSpec.load("classpath:specs/mlp-classifier.yaml").withBatch(8).writeTo(dir, "spec-b8");
        assertThat(file.getFileName().toString()).isEqualTo("spec-b8.json");
        assertThat(NetworkSpec.parse(file).batchSize()).isEqualTo(8);
    }

    @Test
    void anInvalidBatchSizeIsRefusedAsByAnySpec() {
        BenchSpec spec = BenchSpec.load("classpath:specs/mlp-classifier.yaml").withBatch(0);
        assertThatThrownBy(spec::spec).isInstanceOf(SpecValidationException.class).hasMessageContaining("batch");
    }

    @Test
    void aMissingSpecIsRefused() {
        assertThatThrownBy(() -> BenchSpec.load("classpath:specs/none.yaml"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("specs/none.yaml");
    }
}
