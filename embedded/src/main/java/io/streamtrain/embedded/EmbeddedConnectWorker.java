package io.streamtrain.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.connect.cli.ConnectDistributed;
import org.apache.kafka.connect.connector.policy.ConnectorClientConfigOverridePolicy;
import org.apache.kafka.connect.runtime.WorkerConfig;
import org.apache.kafka.connect.runtime.distributed.DistributedConfig;
import org.apache.kafka.connect.runtime.distributed.DistributedHerder;
import org.apache.kafka.connect.runtime.isolation.Plugins;
import org.apache.kafka.connect.runtime.rest.ConnectRestServer;
import org.apache.kafka.connect.runtime.rest.RestClient;
import org.apache.kafka.connect.runtime.rest.RestServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka Connect worker in distributed mode in this JVM, its REST API on {@code 127.0.0.1} (a free port), its
 * config, offset and status topics on a given Kafka cluster, and plugins loaded from {@code plugin.path} (or unpacked
 * from a plugin zip), as a Connect installation would load them.
 *
 * <p>Distributed rather than standalone mode because it is how Connect runs in production and because connector
 * configurations live in Kafka: {@link #restart()} stops this worker and starts a new one in the same group, which
 * finds the connectors and their committed offsets again, as after a worker crash and restart.
 *
 * <p>Kafka's own {@code EmbeddedConnectCluster} test kit binds every interface, so this builds the worker the way
 * {@code connect-distributed.sh} does, minus the JVM exit on failure and the shutdown hook. Connectors are managed
 * through the REST API, as a user would: {@link #createConnector}, {@link #restartConnector}, {@link #awaitRunning}.
 *
 * <pre>{@code
 * try (EmbeddedConnectWorker connect = EmbeddedConnectWorker.builder(broker.bootstrapServers())
 *         .pluginZip(Path.of("target/my-plugin.zip")).start()) {
 *     connect.createConnector("sink", Map.of("connector.class", "...", "topics", "in"));
 *     connect.awaitRunning("sink", 1, Duration.ofSeconds(60));
 * }
 * }</pre>
 */
public final class EmbeddedConnectWorker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedConnectWorker.class);

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(100);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(200);

    /** The state of a connector and its tasks, as {@code GET /connectors/{name}/status} reports it. */
    public record ConnectorStatus(String name, String state, String trace, List<TaskStatus> tasks) {

        /** Whether the connector and at least {@code taskCount} tasks are RUNNING, and no task is in another state. */
        public boolean isRunning(int taskCount) {
            return "RUNNING".equals(state) && tasks.size() >= taskCount
                    && tasks.stream().allMatch(t -> "RUNNING".equals(t.state()));
        }

        /** A failed task, or null. */
        public TaskStatus failedTask() {
            return tasks.stream().filter(t -> "FAILED".equals(t.state())).findFirst().orElse(null);
        }
    }

    /** The state of one task; {@code trace} is the stack trace of a FAILED task, else null. */
    public record TaskStatus(int id, String state, String trace) {
    }

    /** Answer of the REST API that was not a success. */
    public static final class RestException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int status;

        RestException(String request, int status, String body) {
            super(request + " answered HTTP " + status + ": " + body);
            this.status = status;
        }

        /** The HTTP status. */
        public int status() {
            return status;
        }
    }

    private final Map<String, String> workerProperties;
    private final List<Path> ownedDirectories;
    private final HttpClient http = HttpClient.newBuilder()
            .proxy(HttpClient.Builder.NO_PROXY) // the worker is on loopback: never through a proxy of the test JVM
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private Running running;

    /** A started herder and its REST server. */
    private record Running(DistributedHerder herder, RestServer rest, URI url) {
    }

    private EmbeddedConnectWorker(Map<String, String> workerProperties, List<Path> ownedDirectories) {
        this.workerProperties = Map.copyOf(workerProperties);
        this.ownedDirectories = List.copyOf(ownedDirectories);
    }

    /** A builder of a worker that stores its configs, offsets and status on the cluster at {@code bootstrapServers}. */
    public static Builder builder(String bootstrapServers) {
        return new Builder(bootstrapServers);
    }

    /** Builds and starts an {@link EmbeddedConnectWorker}. */
    public static final class Builder {
        private final String bootstrapServers;
        private final List<Path> pluginDirectories = new ArrayList<>();
        private final List<Path> pluginZips = new ArrayList<>();
        private final Map<String, String> overrides = new LinkedHashMap<>();
        private String groupId = "streamtrain-connect-" + UUID.randomUUID().toString().substring(0, 8);

        private Builder(String bootstrapServers) {
            this.bootstrapServers = bootstrapServers;
        }

        /** Adds a directory to {@code plugin.path}: each sub-directory or jar in it is one isolated plugin. */
        public Builder pluginPath(Path directory) {
            pluginDirectories.add(directory.toAbsolutePath());
            return this;
        }

        /**
         * Unpacks a plugin zip (Confluent Hub layout: one top directory with {@code lib/}) into a temporary directory
         * on {@code plugin.path}, removed on {@link #close()}.
         */
        public Builder pluginZip(Path zip) {
            pluginZips.add(zip.toAbsolutePath());
            return this;
        }

        /** The Connect group id; the internal topics are named after it. Random by default. */
        public Builder groupId(String id) {
            this.groupId = id;
            return this;
        }

        /** A worker property, which wins over the defaults (for example {@code offset.flush.interval.ms}). */
        public Builder workerProperty(String key, String value) {
            overrides.put(key, value);
            return this;
        }

        /** Starts the worker and waits until its REST API answers. */
        public EmbeddedConnectWorker start() {
            List<Path> owned = new ArrayList<>();
            try {
                List<Path> path = new ArrayList<>(pluginDirectories);
                for (Path zip : pluginZips) {
                    Path dir = TempDirectories.create("streamtrain-connect-plugins-");
                    owned.add(dir);
                    unzip(zip, dir);
                    path.add(dir);
                }
                if (path.isEmpty()) {
                    // an empty plugin.path is legal, but an explicit empty directory keeps the worker from scanning cwd
                    Path empty = TempDirectories.create("streamtrain-connect-plugins-");
                    owned.add(empty);
                    path.add(empty);
                }
                EmbeddedConnectWorker worker = new EmbeddedConnectWorker(properties(path), owned);
                worker.running = worker.startWorker();
                return worker;
            } catch (RuntimeException e) {
                owned.forEach(TempDirectories::delete);
                throw e;
            }
        }

        private Map<String, String> properties(List<Path> pluginPath) {
            Map<String, String> p = singleBrokerWorkerProperties(bootstrapServers, groupId,
                    pluginPath.stream().map(Path::toString).collect(Collectors.joining(",")));
            // loopback only, on a free port
            p.put("listeners", "http://127.0.0.1:0");
            // sink offsets are committed at this interval: short, so tests see commits quickly
            p.put("offset.flush.interval.ms", "1000");
            p.putAll(overrides);
            return p;
        }
    }

    /**
     * The settings of a distributed worker beside a single broker, with plugins from {@code pluginPath} (comma
     * separated): its internal topics named after the group, one replica each, JSON converters, a REST API advertised
     * on 127.0.0.1 (the caller sets {@code listeners}), plugins found by {@code service_load}, and a restarted worker
     * taking its work back at once. For a worker in this JVM or in a process of its own.
     */
    public static Map<String, String> singleBrokerWorkerProperties(String bootstrapServers, String groupId,
            String pluginPath) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("bootstrap.servers", bootstrapServers);
        p.put("group.id", groupId);
        p.put("config.storage.topic", groupId + "-configs");
        p.put("offset.storage.topic", groupId + "-offsets");
        p.put("status.storage.topic", groupId + "-status");
        // one broker: one replica, and few partitions keep start-up short
        p.put("config.storage.replication.factor", "1");
        p.put("offset.storage.replication.factor", "1");
        p.put("status.storage.replication.factor", "1");
        p.put("offset.storage.partitions", "2");
        p.put("status.storage.partitions", "2");
        p.put("key.converter", "org.apache.kafka.connect.json.JsonConverter");
        p.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        p.put("key.converter.schemas.enable", "false");
        p.put("value.converter.schemas.enable", "false");
        // advertised as loopback so that the herder forwards requests to itself
        p.put("rest.advertised.host.name", "127.0.0.1");
        p.put("rest.advertised.listener", "http");
        p.put("plugin.path", pluginPath);
        // plugins must declare themselves in META-INF/services, as Kafka 4 recommends; no slow reflective scan
        p.put("plugin.discovery", "service_load");
        // a restarted worker is a new member: take its work back at once instead of waiting for the old one
        p.put("scheduled.rebalance.max.delay.ms", "0");
        p.put("task.shutdown.graceful.timeout.ms", "10000");
        p.put("connector.client.config.override.policy", "All");
        return p;
    }

    /** The base URL of the REST API, {@code http://127.0.0.1:port/}; it changes when the worker {@link #restart()}s. */
    public synchronized URI restUrl() {
        requireRunning();
        return running.url();
    }

    /** The worker properties it was started with. */
    public Map<String, String> workerProperties() {
        return workerProperties;
    }

    /** The value of {@code plugin.path}. */
    public String pluginPath() {
        return workerProperties.get("plugin.path");
    }

    /**
     * Stops this worker (connectors and tasks stop gracefully, committing their offsets) and starts a new one in the
     * same group with the same plugins, on a new port. Connectors come back from the config topic.
     */
    public synchronized void restart() {
        stopWorker();
        running = startWorker();
    }

    /** Stops the worker and removes the plugin directories it unpacked. */
    @Override
    public synchronized void close() {
        try {
            stopWorker();
        } finally {
            ownedDirectories.forEach(dir -> {
                try {
                    TempDirectories.delete(dir);
                } catch (UncheckedIOException e) {
                    log.warn("Cannot delete {}: {}", dir, e.getCause().toString());
                }
            });
        }
    }

    // --- REST helpers

    /** Creates a connector, or replaces its configuration ({@code PUT /connectors/{name}/config}). */
    public void createConnector(String name, Map<String, String> config) {
        send("PUT", "connectors/" + ConnectJson.pathSegment(name) + "/config", ConnectJson.toJson(config), 200, 201);
    }

    /** Deletes a connector and its tasks. */
    public void deleteConnector(String name) {
        send("DELETE", "connectors/" + ConnectJson.pathSegment(name), null, 204, 200);
    }

    /** Restarts a connector and all its tasks ({@code POST /connectors/{name}/restart?includeTasks=true}). */
    public void restartConnector(String name) {
        send("POST", "connectors/" + ConnectJson.pathSegment(name) + "/restart?includeTasks=true&onlyFailed=false",
                null, 202, 204, 200);
    }

    /** Names of the connectors. */
    public List<String> connectors() {
        JsonNode list = send("GET", "connectors", null, 200);
        List<String> names = new ArrayList<>();
        list.forEach(n -> names.add(n.asText()));
        return names;
    }

    /** The plugins the worker loaded: each with {@code class}, {@code type} and {@code version}. */
    public JsonNode connectorPlugins() {
        return send("GET", "connector-plugins?connectorsOnly=false", null, 200);
    }

    /** Validates a connector configuration ({@code PUT /connector-plugins/{class}/config/validate}). */
    public JsonNode validate(String connectorClass, Map<String, String> config) {
        return send("PUT", "connector-plugins/" + ConnectJson.pathSegment(connectorClass) + "/config/validate",
                ConnectJson.toJson(config), 200);
    }

    /** The status of a connector and its tasks. */
    public ConnectorStatus status(String name) {
        JsonNode node = send("GET", "connectors/" + ConnectJson.pathSegment(name) + "/status", null, 200);
        List<TaskStatus> tasks = new ArrayList<>();
        node.path("tasks").forEach(t -> tasks.add(new TaskStatus(t.path("id").asInt(), t.path("state").asText(),
                t.hasNonNull("trace") ? t.get("trace").asText() : null)));
        JsonNode connector = node.path("connector");
        return new ConnectorStatus(name, connector.path("state").asText(),
                connector.hasNonNull("trace") ? connector.get("trace").asText() : null, tasks);
    }

    /**
     * Waits until the connector and {@code taskCount} tasks are RUNNING.
     *
     * @throws IllegalStateException at once if the connector or a task FAILED (with its trace), or at the timeout
     */
    public ConnectorStatus awaitRunning(String name, int taskCount, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        ConnectorStatus last = null;
        RestException lastError = null;
        while (System.nanoTime() < deadline) {
            try {
                last = status(name);
                if ("FAILED".equals(last.state())) {
                    throw new IllegalStateException("connector " + name + " FAILED: " + last.trace());
                }
                TaskStatus failed = last.failedTask();
                if (failed != null) {
                    throw new IllegalStateException("task " + failed.id() + " of connector " + name + " FAILED: "
                            + failed.trace());
                }
                if (last.isRunning(taskCount)) {
                    return last;
                }
            } catch (RestException e) {
                lastError = e; // 404 until the herder has read the new config
            }
            sleep(POLL_INTERVAL);
        }
        throw new IllegalStateException("connector " + name + " was not RUNNING with " + taskCount + " tasks within "
                + timeout.toSeconds() + " s; last status " + last + (lastError == null ? "" : ", last error " + lastError));
    }

    /** Waits until a task of the connector is FAILED and returns its status. */
    public TaskStatus awaitTaskFailed(String name, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        ConnectorStatus last = null;
        while (System.nanoTime() < deadline) {
            try {
                last = status(name);
                TaskStatus failed = last.failedTask();
                if (failed != null) {
                    return failed;
                }
            } catch (RestException e) {
                // not there yet
            }
            sleep(POLL_INTERVAL);
        }
        throw new IllegalStateException("no task of connector " + name + " FAILED within " + timeout.toSeconds()
                + " s; last status " + last);
    }

    /**
     * Sends one request to the REST API and returns the JSON answer (empty for no content). While the herder is
     * rebalancing the worker answers 409 or 503: such requests are retried until the start timeout.
     */
    public JsonNode send(String method, String path, String jsonBody, int... expectedStatus) {
        String request = method + " /" + path;
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            HttpResponse<String> response = exchange(method, path, jsonBody);
            int status = response.statusCode();
            for (int expected : expectedStatus) {
                if (status == expected) {
                    return ConnectJson.parse(response.body());
                }
            }
            boolean transientStatus = status == 409 || status == 503
                    || (status == 500 && response.body().contains("rebalance"));
            if (!transientStatus || System.nanoTime() > deadline) {
                throw new RestException(request, status, response.body());
            }
            log.debug("{} answered {} (worker busy); retrying", request, status);
            sleep(POLL_INTERVAL);
        }
    }

    private HttpResponse<String> exchange(String method, String path, String jsonBody) {
        URI uri = restUrl().resolve("/" + path);
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri)
                .timeout(REQUEST_TIMEOUT)
                .header("Accept", "application/json");
        if (jsonBody != null) {
            builder.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(jsonBody, StandardCharsets.UTF_8));
        } else {
            builder.method(method, HttpRequest.BodyPublishers.noBody());
        }
        try {
            return http.send(builder.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + uri + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during " + method + " " + uri, e);
        }
    }

    // --- lifecycle

    private Running startWorker() {
        long started = System.nanoTime();
        // Plugins makes its class loader the context class loader of the calling thread: give the caller's back
        ClassLoader callerLoader = Thread.currentThread().getContextClassLoader();
        ConnectRestServer rest = null;
        DistributedHerder herder = null;
        try {
            Plugins plugins = new Plugins(workerProperties);
            plugins.compareAndSwapWithDelegatingLoader();
            DistributedConfig config = new DistributedConfig(workerProperties);
            RestClient restClient = new RestClient(config);
            rest = new ConnectRestServer(config.rebalanceTimeout(), restClient, config.originals());
            rest.initializeServer();
            URI advertised = rest.advertisedUrl();
            String workerId = advertised.getHost() + ":" + advertised.getPort();
            // newPlugins, not newPlugin: the latter's overloads name a Maven class that is only on the runtime path
            ConnectorClientConfigOverridePolicy policy = plugins.newPlugins(
                    List.of(config.getString(WorkerConfig.CONNECTOR_CLIENT_POLICY_CLASS_CONFIG)), config,
                    ConnectorClientConfigOverridePolicy.class).get(0);
            herder = new HerderFactory().create(config, workerId, plugins, policy, rest, restClient);
            herder.start();
            rest.initializeResources(herder);
            Running worker = new Running(herder, rest, rest.serverUrl());
            awaitReady(worker.url());
            log.info("embedded Connect worker started at {} (plugin.path {}) in {} ms", worker.url(), pluginPath(),
                    Duration.ofNanos(System.nanoTime() - started).toMillis());
            return worker;
        } catch (RuntimeException e) {
            stopQuietly(rest, herder);
            throw new IllegalStateException("the embedded Connect worker did not start: " + e.getMessage(), e);
        } finally {
            Thread.currentThread().setContextClassLoader(callerLoader);
        }
    }

    private void awaitReady(URI url) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        // /health answers 200 once the herder has read its internal topics and joined the group (KIP-1017)
        URI connectors = url.resolve("/health");
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(connectors)
                        .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
                last = "HTTP " + response.statusCode() + ": " + response.body();
            } catch (IOException e) {
                last = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the Connect worker", e);
            }
            sleep(POLL_INTERVAL);
        }
        throw new IllegalStateException("the Connect REST API at " + url + " was not ready within "
                + START_TIMEOUT.toSeconds() + " s: " + last);
    }

    private void stopWorker() {
        Running r = running;
        running = null;
        if (r != null) {
            long started = System.nanoTime();
            stopQuietly(r.rest(), r.herder());
            log.info("embedded Connect worker at {} stopped in {} ms", r.url(),
                    Duration.ofNanos(System.nanoTime() - started).toMillis());
        }
    }

    private static void stopQuietly(RestServer rest, DistributedHerder herder) {
        // the order of Connect#stop: no new requests, then connectors and tasks stop and commit
        if (rest != null) {
            try {
                rest.stop();
            } catch (RuntimeException e) {
                log.warn("stopping the Connect REST server failed", e);
            }
        }
        if (herder != null) {
            try {
                herder.stop();
            } catch (RuntimeException e) {
                log.warn("stopping the Connect herder failed", e);
            }
        }
    }

    private void requireRunning() {
        if (running == null) {
            throw new IllegalStateException("the embedded Connect worker is not running");
        }
    }

    /** Gives access to the herder that {@code connect-distributed.sh} builds, with its stores and shared admin. */
    private static final class HerderFactory extends ConnectDistributed {
        DistributedHerder create(DistributedConfig config, String workerId, Plugins plugins,
                ConnectorClientConfigOverridePolicy policy, RestServer rest, RestClient restClient) {
            return createHerder(config, workerId, plugins, policy, rest, restClient);
        }
    }

    // --- helpers

    /**
     * Unpacks a zip (e.g. a plugin) into {@code target}, refusing entries that would land outside it; the
     * {@link Builder#pluginZip} of a worker does this into a directory it owns.
     */
    public static void unzip(Path zip, Path target) {
        Path root = target.toAbsolutePath().normalize();
        try (InputStream file = Files.newInputStream(zip); ZipInputStream in = new ZipInputStream(file)) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                Path out = root.resolve(entry.getName()).normalize();
                if (!out.startsWith(root)) {
                    throw new IllegalArgumentException("zip entry " + entry.getName() + " of " + zip
                            + " points outside the target directory");
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(out);
                } else {
                    Files.createDirectories(out.getParent());
                    Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack " + zip + " into " + target, e);
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
