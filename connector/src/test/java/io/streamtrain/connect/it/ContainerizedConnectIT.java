package io.streamtrain.connect.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamtrain.embedded.EmbeddedConnectWorker;
import io.streamtrain.registry.RestSchemaRegistryClient;
import io.streamtrain.registry.SchemaRegistryClient;
import io.streamtrain.registry.SchemaRegistryClientConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * The JSON scenario of {@link JsonIngestIT} against containers: Apache Kafka, Apicurio Registry and a Connect worker
 * ({@code connect-distributed.sh} of the apache/kafka image) with the plugin zip unpacked on its {@code plugin.path}.
 * It needs a Docker engine; without one it is skipped, and {@link JsonIngestIT} runs the same scenario in-process.
 *
 * <p>Containers listen on their own network; Docker maps their ports for the test.
 */
@Testcontainers(disabledWithoutDocker = true)
class ContainerizedConnectIT {

    private static final String KAFKA_VERSION = System.getProperty("streamtrain.kafka.version", "4.1.0");
    private static final DockerImageName KAFKA_IMAGE = DockerImageName.parse("apache/kafka:" + KAFKA_VERSION);
    private static final DockerImageName REGISTRY_IMAGE =
            DockerImageName.parse("apicurio/apicurio-registry-mem:2.4.2.Final");
    private static final String KAFKA_INSIDE = "kafka:19092";
    private static final String REGISTRY_INSIDE = "http://registry:8080/apis/ccompat/v7";

    private static Network network;
    private static KafkaContainer kafka;
    private static GenericContainer<?> registry;
    private static GenericContainer<?> connect;
    private static Path plugins;
    private static SchemaRegistryClient registryClient;
    private static ContainerTarget target;

    @BeforeAll
    static void startContainers() throws IOException {
        plugins = Files.createTempDirectory("streamtrain-plugins-");
        EmbeddedConnectWorker.unzip(ConnectStack.pluginZip(), plugins);
        network = Network.newNetwork();
        kafka = new KafkaContainer(KAFKA_IMAGE).withNetwork(network).withNetworkAliases("kafka")
                .withListener(KAFKA_INSIDE);
        registry = new GenericContainer<>(REGISTRY_IMAGE).withNetwork(network).withNetworkAliases("registry")
                .withExposedPorts(8080)
                .waitingFor(Wait.forHttp("/apis/ccompat/v7/subjects").forStatusCode(200)
                        .withStartupTimeout(Duration.ofMinutes(2)));
        connect = new GenericContainer<>(KAFKA_IMAGE).withNetwork(network).withNetworkAliases("connect")
                .withExposedPorts(8083)
                .withCopyFileToContainer(MountableFile.forHostPath(plugins), "/opt/streamtrain-plugins")
                .withCopyToContainer(Transferable.of(workerProperties()), "/opt/connect-worker.properties")
                .withCreateContainerCmdModifier(cmd -> cmd.withEntrypoint("/opt/kafka/bin/connect-distributed.sh"))
                .withCommand("/opt/connect-worker.properties")
                .dependsOn(kafka)
                .waitingFor(Wait.forHttp("/connectors").forPort(8083).forStatusCode(200)
                        .withStartupTimeout(Duration.ofMinutes(3)));
        kafka.start();
        registry.start();
        connect.start();
        registryClient = new RestSchemaRegistryClient(new SchemaRegistryClientConfig(Map.of("schema.registry.url",
                "http://" + registry.getHost() + ":" + registry.getMappedPort(8080) + "/apis/ccompat/v7")));
        target = new ContainerTarget(new TopicIO(kafka.getBootstrapServers(), registryClient),
                URI.create("http://" + connect.getHost() + ":" + connect.getMappedPort(8083) + "/"));
    }

    @AfterAll
    static void stopContainers() throws IOException {
        if (registryClient != null) {
            registryClient.close();
        }
        Stream.of(connect, registry, kafka).filter(c -> c != null).forEach(GenericContainer::stop);
        if (network != null) {
            network.close();
        }
        if (plugins != null) {
            try (Stream<Path> files = Files.walk(plugins)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void schemalessJsonBecomesExamples() {
        JsonIngestScenario.run(target, "containers");
    }

    private static String workerProperties() {
        Map<String, String> p = new java.util.LinkedHashMap<>();
        p.put("bootstrap.servers", KAFKA_INSIDE);
        p.put("group.id", "streamtrain-connect");
        p.put("config.storage.topic", "connect-configs");
        p.put("offset.storage.topic", "connect-offsets");
        p.put("status.storage.topic", "connect-status");
        p.put("config.storage.replication.factor", "1");
        p.put("offset.storage.replication.factor", "1");
        p.put("status.storage.replication.factor", "1");
        p.put("key.converter", "org.apache.kafka.connect.json.JsonConverter");
        p.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        // inside its container the worker listens on the container's interfaces; Docker maps the port
        p.put("listeners", "http://0.0.0.0:8083");
        p.put("rest.advertised.host.name", "connect");
        p.put("plugin.path", "/opt/streamtrain-plugins");
        p.put("plugin.discovery", "service_load");
        p.put("offset.flush.interval.ms", "1000");
        return p.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("\n"));
    }

    /** The containers as the scenario sees them: the test's clients on mapped ports, the worker on the network. */
    private record ContainerTarget(TopicIO io, URI restUrl) implements ConnectTarget {

        private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        private static final ObjectMapper JSON = new ObjectMapper();

        @Override
        public Map<String, String> connectorConfig(String name, String topics, String prefix) {
            return ConnectStack.baseConnectorConfig(name, topics, prefix, KAFKA_INSIDE, REGISTRY_INSIDE);
        }

        @Override
        public void startConnector(Map<String, String> config) {
            String name = config.get("name");
            HttpResponse<String> created = send("PUT", "connectors/" + name + "/config", config);
            if (created.statusCode() >= 300) {
                throw new IllegalStateException("creating " + name + " answered " + created.statusCode() + ": "
                        + created.body());
            }
            long deadline = System.nanoTime() + TopicIO.TIMEOUT.toNanos();
            while (System.nanoTime() < deadline) {
                HttpResponse<String> status = send("GET", "connectors/" + name + "/status", null);
                if (status.statusCode() == 200) {
                    JsonNode node = read(status.body());
                    JsonNode tasks = node.path("tasks");
                    if (tasks.size() > 0 && "FAILED".equals(tasks.get(0).path("state").asText())) {
                        throw new IllegalStateException("task of " + name + " FAILED: " + tasks.get(0).path("trace"));
                    }
                    if ("RUNNING".equals(node.path("connector").path("state").asText()) && tasks.size() > 0
                            && "RUNNING".equals(tasks.get(0).path("state").asText())) {
                        return;
                    }
                }
                pause();
            }
            throw new IllegalStateException("connector " + name + " did not run in time");
        }

        @Override
        public void deleteConnector(String name) {
            send("DELETE", "connectors/" + name, null);
        }

        private HttpResponse<String> send(String method, String path, Object body) {
            try {
                HttpRequest.Builder request = HttpRequest.newBuilder(restUrl.resolve("/" + path))
                        .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json");
                request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body), StandardCharsets.UTF_8));
                return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        private static JsonNode read(String body) {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private static void pause() {
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}
