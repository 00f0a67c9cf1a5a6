package io.streamtrain.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The dashboard's HTTP side over plain HTTP: the page and its files, the event stream, refusals, the address. */
class DashboardServerTest {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private FeedHistory history;
    private DashboardServer server;

    @BeforeEach
    void start() throws Exception {
        history = new FeedHistory(100, 100);
        server = DashboardServer.start("127.0.0.1", 0, history, () -> "{\"status\":\"UP\"}");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void servesThePageItsFilesAndTheChartLibraryFromTheWebJarWithSafeHeaders() throws Exception {
        HttpResponse<String> page = get("");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<script src=\"vendor/uPlot.iife.min.js\">", "dashboard.js")
                .doesNotContain("http://", "https://");
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(
                csp -> assertThat(csp).startsWith("default-src 'self';").contains("frame-ancestors 'none'"));
        assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(page.headers().firstValue("X-Frame-Options")).hasValue("DENY");

        HttpResponse<String> script = get("dashboard.js");
        assertThat(script.statusCode()).isEqualTo(200);
        assertThat(script.headers().firstValue("Content-Type")).hasValue("text/javascript; charset=utf-8");
        assertThat(script.body()).contains("new EventSource('events')").doesNotContain("innerHTML");
        assertThat(get("dashboard.css").headers().firstValue("Content-Type")).hasValue("text/css; charset=utf-8");
        HttpResponse<String> uplot = get("vendor/uPlot.iife.min.js");
        assertThat(uplot.statusCode()).isEqualTo(200);
        assertThat(uplot.body()).contains("uPlot").hasSizeGreaterThan(20_000);
        assertThat(get("vendor/uPlot.min.css").statusCode()).isEqualTo(200);
        assertThat(get("vendor/uPlot.LICENSE").body()).contains("MIT License");
        assertThat(get("health").body()).isEqualTo("{\"status\":\"UP\"}\n");
    }

    @Test
    void refusesWhatItDoesNotServe() throws Exception {
        assertThat(get("vendor/../../secret").statusCode()).isEqualTo(404);
        assertThat(get("io/streamtrain/dashboard/index.html").statusCode()).isEqualTo(404);
        assertThat(get("vendor/uPlot.cjs.js").statusCode()).isEqualTo(404);
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(server.url() + "events"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
    }

    @Test
    void listensOnLoopbackAtTheAddressItGives() {
        assertThat(server.url()).isEqualTo("http://127.0.0.1:" + server.port() + "/");
    }

    @Test
    void streamsTheHistoryThenEachNewItemAndEndsWhenTheDashboardStops() throws Exception {
        history.add(FeedItem.STATUS, null, "{\"skipped\":0}");
        history.add(FeedItem.METRICS, "m", "{\"model\":\"m\",\"n\":1}");
        history.add(FeedItem.SNAPSHOT, "m", "{\"model\":\"m\",\"version\":20}");
        HttpResponse<InputStream> stream = http.send(HttpRequest.newBuilder(URI.create(server.url() + "events"))
                .build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(stream.statusCode()).isEqualTo(200);
        assertThat(stream.headers().firstValue("Content-Type")).hasValue("text/event-stream; charset=utf-8");
        try (BufferedReader in = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
            assertThat(events(in, 5)).containsExactly(
                    "retry: 2000",
                    "event: reset|data: {}",
                    "id: 1|event: status|data: {\"skipped\":0}",
                    "id: 2|event: metrics|data: {\"model\":\"m\",\"n\":1}",
                    "id: 3|event: snapshot|data: {\"model\":\"m\",\"version\":20}");
            history.add(FeedItem.CONTROL, "m", "{\"model\":\"m\",\"record\":{\"outcome\":\"done\"}}");
            assertThat(events(in, 1)).containsExactly(
                    "id: 4|event: control|data: {\"model\":\"m\",\"record\":{\"outcome\":\"done\"}}");
            server.close();
            assertThat(in.readLine()).as("the stream ends with the dashboard").isNull();
        }
    }

    /** The next {@code n} events of a stream, each its lines joined by '|'. */
    private static List<String> events(BufferedReader in, int n) throws Exception {
        List<String> events = new ArrayList<>();
        StringBuilder event = new StringBuilder();
        String line;
        while (events.size() < n && (line = in.readLine()) != null) {
            if (line.isEmpty()) {
                events.add(event.toString());
                event.setLength(0);
            } else {
                event.append(event.length() == 0 ? "" : "|").append(line);
            }
        }
        return events;
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(server.url() + path)).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
    }
}
