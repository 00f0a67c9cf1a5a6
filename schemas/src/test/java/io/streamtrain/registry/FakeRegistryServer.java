package io.streamtrain.registry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A test-only HTTP server on 127.0.0.1 that answers registry requests with canned responses, and
 * records what it was asked. Not a registry: it knows nothing of subjects or schemas.
 *
 * <p>Each route ({@code METHOD path?query}) answers its canned responses in order and repeats the
 * last one. Unknown routes answer 404 with an HTML page, like a web server that is not a registry.
 */
final class FakeRegistryServer implements AutoCloseable {

    record Canned(int status, String body, Map<String, String> headers) {
        Canned(int status, String body) {
            this(status, body, Map.of());
        }
    }

    record Recorded(String method, String path, Map<String, List<String>> headers, String body) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }
    }

    private final HttpServer server;
    private final Map<String, Deque<Canned>> routes = new ConcurrentHashMap<>();
    private final List<Recorded> requests = new CopyOnWriteArrayList<>();

    private FakeRegistryServer(HttpServer server) {
        this.server = server;
    }

    static FakeRegistryServer start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        FakeRegistryServer fake = new FakeRegistryServer(server);
        server.createContext("/", fake::handle);
        server.start();
        return fake;
    }

    /** The base URL, with an optional path prefix such as {@code /apis/ccompat/v7}. */
    String url(String prefix) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + prefix;
    }

    String url() {
        return url("");
    }

    /** Answers {@code method path} (path with its query) with {@code responses} in order, then the last again. */
    FakeRegistryServer on(String method, String path, Canned... responses) {
        routes.put(method + " " + path, new ArrayDeque<>(List.of(responses)));
        return this;
    }

    FakeRegistryServer on(String method, String path, int status, String body) {
        return on(method, path, new Canned(status, body));
    }

    List<Recorded> requests() {
        return List.copyOf(requests);
    }

    long count(String method, String path) {
        return requests.stream().filter(r -> r.method().equals(method) && r.path().equals(path)).count();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getRawPath()
                + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI().getRawQuery());
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        requests.add(new Recorded(exchange.getRequestMethod(), path, Map.copyOf(exchange.getRequestHeaders()), body));
        Canned canned = next(exchange.getRequestMethod() + " " + path);
        canned.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
        exchange.getResponseHeaders().add("Content-Type",
                canned.body().startsWith("<") ? "text/html" : RegistryHttpTransport.CONTENT_TYPE);
        byte[] bytes = canned.body().getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(canned.status(), bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private Canned next(String route) {
        Deque<Canned> queue = routes.get(route);
        if (queue == null) {
            return new Canned(404, "<html><body>Not Found</body></html>");
        }
        synchronized (queue) {
            return queue.size() > 1 ? queue.poll() : queue.peek();
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
