package io.streamtrain.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultTableTest {

    @TempDir
    Path dir;

    private static ResultTable table() {
        return new ResultTable("limit: test",
                ResultTable.Column.text("guarantee"),
                ResultTable.Column.number("batch", "%.0f"),
                ResultTable.Column.summary("examples/s", "%.1f"))
                .row("exactly_once_v2", 32, new Summary(1234.56, 1000, 1500.25, 3))
                .row("a, \"quoted\" one", 1, Summary.of(7, 7))
                .row("none", null, null)
                .note("a note");
    }

    @Test
    void csvHasPlainNumbersAndASummaryAsThreeColumns() {
        assertThat(table().toCsv()).isEqualTo("""
                guarantee,batch,examples/s median,examples/s min,examples/s max\r
                exactly_once_v2,32,1234.56,1000,1500.25\r
                "a, ""quoted"" one",1,7,7,7\r
                none,,,,\r
                """);
    }

    @Test
    void markdownHasTheTitleAlignedColumnsAndNotes() {
        assertThat(table().toMarkdown()).isEqualTo("""
                ### limit: test

                | guarantee | batch | examples/s |
                |---|---:|---:|
                | exactly_once_v2 | 32 | 1234.6 [1000.0–1500.3] |
                | a, "quoted" one | 1 | 7.0 |
                | none | n/a | n/a |

                - a note
                """);
    }

    @Test
    void textIsAlignedWithNumbersToTheRight() {
        String text = table().toText();
        assertThat(text).startsWith("limit: test\n");
        assertThat(text.lines().toList()).contains(
                "guarantee        batch              examples/s",
                "---------------  -----  ----------------------",
                "exactly_once_v2     32  1234.6 [1000.0–1500.3]",
                "none               n/a                     n/a",
                "  * a note");
    }

    @Test
    void aPipeInACellIsEscapedInMarkdown() {
        ResultTable t = new ResultTable("t", ResultTable.Column.text("a")).row("x | y");
        assertThat(t.toMarkdown()).contains("| x \\| y |");
    }

    @Test
    void aValueOfTheWrongKindOrCountIsRefused() {
        ResultTable t = new ResultTable("t", ResultTable.Column.number("n", "%.0f"));
        assertThatThrownBy(() -> t.row("text")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'n'");
        assertThatThrownBy(() -> t.row(1, 2)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void writesCsvAndMarkdownFiles() throws IOException {
        Path out = dir.resolve("bench");
        assertThat(table().write(out, "limit")).containsExactly(out.resolve("limit.csv"), out.resolve("limit.md"));
        assertThat(Files.readString(out.resolve("limit.csv"))).isEqualTo(table().toCsv());
        assertThat(Files.readString(out.resolve("limit.md"))).isEqualTo(table().toMarkdown());
    }
}
