package io.streamtrain.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.streamtrain.tools.ToolsMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code streamtrain demo} as a user runs it, in a JVM of its own: it ends with its summary line, keeps its full log
 * in the file it names and the terminal quiet, and, after a run to the end as after Ctrl-C (SIGTERM), leaves no
 * process, port or temporary directory behind. On Ctrl-C it stops its components in the reverse order of their
 * start, a line each, within {@link #STOP_BOUND}, and almost nothing is logged meanwhile.
 */
class DemoIT {

    private static final Pattern ADDRESSES = Pattern.compile(
            "Kafka at 127\\.0\\.0\\.1:(\\d+), schema registry at http://127\\.0\\.0\\.1:(\\d+)/\\S+, "
                    + "Connect REST at http://127\\.0\\.0\\.1:(\\d+)/?");

    /** The bound on a stop after Ctrl-C that the demo promises (it takes 4-5 s on a 2-core machine). */
    private static final Duration STOP_BOUND = Duration.ofSeconds(10);
    private static final List<String> STOP_LINES = List.of("stopped the progress reader", "stopped the replay",
            "stopped the dashboard", "stopped the connector and the Connect worker", "stopped the learner", "removed the learner's state",
            "stopped the schema registry", "stopped Kafka");

    @TempDir
    Path work;

    @Test
    void replaysTheShippedFashionMnistSliceThroughConnectAndTheLearnerAndCleansUp() throws Exception {
        Path tmp = Files.createDirectories(work.resolve("tmp"));
        Path plots = work.resolve("plots");
        Process demo = start(tmp, "--examples", "600", "--plot", plots.toString());
        assertThat(demo.waitFor(5, TimeUnit.MINUTES)).as("the demo ends by itself").isTrue();
        String out = output();
        assertThat(demo.exitValue()).as("exit code; output:\n%s", out).isZero();
        assertThat(out).contains("replaying 600 examples of fashion-mnist-t10k");
        assertThat(out).containsPattern("(?m)^examples=\\d+ +trained=\\d+ .*loss=.*accuracy=");
        assertThat(out).containsPattern("(?m)^examples=600 trained=600 accuracy=\\d+\\.\\d+% loss=\\d+\\.\\d+");
        assertNothingLeft(out, tmp);
        // the learning curves, one point per metrics window: SVG that an XML parser reads
        for (String chart : new String[] {"demo-accuracy.svg", "demo-loss.svg"}) {
            Path file = plots.resolve(chart);
            assertThat(out).contains("learning curve: " + file);
            org.w3c.dom.Document svg = javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder()
                    .parse(file.toFile());
            assertThat(svg.getDocumentElement().getTagName()).isEqualTo("svg");
            assertThat(svg.getElementsByTagName("polyline").getLength()).as(chart).isPositive();
        }
        assertThat(out).contains("the demo's full log: " + logFile());
        // the full log is in the file, the terminal has none of it
        assertThat(Files.readString(logFile())).contains("StreamtrainSinkTask", "LearnerApp", "KafkaStreams");
        assertThat(errors()).as("the terminal's standard error").isEmpty();
    }

    @Test
    void ctrlCStopsEverythingItStartedTheDashboardToo() throws Exception {
        Path tmp = Files.createDirectories(work.resolve("tmp"));
        // --dashboard keeps the demo up after the replay, as --keep-running does
        Process demo = start(tmp, "--dashboard", "--examples", "300");
        long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
        while (!output().contains("trained=") && demo.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(500);
        }
        assertThat(output()).as("progress before Ctrl-C").contains("trained=");
        Matcher address = Pattern.compile("(?m)^the dashboard: (http://127\\.0\\.0\\.1:\\d+/) \\(open it in a "
                + "browser; Ctrl-C stops the demo\\)$").matcher(output());
        assertThat(address.find()).as("the dashboard's address in:%n%s", output()).isTrue();
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(address.group(1))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<title>Streamtrain dashboard</title>");
        String health = "";
        while (!health.contains("\"models\":1") && System.nanoTime() < deadline) {
            health = http.send(HttpRequest.newBuilder(URI.create(address.group(1) + "health")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Thread.sleep(300);
        }
        assertThat(health).as("the dashboard follows the demo's model").contains("\"models\":1");
        Thread.sleep(3000);
        assertThat(demo.isAlive()).as("still up after the replay of 300 examples").isTrue();
        long loggedBefore = Files.readAllLines(logFile()).size();
        long signalled = System.nanoTime();
        demo.destroy(); // SIGTERM, as Ctrl-C's SIGINT: the JVM runs its shutdown hooks
        assertThat(demo.waitFor(2, TimeUnit.MINUTES)).as("the demo stops on SIGTERM").isTrue();
        Duration took = Duration.ofNanos(System.nanoTime() - signalled);
        String out = output();
        assertThat(took).as("from the signal to the exit; output:\n%s", out).isLessThan(STOP_BOUND);

        // a line per component, in the reverse order of their start, and nothing else
        List<String> afterStop = out.lines().dropWhile(line -> !line.equals("stopping ...")).skip(1).toList();
        assertThat(afterStop).as("what the demo printed after 'stopping ...'").hasSize(STOP_LINES.size());
        for (int i = 0; i < STOP_LINES.size(); i++) {
            assertThat(afterStop.get(i)).matches(Pattern.quote(STOP_LINES.get(i)) + " \\(\\d+\\.\\d s\\)");
        }
        assertThat(errors()).as("the terminal's standard error").isEmpty();
        // almost nothing logged while stopping: the components stop in order, none sees another gone
        List<String> logged = Files.readAllLines(logFile());
        List<String> loggedWhileStopping = logged.subList((int) loggedBefore, logged.size());
        assertThat(loggedWhileStopping).as("logged after the signal").hasSizeLessThan(30)
                .noneMatch(line -> line.contains(" ERROR ") || line.startsWith("\tat ") || line.contains("Exception"));
        assertThat(loggedWhileStopping.stream().filter(line -> line.contains(" WARN "))).hasSizeLessThan(5);
        assertNothingLeft(out, tmp);
        int dashboardPort = URI.create(address.group(1)).getPort();
        assertThatThrownBy(() -> connect(dashboardPort)).as("the dashboard's port, closed")
                .isInstanceOf(ConnectException.class);
    }

    private Process start(Path tmp, String... options) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx1536m", "-XX:+UseParallelGC",
                "-Dorg.bytedeco.javacpp.maxPhysicalBytes=0", "-Djava.io.tmpdir=" + tmp,
                "-Dstreamtrain.registry.jar=" + System.getProperty("streamtrain.registry.jar"),
                "-Dstreamtrain.connector.zip=" + System.getProperty("streamtrain.connector.zip"),
                "-cp", System.getProperty("java.class.path"), ToolsMain.class.getName(), "demo",
                "--log-file", logFile().toString()));
        command.addAll(List.of(options));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(work.resolve("demo.out").toFile())
                .redirectError(work.resolve("demo.err").toFile());
        builder.environment().put("OMP_NUM_THREADS", "1");
        return builder.start();
    }

    private Path logFile() {
        return work.resolve("logs").resolve("demo.log");
    }

    private String errors() throws IOException {
        return Files.readString(work.resolve("demo.err"), StandardCharsets.UTF_8);
    }

    private String output() throws IOException {
        Path out = work.resolve("demo.out");
        return Files.exists(out) ? Files.readString(out, StandardCharsets.UTF_8) : "";
    }

    private static void assertNothingLeft(String out, Path tmp) throws IOException {
        Matcher m = ADDRESSES.matcher(out);
        assertThat(m.find()).as("the demo prints its addresses:\n%s", out).isTrue();
        for (int group = 1; group <= 3; group++) {
            int port = Integer.parseInt(m.group(group));
            assertThatThrownBy(() -> connect(port)).as("port %d is closed", port).isInstanceOf(ConnectException.class);
        }
        try (Stream<Path> left = Files.list(tmp)) {
            assertThat(left.map(p -> p.getFileName().toString())
                    .filter(name -> !name.startsWith("hsperfdata")).toList())
                    .as("temporary files left behind").isEmpty();
        }
    }

    private static void connect(int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
        }
    }
}
