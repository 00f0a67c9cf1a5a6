package io.streamtrain.app;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text format 0.0.4, for this module's tests: {@code # HELP} and {@code # TYPE}
 * lines, and samples {@code name{label="value",...} value}, with label values unescaped ({@code \\}, {@code \"},
 * {@code \n}). Anything else, a sample before its family's TYPE, or a second TYPE for a family, is an error.
 */
public final class Exposition {

    static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    /** One sample: its name, labels in the order written, and value. */
    public record Sample(String name, Map<String, String> labels, double value) {
    }

    public final Map<String, String> types = new LinkedHashMap<>();
    public final Map<String, String> help = new HashMap<>();
    public final List<Sample> samples = new ArrayList<>();

    public static Exposition parse(String text) {
        Exposition e = new Exposition();
        if (!text.isEmpty() && !text.endsWith("\n")) {
            throw new IllegalArgumentException("the text does not end with a line feed");
        }
        String lastType = null;
        for (String line : text.split("\n", -1)) {
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("# HELP ")) {
                String[] parts = line.substring(7).split(" ", 2);
                e.help.put(name(parts[0]), parts.length > 1 ? parts[1] : "");
            } else if (line.startsWith("# TYPE ")) {
                String[] parts = line.substring(7).split(" ");
                if (parts.length != 2 || e.types.put(name(parts[0]), parts[1]) != null) {
                    throw new IllegalArgumentException("a bad or second TYPE line: " + line);
                }
                lastType = parts[0];
            } else if (line.startsWith("#")) {
                throw new IllegalArgumentException("an unknown comment: " + line);
            } else {
                Sample s = sample(line);
                String family = lastType;
                if (family == null || !(s.name().equals(family) || s.name().equals(family + "_total")
                        || s.name().equals(family + "_created"))) {
                    throw new IllegalArgumentException("a sample outside its family " + family + ": " + line);
                }
                e.samples.add(s);
            }
        }
        return e;
    }

    private static String name(String name) {
        if (!METRIC_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not a metric name: " + name);
        }
        return name;
    }

    private static Sample sample(String line) {
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
            i++;
        }
        String name = name(line.substring(0, i));
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (line.charAt(i) != '}') {
                int eq = line.indexOf('=', i);
                String label = line.substring(i, eq);
                if (!LABEL_NAME.matcher(label).matches() || label.startsWith("__")) {
                    throw new IllegalArgumentException("not a label name: " + label + " in " + line);
                }
                if (line.charAt(eq + 1) != '"') {
                    throw new IllegalArgumentException("a label value without quotes: " + line);
                }
                StringBuilder value = new StringBuilder();
                int j = eq + 2;
                for (; line.charAt(j) != '"'; j++) {
                    char c = line.charAt(j);
                    if (c == '\\') {
                        char next = line.charAt(++j);
                        switch (next) {
                            case '\\' -> value.append('\\');
                            case '"' -> value.append('"');
                            case 'n' -> value.append('\n');
                            default -> throw new IllegalArgumentException("a bad escape \\" + next + ": " + line);
                        }
                    } else {
                        value.append(c);
                    }
                }
                if (labels.put(label, value.toString()) != null) {
                    throw new IllegalArgumentException("a label twice: " + line);
                }
                i = j + 1;
                if (line.charAt(i) == ',') {
                    i++;
                }
            }
            i++;
        }
        if (line.charAt(i) != ' ') {
            throw new IllegalArgumentException("no space before the value: " + line);
        }
        String[] rest = line.substring(i + 1).split(" ");
        if (rest.length > 2) {
            throw new IllegalArgumentException("more than a value and a time stamp: " + line);
        }
        return new Sample(name, labels, value(rest[0]));
    }

    static double value(String s) {
        return switch (s) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(s);
        };
    }

    /** The samples of one name. */
    public List<Sample> samples(String name) {
        return samples.stream().filter(s -> s.name().equals(name)).toList();
    }
}
