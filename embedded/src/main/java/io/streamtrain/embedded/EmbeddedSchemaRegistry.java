package io.streamtrain.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real schema registry (Apicurio Registry, in-memory storage) running as a child process on
 * {@code 127.0.0.1}, for integration tests and the demo.
 *
 * <p>The registry is the runnable jar built by the {@code registry-server} module
 * ({@code mvn -pl registry-server package}). It is started with the same {@code java} as the
 * current JVM on a free loopback port, its output goes to a log file in a private temporary
 * directory, and {@link #start()} returns only once the Confluent-compatible API answers and the
 * global compatibility level has been set to {@code BACKWARD}. Clients (Confluent or Apicurio serdes
 * in Confluent mode) use {@link #url()}.
 *
 * <p>{@link #close()} stops the process and deletes the temporary directory; a JVM shutdown hook
 * does the same if the test forgets, so the child never outlives the JVM that started it (unless
 * that JVM is killed with {@code SIGKILL}, which runs no hooks).
 *
 * <pre>{@code
 * try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start()) {
 *     props.put("schema.registry.url", registry.url());
 *     ...
 * }
 * }</pre>
 *
 * <p>Apicurio's Confluent-compatible API differs from Confluent's in a few error details; for
 * example, registering an incompatible schema answers 409 with {@code "error_code":0}.
 */
public final class EmbeddedSchemaRegistry implements AutoCloseable {

    /** System property naming the registry jar; the root pom passes it to failsafe. */
    public static final String JAR_PROPERTY = "streamtrain.registry.jar";
    /** Environment variable naming the registry jar, used when the system property is not set. */
    public static final String JAR_ENV = "STREAMTRAIN_REGISTRY_JAR";
    /** Where the jar is looked for, relative to the project root, when neither is set. */
    public static final String DEFAULT_JAR = "registry-server/target/registry-server-runner.jar";

    private static final Logger log = LoggerFactory.getLogger(EmbeddedSchemaRegistry.class);

    private static final String HOST = "127.0.0.1";
    private static final String API_PATH = "/apis/ccompat/v7";
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final List<String> JVM_OPTIONS = List.of("-XX:TieredStopAtLevel=1", "-Xmx256m");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(100);
    private static final int HTTP_TIMEOUT_MS = 5_000;
    private static final int START_ATTEMPTS = 3;
    private static final int LOG_TAIL_LINES = 40;
    private static final String BUILD_HINT =
            "Build it from the project root with: mvn -pl registry-server package";

    private final Process process;
    private final int port;
    private final Path workDir;
    private final Path logFile;
    private final Thread shutdownHook;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedSchemaRegistry(Process process, int port, Path workDir, Path logFile,
                                   Thread shutdownHook) {
        this.process = process;
        this.port = port;
        this.workDir = workDir;
        this.logFile = logFile;
        this.shutdownHook = shutdownHook;
    }

    /**
     * Starts the registry from the jar named by the system property {@value #JAR_PROPERTY}, else
     * by the environment variable {@value #JAR_ENV}, else the first {@value #DEFAULT_JAR} found in
     * the working directory or one of its parents.
     *
     * @return the running registry, ready to serve requests
     * @throws IllegalStateException if the jar is missing, or the registry does not start within
     *                               60 seconds (the message holds the tail of its log)
     */
    public static EmbeddedSchemaRegistry start() {
        return start(locateJar());
    }

    /**
     * Starts the registry from the given runnable jar.
     *
     * @param jar the {@code registry-server-runner.jar} built by the {@code registry-server} module
     * @return the running registry, ready to serve requests
     * @throws IllegalStateException if the jar is missing, or the registry does not start within
     *                               60 seconds (the message holds the tail of its log, which is
     *                               then left in place)
     */
    public static EmbeddedSchemaRegistry start(Path jar) {
        Path absoluteJar = jar.toAbsolutePath().normalize();
        if (!Files.isRegularFile(absoluteJar)) {
            throw new IllegalStateException("Schema registry jar not found: " + absoluteJar + ". " + BUILD_HINT);
        }
        Path workDir = TempDirectories.create("streamtrain-registry-");
        // on failure the directory is kept: the exception names its log
        return startIn(absoluteJar, workDir);
    }

    /** The Confluent-compatible base URL, {@code http://127.0.0.1:PORT/apis/ccompat/v7}. */
    public String url() {
        return baseUrl(port);
    }

    /** The HTTP port the registry listens on, on {@code 127.0.0.1}. */
    public int port() {
        return port;
    }

    /**
     * Stops the registry: asks it to shut down, waits up to 10 seconds, then kills it, and deletes
     * its temporary directory and log. Calling it again does nothing.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        StopHooks.remove(shutdownHook);
        int exitCode = stopProcess(process);
        deleteRecursively(workDir);
        log.info("Schema registry on port {} stopped (exit code {})", port, exitCode);
    }

    // --- starting

    private static EmbeddedSchemaRegistry startIn(Path jar, Path workDir) {
        Path logFile = workDir.resolve("registry.log");
        String java = javaExecutable();
        for (int attempt = 1; ; attempt++) {
            int port = FreePorts.pick();
            log.info("Starting schema registry on {}:{} from {} (log: {})", HOST, port, jar, logFile);
            long startNanos = System.nanoTime();
            Process process = launch(java, jar, port, workDir, logFile);
            // registered before waiting, so a test JVM that exits during start-up still stops it
            Thread hook = new Thread(() -> {
                stopProcess(process);
                deleteRecursively(workDir);
            }, "schema-registry-shutdown-" + port);
            StopHooks.add(hook);
            try {
                awaitReady(process, port, logFile);
            } catch (PortTakenException e) {
                // the free port was taken between our check and the registry's bind: try another
                StopHooks.remove(hook);
                stopProcess(process);
                if (attempt >= START_ATTEMPTS) {
                    throw new IllegalStateException("Schema registry could not bind a port in " + START_ATTEMPTS
                            + " attempts; last attempt's log:\n" + logTail(logFile));
                }
                log.warn("Port {} was taken before the schema registry could bind it; retrying on another port", port);
                continue;
            } catch (RuntimeException | Error e) {
                StopHooks.remove(hook);
                stopProcess(process);
                throw e;
            }
            EmbeddedSchemaRegistry registry = new EmbeddedSchemaRegistry(process, port, workDir, logFile, hook);
            try {
                registry.setGlobalCompatibility("BACKWARD");
            } catch (RuntimeException | Error e) {
                registry.close();
                throw e;
            }
            log.info("Schema registry ready at {} in {} ms (pid {})", registry.url(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos), process.pid());
            return registry;
        }
    }

    private static Process launch(String java, Path jar, int port, Path workDir, Path logFile) {
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(JVM_OPTIONS);
        // system properties outrank everything the jar or the environment could set
        command.add("-Dquarkus.http.host=" + HOST);
        command.add("-Dquarkus.http.port=" + port);
        // a QUARKUS_PROFILE in the environment would drop Apicurio's %prod settings (the datasource)
        command.add("-Dquarkus.profile=prod");
        // Vert.x and others write to java.io.tmpdir; keep that inside our directory, which close() deletes
        command.add("-Djava.io.tmpdir=" + workDir);
        command.add("-jar");
        command.add(jar.toString());
        try {
            return new ProcessBuilder(command)
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the schema registry: " + String.join(" ", command), e);
        }
    }

    private static void awaitReady(Process process, int port, Path logFile) {
        String subjects = baseUrl(port) + "/subjects";
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            if (!process.isAlive()) {
                String tail = logTail(logFile);
                if (tail.contains("seems to be in use by another process") || tail.contains("Address already in use")) {
                    throw new PortTakenException();
                }
                throw new IllegalStateException("Schema registry exited with code " + process.exitValue()
                        + " during start-up; log " + logFile + " ends with:\n" + tail);
            }
            try {
                if (request("GET", subjects, null) == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("Schema registry did not answer " + subjects + " within "
                        + START_TIMEOUT.toSeconds() + " s; log " + logFile + " ends with:\n" + logTail(logFile));
            }
            sleep(POLL_INTERVAL);
        }
    }

    private void setGlobalCompatibility(String level) {
        String config = url() + "/config";
        int status;
        try {
            status = request("PUT", config, "{\"compatibility\":\"" + level + "\"}");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot set the schema registry's compatibility: PUT " + config, e);
        }
        if (status != 200) {
            throw new IllegalStateException("PUT " + config + " answered HTTP " + status
                    + "; the registry's log ends with:\n" + logTail(logFile));
        }
    }

    /** Sends one request and returns the status code. */
    private static int request(String method, String url, String jsonBody) throws IOException {
        // never through a proxy configured for the test JVM: the registry is on loopback
        HttpURLConnection connection = (HttpURLConnection) new URL(url).openConnection(Proxy.NO_PROXY);
        try {
            connection.setRequestMethod(method);
            connection.setConnectTimeout(HTTP_TIMEOUT_MS);
            connection.setReadTimeout(HTTP_TIMEOUT_MS);
            connection.setRequestProperty("Accept", CONTENT_TYPE);
            if (jsonBody != null) {
                byte[] body = jsonBody.getBytes(StandardCharsets.UTF_8);
                connection.setDoOutput(true);
                connection.setRequestProperty("Content-Type", CONTENT_TYPE);
                connection.setFixedLengthStreamingMode(body.length);
                try (OutputStream out = connection.getOutputStream()) {
                    out.write(body);
                }
            }
            int status = connection.getResponseCode();
            try (InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream()) {
                if (in != null) {
                    in.readAllBytes();
                }
            }
            return status;
        } finally {
            connection.disconnect();
        }
    }

    // --- stopping

    /** Stops the process gracefully, then forcibly; returns its exit code, or -1 if it could not be reaped. */
    private static int stopProcess(Process process) {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    log.warn("Schema registry (pid {}) did not stop within {} s; killing it",
                            process.pid(), STOP_TIMEOUT.toSeconds());
                    process.destroyForcibly();
                    process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        return process.isAlive() ? -1 : process.exitValue();
    }

    // --- helpers

    private static Path locateJar() {
        return BuildOutputs.locate(JAR_PROPERTY, JAR_ENV, DEFAULT_JAR, BUILD_HINT);
    }

    /**
     * The {@code java} of the running JVM. {@code java.home} comes first because the process command
     * may be a custom launcher (an IDE, jpackage) that does not take {@code -jar}.
     */
    private static String javaExecutable() {
        boolean windows = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
        Path fromHome = Paths.get(System.getProperty("java.home"), "bin", windows ? "java.exe" : "java");
        if (Files.isExecutable(fromHome)) {
            return fromHome.toString();
        }
        return ProcessHandle.current().info().command()
                .orElseThrow(() -> new IllegalStateException("Cannot find the java executable of this JVM"));
    }

    private static String baseUrl(int port) {
        return "http://" + HOST + ":" + port + API_PATH;
    }

    private static String logTail(Path logFile) {
        try {
            String text = new String(Files.readAllBytes(logFile), StandardCharsets.UTF_8);
            List<String> lines = Arrays.asList(text.split("\\R"));
            return String.join(System.lineSeparator(),
                    lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    /** Best effort: a leftover temporary directory must not fail a test that passed. */
    private static void deleteRecursively(Path dir) {
        try {
            TempDirectories.delete(dir);
        } catch (UncheckedIOException e) {
            log.warn("Cannot delete the schema registry's temporary directory {}: {}", dir, e.getCause().toString());
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for the schema registry", e);
        }
    }

    /** The registry exited because its port was taken between {@link FreePorts#pick()} and its bind. */
    private static final class PortTakenException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        PortTakenException() {
            super(null, null, false, false);
        }
    }
}
