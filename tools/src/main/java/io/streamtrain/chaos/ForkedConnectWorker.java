package io.streamtrain.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
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
import java.util.Map;
import java.util.Properties;

import io.streamtrain.embedded.ChildJvm;
import io.streamtrain.embedded.ConnectJson;
import io.streamtrain.embedded.EmbeddedConnectWorker;
import com.fasterxml.jackson.databind.JsonNode;
import io.streamtrain.embedded.FreePorts;

/**
 * A Kafka Connect worker in distributed mode in a JVM of its own ({@code ConnectDistributed}, as
 * {@code connect-distributed.sh} runs it), its REST API on 127.0.0.1, its plugins loaded from {@code plugin.path}, so
 * that it can be killed with SIGKILL mid-stream: no task stop, no offset commit, no group leave. A new start joins the
 * same group on a new port and finds its connectors and committed offsets in Kafka.
 *
 * <p>Group sessions are short (6 s) so that the group notices the killed worker and its sink consumer quickly.
 */
public final class ForkedConnectWorker implements AutoCloseable {

    private static final String MAIN = "org.apache.kafka.connect.cli.ConnectDistributed";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final int START_ATTEMPTS = 3;

    private final String name;
    private final Path workDir;
    private final Path logFile;
    private final Map<String, String> baseProperties;
    private final HttpClient http = HttpClient.newBuilder()
            .proxy(HttpClient.Builder.NO_PROXY) // loopback: never through a proxy of this JVM
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private Process process;
    private URI restUrl;
    private int starts;
    private boolean killedByUs;

    /**
     * @param name a name for messages and files, e.g. {@code connect}
     * @param workDir where its properties and log go
     * @param bootstrapServers the cluster that holds its config, offset and status topics
     * @param groupId the Connect group; the internal topics are named after it
     * @param pluginPath the directory with the unpacked plugins
     * @param overrides worker properties that win over the defaults (e.g. {@code offset.flush.interval.ms})
     */
    public ForkedConnectWorker(String name, Path workDir, String bootstrapServers, String groupId, Path pluginPath,
            Map<String, String> overrides) {
        this.name = name;
        this.workDir = workDir;
        this.logFile = workDir.resolve(name + ".log");
        try {
            Files.createDirectories(workDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + workDir, e);
        }
        Map<String, String> p = EmbeddedConnectWorker.singleBrokerWorkerProperties(bootstrapServers, groupId,
                pluginPath.toAbsolutePath().toString());
        p.put("offset.flush.interval.ms", "5000");
        // a SIGKILLed worker never leaves its groups: the worker group and the sink task's consumer group
        p.put("session.timeout.ms", "6000");
        p.put("heartbeat.interval.ms", "1000");
        p.put("consumer.session.timeout.ms", "6000");
        p.put("consumer.heartbeat.interval.ms", "1000");
        p.putAll(overrides);
        this.baseProperties = Map.copyOf(p);
    }

    public String name() {
        return name;
    }

    /** Starts a worker JVM (again) on a free port and waits until its REST API reports it healthy. */
    public synchronized void start() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException(name + " is running already (pid " + process.pid() + ")");
        }
        RuntimeException last = null;
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            int port = FreePorts.pick();
            try {
                launch(port);
                awaitHealthy();
                return;
            } catch (PortTaken e) {
                last = e;
            }
        }
        throw new IllegalStateException(name + ": no free port in " + START_ATTEMPTS + " attempts", last);
    }

    private void launch(int port) {
        Path config = workDir.resolve(name + ".properties");
        Properties p = new Properties();
        p.putAll(baseProperties);
        p.put("listeners", "http://127.0.0.1:" + port);
        p.put("rest.advertised.port", Integer.toString(port));
        try (Writer out = Files.newBufferedWriter(config, StandardCharsets.UTF_8)) {
            p.store(out, name);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + config, e);
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx512m", "-XX:+UseParallelGC",
                "-Djava.net.preferIPv4Stack=true", "-cp", System.getProperty("java.class.path"), MAIN,
                config.toString()));
        starts++;
        ChildJvm.appendMarker(logFile, name, "start #" + starts + " on port " + port);
        try {
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the Connect worker JVM " + name, e);
        }
        killedByUs = false;
        restUrl = URI.create("http://127.0.0.1:" + port + "/");
    }

    private void awaitHealthy() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                String log = logTail(80);
                if (log.contains("Address already in use") || log.contains("Failed to bind")) {
                    throw new PortTaken(log);
                }
                throw new IllegalStateException(name + " exited with code " + process.exitValue()
                        + " while starting; log:\n" + log);
            }
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(restUrl.resolve("/health"))
                        .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
                last = "HTTP " + response.statusCode() + ": " + response.body();
            } catch (IOException e) {
                last = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + name, e);
            }
            Pause.millis(250);
        }
        throw new IllegalStateException(name + " was not healthy within " + START_TIMEOUT.toSeconds() + " s (" + last
                + "); log:\n" + logTail(80));
    }

    /** Kills the worker JVM with SIGKILL and waits for it to be gone. */
    public synchronized void kill() {
        if (process == null || !process.isAlive()) {
            throw new IllegalStateException(name + " is not running; log:\n" + logTail(40));
        }
        ChildJvm.appendMarker(logFile, name, "SIGKILL to pid " + process.pid());
        killedByUs = true;
        process.destroyForcibly();
        ChildJvm.await(process, STOP_TIMEOUT, "the SIGKILLed Connect worker " + name + " did not die");
    }

    public synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** Whether the worker JVM ended without being killed or stopped by this object. */
    public synchronized boolean exitedByItself() {
        return process != null && !process.isAlive() && !killedByUs;
    }

    public synchronized long pid() {
        return process == null ? -1 : process.pid();
    }

    public synchronized int starts() {
        return starts;
    }

    public synchronized URI restUrl() {
        return restUrl;
    }

    public Path logFile() {
        return logFile;
    }

    /** The last lines logged, for failure messages. */
    public String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    // --- REST

    /** Creates or updates a connector ({@code PUT /connectors/{name}/config}), retrying while the group rebalances. */
    public void putConnector(String connector, Map<String, String> config) {
        send("PUT", "connectors/" + ConnectJson.pathSegment(connector) + "/config", ConnectJson.toJson(config), 200,
                201);
    }

    /** {@code GET /connectors/{name}/status}. */
    public JsonNode status(String connector) {
        return send("GET", "connectors/" + ConnectJson.pathSegment(connector) + "/status", null, 200);
    }

    /** Waits until the connector and {@code tasks} tasks are RUNNING; fails at once when one FAILED. */
    public void awaitRunning(String connector, int tasks, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no status";
        while (System.nanoTime() < deadline) {
            if (!isAlive()) {
                throw new IllegalStateException(name + " exited while waiting for " + connector + "; log:\n"
                        + logTail(60));
            }
            try {
                JsonNode status = status(connector);
                last = status.toString();
                String state = status.path("connector").path("state").asText();
                if ("FAILED".equals(state)) {
                    throw new IllegalStateException("connector " + connector + " FAILED: " + status);
                }
                int running = 0;
                for (JsonNode task : status.path("tasks")) {
                    if ("FAILED".equals(task.path("state").asText())) {
                        throw new IllegalStateException("a task of " + connector + " FAILED: " + task);
                    }
                    if ("RUNNING".equals(task.path("state").asText())) {
                        running++;
                    }
                }
                if ("RUNNING".equals(state) && running >= tasks && running == status.path("tasks").size()) {
                    return;
                }
            } catch (RestFailure e) {
                last = e.getMessage(); // 404 until the herder has read the connector's config
            }
            Pause.millis(250);
        }
        throw new IllegalStateException("connector " + connector + " was not RUNNING with " + tasks + " tasks within "
                + timeout.toSeconds() + " s; last status " + last + "; worker log:\n" + logTail(60));
    }

    private JsonNode send(String method, String path, String body, int... expected) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            URI uri = restUrl().resolve("/" + path);
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(100))
                    .header("Accept", "application/json");
            if (body != null) {
                request.header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
            } else {
                request.method(method, HttpRequest.BodyPublishers.noBody());
            }
            HttpResponse<String> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(method + " " + uri + " failed", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted during " + method + " " + uri, e);
            }
            for (int status : expected) {
                if (response.statusCode() == status) {
                    return ConnectJson.parse(response.body());
                }
            }
            int status = response.statusCode();
            boolean busy = status == 409 || status == 503 || (status == 500 && response.body().contains("rebalance"));
            if (!busy || System.nanoTime() > deadline) {
                throw new RestFailure(method + " /" + path + " answered HTTP " + status + ": " + response.body());
            }
            Pause.millis(250);
        }
    }

    /** Stops the worker as an operator would (SIGTERM: tasks stop and commit), killing it if it hangs. */
    @Override
    public synchronized void close() {
        if (process != null && process.isAlive()) {
            killedByUs = true;
            ChildJvm.stop(process, STOP_TIMEOUT, "the Connect worker " + name);
        }
    }

    /** A REST answer that was not a success. */
    static final class RestFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RestFailure(String message) {
            super(message);
        }
    }

    /** The worker could not bind its REST port: another process took it between the pick and the bind. */
    private static final class PortTaken extends RuntimeException {
        private static final long serialVersionUID = 1L;

        PortTaken(String log) {
            super("the REST port was taken; log:\n" + log);
        }
    }
}
