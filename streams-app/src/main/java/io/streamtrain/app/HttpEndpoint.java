package io.streamtrain.app;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Supplier;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The HTTP endpoint of a learner or a serving replica: {@code /metrics}, every numeric metric of Kafka Streams'
 * registry (the learner's own among them) in the Prometheus text format, read at each scrape; and {@code /health},
 * 200 once Kafka Streams is RUNNING (a task restoring its store keeps it REBALANCING, so RUNNING means restored),
 * else 503, each with a line of JSON that names the state. It binds where {@code streamtrain.http.host} says,
 * 127.0.0.1 by default. The Prometheus Java client serves it, on its registry of this one collector (not the
 * client's global one, so two learners in one JVM each export their own).
 */
final class HttpEndpoint implements AutoCloseable {

    static final String METRICS_PATH = "/metrics";
    static final String HEALTH_PATH = "/health";

    private final HTTPServer server;
    private final String host;

    private HttpEndpoint(HTTPServer server, String host) {
        this.server = server;
        this.host = host;
    }

    /** Opens the endpoint of a Kafka Streams application. */
    static HttpEndpoint open(String host, int port, KafkaStreams streams) throws IOException {
        return open(host, port, streams::metrics, streams::state);
    }

    /** Opens the endpoint over any metrics registry and state: {@code port} 0 takes a free port. */
    static HttpEndpoint open(String host, int port, Supplier<Map<MetricName, ? extends Metric>> metrics,
            Supplier<KafkaStreams.State> state) throws IOException {
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(new StreamsMetricsCollector(metrics));
        HTTPServer server = HTTPServer.builder()
                .hostname(host)
                .port(port)
                .registry(registry)
                .metricsHandlerPath(METRICS_PATH)
                .registerHealthHandler(false)
                .defaultHandler(new Paths(state))
                .buildAndStart();
        return new HttpEndpoint(server, host);
    }

    /** The port it listens on (the one taken, for port 0). */
    int port() {
        return server.getPort();
    }

    /** Where it is, for the start log and the terminal: {@code http://127.0.0.1:9464}. */
    String url() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return "http://" + h + ":" + port();
    }

    InetSocketAddress address() {
        return new InetSocketAddress(host, port());
    }

    @Override
    public void close() {
        server.close();
    }

    /** Every path but /metrics: /health, and 404 for the rest. */
    private static final class Paths implements HttpHandler {
        private final Supplier<KafkaStreams.State> state;

        Paths(Supplier<KafkaStreams.State> state) {
            this.state = state;
        }

        @Override
        public void handle(HttpExchange exchange) throws IOException {
            try {
                exchange.getRequestBody().readAllBytes();
                String method = exchange.getRequestMethod();
                if (!"GET".equals(method) && !"HEAD".equals(method)) {
                    exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                    respond(exchange, 405, "text/plain", "only GET and HEAD\n");
                    return;
                }
                if (!HEALTH_PATH.equals(exchange.getRequestURI().getPath())) {
                    respond(exchange, 404, "text/plain", "not found: " + METRICS_PATH + " and " + HEALTH_PATH
                            + " are here\n");
                    return;
                }
                KafkaStreams.State now = state.get();
                boolean up = now == KafkaStreams.State.RUNNING;
                respond(exchange, up ? 200 : 503, "application/json",
                        "{\"status\":\"" + (up ? "UP" : "DOWN") + "\",\"state\":\"" + now + "\"}\n");
            } finally {
                exchange.close();
            }
        }

        private static void respond(HttpExchange exchange, int status, String type, String body) throws IOException {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", type + "; charset=utf-8");
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            boolean head = "HEAD".equals(exchange.getRequestMethod());
            exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
            if (!head) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }
    }
}
