package io.streamtrain.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;

import io.streamtrain.embedded.Tries;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Generated registries of Kafka metrics, Kafka's own names among extreme ones (empty, leading digits, {@code __},
 * dots, quotes, backslashes, line feeds, non-ASCII and astral characters, names that collide once sanitized, reserved
 * endings), and values (NaN, the infinities, the ends of double and long, negative counts, values that are not
 * numbers), scraped over HTTP from a running endpoint: the answer always reads as the Prometheus text format 0.0.4
 * with legal names, each family typed once and each sample once; every sample is one of the numeric metrics with its
 * tags, values included, read back exactly; and every metric that collides with no other is there.
 */
class MetricsExpositionProperties {

    private static final List<String> GROUPS = List.of("stream-thread-metrics", "consumer-fetch-manager-metrics",
            "streamtrain-learner-metrics", "stream-task-metrics", "producer-metrics", "app-info");
    private static final List<String> NAMES = List.of("examples-total", "records-lag-max", "records-lag", "loss",
            "model-version", "process-rate", "x.total", "a-info", "1st", "created", "bucket-total-total", "total");
    private static final List<String> TAGS = List.of("thread-id", "task-id", "model", "client-id", "topic",
            "partition", "__name__", "", "1st", "a-b", "a_b", "le");
    private static final List<String> ODD = List.of("", "\"", "\\", "\n", "\\n", "é", "模型", "\uD83D\uDE00", "}",
            ",", "=", " ", "\t", "a\"b\\c\nd", "\u0000", "\u007f", "{x=\"y\"}", "# HELP");

    private static final AtomicReference<Map<MetricName, Metric>> REGISTRY = new AtomicReference<>(Map.of());
    private static HttpEndpoint endpoint;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void open() throws Exception {
        endpoint = HttpEndpoint.open("127.0.0.1", 0, REGISTRY::get, () -> KafkaStreams.State.RUNNING);
    }

    @AfterAll
    static void close() {
        endpoint.close();
    }

    @Test
    void everyScrapeReadsBackAsTheMetricsOfTheRegistry() {
        Tries.run("Kafka metrics scraped as Prometheus text", 200, MetricsExpositionProperties::registry, metrics -> {
            REGISTRY.set(metrics);
            HttpResponse<String> response = scrape();
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("text/plain").contains("version=0.0.4"));
            Exposition text = Exposition.parse(response.body());
            Set<String> seen = new HashSet<>();
            for (Exposition.Sample s : text.samples) {
                assertThat(seen.add(s.name() + s.labels())).as("a sample once: %s", s).isTrue();
            }
            Map<String, Integer> families = new HashMap<>();
            metrics.keySet().forEach(n -> families.merge(PrometheusNames.familyName(n), 1, Integer::sum));
            int expected = 0;
            for (Map.Entry<MetricName, Metric> e : metrics.entrySet()) {
                MetricName name = e.getKey();
                Object value = e.getValue().metricValue();
                boolean counter = PrometheusNames.isCounter(name);
                List<Exposition.Sample> matching = text.samples.stream()
                        .filter(s -> s.name().equals(PrometheusNames.sampleName(name))
                                && s.labels().equals(expectedLabels(name.tags())))
                        .toList();
                boolean numeric = value instanceof Number n && (!counter || n.doubleValue() >= 0);
                if (families.get(PrometheusNames.familyName(name)) > 1) {
                    continue;
                }
                if (!numeric) {
                    assertThat(matching).as("%s=%s is left out", name, value).isEmpty();
                } else {
                    expected++;
                    assertThat(matching).as("%s=%s", name, value).hasSize(1);
                    assertThat(Double.compare(matching.get(0).value(), ((Number) value).doubleValue()))
                            .as("the value of %s: %s read as %s", name, value, matching.get(0).value()).isZero();
                    assertThat(text.types.get(PrometheusNames.sampleName(name)))
                            .isEqualTo(counter ? "counter" : "gauge");
                }
            }
            // and nothing that is not in the registry
            for (Exposition.Sample s : text.samples) {
                assertThat(metrics.entrySet()).as("the metric of %s", s).anySatisfy(e -> {
                    assertThat(PrometheusNames.sampleName(e.getKey())).isEqualTo(s.name());
                    assertThat(expectedLabels(e.getKey().tags())).isEqualTo(s.labels());
                });
            }
            return text.samples.size() == expected ? "every metric, none colliding" : "with collisions";
        });
    }

    private static Map<String, String> expectedLabels(Map<String, String> tags) {
        Map<String, String> labels = new LinkedHashMap<>();
        tags.forEach((k, v) -> labels.putIfAbsent(PrometheusNames.labelName(k), v));
        return labels;
    }

    private static HttpResponse<String> scrape() {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(endpoint.url() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new AssertionError("the scrape failed", e);
        }
    }

    private static Map<MetricName, Metric> registry(SplittableRandom random) {
        Map<MetricName, Metric> metrics = new LinkedHashMap<>();
        int n = random.nextInt(12);
        for (int i = 0; i < n; i++) {
            String group = random.nextInt(4) == 0 ? odd(random) : pick(random, GROUPS);
            String name = random.nextInt(4) == 0 ? odd(random) : pick(random, NAMES);
            Map<String, String> tags = new LinkedHashMap<>();
            int t = random.nextInt(4);
            for (int j = 0; j < t; j++) {
                tags.put(random.nextInt(4) == 0 ? odd(random) : pick(random, TAGS), odd(random));
            }
            String description = random.nextBoolean() ? "" : odd(random) + " described\n" + odd(random);
            MetricName metricName = new MetricName(name, group, description, tags);
            Object value = value(random);
            metrics.put(metricName, new Metric() {
                @Override
                public MetricName metricName() {
                    return metricName;
                }

                @Override
                public Object metricValue() {
                    return value;
                }
            });
        }
        return metrics;
    }

    private static Object value(SplittableRandom random) {
        return switch (random.nextInt(14)) {
            case 0 -> Double.NaN;
            case 1 -> Double.POSITIVE_INFINITY;
            case 2 -> Double.NEGATIVE_INFINITY;
            case 3 -> Double.MAX_VALUE;
            case 4 -> Double.MIN_VALUE;
            case 5 -> -0.0;
            case 6 -> Long.MAX_VALUE;
            case 7 -> random.nextInt();
            case 8 -> "4.3.1";
            case 9 -> null;
            case 10 -> -random.nextDouble() * 1e9;
            default -> random.nextDouble() * Math.pow(10, random.nextInt(-12, 13));
        };
    }

    private static String odd(SplittableRandom random) {
        StringBuilder s = new StringBuilder();
        int parts = random.nextInt(4);
        for (int i = 0; i < parts; i++) {
            s.append(random.nextBoolean() ? pick(random, ODD) : pick(random, List.of("thread", "-", ".", "_", "9")));
        }
        return s.toString();
    }

    private static <T> T pick(SplittableRandom random, List<T> from) {
        return from.get(random.nextInt(from.size()));
    }
}
