package io.streamtrain.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
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
 * {@code streamtrain demo} as a user runs it, in a JVM of its own: it ends with its summary line, and, after a run to
 * the end as after Ctrl-C (SIGTERM), leaves no process, port or temporary directory behind.
 */
class DemoIT {

    private static final Pattern ADDRESSES = Pattern.compile(
            "Kafka at 127\\.0\\.0\\.1:(\\d+), schema registry at http://127\\.0\\.0\\.1:(\\d+)/\\S+, "
                    + "Connect REST at http://127\\.0\\.0\\.1:(\\d+)/?");

    @TempDir
    Path work;

    @Test
    void replaysTheShippedFashionMnistSliceThroughConnectAndTheLearnerAndCleansUp() throws Exception {
        Path tmp = Files.createDirectories(work.resolve("tmp"));
        Process demo = start(tmp, "--examples", "600");
        assertThat(demo.waitFor(5, TimeUnit.MINUTES)).as("the demo ends by itself").isTrue();
        String out = output();
        assertThat(demo.exitValue()).as("exit code; output:\n%s", out).isZero();
        assertThat(out).contains("replaying 600 examples of fashion-mnist-t10k");
        assertThat(out).containsPattern("(?m)^examples=\\d+ +trained=\\d+ .*loss=.*accuracy=");
        assertThat(out).containsPattern("(?m)^examples=600 trained=600 accuracy=\\d+\\.\\d+% loss=\\d+\\.\\d+");
        assertNothingLeft(out, tmp);
    }

    @Test
    void ctrlCStopsEverythingItStarted() throws Exception {
        Path tmp = Files.createDirectories(work.resolve("tmp"));
        Process demo = start(tmp, "--keep-running");
        long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
        while (!output().contains("trained=") && demo.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(500);
        }
        assertThat(output()).as("progress before Ctrl-C").contains("trained=");
        demo.destroy(); // SIGTERM, as Ctrl-C's SIGINT: the JVM runs its shutdown hooks
        assertThat(demo.waitFor(2, TimeUnit.MINUTES)).as("the demo stops on SIGTERM").isTrue();
        String out = output();
        assertThat(out).contains("stopping ...");
        assertNothingLeft(out, tmp);
    }

    private Process start(Path tmp, String... options) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx1536m", "-XX:+UseParallelGC",
                "-Dorg.bytedeco.javacpp.maxPhysicalBytes=0", "-Djava.io.tmpdir=" + tmp,
                "-Dstreamtrain.registry.jar=" + System.getProperty("streamtrain.registry.jar"),
                "-Dstreamtrain.connector.zip=" + System.getProperty("streamtrain.connector.zip"),
                "-cp", System.getProperty("java.class.path"), ToolsMain.class.getName(), "demo"));
        command.addAll(List.of(options));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(work.resolve("demo.out").toFile())
                .redirectError(work.resolve("demo.err").toFile());
        builder.environment().put("OMP_NUM_THREADS", "1");
        return builder.start();
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
