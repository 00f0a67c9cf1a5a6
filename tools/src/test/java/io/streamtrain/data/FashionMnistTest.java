package io.streamtrain.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {

    @TempDir
    Path dir;

    @Test
    void theShippedTestSetHas10kImagesOf784PixelsInTenClasses() {
        Dataset slice = FashionMnist.resolve(FashionMnist.SLICE_NAME);
        assertThat(slice.size()).hasValue(10_000);
        assertThat(slice.featureCount()).isEqualTo(784);
        assertThat(slice.classNames()).hasSize(10).startsWith("T-shirt/top").endsWith("Ankle boot");
        try (Stream<LabeledExample> examples = slice.stream()) {
            List<LabeledExample> first = examples.limit(100).toList();
            assertThat(first).allSatisfy(e -> {
                assertThat(e.features()).hasSize(784);
                assertThat(e.label()).isBetween(0, 9);
                for (float f : e.features()) {
                    assertThat(f).isBetween(0f, 1f);
                }
            });
            // the test set's first label is 9 (Ankle boot), as in every Fashion-MNIST distribution
            assertThat(first.get(0).label()).isEqualTo(9);
        }
    }

    @Test
    void aDirectoryGivesTrainThenTestAndOnlyTheTestFilesWork() throws IOException {
        int[] pixels = new int[2 * 4];
        IdxFiles.ubyte(dir.resolve("t10k-images-idx3-ubyte.gz"), true, new int[] {2, 2, 2}, pixels);
        IdxFiles.ubyte(dir.resolve("t10k-labels-idx1-ubyte.gz"), true, new int[] {2}, new int[] {3, 4});
        assertThat(FashionMnist.resolve(dir.toString()).size()).hasValue(2);

        IdxFiles.ubyte(dir.resolve("train-images-idx3-ubyte"), false, new int[] {1, 2, 2}, new int[4]);
        IdxFiles.ubyte(dir.resolve("train-labels-idx1-ubyte"), false, new int[] {1}, new int[] {7});
        Dataset full = FashionMnist.full(dir);
        try (Stream<LabeledExample> examples = full.stream()) {
            assertThat(examples.map(LabeledExample::label).toList()).containsExactly(7, 3, 4);
        }
    }

    @Test
    void aDirectoryWithoutTheFilesOrAnUnknownNameIsRefused() throws IOException {
        Files.writeString(dir.resolve("readme.txt"), "nothing here");
        assertThatThrownBy(() -> FashionMnist.full(dir)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("t10k-images-idx3-ubyte");
        assertThatThrownBy(() -> FashionMnist.resolve("no-such-dataset"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(FashionMnist.FULL_NAME);
    }
}
