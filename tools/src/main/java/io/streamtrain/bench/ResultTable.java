package io.streamtrain.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The figures of one suite: a title, typed columns, rows and notes, written as an aligned text table (for the
 * terminal), a Markdown table and CSV. A {@link Summary} cell is {@code median [min–max]} in text and Markdown (the
 * median alone when all runs agree), and
 * three columns ({@code <name> median}, {@code min}, {@code max}) in CSV, so that the CSV holds plain numbers.
 */
public final class ResultTable {

    /** What a column holds. */
    public enum Kind { TEXT, NUMBER, SUMMARY }

    /**
     * A column: its name, kind, and for numbers and summaries a {@link String#format} pattern such as {@code "%.1f"}.
     */
    public record Column(String name, Kind kind, String format) {
        public Column {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(kind, "kind");
        }

        public static Column text(String name) {
            return new Column(name, Kind.TEXT, null);
        }

        public static Column number(String name, String format) {
            return new Column(name, Kind.NUMBER, format);
        }

        public static Column summary(String name, String format) {
            return new Column(name, Kind.SUMMARY, format);
        }
    }

    private final String title;
    private final List<Column> columns;
    private final List<Object[]> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    public ResultTable(String title, List<Column> columns) {
        if (columns.isEmpty()) {
            throw new IllegalArgumentException("a table needs at least one column");
        }
        this.title = Objects.requireNonNull(title, "title");
        this.columns = List.copyOf(columns);
    }

    public ResultTable(String title, Column... columns) {
        this(title, Arrays.asList(columns));
    }

    public String title() {
        return title;
    }

    public List<Column> columns() {
        return columns;
    }

    /**
     * Adds a row: one value per column, a String for text, a Number for numbers, a {@link Summary} for summaries; null
     * for a value that was not measured.
     */
    public ResultTable row(Object... values) {
        if (values.length != columns.size()) {
            throw new IllegalArgumentException("a row of " + values.length + " values for " + columns.size()
                    + " columns " + columns.stream().map(Column::name).toList());
        }
        for (int i = 0; i < values.length; i++) {
            Object v = values[i];
            Column c = columns.get(i);
            boolean fits = v == null || switch (c.kind()) {
                case TEXT -> true;
                case NUMBER -> v instanceof Number;
                case SUMMARY -> v instanceof Summary;
            };
            if (!fits) {
                throw new IllegalArgumentException("column '" + c.name() + "' holds " + c.kind() + " values, not "
                        + v.getClass().getSimpleName() + " " + v);
            }
        }
        rows.add(values.clone());
        return this;
    }

    /** Adds a line printed under the table: a caveat, a target and how far it is. */
    public ResultTable note(String note) {
        notes.add(note);
        return this;
    }

    public List<String> notes() {
        return List.copyOf(notes);
    }

    public int rowCount() {
        return rows.size();
    }

    /** The value of one cell, as added. */
    public Object value(int row, int column) {
        return rows.get(row)[column];
    }

    // ---------------------------------------------------------------- rendering

    private String display(Object v, Column c) {
        if (v == null) {
            return "n/a";
        }
        return switch (c.kind()) {
            case TEXT -> v.toString();
            case NUMBER -> formatNumber(((Number) v).doubleValue(), c.format());
            case SUMMARY -> ((Summary) v).runs() == 0 ? "n/a" : summaryText((Summary) v, c.format());
        };
    }

    private static String summaryText(Summary s, String format) {
        String median = formatNumber(s.median(), format);
        if (s.runs() == 1 || s.min() == s.max()) {
            return median;
        }
        return median + " [" + formatNumber(s.min(), format) + "–" + formatNumber(s.max(), format) + "]";
    }

    private static String formatNumber(double v, String format) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        return String.format(Locale.ROOT, format == null ? "%s" : format, v);
    }

    private boolean rightAligned(int column) {
        return columns.get(column).kind() != Kind.TEXT;
    }

    /** An aligned plain-text table with its title and notes, for the terminal. */
    public String toText() {
        List<String[]> cells = new ArrayList<>();
        cells.add(columns.stream().map(Column::name).toArray(String[]::new));
        for (Object[] row : rows) {
            String[] line = new String[columns.size()];
            for (int i = 0; i < line.length; i++) {
                line[i] = display(row[i], columns.get(i));
            }
            cells.add(line);
        }
        int[] width = new int[columns.size()];
        for (String[] line : cells) {
            for (int i = 0; i < line.length; i++) {
                width[i] = Math.max(width[i], line[i].length());
            }
        }
        StringBuilder b = new StringBuilder(title).append('\n');
        for (int r = 0; r < cells.size(); r++) {
            String[] line = cells.get(r);
            for (int i = 0; i < line.length; i++) {
                if (i > 0) {
                    b.append("  ");
                }
                String pad = " ".repeat(width[i] - line[i].length());
                b.append(rightAligned(i) ? pad + line[i] : i == line.length - 1 ? line[i] : line[i] + pad);
            }
            b.append('\n');
            if (r == 0) {
                for (int i = 0; i < width.length; i++) {
                    b.append(i > 0 ? "  " : "").append("-".repeat(width[i]));
                }
                b.append('\n');
            }
        }
        notes.forEach(n -> b.append("  * ").append(n).append('\n'));
        return b.toString();
    }

    /** A Markdown section: the title as a heading, the table, the notes as a list. */
    public String toMarkdown() {
        StringBuilder b = new StringBuilder("### ").append(title).append("\n\n|");
        columns.forEach(c -> b.append(' ').append(escapeMarkdown(c.name())).append(" |"));
        b.append("\n|");
        for (int i = 0; i < columns.size(); i++) {
            b.append(rightAligned(i) ? "---:|" : "---|");
        }
        b.append('\n');
        for (Object[] row : rows) {
            b.append('|');
            for (int i = 0; i < columns.size(); i++) {
                b.append(' ').append(escapeMarkdown(display(row[i], columns.get(i)))).append(" |");
            }
            b.append('\n');
        }
        if (!notes.isEmpty()) {
            b.append('\n');
            notes.forEach(n -> b.append("- ").append(n).append('\n'));
        }
        return b.toString();
    }

    private static String escapeMarkdown(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }

    /** CSV (RFC 4180) with a header row; a summary column becomes three columns; numbers unformatted. */
    public String toCsv() {
        StringBuilder b = new StringBuilder();
        List<String> header = new ArrayList<>();
        for (Column c : columns) {
            if (c.kind() == Kind.SUMMARY) {
                header.add(c.name() + " median");
                header.add(c.name() + " min");
                header.add(c.name() + " max");
            } else {
                header.add(c.name());
            }
        }
        appendCsvLine(b, header);
        for (Object[] row : rows) {
            List<String> line = new ArrayList<>();
            for (int i = 0; i < columns.size(); i++) {
                Object v = row[i];
                switch (columns.get(i).kind()) {
                    case TEXT -> line.add(v == null ? "" : v.toString());
                    case NUMBER -> line.add(v == null ? "" : csvNumber(((Number) v).doubleValue()));
                    case SUMMARY -> {
                        Summary s = (Summary) v;
                        line.add(s == null ? "" : csvNumber(s.median()));
                        line.add(s == null ? "" : csvNumber(s.min()));
                        line.add(s == null ? "" : csvNumber(s.max()));
                    }
                }
            }
            appendCsvLine(b, line);
        }
        return b.toString();
    }

    private static String csvNumber(double v) {
        if (Double.isNaN(v)) {
            return "";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }

    private static void appendCsvLine(StringBuilder b, List<String> fields) {
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            String f = fields.get(i);
            if (f.indexOf(',') >= 0 || f.indexOf('"') >= 0 || f.indexOf('\n') >= 0 || f.indexOf('\r') >= 0) {
                b.append('"').append(f.replace("\"", "\"\"")).append('"');
            } else {
                b.append(f);
            }
        }
        b.append("\r\n");
    }

    /**
     * Writes {@code <name>.csv} and {@code <name>.md} into a directory, creating it.
     *
     * @return the two files
     */
    public List<Path> write(Path directory, String name) {
        try {
            Files.createDirectories(directory);
            Path csv = directory.resolve(name + ".csv");
            Path md = directory.resolve(name + ".md");
            Files.writeString(csv, toCsv(), StandardCharsets.UTF_8);
            Files.writeString(md, toMarkdown(), StandardCharsets.UTF_8);
            return List.of(csv, md);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the results to " + directory + ": " + e.getMessage(), e);
        }
    }
}
