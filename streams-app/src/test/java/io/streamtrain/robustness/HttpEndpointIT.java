package io.streamtrain.robustness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;

import io.streamtrain.app.Exposition;
import io.streamtrain.app.LearnerApp;
import io.streamtrain.app.LearnerConfig;
import io.streamtrain.embedded.ListeningSockets;
import io.streamtrain.robustness.Topics.Raw;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The learner's and a serving replica's HTTP endpoint on the real broker and registry, scraped over HTTP as
 * Prometheus scrapes it: /health answers 503 until Kafka Streams is RUNNING and 200 from then on; /metrics has the
 * learner's own metrics (the examples it predicted and trained on, its model version), Kafka Streams' and the
 * consumer's lag; each listens on 127.0.0.1 only, on a port of its own, and is gone once the learner is closed. A
 * port in use stops the start with exit status 2, naming the key.
 */
@ExtendWith(RobustnessStack.Resolver.class)
class HttpEndpointIT {

    private static final String PREFIX = "http";
    private static final int EXAMPLES = 320;
    private static final Duration BOUND = Duration.ofSeconds(60);

    private final RobustnessStack stack;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    HttpEndpointIT(RobustnessStack stack) {
        this.stack = stack;
    }

    @Test
    void theLearnerAndAReplicaExposeTheirMetricsAndHealthOnLoopback() throws Exception {
        String examples = PREFIX + ".examples";
        stack.broker().createTopic(examples, 1, Map.of());
        ExamplesTopicCorpus corpus = new ExamplesTopicCorpus(stack.registryClient(), examples);
        Map<String, Object> client = Map.of("bootstrap.servers", stack.broker().bootstrapServers());
        Map<String, String> settings = stack.learnerSettings(PREFIX);
        settings.put(LearnerConfig.SNAPSHOT_EVERY_STEPS, "2");
        Map<String, String> serveSettings = new HashMap<>(settings);
        serveSettings.put("state.dir", stack.stateDir(PREFIX + "-serve").toString());
        Set<ListeningSockets.Socket> before = ListeningSockets.isSupported() ? ListeningSockets.ofThisProcess() : null;

        String learnerUrl;
        try (LearnerApp learner = LearnerApp.start(new LearnerConfig(settings))) {
            int port = learner.httpPort().orElseThrow();
            learnerUrl = learner.httpUrl().orElseThrow();
            assertThat(learnerUrl).isEqualTo("http://127.0.0.1:" + port);
            HttpResponse<String> first = get(learnerUrl + "/health");
            if (first.statusCode() == 503) {
                assertThat(first.body()).startsWith("{\"status\":\"DOWN\",\"state\":\"")
                        .doesNotContain("RUNNING");
            } else {
                assertThat(first.statusCode()).as("/health: %s", first.body()).isEqualTo(200);
            }
            HttpResponse<String> up = await(learnerUrl + "/health", r -> r.statusCode() == 200);
            assertThat(up.body()).isEqualTo("{\"status\":\"UP\",\"state\":\"RUNNING\"}\n");

            Random random = new Random(17);
            List<Raw> records = new ArrayList<>();
            for (int i = 0; i < EXAMPLES; i++) {
                records.add(new Raw(ExamplesTopicCorpus.MODEL, corpus.bytes(ExamplesTopicCorpus.good("h" + i,
                        random))));
            }
            Topics.produce(client, examples, records);

            Map<String, String> model = Map.of("model", ExamplesTopicCorpus.MODEL);
            HttpResponse<String> scraped = await(learnerUrl + "/metrics",
                    r -> value(r, "streamtrain_learner_examples_total", model) == EXAMPLES
                            && value(r, "streamtrain_learner_trained_total", model) == EXAMPLES);
            assertThat(scraped.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("text/plain").contains("version=0.0.4"));
            Exposition text = Exposition.parse(scraped.body());
            assertThat(text.types).containsEntry("streamtrain_learner_examples_total", "counter")
                    .containsEntry("streamtrain_learner_model_version", "gauge")
                    .containsEntry("kafka_consumer_fetch_manager_records_lag_max", "gauge");
            assertThat(value(scraped, "streamtrain_learner_model_version", model)).as("model version")
                    .isPositive();
            assertThat(value(scraped, "streamtrain_learner_snapshot_version", model)).as("snapshot version")
                    .isPositive();
            assertThat(text.samples("kafka_consumer_fetch_manager_records_lag")).as("lag of the examples' partition")
                    .anySatisfy(s -> assertThat(s.labels()).containsEntry("topic", examples)
                            .containsEntry("partition", "0"));
            assertThat(text.samples("kafka_stream_thread_process_total")).as("Kafka Streams' own").isNotEmpty();
            assertThat(text.samples("streamtrain_learner_examples_total")).singleElement()
                    .satisfies(s -> assertThat(s.labels()).containsKeys("thread_id", "task_id", "model"));

            try (LearnerApp replica = LearnerApp.serve(new LearnerConfig(serveSettings))) {
                String replicaUrl = replica.httpUrl().orElseThrow();
                assertThat(replica.httpPort().orElseThrow()).isNotEqualTo(port);
                await(replicaUrl + "/health", r -> r.statusCode() == 200
                        && r.body().contains("\"state\":\"RUNNING\""));
                assertThat(replica.streams().state()).isIn(KafkaStreams.State.RUNNING,
                        KafkaStreams.State.REBALANCING);
                Exposition served = Exposition.parse(await(replicaUrl + "/metrics",
                        r -> r.body().contains("kafka_stream_thread_process_total")).body());
                assertThat(served.samples("kafka_stream_thread_process_total")).as("the replica's own threads")
                        .allSatisfy(s -> assertThat(s.labels().get("thread_id")).contains(PREFIX
                                + "-learner-serve"));
                assertThat(served.types).as("not the learner's registry").doesNotContainKey(
                        "streamtrain_learner_examples_total");

                if (before != null) {
                    Set<ListeningSockets.Socket> opened = new HashSet<>(ListeningSockets.ofThisProcess());
                    opened.removeAll(before);
                    assertThat(opened).as("the sockets the learner and the replica opened")
                            .extracting(ListeningSockets.Socket::toString)
                            .containsExactlyInAnyOrder("127.0.0.1:" + port, "127.0.0.1:" + replica.httpPort()
                                    .orElseThrow());
                }
            }
        }
        assertThatThrownBy(() -> get(learnerUrl + "/health")).as("closed with the learner")
                .isInstanceOf(ConnectException.class);
    }

    @Test
    void aPortInUseStopsTheStartWithTheKeyToChange(@TempDir Path dir) throws Exception {
        stack.broker().createTopic(PREFIX + "-taken.examples", 1, Map.of());
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            Map<String, String> settings = stack.learnerSettings(PREFIX + "-taken");
            settings.put(LearnerConfig.HTTP_PORT, Integer.toString(taken.getLocalPort()));
            LearnerCommand.Outcome outcome = LearnerCommand.run(dir, settings, BOUND);
            assertThat(outcome.exitCode()).as("exit status; it wrote: %s", outcome.err()).isEqualTo(2);
            assertThat(outcome.err()).contains("invalid configuration", LearnerConfig.HTTP_PORT,
                    "cannot listen on 127.0.0.1:" + taken.getLocalPort());
        }
    }

    /** The value of the one sample of {@code name} with these labels (among others), or -1. */
    private static double value(HttpResponse<String> response, String name, Map<String, String> labels) {
        if (response.statusCode() != 200) {
            return -1;
        }
        return Exposition.parse(response.body()).samples(name).stream()
                .filter(s -> s.labels().entrySet().containsAll(labels.entrySet()))
                .mapToDouble(Exposition.Sample::value).findFirst().orElse(-1);
    }

    private HttpResponse<String> await(String url, Predicate<HttpResponse<String>> until) throws Exception {
        long deadline = System.nanoTime() + BOUND.toNanos();
        HttpResponse<String> last = null;
        while (System.nanoTime() < deadline) {
            last = get(url);
            if (until.test(last)) {
                return last;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no answer of " + url + " as awaited within " + BOUND + "; the last: "
                + (last == null ? null : last.statusCode() + " " + last.body()));
    }

    private HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
