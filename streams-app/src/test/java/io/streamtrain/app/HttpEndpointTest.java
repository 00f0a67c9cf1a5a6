package io.streamtrain.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.CumulativeSum;
import org.apache.kafka.common.metrics.stats.Value;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The endpoint over a real Kafka metrics registry: names, types, help and labels in the Prometheus text format;
 * /health by Kafka Streams' state; what other paths and methods get; its settings and their defaults.
 */
class HttpEndpointTest {

    private final HttpClient http = HttpClient.newHttpClient();
    private final AtomicReference<KafkaStreams.State> state = new AtomicReference<>(KafkaStreams.State.CREATED);
    private Metrics metrics;
    private HttpEndpoint endpoint;

    @BeforeEach
    void open() throws IOException {
        metrics = new Metrics();
        endpoint = HttpEndpoint.open("127.0.0.1", 0, metrics::metrics, state::get);
    }

    @AfterEach
    void close() {
        endpoint.close();
        metrics.close();
    }

    @Test
    void exportsTheLearnersCountersAndGaugesAndKafkasWithTagsAsLabels() throws Exception {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("thread-id", "learner-StreamThread-1");
        tags.put("task-id", "0_0");
        tags.put("model", "fr\"aud\\\n");
        Sensor examples = metrics.sensor("examples");
        examples.add(new MetricName("examples-total", "streamtrain-learner-metrics", "Examples predicted", tags),
                new CumulativeSum());
        Sensor version = metrics.sensor("version");
        version.add(new MetricName("model-version", "streamtrain-learner-metrics", "Training steps", tags),
                new Value());
        Sensor lag = metrics.sensor("lag");
        lag.add(new MetricName("records-lag-max", "consumer-fetch-manager-metrics",
                "The maximum lag in terms of number of records", Map.of("client-id", "c-1")), new Value());
        examples.record(3);
        examples.record(4);
        version.record(12);
        lag.record(Double.NaN);

        HttpResponse<String> response = get("/metrics");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body())
                .contains("# HELP streamtrain_learner_examples_total Examples predicted "
                        + "(streamtrain-learner-metrics examples-total)\n")
                .contains("# TYPE streamtrain_learner_examples_total counter\n")
                .contains("streamtrain_learner_examples_total{model=\"fr\\\"aud\\\\\\n\",task_id=\"0_0\","
                        + "thread_id=\"learner-StreamThread-1\"} 7.0\n")
                .contains("# TYPE streamtrain_learner_model_version gauge\n")
                .contains("# TYPE kafka_consumer_fetch_manager_records_lag_max gauge\n")
                .contains("kafka_consumer_fetch_manager_records_lag_max{client_id=\"c-1\"} NaN\n");
        Exposition text = Exposition.parse(response.body());
        assertThat(text.samples("streamtrain_learner_model_version")).singleElement()
                .satisfies(s -> assertThat(s.value()).isEqualTo(12.0));
        // Kafka's own metric of its registry, count of metrics, is a gauge like any other number
        assertThat(text.types).containsEntry("kafka_kafka_metrics_count_count", "gauge");

        examples.record(1);
        assertThat(Exposition.parse(get("/metrics").body()).samples("streamtrain_learner_examples_total"))
                .singleElement().satisfies(s -> assertThat(s.value()).as("read at each scrape").isEqualTo(8.0));
    }

    @Test
    void healthIsUpOnlyWhileKafkaStreamsIsRunning() throws Exception {
        for (KafkaStreams.State s : KafkaStreams.State.values()) {
            state.set(s);
            HttpResponse<String> response = get("/health");
            boolean up = s == KafkaStreams.State.RUNNING;
            assertThat(response.statusCode()).as("%s", s).isEqualTo(up ? 200 : 503);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
            assertThat(response.body()).isEqualTo("{\"status\":\"" + (up ? "UP" : "DOWN") + "\",\"state\":\"" + s
                    + "\"}\n");
        }
    }

    @Test
    void otherPathsAreNotFoundAndOtherMethodsNotAllowed() throws Exception {
        assertThat(get("/").statusCode()).isEqualTo(404);
        assertThat(get("/healthz").statusCode()).isEqualTo(404);
        assertThat(get("/-/healthy").statusCode()).as("the client's own health path is off").isEqualTo(404);
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(endpoint.url() + "/health"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        HttpResponse<Void> head = http.send(HttpRequest.newBuilder(URI.create(endpoint.url() + "/health"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        assertThat(head.statusCode()).isEqualTo(503);
    }

    @Test
    void bindsTheAddressItIsGiven() throws Exception {
        assertThat(endpoint.address().getAddress()).isEqualTo(InetAddress.getByName("127.0.0.1"));
        assertThat(endpoint.url()).isEqualTo("http://127.0.0.1:" + endpoint.port());
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            assertThatThrownBy(() -> HttpEndpoint.open("127.0.0.1", taken.getLocalPort(), metrics::metrics,
                    state::get)).isInstanceOf(IOException.class);
        }
    }

    @Test
    void listensOn127001Port9464ByDefaultAndTakesAnyFreePortOrNone() {
        LearnerConfig defaults = new LearnerConfig(Map.of("bootstrap.servers", "127.0.0.1:9092",
                "schema.registry.url", "http://127.0.0.1:8081"));
        assertThat(defaults.httpHost()).isEqualTo("127.0.0.1");
        assertThat(defaults.httpPort()).isEqualTo(9464);
        for (String port : new String[] {"-1", "0", "65535"}) {
            assertThat(new LearnerConfig(Map.of("bootstrap.servers", "x:1", "schema.registry.url", "http://r",
                    LearnerConfig.HTTP_PORT, port)).httpPort()).isEqualTo(Integer.parseInt(port));
        }
        for (String port : new String[] {"-2", "65536", "http"}) {
            assertThatThrownBy(() -> new LearnerConfig(Map.of("bootstrap.servers", "x:1",
                    "schema.registry.url", "http://r", LearnerConfig.HTTP_PORT, port)))
                    .isInstanceOf(ConfigException.class).hasMessageContaining(LearnerConfig.HTTP_PORT);
        }
        assertThatThrownBy(() -> new LearnerConfig(Map.of("bootstrap.servers", "x:1",
                "schema.registry.url", "http://r", LearnerConfig.HTTP_HOST, "")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(LearnerConfig.HTTP_HOST);
    }

    @Test
    void namesFollowTheRule() {
        assertThat(PrometheusNames.sampleName(new MetricName("examples-total", "streamtrain-learner-metrics", "",
                Map.of()))).isEqualTo("streamtrain_learner_examples_total");
        assertThat(PrometheusNames.familyName(new MetricName("examples-total", "streamtrain-learner-metrics", "",
                Map.of()))).isEqualTo("streamtrain_learner_examples");
        assertThat(PrometheusNames.familyName(new MetricName("process-rate", "stream-thread-metrics", "",
                Map.of()))).isEqualTo("kafka_stream_thread_process_rate");
        assertThat(PrometheusNames.familyName(new MetricName("a-info", "g", "", Map.of())))
                .isEqualTo("kafka_g_a_info_value");
        assertThat(PrometheusNames.familyName(new MetricName("x-total-total", "g", "", Map.of())))
                .isEqualTo("kafka_g_x_total_value");
        assertThat(PrometheusNames.labelName("thread-id")).isEqualTo("thread_id");
        assertThat(PrometheusNames.labelName("__name__")).isEqualTo("tag___name__");
        assertThat(PrometheusNames.labelName("1st")).isEqualTo("tag_1st");
        assertThat(PrometheusNames.labelName("")).isEqualTo("tag_");
        assertThat(PrometheusNames.labelName("modèle")).isEqualTo("mod_le");
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(endpoint.url() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
