package io.streamtrain.dashboard;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The dashboard's web server (the JDK's own HTTP server): the page and its script and style, the chart library from
 * its WebJar on the class path (uPlot; nothing from a CDN), {@code /events}, the feed as server-sent events (the
 * history first, then each new item, a comment every 15 s to keep proxies from closing it), and {@code /health}.
 * It binds where it is told, 127.0.0.1 by default; every response forbids framing and sniffing, and the page's
 * content security policy admits only its own origin.
 */
final class DashboardServer implements AutoCloseable {

    static final String EVENTS_PATH = "/events";
    static final String HEALTH_PATH = "/health";
    /** Pages that can follow the feed at once; more are told to come back later (503). */
    static final int MAX_WATCHERS = 32;
    private static final long KEEPALIVE_MS = 15_000;
    private static final String RESOURCES = "/io/streamtrain/dashboard/";
    private static final String UPLOT_POM = "/META-INF/maven/org.webjars.npm/uplot/pom.properties";
    private static final Map<String, String> PAGES = Map.of(
            "/", RESOURCES + "index.html",
            "/dashboard.js", RESOURCES + "dashboard.js",
            "/dashboard.css", RESOURCES + "dashboard.css");

    private final HttpServer server;
    private final ExecutorService executor;
    private final FeedHistory history;
    private final String host;
    private final String uplotDir;
    private final Semaphore watchers = new Semaphore(MAX_WATCHERS);

    private DashboardServer(HttpServer server, ExecutorService executor, FeedHistory history, String host) {
        this.server = server;
        this.executor = executor;
        this.history = history;
        this.host = host;
        this.uplotDir = "/META-INF/resources/webjars/uplot/" + webjarVersion() + "/";
    }

    /**
     * Starts serving {@code history} on {@code host}:{@code port} (0: any free port).
     *
     * @param status what {@code /health} says of the feed, one line of JSON
     * @throws IOException when it cannot listen there (the port in use, an address not of this machine)
     */
    static DashboardServer start(String host, int port, FeedHistory history, Supplier<String> status)
            throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 0);
        AtomicInteger threads = new AtomicInteger();
        ExecutorService executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "streamtrain-dashboard-http-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        DashboardServer dashboard = new DashboardServer(server, executor, history, host);
        server.createContext("/", exchange -> dashboard.handle(exchange, status));
        server.setExecutor(executor);
        server.start();
        return dashboard;
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** Where the page is: {@code http://127.0.0.1:9470/}. */
    String url() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return "http://" + h + ":" + port() + "/";
    }

    @Override
    public void close() {
        // the watchers' streams end first, and end properly: stop() waits (a little) for their last chunk
        history.close();
        server.stop(2);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange, Supplier<String> status) throws IOException {
        try {
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
            exchange.getResponseHeaders().set("X-Frame-Options", "DENY");
            exchange.getResponseHeaders().set("Referrer-Policy", "no-referrer");
            String method = exchange.getRequestMethod();
            if (!"GET".equals(method) && !"HEAD".equals(method)) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                respond(exchange, 405, "text/plain", "only GET and HEAD\n".getBytes(StandardCharsets.UTF_8));
                return;
            }
            String path = exchange.getRequestURI().getPath();
            if (EVENTS_PATH.equals(path)) {
                stream(exchange);
            } else if (HEALTH_PATH.equals(path)) {
                respond(exchange, 200, "application/json", (status.get() + "\n").getBytes(StandardCharsets.UTF_8));
            } else if (PAGES.containsKey(path)) {
                String resource = PAGES.get(path);
                respond(exchange, 200, contentType(resource), read(resource));
            } else if (path.equals("/vendor/uPlot.iife.min.js") || path.equals("/vendor/uPlot.min.css")
                    || path.equals("/vendor/uPlot.LICENSE")) {
                String name = path.substring("/vendor/".length());
                String resource = name.equals("uPlot.LICENSE") ? uplotDir + "LICENSE" : uplotDir + "dist/" + name;
                respond(exchange, 200, name.endsWith(".LICENSE") ? "text/plain" : contentType(resource),
                        read(resource));
            } else {
                respond(exchange, 404, "text/plain", ("not found: the dashboard is at /\n")
                        .getBytes(StandardCharsets.UTF_8));
            }
        } finally {
            exchange.close();
        }
    }

    /** The feed as server-sent events, until the page goes away, falls behind or the dashboard stops. */
    private void stream(HttpExchange exchange) throws IOException {
        if (!watchers.tryAcquire()) {
            exchange.getResponseHeaders().set("Retry-After", "10");
            respond(exchange, 503, "text/plain", ("already " + MAX_WATCHERS + " pages follow this dashboard\n")
                    .getBytes(StandardCharsets.UTF_8));
            return;
        }
        try (FeedHistory.Subscription subscription = history.subscribe()) {
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            if ("HEAD".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(200, -1);
                return;
            }
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            // the page clears what it drew: after a reconnect the history comes again, whole
            out.write("retry: 2000\n\nevent: reset\ndata: {}\n\n".getBytes(StandardCharsets.UTF_8));
            for (FeedItem item : subscription.history()) {
                write(out, item);
            }
            out.flush();
            while (true) {
                FeedItem item = subscription.next(KEEPALIVE_MS);
                if (item != null) {
                    write(out, item);
                } else if (subscription.ended()) {
                    return;
                } else {
                    out.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
                }
                out.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // the page went away
        } finally {
            watchers.release();
        }
    }

    private static void write(OutputStream out, FeedItem item) throws IOException {
        out.write(("id: " + item.seq() + "\nevent: " + item.kind() + "\ndata: " + item.json() + "\n\n")
                .getBytes(StandardCharsets.UTF_8));
    }

    private static void respond(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type + "; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        if (type.equals("text/html")) {
            exchange.getResponseHeaders().set("Content-Security-Policy", "default-src 'self'; "
                    + "img-src 'self' data:; frame-ancestors 'none'");
        }
        boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            exchange.getResponseBody().write(body);
        }
    }

    private static String contentType(String resource) {
        if (resource.endsWith(".html")) {
            return "text/html";
        }
        if (resource.endsWith(".js")) {
            return "text/javascript";
        }
        return resource.endsWith(".css") ? "text/css" : "application/octet-stream";
    }

    private static byte[] read(String resource) {
        try (InputStream in = DashboardServer.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the dashboard's " + resource + " is not on the class path");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }

    /** The version of the uPlot WebJar on the class path, which names its directory. */
    private static String webjarVersion() {
        try (InputStream in = DashboardServer.class.getResourceAsStream(UPLOT_POM)) {
            if (in == null) {
                throw new IllegalStateException("the uPlot WebJar (org.webjars.npm:uplot) is not on the class path");
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + UPLOT_POM, e);
        }
    }
}
