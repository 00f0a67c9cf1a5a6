package io.streamtrain.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * The learner in a JVM of its own, started through {@link Main} as a user would run it, so that a test can kill it
 * with SIGKILL and start it again.
 */
final class LearnerProcess implements AutoCloseable {

    private final Path configFile;
    private final Path logFile;
    private Process process;

    LearnerProcess(Path workDir, Map<String, String> settings) {
        this.configFile = workDir.resolve("learner.properties");
        this.logFile = workDir.resolve("learner.log");
        Properties p = new Properties();
        p.putAll(settings);
        try (Writer out = Files.newBufferedWriter(configFile, StandardCharsets.UTF_8)) {
            p.store(out, "learner under test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void start() {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx768m", "-XX:+UseParallelGC",
                "-Dorg.bytedeco.javacpp.maxPhysicalBytes=0", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "run", "--config", configFile.toString()));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        builder.environment().put("OMP_NUM_THREADS", "1");
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the learner JVM", e);
        }
    }

    /** Kills the learner JVM with SIGKILL: no shutdown hook, no commit, no clean close. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the learner JVM did not die");
        }
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** The last lines the learner logged, for assertion messages. */
    String logTail() {
        try {
            List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    String log() {
        try {
            return Files.readString(logFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
