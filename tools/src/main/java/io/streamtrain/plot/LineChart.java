package io.streamtrain.plot;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A line chart as a standalone SVG file: series of (x, y) points on linear axes with ticks, a title and a legend.
 * No dependency and no fonts to ship: any browser, editor or Markdown renderer shows it. Points that are not finite
 * are left out (a gap in the line), so a series of measurements may hold NaN where nothing was measured.
 */
public final class LineChart {

    /** One line: its name in the legend and its points, in order. */
    public record Series(String name, double[] x, double[] y) {
        public Series {
            if (x.length != y.length) {
                throw new IllegalArgumentException("series '" + name + "' has " + x.length + " x and " + y.length
                        + " y values");
            }
        }
    }

    private static final int WIDTH = 800;
    private static final int HEIGHT = 450;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 40;
    private static final int BOTTOM = 90;
    private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
        "#e377c2", "#7f7f7f"};

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final List<Series> series = new ArrayList<>();
    private Double yMin;
    private Double yMax;

    public LineChart(String title, String xLabel, String yLabel) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
    }

    public LineChart add(Series s) {
        series.add(s);
        return this;
    }

    /** Fixes the y axis, for example to [0, 1] for an accuracy; otherwise it spans the data. */
    public LineChart yRange(double min, double max) {
        if (!(min < max) || !Double.isFinite(min) || !Double.isFinite(max)) {
            throw new IllegalArgumentException("y range must be finite with min < max, was " + min + ".." + max);
        }
        this.yMin = min;
        this.yMax = max;
        return this;
    }

    /** Writes the chart to {@code file} (its folder is created). */
    public void write(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        Files.writeString(file, svg(), StandardCharsets.UTF_8);
    }

    /** The chart as SVG text. */
    public String svg() {
        double[] xr = range(true);
        double[] yr = yMin != null ? new double[] {yMin, yMax} : range(false);
        double plotW = WIDTH - LEFT - RIGHT;
        double plotH = HEIGHT - TOP - BOTTOM;
        StringBuilder b = new StringBuilder(4096);
        b.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        b.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT, WIDTH,
                HEIGHT));
        b.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, HEIGHT));
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">%s</text>%n",
                WIDTH / 2, escape(title)));
        // axes and ticks
        b.append(String.format(Locale.ROOT, "<g stroke=\"#333\"><line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>"
                + "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/></g>%n", LEFT, TOP, LEFT, TOP + (int) plotH, LEFT,
                TOP + (int) plotH, LEFT + (int) plotW, TOP + (int) plotH));
        for (double t : ticks(xr[0], xr[1])) {
            double px = LEFT + (t - xr[0]) / (xr[1] - xr[0]) * plotW;
            b.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#333\"/>"
                    + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", px, TOP + (int) plotH, px,
                    TOP + (int) plotH + 5, px, TOP + (int) plotH + 19, label(t)));
        }
        for (double t : ticks(yr[0], yr[1])) {
            double py = TOP + plotH - (t - yr[0]) / (yr[1] - yr[0]) * plotH;
            b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", LEFT, py, LEFT + plotW, py,
                    LEFT - 6, py + 4, label(t)));
        }
        b.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                LEFT + plotW / 2, TOP + (int) plotH + 38, escape(xLabel)));
        b.append(String.format(Locale.ROOT, "<text x=\"16\" y=\"%.1f\" text-anchor=\"middle\" "
                + "transform=\"rotate(-90 16 %.1f)\">%s</text>%n", TOP + plotH / 2, TOP + plotH / 2, escape(yLabel)));
        // the lines, each finite run of points a polyline
        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            String color = COLORS[i % COLORS.length];
            StringBuilder points = new StringBuilder();
            for (int p = 0; p <= s.x().length; p++) {
                boolean finite = p < s.x().length && Double.isFinite(s.x()[p]) && Double.isFinite(s.y()[p]);
                if (finite) {
                    double px = LEFT + clamp((s.x()[p] - xr[0]) / (xr[1] - xr[0])) * plotW;
                    double py = TOP + plotH - clamp((s.y()[p] - yr[0]) / (yr[1] - yr[0])) * plotH;
                    points.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
                } else if (points.length() > 0) {
                    b.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.8\" "
                            + "points=\"%s\"/>%n", color, points.toString().trim()));
                    points.setLength(0);
                }
            }
            int ly = HEIGHT - 40 + 16 * (i / 2);
            int lx = LEFT + (i % 2) * 360;
            b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
                    + "stroke-width=\"3\"/><text x=\"%d\" y=\"%d\">%s</text>%n", lx, ly - 4, lx + 24, ly - 4, color,
                    lx + 30, ly, escape(s.name())));
        }
        b.append("</svg>\n");
        return b.toString();
    }

    /** The span of the finite x (or y) values of every series; [0, 1] when there are none. */
    private double[] range(boolean x) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (int p = 0; p < s.x().length; p++) {
                if (Double.isFinite(s.x()[p]) && Double.isFinite(s.y()[p])) {
                    double v = x ? s.x()[p] : s.y()[p];
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
            }
        }
        if (min > max) {
            return new double[] {0, 1};
        }
        if (min == max || !Double.isFinite(max - min)) {
            // one value, or a span too wide for a double: a span around it that ticks can divide
            double pad = Math.abs(min) > 1 ? Math.abs(min) / 2 : 1;
            return !Double.isFinite(max - min) ? new double[] {min / 2, max / 2} : new double[] {min - pad, max + pad};
        }
        return new double[] {min, max};
    }

    /** Round tick values inside [min, max]: 1, 2 or 5 times a power of ten apart, 4 to 9 of them. */
    static List<Double> ticks(double min, double max) {
        List<Double> ticks = new ArrayList<>();
        double span = max - min;
        if (!(span > 0) || !Double.isFinite(span)) {
            ticks.add(min);
            return ticks;
        }
        double raw = span / 6;
        double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        double normalized = raw / magnitude;
        double step = (normalized < 1.5 ? 1 : normalized < 3 ? 2 : normalized < 7 ? 5 : 10) * magnitude;
        double first = Math.ceil(min / step) * step;
        if (!(step > 0) || !Double.isFinite(first)) {
            // a span too small for a power of ten
            ticks.add(min);
            ticks.add(max);
            return ticks;
        }
        for (int i = 0; i < 20; i++) {
            double t = first + i * step;
            if (t > max + step * 1e-9) {
                break;
            }
            ticks.add(t);
        }
        return ticks;
    }

    private static double clamp(double v) {
        return Math.max(0, Math.min(1, v));
    }

    private static String label(double v) {
        double a = Math.abs(v);
        if (a != 0 && (a >= 1e6 || a < 1e-3)) {
            return String.format(Locale.ROOT, "%.2g", v);
        }
        String s = String.format(Locale.ROOT, "%.3f", v).replaceAll("0+$", "").replaceAll("\\.$", "");
        return a >= 1000 ? String.format(Locale.ROOT, "%,.0f", v) : s.equals("-0") ? "0" : s;
    }

    /** Text as XML character data: markup characters escaped, characters XML 1.0 does not allow left out. */
    static String escape(String text) {
        StringBuilder b = new StringBuilder(text.length());
        text.codePoints().forEach(c -> {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                default -> {
                    boolean allowed = c == 0x9 || c == 0xA || c == 0xD || c >= 0x20 && c <= 0xD7FF
                            || c >= 0xE000 && c <= 0xFFFD || c >= 0x10000 && c <= 0x10FFFF;
                    if (allowed) {
                        b.appendCodePoint(c);
                    }
                }
            }
        });
        return b.toString();
    }
}
