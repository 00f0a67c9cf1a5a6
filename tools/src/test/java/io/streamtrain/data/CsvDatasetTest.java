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

class CsvDatasetTest {

    @TempDir
    Path dir;

    private Path csv(String text) throws IOException {
        Path file = dir.resolve("data.csv");
        Files.writeString(file, text);
        return file;
    }

    private static List<LabeledExample> all(Dataset data) {
        try (Stream<LabeledExample> examples = data.stream()) {
            return examples.toList();
        }
    }

    @Test
    void classNamesAreFoundInSortedOrderAndFeaturesKeepHeaderOrder() throws IOException {
        CsvDataset data = CsvDataset.builder(csv("""
                a,species,b
                1.5,virginica,2
                -3,setosa,4e2

                0.25,"versicolor",1
                """)).labelColumn("species").build();
        assertThat(data.name()).isEqualTo("data");
        assertThat(data.featureColumns()).containsExactly("a", "b");
        assertThat(data.classNames()).containsExactly("setosa", "versicolor", "virginica");
        assertThat(data.size()).hasValue(3);
        assertThat(all(data)).containsExactly(
                new LabeledExample(new float[] {1.5f, 2f}, 2),
                new LabeledExample(new float[] {-3f, 400f}, 0),
                new LabeledExample(new float[] {0.25f, 1f}, 1));
    }

    @Test
    void aDatasetWrittenAsCsvReadsBackExampleForExampleWithExtremeFloats() throws IOException {
        SyntheticStream synthetic = new SyntheticStream(5, 7, 0.2);
        Path file = dir.resolve("written.csv");
        assertThat(CsvDataset.write(synthetic, 2_000L, file)).isEqualTo(2_000);
        CsvDataset read = CsvDataset.builder(file).classNames(synthetic.classNames()).build();
        assertThat(read.featureCount()).isEqualTo(7);
        try (Stream<LabeledExample> a = synthetic.stream().limit(2_000); Stream<LabeledExample> b = read.stream()) {
            assertThat(b.toList()).as("the same features, bit for bit, and labels (unlabeled ones too)")
                    .isEqualTo(a.toList());
        }
        float[] extremes = {Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_VALUE, -0f, 1e-38f, 3.4028235e38f, 0.1f};
        Dataset odd = new Dataset() {
            public String name() {
                return "odd";
            }

            public int featureCount() {
                return extremes.length;
            }

            public List<String> classNames() {
                return List.of("a", "b");
            }

            public java.util.OptionalLong size() {
                return java.util.OptionalLong.of(1);
            }

            public Stream<LabeledExample> stream() {
                return Stream.of(new LabeledExample(extremes, 1));
            }
        };
        CsvDataset.write(odd, null, file);
        try (Stream<LabeledExample> b = CsvDataset.builder(file).classNames(List.of("a", "b")).build().stream()) {
            assertThat(b.toList()).containsExactly(new LabeledExample(extremes, 1));
        }
    }

    @Test
    void integerLabelsAreClassIndicesAndAnEmptyLabelIsUnlabeled() throws IOException {
        CsvDataset data = CsvDataset.builder(csv("x,label\n1,0\n2,3\n3,\n")).build();
        assertThat(data.classNames()).containsExactly("0", "1", "2", "3");
        assertThat(all(data)).extracting(LabeledExample::label).containsExactly(0, 3, LabeledExample.UNLABELED);
    }

    @Test
    void givenClassNamesAreMatchedByNameThenByIndex() throws IOException {
        CsvDataset data = CsvDataset.builder(csv("label;x\nyes;1\n0;2\n")).delimiter(';')
                .classNames(List.of("no", "yes")).build();
        assertThat(data.size()).isEmpty();
        assertThat(all(data)).extracting(LabeledExample::label).containsExactly(1, 0);
    }

    @Test
    void quotedFieldsMayHoldDelimitersAndQuotes() throws IOException {
        CsvDataset data = CsvDataset.builder(csv("\"the, label\",x\n\"say \"\"hi\"\"\",1\nbye,2\n"))
                .labelColumn("the, label").build();
        assertThat(data.classNames()).containsExactly("bye", "say \"hi\"");
        assertThat(all(data)).extracting(LabeledExample::label).containsExactly(1, 0);
    }

    @Test
    void aMissingLabelColumnIsRefusedNamingTheHeader() throws IOException {
        Path file = csv("x,y\n1,2\n");
        assertThatThrownBy(() -> CsvDataset.builder(file).labelColumn("class").build())
                .isInstanceOf(DatasetFormatException.class).hasMessageContaining("'class'")
                .hasMessageContaining("[x, y]");
    }

    @Test
    void aNonNumericFeatureNamesTheLineAndColumn() throws IOException {
        CsvDataset data = CsvDataset.builder(csv("x,label,y\n1,a,2\n3,b,oops\n")).build();
        assertThatThrownBy(() -> all(data)).isInstanceOf(DatasetFormatException.class)
                .hasMessageContaining("data.csv:3").hasMessageContaining("'y'").hasMessageContaining("oops");
    }

    @Test
    void aRowWithTheWrongNumberOfFieldsIsRefused() throws IOException {
        Path file = csv("x,label\n1,a\n2,b,3\n");
        assertThatThrownBy(() -> CsvDataset.builder(file).build()).isInstanceOf(DatasetFormatException.class)
                .hasMessageContaining("data.csv:3").hasMessageContaining("3 fields");
    }

    @Test
    void anUnknownClassIsRefusedWhenTheClassesAreGiven() throws IOException {
        CsvDataset data = CsvDataset.builder(csv("x,label\n1,maybe\n")).classNames(List.of("no", "yes")).build();
        assertThatThrownBy(() -> all(data)).isInstanceOf(DatasetFormatException.class)
                .hasMessageContaining("'maybe'").hasMessageContaining("[no, yes]");
    }

    @Test
    void anUnterminatedQuoteIsRefused() throws IOException {
        Path file = csv("x,label\n1,\"open\n");
        assertThatThrownBy(() -> CsvDataset.builder(file).build()).isInstanceOf(DatasetFormatException.class)
                .hasMessageContaining("unterminated quote");
    }
}
