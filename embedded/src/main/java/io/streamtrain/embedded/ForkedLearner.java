package io.streamtrain.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The learner in a JVM of its own, started as {@code bin/streamtrain run --config} starts it (one BLAS thread, a
 * capped heap, ParallelGC, native memory released by the GC), so that it can be killed with SIGKILL (no shutdown
 * hook, no commit, no clean close) or stopped with SIGTERM as an operator would, and started again on the same
 * configuration and state directory. Every start appends to one log file, after a marker line. The crash test of
 * the learner, the chaos campaigns and the memory benchmark all start their learners here.
 *
 * <p>The child gets this JVM's class path, which holds the learner wherever this class is used: the learner's test
 * class path, or the tools' jar, whose manifest names the learner's jar among its libraries.
 */
public final class ForkedLearner implements AutoCloseable {

    /**
     * The learner's entry point, by name: embedded/ is below the learner in the build, so it cannot name the class
     * itself (the learner's MainTest checks that this is its Main).
     */
    public static final String MAIN_CLASS = "io.streamtrain.app.Main";

    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private final String name;
    private final Path configFile;
    private final Path logFile;
    private final String heap;
    /** The command the JVM runs: {@code run}, or {@code serve} for a serving replica. */
    private String subcommand = "run";
    private final List<String> jvmOptions;
    private Process process;
    private int starts;
    private long startMark;
    private boolean endedByUs;

    /**
     * @param name a name for messages, the log marker and its files, e.g. {@code learner-1}
     * @param workDir where its properties file ({@code <name>.properties}) and log ({@code <name>.log}) go
     *     (created if missing)
     * @param settings the properties of {@code streamtrain run --config}: Kafka Streams, registry and streamtrain.*
     * @param heap the -Xmx value, e.g. {@code 768m}
     * @param jvmOptions more options of the child JVM, e.g. {@code -XX:NativeMemoryTracking=summary}
     */
    public ForkedLearner(String name, Path workDir, Map<String, String> settings, String heap,
            String... jvmOptions) {
        this.name = name;
        this.heap = heap;
        this.jvmOptions = List.of(jvmOptions);
        try {
            Files.createDirectories(workDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + workDir, e);
        }
        this.configFile = workDir.resolve(name + ".properties");
        this.logFile = workDir.resolve(name + ".log");
        Properties p = new Properties();
        // /metrics and /health on any free port, unless the caller sets one: several learners run side by side
        p.put("streamtrain.http.port", "0");
        p.putAll(settings);
        try (Writer out = Files.newBufferedWriter(configFile, StandardCharsets.UTF_8)) {
            p.store(out, name);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + configFile, e);
        }
    }

    public String name() {
        return name;
    }

    /** Runs {@code streamtrain serve} rather than {@code run}: a serving replica, with the same settings file. */
    public ForkedLearner serving() {
        this.subcommand = "serve";
        return this;
    }

    /** Starts the JVM (again); the previous one must be dead. */
    public synchronized void start() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException(name + " is running already (pid " + process.pid() + ")");
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx" + heap, "-XX:+UseParallelGC",
                "-Dorg.bytedeco.javacpp.maxPhysicalBytes=0"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), MAIN_CLASS, subcommand, "--config",
                configFile.toString(), "--log-file", "-"));
        // "--log-file -": the full log on its output, which goes to this launcher's log file
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        builder.environment().put("OMP_NUM_THREADS", "1");
        starts++;
        startMark = logMark();
        ChildJvm.appendMarker(logFile, name, "start #" + starts);
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the learner JVM " + name, e);
        }
        endedByUs = false;
    }

    /** Kills the JVM with SIGKILL and waits for it to be gone. */
    public synchronized void kill() {
        if (process == null || !process.isAlive()) {
            throw new IllegalStateException(name + " is not running; log:\n" + logTail(40));
        }
        ChildJvm.appendMarker(logFile, name, "SIGKILL to pid " + process.pid());
        endedByUs = true;
        process.destroyForcibly();
        ChildJvm.await(process, STOP_TIMEOUT, "the SIGKILLed learner JVM " + name + " did not die");
    }

    /**
     * Stops the JVM as a user would (SIGTERM: the learner closes Kafka Streams cleanly), killing it if it has not
     * ended within 30 s.
     *
     * @return its exit code, or -1 when it has not ended (an interrupt) or was never started
     */
    public synchronized int stop() {
        if (process != null && process.isAlive()) {
            endedByUs = true;
            ChildJvm.appendMarker(logFile, name, "SIGTERM to pid " + process.pid());
            ChildJvm.stop(process, STOP_TIMEOUT, "the learner JVM " + name);
        }
        return exitCode();
    }

    public synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** Whether the JVM ended without being killed or stopped by this object: the learner gave up on its own. */
    public synchronized boolean exitedByItself() {
        return process != null && !process.isAlive() && !endedByUs;
    }

    /** The exit code of the last JVM, or -1 while it runs or before the first start. */
    public synchronized int exitCode() {
        return process == null || process.isAlive() ? -1 : process.exitValue();
    }

    public synchronized long pid() {
        return process == null ? -1 : process.pid();
    }

    /** How many times the JVM was started. */
    public synchronized int starts() {
        return starts;
    }

    public Path logFile() {
        return logFile;
    }

    /** The whole log of every start. */
    public String log() {
        try {
            return Files.readString(logFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** The size of the log now, to read what is logged after this point with {@link #logSince}. */
    public long logMark() {
        try {
            return Files.size(logFile);
        } catch (IOException e) {
            return 0;
        }
    }

    /** What was logged after a {@link #logMark()}. */
    public String logSince(long mark) {
        String all = log();
        byte[] bytes = all.getBytes(StandardCharsets.UTF_8);
        return mark >= bytes.length ? "" : new String(bytes, (int) mark, bytes.length - (int) mark,
                StandardCharsets.UTF_8);
    }

    /** What the JVM started last has logged so far. */
    public synchronized String logOfCurrentRun() {
        return logSince(startMark);
    }

    /** The last lines logged, for failure messages. */
    public String logTail(int lines) {
        List<String> all = log().lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    /** Waits until the log written after {@code mark} contains {@code text}, or fails with the log's tail. */
    public void awaitLog(long mark, String text, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!logSince(mark).contains(text)) {
            if (!isAlive()) {
                throw new IllegalStateException(name + " exited (code " + exitCode() + ") before logging '" + text
                        + "'; log:\n" + logTail(60));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(name + " did not log '" + text + "' within " + timeout.toSeconds()
                        + " s; log:\n" + logTail(60));
            }
            pause(100);
        }
    }

    /** Stops the JVM as {@link #stop()} does, if it runs. */
    @Override
    public void close() {
        stop();
    }

    /** Waiting between polls; an interrupt ends the wait with an exception instead of being swallowed. */
    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
