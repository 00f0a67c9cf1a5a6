package io.streamtrain.connect.it;

import io.streamtrain.embedded.CapturedLogs;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.streamtrain.avro.Example;
import io.streamtrain.connect.it.TopicIO.Raw;
import io.streamtrain.embedded.EmbeddedConnectWorker;
import io.streamtrain.embedded.EmbeddedConnectWorker.TaskStatus;
import io.streamtrain.embedded.EmbeddedKafkaBroker;
import io.streamtrain.embedded.EmbeddedKafkaBroker.Listener;
import io.streamtrain.embedded.ListeningSockets;
import io.streamtrain.embedded.TempDirectories;
import io.streamtrain.embedded.TestCertificates;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The connector writing to a broker listener that wants SASL (PLAIN) or TLS, with a certificate the test made; the
 * worker itself stays on PLAINTEXT, so what is tested is the connector's own {@code producer.*} security. It writes
 * over either; with the wrong password its task fails with a trace a user can act on. Every log line of this JVM is
 * captured meanwhile (worker, broker and plugin, at INFO): no password appears in one, nor in the status the REST API
 * reports. The REST API returns connector configurations as they were submitted (Connect masks nothing there); a
 * secret given through a config provider ({@code ${file:...}}) stays out of it, which is what docs/connector.md
 * advises.
 * Every socket this JVM listens on (the broker's four listeners, Connect's REST API) is on 127.0.0.1.
 */
@ExtendWith(ConnectStack.Resolver.class)
class ConnectorSecurityIT {

    private static final String SASL = "SASL_PLAINTEXT";
    private static final String SSL = "SSL";

    private static CapturedLogs logs;
    private static TestCertificates certs;
    private static EmbeddedKafkaBroker broker;
    private static EmbeddedConnectWorker connect;
    private static Path secrets;
    private static TopicIO io;
    private static final String ADMIN_PASSWORD = secret("admin");
    private static final String SINK_PASSWORD = secret("sink");
    private static final String WRONG_PASSWORD = secret("wrong");

    private final ConnectStack stack;

    ConnectorSecurityIT(ConnectStack stack) {
        this.stack = stack;
    }

    @BeforeAll
    static void startSecuredCluster() throws IOException {
        logs = new CapturedLogs();
        certs = TestCertificates.create();
        Map<String, String> overrides = new HashMap<>(certs.serverSslConfig("listener.name.ssl."));
        overrides.put("listener.name.sasl_plaintext.sasl.enabled.mechanisms", "PLAIN");
        overrides.put("listener.name.sasl_plaintext.plain.sasl.jaas.config", jaas("admin", ADMIN_PASSWORD)
                .replace(";", " user_admin=\"" + ADMIN_PASSWORD + "\" user_sink=\"" + SINK_PASSWORD + "\";"));
        broker = EmbeddedKafkaBroker.start(overrides, List.of(new Listener(SASL, SASL), new Listener(SSL, SSL)));
        secrets = TempDirectories.create("streamtrain-secrets-");
        Files.writeString(secrets.resolve("kafka.properties"), "sink.jaas=" + jaas("sink", SINK_PASSWORD)
                .replace("\"", "\\\"") + "\n");
        connect = EmbeddedConnectWorker.builder(broker.bootstrapServers())
                .pluginZip(ConnectStack.pluginZip())
                .workerProperty("config.providers", "file")
                .workerProperty("config.providers.file.class",
                        "org.apache.kafka.common.config.provider.FileConfigProvider")
                .start();
    }

    @AfterAll
    static void noPasswordWasLoggedAndEverythingListensOnLoopback() {
        try {
            if (ListeningSockets.isSupported()) {
                Set<ListeningSockets.Socket> sockets = ListeningSockets.ofThisProcess();
                assertThat(sockets).as("listening sockets of this JVM").isNotEmpty()
                        .allMatch(s -> s.address().isLoopbackAddress(), "on loopback");
                assertThat(sockets).extracting(ListeningSockets.Socket::port)
                        .contains(connect.restUrl().getPort(), broker.port());
            }
            connect.close();
            broker.close();
            assertThat(logs.text()).as("the producer's configuration was logged, with its secrets hidden")
                    .contains("sasl.jaas.config = [hidden]", "ssl.truststore.password = [hidden]");
            for (String secret : List.of(ADMIN_PASSWORD, SINK_PASSWORD, WRONG_PASSWORD, certs.password())) {
                assertThat(logs.linesWith(secret)).as("log lines with a password").isEmpty();
            }
        } finally {
            logs.close();
            certs.close();
            TempDirectories.delete(secrets);
        }
    }

    @Test
    void writesOverSaslWithTheSecretFromAConfigProvider() {
        Map<String, String> config = config("sasl-sink", "sasl-in", "sasl");
        config.put("producer.bootstrap.servers", broker.bootstrapServers(SASL));
        config.put("producer.security.protocol", SASL);
        config.put("producer.sasl.mechanism", "PLAIN");
        config.put("producer.sasl.jaas.config", "${file:" + secrets.resolve("kafka.properties") + ":sink.jaas}");
        writesTenExamples(config, "sasl-in", "sasl.examples");
        String shown = connect.send("GET", "connectors/sasl-sink/config", null, 200).toString();
        assertThat(shown).as("the configuration the REST API shows").contains("${file:")
                .doesNotContain(SINK_PASSWORD);
        connect.deleteConnector("sasl-sink");
    }

    @Test
    void writesOverTls() {
        Map<String, String> config = config("tls-sink", "tls-in", "tls");
        config.put("producer.bootstrap.servers", broker.bootstrapServers(SSL));
        config.put("producer.security.protocol", SSL);
        certs.clientSslConfig("producer.").forEach(config::put);
        writesTenExamples(config, "tls-in", "tls.examples");
        assertThat(connect.send("GET", "connectors/tls-sink/status", null, 200).toString())
                .doesNotContain(certs.password());
        connect.deleteConnector("tls-sink");
    }

    @Test
    void aWrongPasswordFailsTheTaskWithATraceToActOn() {
        Map<String, String> config = config("wrongpw-sink", "wrongpw-in", "wrongpw");
        config.put("producer.bootstrap.servers", broker.bootstrapServers(SASL));
        config.put("producer.security.protocol", SASL);
        config.put("producer.sasl.mechanism", "PLAIN");
        config.put("producer.sasl.jaas.config", jaas("sink", WRONG_PASSWORD));
        config.put("producer.max.block.ms", "10000");
        io().createTopics(1, "wrongpw-in", "wrongpw.examples");
        connect.createConnector("wrongpw-sink", config);
        connect.awaitRunning("wrongpw-sink", 1, ConnectStack.TIMEOUT);
        io().produce("wrongpw-in", records(5));
        TaskStatus failed = connect.awaitTaskFailed("wrongpw-sink", Duration.ofSeconds(60));
        assertThat(failed.trace()).contains("SaslAuthenticationException",
                "Authentication failed: Invalid username or password").doesNotContain(WRONG_PASSWORD)
                .doesNotContain(SINK_PASSWORD);
        assertThat(connect.send("GET", "connectors/wrongpw-sink/status", null, 200).toString())
                .doesNotContain(WRONG_PASSWORD);
        connect.deleteConnector("wrongpw-sink");
    }

    private void writesTenExamples(Map<String, String> config, String source, String output) {
        String name = config.get("name");
        io().createTopics(1, source, output);
        connect.createConnector(name, config);
        connect.awaitRunning(name, 1, ConnectStack.TIMEOUT);
        io().produce(source, records(10));
        List<ConsumerRecord<String, Example>> written = io().readExamples(output, 10);
        assertThat(written).hasSize(10);
        assertThat(connect.status(name).isRunning(1)).isTrue();
    }

    private Map<String, String> config(String name, String source, String prefix) {
        Map<String, String> config = ConnectStack.baseConnectorConfig(name, source, prefix, broker.bootstrapServers(),
                stack.registryUrl());
        config.putAll(ChurnSamples.features());
        return config;
    }

    private TopicIO io() {
        if (io == null) {
            io = new TopicIO(broker.bootstrapServers(), stack.registryClient());
        }
        return io;
    }

    private static List<Raw> records(int n) {
        List<Raw> records = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            records.add(Raw.json("k" + i, ChurnSamples.json(i)));
        }
        return records;
    }

    private static String jaas(String user, String password) {
        return "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";";
    }

    private static String secret(String who) {
        byte[] random = new byte[9];
        new SecureRandom().nextBytes(random);
        return who + "-pw-" + HexFormat.of().formatHex(random);
    }
}
