package io.streamtrain.plot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.xml.parsers.DocumentBuilderFactory;

import io.streamtrain.embedded.Tries;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

/** The SVG line chart: well-formed whatever the data, points where they belong, gaps where values are missing. */
class LineChartTest {

    private static final Pattern NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?");

    @Test
    void aSeriesIsAPolylineInsideThePlotWithTicksAndALegend(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sub").resolve("c.svg");
        new LineChart("accuracy <over> time & more", "examples", "accuracy").yRange(0, 1)
                .add(new LineChart.Series("prequential", new double[] {0, 500, 1000}, new double[] {0.5, 0.75, 1}))
                .write(file);
        Document svg = parse(Files.readString(file));
        NodeList lines = svg.getElementsByTagName("polyline");
        assertThat(lines.getLength()).isEqualTo(1);
        String[] points = lines.item(0).getAttributes().getNamedItem("points").getNodeValue().split(" ");
        // x from the left edge of the plot (70) to its right (780); y 1 at the top (40), 0.5 halfway down to 360
        assertThat(points).containsExactly("70.0,200.0", "425.0,120.0", "780.0,40.0");
        String text = svg.getDocumentElement().getTextContent();
        assertThat(text).contains("accuracy <over> time & more", "examples", "prequential", "0.2", "0.4", "1,000");
    }

    @Test
    void missingValuesAreGapsAndAChartOfNothingIsStillAChart() throws Exception {
        String svg = new LineChart("t", "x", "y")
                .add(new LineChart.Series("gappy", new double[] {1, 2, 3, 4, 5},
                        new double[] {1, Double.NaN, 3, 4, Double.POSITIVE_INFINITY}))
                .add(new LineChart.Series("empty", new double[0], new double[0]))
                .svg();
        assertThat(parse(svg).getElementsByTagName("polyline").getLength()).as("two runs of points").isEqualTo(2);
        assertThat(parse(new LineChart("none", "x", "y").svg()).getElementsByTagName("polyline").getLength())
                .isZero();
        assertThatThrownBy(() -> new LineChart.Series("bad", new double[2], new double[3]))
                .hasMessage("series 'bad' has 2 x and 3 y values");
        assertThatThrownBy(() -> new LineChart("t", "x", "y").yRange(1, 1))
                .hasMessageContaining("min < max");
    }

    @Test
    void ticksAreRoundAndInsideTheRange() {
        assertThat(LineChart.ticks(0, 1)).hasSize(6)
                .zipSatisfy(List.of(0.0, 0.2, 0.4, 0.6, 0.8, 1.0), (a, b) -> assertThat(a).isCloseTo(b,
                        org.assertj.core.api.Assertions.within(1e-12)));
        assertThat(LineChart.ticks(0, 10_000)).containsExactly(0.0, 2000.0, 4000.0, 6000.0, 8000.0, 10_000.0);
        assertThat(LineChart.ticks(-3.7, 41)).containsExactly(0.0, 10.0, 20.0, 30.0, 40.0);
        assertThat(LineChart.ticks(3, 3)).containsExactly(3.0);
        Tries.run("ticks", random -> new double[] {random.nextGaussian() * Math.pow(10, random.nextInt(-200, 200)),
            Math.abs(random.nextGaussian()) * Math.pow(10, random.nextInt(-200, 200))}, r -> {
                List<Double> ticks = LineChart.ticks(r[0], r[0] + r[1]);
                assertThat(ticks).hasSizeBetween(1, 20).allSatisfy(t -> assertThat(t).isBetween(
                        r[0] - r[1] * 1e-9, r[0] + r[1] * (1 + 1e-9)));
                return ticks.size() >= 4 && ticks.size() <= 9 ? "4 to 9" : "other";
            });
    }

    @Test
    void anySeriesGivesWellFormedSvgWithEveryPointInsideThePicture() {
        Map<String, Integer> tally = Tries.run("line charts", 300, random -> {
            List<LineChart.Series> series = new ArrayList<>();
            for (int s = 0; s < 1 + random.nextInt(4); s++) {
                int n = random.nextInt(50);
                double[] x = new double[n];
                double[] y = new double[n];
                for (int i = 0; i < n; i++) {
                    x[i] = extreme(random);
                    y[i] = extreme(random);
                }
                series.add(new LineChart.Series(text(random), x, y));
            }
            return series;
        }, series -> {
            LineChart chart = new LineChart("t", "x", "y");
            series.forEach(chart::add);
            Document svg = parse(chart.svg());
            NodeList lines = svg.getElementsByTagName("polyline");
            for (int i = 0; i < lines.getLength(); i++) {
                Matcher m = NUMBER.matcher(lines.item(i).getAttributes().getNamedItem("points").getNodeValue());
                int k = 0;
                while (m.find()) {
                    double v = Double.parseDouble(m.group());
                    assertThat(v).isBetween(0.0, k++ % 2 == 0 ? 800.0 : 450.0);
                }
            }
            return lines.getLength() == 0 ? "no line" : "lines";
        });
        assertThat(tally).containsKeys("lines");
    }

    private static double extreme(SplittableRandom random) {
        return switch (random.nextInt(10)) {
            case 0 -> Double.NaN;
            case 1 -> Double.MAX_VALUE * (random.nextBoolean() ? 1 : -1);
            case 2 -> Double.MIN_VALUE;
            case 3 -> Double.NEGATIVE_INFINITY;
            case 4 -> 0;
            case 5 -> 1e-300 * random.nextDouble();
            default -> random.nextGaussian() * 1000;
        };
    }

    /** Names with markup, control characters, surrogates and emoji. */
    private static String text(SplittableRandom random) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < random.nextInt(12); i++) {
            switch (random.nextInt(6)) {
                case 0 -> b.append("<&>\"'");
                case 1 -> b.append((char) random.nextInt(0x20));
                case 2 -> b.append((char) (0xD800 + random.nextInt(0x800)));
                case 3 -> b.appendCodePoint(0x1F600 + random.nextInt(40));
                case 4 -> b.append('\uFFFE');
                default -> b.append((char) ('a' + random.nextInt(26)));
            }
        }
        return b.toString();
    }

    private static Document parse(String svg) {
        try {
            return DocumentBuilderFactory.newInstance().newDocumentBuilder()
                    .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new AssertionError("not well-formed XML: " + e.getMessage() + "\n" + svg, e);
        }
    }
}
