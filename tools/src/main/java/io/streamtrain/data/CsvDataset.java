package io.streamtrain.data;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.TreeSet;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A CSV file with a header row: one column is the label, every other column a numeric feature, in header order.
 * Fields may be quoted ({@code "a,b"}, with {@code ""} for a quote); a field cannot span lines. Blank lines are
 * skipped; an empty label makes an unlabeled example.
 *
 * <p>A label is a class name or a class index. With the class names given, a label is looked up by name first, then
 * read as an index into them. Without them, one pass over the file finds the classes: when every label is an integer
 * {@code >= 0} the classes are {@code "0"} to the largest, otherwise the distinct labels in sorted order.
 *
 * <pre>{@code
 * Dataset iris = CsvDataset.builder(Path.of("iris.csv")).labelColumn("species").build();
 * }</pre>
 */
public final class CsvDataset implements Dataset {

    private final Path file;
    private final String name;
    private final char delimiter;
    private final List<String> header;
    private final int labelColumn;
    private final List<String> featureColumns;
    private final List<String> classNames;
    private final Map<String, Integer> classIndex = new HashMap<>();
    private final long size;

    private CsvDataset(Builder b) {
        this.file = b.file;
        this.name = b.name != null ? b.name : file.getFileName().toString().replaceFirst("\\.csv$", "");
        this.delimiter = b.delimiter;
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String first = reader.readLine();
            while (first != null && first.isBlank()) {
                first = reader.readLine();
            }
            if (first == null) {
                throw new DatasetFormatException(file + ": empty file, expected a header row");
            }
            this.header = List.copyOf(split(stripBom(first), 1));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (header.stream().distinct().count() != header.size()) {
            throw new DatasetFormatException(file + ": the header names a column twice: " + header);
        }
        this.labelColumn = header.indexOf(b.labelColumn);
        if (labelColumn < 0) {
            throw new DatasetFormatException(file + ": no label column '" + b.labelColumn + "' in the header "
                    + header);
        }
        List<String> features = new ArrayList<>(header);
        features.remove(labelColumn);
        if (features.isEmpty()) {
            throw new DatasetFormatException(file + ": no feature column besides the label '" + b.labelColumn + "'");
        }
        this.featureColumns = List.copyOf(features);
        if (b.classNames != null) {
            this.classNames = List.copyOf(b.classNames);
            this.size = -1;
        } else {
            List<String> labels = new ArrayList<>();
            long rows = 0;
            try (Stream<String[]> records = records()) {
                for (Iterator<String[]> it = records.iterator(); it.hasNext(); rows++) {
                    String label = it.next()[labelColumn];
                    if (!label.isEmpty()) {
                        labels.add(label);
                    }
                }
            }
            this.classNames = discoverClasses(labels);
            this.size = rows;
        }
        for (int i = 0; i < classNames.size(); i++) {
            classIndex.putIfAbsent(classNames.get(i), i);
        }
    }

    /** A builder of a dataset read from a CSV file. */
    /**
     * Writes the first {@code limit} examples of {@code dataset} (all of a finite one when null) as a CSV file this
     * class reads back: a header {@code x0,...,x<n-1>,label}, then one line per example, its features as Java prints a
     * float (which reads back to the same float) and its label as the class's index (empty when unlabeled).
     *
     * @return the number of examples written
     */
    public static long write(Dataset dataset, Long limit, Path file) throws IOException {
        long written = 0;
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
                Stream<LabeledExample> examples = dataset.stream()) {
            StringBuilder line = new StringBuilder();
            for (int f = 0; f < dataset.featureCount(); f++) {
                line.append('x').append(f).append(',');
            }
            out.write(line.append("label\n").toString());
            Iterator<LabeledExample> it = (limit == null ? examples : examples.limit(limit)).iterator();
            while (it.hasNext()) {
                LabeledExample e = it.next();
                line.setLength(0);
                for (float v : e.features()) {
                    line.append(v).append(',');
                }
                if (e.isLabeled()) {
                    line.append(e.label());
                }
                out.write(line.append('\n').toString());
                written++;
            }
        }
        return written;
    }

    public static Builder builder(Path file) {
        return new Builder(file);
    }

    /** Options of a {@link CsvDataset}. */
    public static final class Builder {
        private final Path file;
        private String labelColumn = "label";
        private List<String> classNames;
        private String name;
        private char delimiter = ',';

        private Builder(Path file) {
            this.file = Objects.requireNonNull(file, "file");
        }

        /** The header name of the label column; {@code label} by default. */
        public Builder labelColumn(String column) {
            this.labelColumn = Objects.requireNonNull(column, "column");
            return this;
        }

        /** The class names in index order; found in the file when not given. */
        public Builder classNames(List<String> names) {
            if (names.size() < 2) {
                throw new IllegalArgumentException("a classification dataset needs at least 2 classes, got " + names);
            }
            this.classNames = List.copyOf(names);
            return this;
        }

        /** The dataset's name; the file name without {@code .csv} by default. */
        public Builder name(String datasetName) {
            this.name = datasetName;
            return this;
        }

        /** The field separator; {@code ,} by default. */
        public Builder delimiter(char separator) {
            if (separator == '"' || separator == '\n' || separator == '\r') {
                throw new IllegalArgumentException("not a usable delimiter: " + separator);
            }
            this.delimiter = separator;
            return this;
        }

        /**
         * Reads the header (and, without class names, the labels).
         *
         * @throws DatasetFormatException when the header or a label does not fit
         */
        public CsvDataset build() {
            return new CsvDataset(this);
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int featureCount() {
        return featureColumns.size();
    }

    /** The names of the feature columns, in feature order. */
    public List<String> featureColumns() {
        return featureColumns;
    }

    @Override
    public List<String> classNames() {
        return classNames;
    }

    @Override
    public OptionalLong size() {
        return size < 0 ? OptionalLong.empty() : OptionalLong.of(size);
    }

    @Override
    public Stream<LabeledExample> stream() {
        Rows rows = new Rows();
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(rows,
                Spliterator.ORDERED | Spliterator.NONNULL), false)
                .map(rows::toExample)
                .onClose(rows::close);
    }

    private Stream<String[]> records() {
        Rows rows = new Rows();
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(rows,
                Spliterator.ORDERED | Spliterator.NONNULL), false)
                .onClose(rows::close);
    }

    private static List<String> discoverClasses(List<String> labels) {
        TreeSet<String> distinct = new TreeSet<>(labels);
        int max = -1;
        for (String label : distinct) {
            int index = parseIndex(label);
            if (index < 0) {
                return List.copyOf(distinct);
            }
            max = Math.max(max, index);
        }
        return IntStream.rangeClosed(0, Math.max(max, 1)).mapToObj(Integer::toString).toList();
    }

    /** A non-negative integer, or -1. */
    private static int parseIndex(String s) {
        if (s.isEmpty() || s.length() > 9) {
            return -1;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return -1;
            }
        }
        return Integer.parseInt(s);
    }

    private static String stripBom(String line) {
        return !line.isEmpty() && line.charAt(0) == '\uFEFF' ? line.substring(1) : line;
    }

    /** Splits one line into fields; {@code lineNumber} is for error messages. */
    private List<String> split(String line, long lineNumber) {
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        boolean wasQuoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"') {
                    if (i + 1 < line.length() && line.charAt(i + 1) == '"') {
                        field.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    field.append(c);
                }
            } else if (c == '"' && field.toString().isBlank() && !wasQuoted) {
                field.setLength(0);
                quoted = true;
                wasQuoted = true;
            } else if (c == delimiter) {
                fields.add(wasQuoted ? field.toString() : field.toString().trim());
                field.setLength(0);
                wasQuoted = false;
            } else if (wasQuoted && !Character.isWhitespace(c)) {
                throw new DatasetFormatException(file + ":" + lineNumber + ": text after the closing quote of field "
                        + (fields.size() + 1));
            } else {
                field.append(c);
            }
        }
        if (quoted) {
            throw new DatasetFormatException(file + ":" + lineNumber + ": unterminated quote in field "
                    + (fields.size() + 1) + " (a field cannot span lines)");
        }
        fields.add(wasQuoted ? field.toString() : field.toString().trim());
        return fields;
    }

    @Override
    public String toString() {
        return "CsvDataset[" + file + ", label '" + header.get(labelColumn) + "', " + featureColumns.size()
                + " features, classes " + classNames + "]";
    }

    /** The data rows of the file, split into fields, with their line numbers. */
    private final class Rows implements Iterator<String[]> {
        private final BufferedReader reader;
        private long lineNumber;
        private long currentLine;
        private String[] next;

        Rows() {
            try {
                reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
                String line;
                do {
                    line = reader.readLine();
                    lineNumber++;
                } while (line != null && line.isBlank());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
            }
        }

        @Override
        public boolean hasNext() {
            if (next != null) {
                return true;
            }
            try {
                String line;
                do {
                    line = reader.readLine();
                    lineNumber++;
                } while (line != null && line.isBlank());
                if (line == null) {
                    return false;
                }
                List<String> fields = split(line, lineNumber);
                if (fields.size() != header.size()) {
                    throw new DatasetFormatException(file + ":" + lineNumber + ": " + fields.size()
                            + " fields, but the header has " + header.size());
                }
                next = fields.toArray(new String[0]);
                currentLine = lineNumber;
                return true;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
            }
        }

        @Override
        public String[] next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            String[] r = next;
            next = null;
            return r;
        }

        LabeledExample toExample(String[] fields) {
            float[] features = new float[featureColumns.size()];
            int f = 0;
            for (int i = 0; i < fields.length; i++) {
                if (i == labelColumn) {
                    continue;
                }
                try {
                    features[f++] = Float.parseFloat(fields[i]);
                } catch (NumberFormatException e) {
                    throw new DatasetFormatException(file + ":" + currentLine + ": column '" + header.get(i)
                            + "' is '" + fields[i] + "', not a number");
                }
            }
            return new LabeledExample(features, label(fields[labelColumn]));
        }

        private int label(String label) {
            if (label.isEmpty()) {
                return LabeledExample.UNLABELED;
            }
            Integer byName = classIndex.get(label);
            if (byName != null) {
                return byName;
            }
            int index = parseIndex(label);
            if (index >= 0 && index < classNames.size()) {
                return index;
            }
            throw new DatasetFormatException(file + ":" + currentLine + ": label '" + label + "' in column '"
                    + header.get(labelColumn) + "' is neither a class name nor a class index of " + classNames);
        }

        void close() {
            try {
                reader.close();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot close " + file, e);
            }
        }
    }
}
