package io.streamtrain.docker;

import static io.streamtrain.docker.StackFiles.DOCKER_DIR;
import static io.streamtrain.docker.StackFiles.REPOSITORY_ROOT;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.testcontainers.containers.ComposeContainer;
import org.testcontainers.containers.output.Slf4jLogConsumer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * Brings docker/docker-compose.yml up as a user would (images built from this build's outputs), produces JSON events
 * to the source topic from the host, and reads predictions and metrics back from the host through the published
 * ports, decoding them with the writer schema fetched from the registry as any Avro consumer would.
 *
 * <p>Skipped where there is no Docker engine. Where there is one, it needs the Compose plugin ({@code docker
 * compose}), the outputs of {@code ./mvnw -B -DskipTests package} (the reactor builds them before this module), and
 * the ports 9092, 8081, 8083 and 9470 of 127.0.0.1 free. {@link ComposeFileTest} checks the same files without Docker.
 */
@Testcontainers(disabledWithoutDocker = true)
class ComposeStackIT {

    private static final Duration STARTUP = Duration.ofMinutes(10);
    private static final Duration OUTPUT_WAIT = Duration.ofMinutes(5);
    private static final String BOOTSTRAP = "localhost:9092";
    private static final String REGISTRY = "http://localhost:8081/apis/ccompat/v7";
    private static final String CONNECT = "http://localhost:8083";
    private static final int EVENTS = 200;

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Map<Integer, Schema> SCHEMAS = new ConcurrentHashMap<>();

    private static ComposeContainer stack;
    private static String prefix;
    private static List<String> eventIds;

    @BeforeAll
    static void startStackAndProduceEvents() throws Exception {
        requireBuildOutputs();
        stack = new ComposeContainer(StackFiles.COMPOSE_FILE.toFile())
                .withLocalCompose(true)
                .withBuild(true)
                .withPull(false) // the images built here exist nowhere to pull from; up pulls the others
                .withRemoveVolumes(true)
                .withLogConsumer("learner", new Slf4jLogConsumer(LoggerFactory.getLogger("compose.learner")))
                .withLogConsumer("connect", new Slf4jLogConsumer(LoggerFactory.getLogger("compose.connect")))
                .waitingFor("connect", Wait.forHealthcheck().withStartupTimeout(STARTUP))
                .withStartupTimeout(STARTUP);
        stack.start();

        prefix = StackFiles.properties(DOCKER_DIR.resolve("learner.properties"))
                .getProperty("streamtrain.topic.prefix");
        awaitConnectorRunning("events-json");
        eventIds = produceEvents(StackFiles.connectorConfig(DOCKER_DIR.resolve("connectors/events-json.json"))
                .get("topics"));
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.stop();
        }
    }

    @Test
    void predictsEveryEventExactlyOnceAndLearns() throws Exception {
        Map<String, Integer> predictions = new HashMap<>();
        List<Long> versions = new ArrayList<>();
        readUntil(prefix + ".predictions", prediction -> {
            predictions.merge(prediction.get("exampleId").toString(), 1, Integer::sum);
            versions.add((Long) prediction.get("modelVersion"));
            return predictions.keySet().containsAll(eventIds);
        });
        assertThat(predictions.keySet()).containsExactlyInAnyOrderElementsOf(eventIds);
        assertThat(predictions.values()).as("predictions per event").containsOnly(1);
        assertThat(versions).as("the model trained while it predicted").anyMatch(v -> v > 0);
    }

    @Test
    void reportsTheBackendInTheMetrics() throws Exception {
        List<String> backends = new ArrayList<>();
        readUntil(prefix + ".metrics", metrics -> backends.add(String.valueOf(metrics.get("backend"))));
        assertThat(backends).first().isEqualTo("CPU");
    }

    @Test
    void servesTheDashboardOnLoopbackWithTheModelsItFollows() throws Exception {
        String dashboard = "http://localhost:9470/";
        readUntil(prefix + ".metrics", metrics -> true);
        long deadline = System.nanoTime() + OUTPUT_WAIT.toNanos();
        HttpResponse<String> health = null;
        while (System.nanoTime() < deadline) {
            try {
                health = HTTP.send(HttpRequest.newBuilder(URI.create(dashboard + "health")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (health.statusCode() == 200 && !health.body().contains("\"models\":0")) {
                    break;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(1000);
        }
        assertThat(health).as("the dashboard's /health").isNotNull();
        assertThat(health.body()).startsWith("{\"status\":\"UP\",\"models\":").doesNotContain("\"models\":0");
        HttpResponse<String> page = HTTP.send(HttpRequest.newBuilder(URI.create(dashboard)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<title>Streamtrain dashboard</title>");
    }

    // --- helpers

    private static void requireBuildOutputs() throws IOException {
        for (String output : List.of("streams-app/target/streamtrain-streams-app.jar", "streams-app/target/lib")) {
            assertThat(REPOSITORY_ROOT.resolve(output)).as(output + ": run ./mvnw -B -DskipTests package first")
                    .exists();
        }
        try (var zips = Files.list(REPOSITORY_ROOT.resolve("connector/target"))) {
            assertThat(zips.map(Path::getFileName).map(Path::toString))
                    .as("connector/target/streamtrain-streamtrain-connector-*.zip: run ./mvnw -B -DskipTests package "
                            + "first")
                    .filteredOn(n -> n.startsWith("streamtrain-streamtrain-connector-") && n.endsWith(".zip"))
                    .hasSize(1);
        }
    }

    /** connector-setup registers the connector once Connect is healthy; wait until its task runs. */
    private static void awaitConnectorRunning(String name) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        String status = "";
        while (Instant.now().isBefore(deadline)) {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                    URI.create(CONNECT + "/connectors/" + name + "/status")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            status = response.body();
            if (response.statusCode() == 200) {
                var tasks = StackFiles.JSON.readTree(status).path("tasks");
                if (tasks.size() > 0 && tasks.get(0).path("state").asText().equals("RUNNING")) {
                    return;
                }
                if (tasks.size() > 0 && tasks.get(0).path("state").asText().equals("FAILED")) {
                    break;
                }
            }
            Thread.sleep(1000);
        }
        throw new AssertionError("the connector " + name + " is not running: " + status);
    }

    /** Labeled JSON events of a linearly separable stream, as the connector's feature mapping expects. */
    private static List<String> produceEvents(String topic) throws Exception {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, BOOTSTRAP);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        List<String> ids = new ArrayList<>();
        Random random = new Random(7);
        try (KafkaProducer<String, String> producer =
                     new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < EVENTS; i++) {
                String id = "it-" + i;
                double x1 = random.nextGaussian();
                double x2 = random.nextGaussian();
                double x3 = random.nextGaussian();
                double x4 = random.nextGaussian();
                int label = x1 + x2 - x3 + 0.5 * x4 > 0 ? 1 : 0;
                String json = String.format(Locale.ROOT,
                        "{\"id\":\"%s\",\"x1\":%.4f,\"x2\":%.4f,\"x3\":%.4f,\"x4\":%.4f,\"label\":%d}",
                        id, x1, x2, x3, x4, label);
                producer.send(new ProducerRecord<>(topic, id, json)).get();
                ids.add(id);
            }
        }
        return ids;
    }

    /** Reads a topic (committed records only) from the start until {@code done} holds or the wait runs out. */
    private static void readUntil(String topic, Predicate<GenericRecord> done) throws Exception {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, BOOTSTRAP);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "compose-stack-it-" + UUID.randomUUID());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Instant deadline = Instant.now().plus(OUTPUT_WAIT);
        try (KafkaConsumer<String, byte[]> consumer =
                     new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            while (Instant.now().isBefore(deadline)) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofSeconds(1))) {
                    if (done.test(decode(record.value()))) {
                        return;
                    }
                }
            }
        }
        throw new AssertionError("what was expected did not arrive on " + topic + " within " + OUTPUT_WAIT);
    }

    /** Confluent framing: a zero byte, the 4-byte schema id, the Avro binary body. */
    private static GenericRecord decode(byte[] value) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(value);
        assertThat(buffer.get()).as("magic byte").isZero();
        Schema schema = writerSchema(buffer.getInt());
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(value, 5, value.length - 5, null);
        return new GenericDatumReader<GenericRecord>(schema).read(null, decoder);
    }

    private static Schema writerSchema(int id) {
        return SCHEMAS.computeIfAbsent(id, key -> {
            try {
                HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                        URI.create(REGISTRY + "/schemas/ids/" + key)).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).as("schema " + key + ": " + response.body()).isEqualTo(200);
                return new Schema.Parser().parse(StackFiles.JSON.readTree(response.body()).path("schema").asText());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        });
    }
}
