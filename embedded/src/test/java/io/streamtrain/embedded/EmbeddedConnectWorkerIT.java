package io.streamtrain.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class EmbeddedConnectWorkerIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Test
    void runsAConnectorThroughRestAndKeepsItAcrossAWorkerRestart() throws IOException {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
             EmbeddedConnectWorker connect = EmbeddedConnectWorker.builder(broker.bootstrapServers()).start()) {
            URI url = connect.restUrl();
            assertThat(url.getHost()).isEqualTo("127.0.0.1");
            assertLoopbackOnly(url.getPort());
            assertThat(connect.connectorPlugins().toString()).contains(RecordingSinkConnector.class.getName());

            broker.createTopic("in", 1);
            produce(broker, "in", 0, 10);
            connect.createConnector("rec", Map.of(
                    "connector.class", RecordingSinkConnector.class.getName(),
                    "tasks.max", "1",
                    "topics", "in"));
            connect.awaitRunning("rec", 1, TIMEOUT);
            awaitReceived("rec", 10);

            connect.restartConnector("rec");
            connect.awaitRunning("rec", 1, TIMEOUT);

            int oldPort = url.getPort();
            connect.restart();
            assertThat(connect.connectors()).containsExactly("rec");
            connect.awaitRunning("rec", 1, TIMEOUT);
            produce(broker, "in", 10, 5);
            awaitReceived("rec", 15);

            connect.deleteConnector("rec");
            assertThat(connect.connectors()).isEmpty();

            int port = connect.restUrl().getPort();
            connect.close();
            assertThatThrownBy(() -> connect(InetAddress.getLoopbackAddress(), port))
                    .isInstanceOf(ConnectException.class);
            assertThat(oldPort).isPositive();
        }
    }

    @Test
    void unpacksAPluginZipOntoThePluginPathAndRemovesItOnClose() throws IOException {
        Path zip = Files.createTempFile("plugin-", ".zip");
        try (OutputStream file = Files.newOutputStream(zip); ZipOutputStream out = new ZipOutputStream(file)) {
            out.putNextEntry(new ZipEntry("my-plugin-1.0/lib/readme.txt"));
            out.write("not a jar".getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            EmbeddedConnectWorker connect = EmbeddedConnectWorker.builder(broker.bootstrapServers())
                    .pluginZip(zip).start();
            Path dir = Path.of(connect.pluginPath());
            assertThat(dir.resolve("my-plugin-1.0/lib/readme.txt")).exists();
            connect.close();
            assertThat(dir).doesNotExist();
        } finally {
            Files.deleteIfExists(zip);
        }
    }

    @Test
    void refusesZipEntriesOutsideTheTarget() throws IOException {
        Path zip = Files.createTempFile("evil-", ".zip");
        Path target = TempDirectories.create("unzip-");
        try {
            try (OutputStream file = Files.newOutputStream(zip); ZipOutputStream out = new ZipOutputStream(file)) {
                out.putNextEntry(new ZipEntry("../escaped.txt"));
                out.write(1);
                out.closeEntry();
            }
            assertThatThrownBy(() -> EmbeddedConnectWorker.unzip(zip, target))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside");
        } finally {
            Files.deleteIfExists(zip);
            TempDirectories.delete(target);
        }
    }

    private static void awaitReceived(String connector, int distinct) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        Set<Object> seen = new HashSet<>();
        while (System.nanoTime() < deadline) {
            seen = new HashSet<>(RecordingSinkConnector.RECEIVED.getOrDefault(connector, new ConcurrentLinkedQueue<>()));
            if (seen.size() >= distinct) {
                return;
            }
            sleep();
        }
        throw new AssertionError("connector " + connector + " received " + seen.size() + " distinct values, expected "
                + distinct);
    }

    private static void produce(EmbeddedKafkaBroker broker, String topic, int from, int count) {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                new StringSerializer(), new StringSerializer())) {
            for (int i = from; i < from + count; i++) {
                producer.send(new ProducerRecord<>(topic, "{\"n\":" + i + "}"));
            }
        }
    }

    private static void assertLoopbackOnly(int port) throws IOException {
        Optional<InetAddress> external = EmbeddedKafkaBrokerIT.nonLoopbackAddress();
        if (external.isPresent()) {
            assertThatThrownBy(() -> connect(external.get(), port)).isInstanceOf(ConnectException.class);
        }
    }

    private static void connect(InetAddress address, int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address, port), 2000);
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
