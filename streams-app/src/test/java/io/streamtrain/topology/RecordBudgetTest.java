package io.streamtrain.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamtrain.learn.NetworkSpec;
import org.junit.jupiter.api.Test;

class RecordBudgetTest {

    private static NetworkSpec spec(int inputs, int classes) {
        return NetworkSpec.parse("""
                name: wide
                inputSize: %d
                layers:
                  - {type: dense, units: 8, activation: relu}
                output:
                  type: classification
                  classes: %d
                """.formatted(inputs, classes), NetworkSpec.Format.YAML);
    }

    @Test
    void theShippedSpecsFitTheDefaultRecordSizeWithRoomToSpare() {
        RecordBudget budget = new RecordBudget(LearnerSettings.DEFAULT_MAX_RECORD_BYTES);
        for (String name : new String[] {"mlp-classifier", "fashion-mnist-mlp"}) {
            NetworkSpec spec = NetworkSpec.fromResource("specs/" + name + ".yaml");
            assertThatCode(() -> budget.check(spec)).as(name).doesNotThrowAnyException();
            assertThat(RecordBudget.largestRecordBytes(spec)).as(name).isLessThan(64 * 1024);
        }
    }

    @Test
    void aModelWithSoManyClassesThatAPredictionCannotBeSentIsRefusedWithTheSizes() {
        RecordBudget budget = new RecordBudget(LearnerSettings.DEFAULT_MAX_RECORD_BYTES);
        assertThatCode(() -> budget.check(spec(20, 200_000))).doesNotThrowAnyException();
        assertThatThrownBy(() -> budget.check(spec(20, 300_000)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("300000 classes")
                .hasMessageContaining("max.request.size of 1048576 bytes");
        // a larger request size takes it
        assertThatCode(() -> new RecordBudget(4 * 1024 * 1024).check(spec(20, 300_000)))
                .doesNotThrowAnyException();
    }

    @Test
    void aModelWithSoManyFeaturesThatAStoredExampleCannotBeWrittenIsRefused() {
        RecordBudget budget = new RecordBudget(LearnerSettings.DEFAULT_MAX_RECORD_BYTES);
        assertThatThrownBy(() -> budget.check(spec(300_000, 2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("300000 features");
    }

    @Test
    void copiesAndCheckpointChunksShrinkWithASmallRequestSize() {
        assertThat(new RecordBudget(1024 * 1024).maxCopiedBytes()).isEqualTo(512 * 1024);
        assertThat(new RecordBudget(4 * 1024 * 1024).checkpointChunkBytes()).isEqualTo(512 * 1024);
        assertThat(new RecordBudget(128 * 1024).maxCopiedBytes()).isEqualTo(64 * 1024);
        assertThat(new RecordBudget(128 * 1024).checkpointChunkBytes()).isEqualTo(64 * 1024);
    }

    @Test
    void aLongMessageIsCut() {
        assertThat(RecordBudget.boundedMessage("x".repeat(10))).isEqualTo("x".repeat(10));
        assertThat(RecordBudget.boundedMessage("x".repeat(5000)))
                .hasSize(RecordBudget.MAX_MESSAGE_CHARS + " ... (5000 characters)".length() - 1)
                .endsWith("... (5000 characters)");
    }
}
