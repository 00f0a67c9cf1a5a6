package io.streamtrain.dashboard;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;

import io.streamtrain.registry.RestSchemaRegistryClient;
import io.streamtrain.registry.SchemaRegistryClient;

/**
 * {@code streamtrain dashboard}: a web page that follows the learner's metrics, snapshots, events and control
 * answers across the cluster ({@link DashboardFeed}) and draws each model's curves live ({@link DashboardServer}).
 * It only reads: no consumer group, no commits, nothing written to the cluster.
 */
public final class Dashboard implements AutoCloseable {

    /** The port it listens on unless told otherwise. */
    public static final int DEFAULT_PORT = 9470;
    /** Metrics windows, snapshots, events and answers kept per model (each kind), for pages opened later. */
    static final int KEPT_PER_KIND = 3_600;
    /** Items a page may fall behind before it is dropped (its browser reconnects). */
    static final int WATCHER_QUEUE = 20_000;

    private final SchemaRegistryClient registry;
    private final DashboardFeed feed;
    private final Thread feedThread;
    private final DashboardServer server;

    private Dashboard(SchemaRegistryClient registry, DashboardFeed feed, Thread feedThread, DashboardServer server) {
        this.registry = registry;
        this.feed = feed;
        this.feedThread = feedThread;
        this.server = server;
    }

    /**
     * Starts following the topics under {@code prefix} and serving the page on {@code host}:{@code port}.
     *
     * @param consumerConfig Kafka client settings (bootstrap servers, security); its group settings are ignored
     * @param registryConfig the registry client's settings ({@code schema.registry.url}, credentials, TLS)
     * @param history how far back the curves start: metrics, events and answers written since then
     * @param port 0 for any free port
     * @throws IOException when it cannot listen there
     */
    public static Dashboard start(Map<String, Object> consumerConfig, Map<String, Object> registryConfig,
            String prefix, Duration history, String host, int port) throws IOException {
        if (history.isNegative() || history.isZero()) {
            throw new IllegalArgumentException("the history must be positive, not " + history);
        }
        FeedHistory items = new FeedHistory(KEPT_PER_KIND, WATCHER_QUEUE);
        SchemaRegistryClient registry = new RestSchemaRegistryClient(registryConfig);
        DashboardServer server = null;
        DashboardFeed feed;
        try {
            // the address first: a port in use is found before any client to the cluster exists
            server = DashboardServer.start(host, port, items, () -> "{\"status\":\"UP\",\"models\":"
                    + items.models() + "}");
            feed = new DashboardFeed(consumerConfig, registry, prefix, history, items, System::currentTimeMillis);
        } catch (IOException | RuntimeException e) {
            if (server != null) {
                server.close();
            }
            registry.close();
            throw e;
        }
        Thread thread = new Thread(feed, "streamtrain-dashboard-feed");
        thread.setDaemon(true);
        thread.start();
        return new Dashboard(registry, feed, thread, server);
    }

    /** Where the page is, for the terminal: {@code http://127.0.0.1:9470/}. */
    public String url() {
        return server.url();
    }

    public int port() {
        return server.port();
    }

    /** Whether the feed still reads (it ends only when closed, or on an error it cannot go on from). */
    public boolean isAlive() {
        return feedThread.isAlive();
    }

    @Override
    public void close() {
        server.close();
        feed.stop();
        try {
            feedThread.join(Duration.ofSeconds(10).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            registry.close();
        }
    }
}
