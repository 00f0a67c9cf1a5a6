package io.streamtrain.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxDatasetTest {

    @TempDir
    Path dir;

    private IdxDataset.Part part(String name, int[] pixels, int[] labels, boolean gzip) throws IOException {
        Path images = IdxFiles.ubyte(dir.resolve(name + "-images"), gzip, new int[] {labels.length, 2, 2}, pixels);
        Path lab = IdxFiles.ubyte(dir.resolve(name + "-labels"), gzip, new int[] {labels.length}, labels);
        return new IdxDataset.Part(images.toUri().toURL(), lab.toUri().toURL());
    }

    @Test
    void imagesBecomeRowMajorFeaturesScaledToUnitRangeWithTheirLabels() throws IOException {
        IdxDataset data = new IdxDataset("tiny", List.of(part("a", new int[] {0, 51, 102, 255, 255, 0, 0, 0},
                new int[] {2, 0}, true)), List.of("x", "y", "z"));
        assertThat(data.featureCount()).isEqualTo(4);
        assertThat(data.size()).hasValue(2);
        assertThat(data.classNames()).containsExactly("x", "y", "z");
        try (Stream<LabeledExample> examples = data.stream()) {
            assertThat(examples.toList()).containsExactly(
                    new LabeledExample(new float[] {0f, 0.2f, 0.4f, 1f}, 2),
                    new LabeledExample(new float[] {1f, 0f, 0f, 0f}, 0));
        }
    }

    @Test
    void partsAreReadInOrderAndEachStreamStartsAgain() throws IOException {
        IdxDataset data = new IdxDataset("two", List.of(
                part("train", new int[] {1, 1, 1, 1}, new int[] {1}, false),
                part("test", new int[] {2, 2, 2, 2, 3, 3, 3, 3}, new int[] {0, 1}, true)), List.of("a", "b"));
        assertThat(data.size()).hasValue(3);
        for (int pass = 0; pass < 2; pass++) {
            try (Stream<LabeledExample> examples = data.stream()) {
                assertThat(examples.map(LabeledExample::label).toList()).containsExactly(1, 0, 1);
            }
        }
    }

    @Test
    void filesThatDoNotMatchAreRefused() throws IOException {
        Path images = IdxFiles.ubyte(dir.resolve("i"), false, new int[] {2, 1, 1}, new int[] {1, 2});
        Path labels = IdxFiles.ubyte(dir.resolve("l"), false, new int[] {3}, new int[] {0, 1, 0});
        assertThatThrownBy(() -> new IdxDataset("bad", List.of(new IdxDataset.Part(images.toUri().toURL(),
                labels.toUri().toURL())), List.of("a", "b")))
                .isInstanceOf(DatasetFormatException.class).hasMessageContaining("2 items").hasMessageContaining("3");
    }

    @Test
    void aLabelOutsideTheClassesIsAnErrorNamingTheFile() throws IOException {
        IdxDataset data = new IdxDataset("bad-label", List.of(part("c", new int[] {0, 0, 0, 0}, new int[] {5}, false)),
                List.of("a", "b"));
        try (Stream<LabeledExample> examples = data.stream()) {
            assertThatThrownBy(examples::toList).isInstanceOf(DatasetFormatException.class)
                    .hasMessageContaining("c-labels").hasMessageContaining("label 5");
        }
    }
}
