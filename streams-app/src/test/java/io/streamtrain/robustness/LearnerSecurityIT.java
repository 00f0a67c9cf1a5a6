package io.streamtrain.robustness;

import io.streamtrain.embedded.CapturedLogs;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

import io.streamtrain.app.LearnerApp;
import io.streamtrain.app.LearnerConfig;
import io.streamtrain.avro.Example;
import io.streamtrain.avro.Prediction;
import io.streamtrain.embedded.ListeningSockets;
import io.streamtrain.robustness.LearnerCommand.Outcome;
import io.streamtrain.robustness.Topics.Raw;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The learner against a broker that wants SASL (PLAIN) or TLS, with the certificate the test made: it learns over
 * either; with the wrong password, or without trusting the broker's certificate, it exits non-zero with a message a
 * user can act on. Throughout, every log line of this JVM is captured (broker included, Kafka at INFO, so its
 * configuration dumps too), and no password ever appears in one; the learner's one listening socket is its HTTP
 * endpoint (/metrics, /health), on 127.0.0.1.
 */
@ExtendWith(RobustnessStack.Resolver.class)
class LearnerSecurityIT {

    private static final List<String> WRONG_PASSWORDS = List.of(RobustnessStack.secret("wrong"));
    private static CapturedLogs logs;

    private final RobustnessStack stack;

    @TempDir
    Path dir;

    LearnerSecurityIT(RobustnessStack stack) {
        this.stack = stack;
    }

    @BeforeAll
    static void captureLogs() {
        logs = new CapturedLogs();
    }

    @AfterAll
    static void noPasswordWasLogged() {
        try {
            // the RobustnessStack of this run: its passwords are in the JAAS settings of the learners here
            assertThat(logs.lines()).as("log lines captured").isNotEmpty();
            assertThat(logs.text()).as("the clients' configuration was logged, with secrets hidden")
                    .contains("sasl.jaas.config = [hidden]", "ssl.truststore.password = [hidden]");
            for (String secret : SECRETS) {
                assertThat(logs.linesWith(secret)).as("log lines with a password").isEmpty();
            }
        } finally {
            logs.close();
        }
    }

    /** Every password of this class's runs: the users', the stores', the wrong one. */
    private static final List<String> SECRETS = new ArrayList<>(WRONG_PASSWORDS);

    private void rememberSecrets() {
        SECRETS.addAll(List.of(stack.learnerPassword(), stack.adminPassword(), stack.certs().password()));
    }

    @Test
    void learnsOverSaslPlaintext() throws Exception {
        rememberSecrets();
        learnsOver("sasl", stack.saslClient(RobustnessStack.LEARNER_USER, stack.learnerPassword()));
    }

    @Test
    void learnsOverTls() throws Exception {
        rememberSecrets();
        learnsOver("tls", stack.sslClient());
    }

    @Test
    void aWrongPasswordEndsTheRunWithAMessageToActOn() {
        rememberSecrets();
        Map<String, String> settings = stack.learnerSettings("wrongpw");
        settings.putAll(stack.saslClient(RobustnessStack.LEARNER_USER, WRONG_PASSWORDS.get(0)));
        Outcome outcome = LearnerCommand.run(dir, settings, Duration.ofSeconds(60));
        assertThat(outcome.exitCode()).as("exit code; it wrote: %s", outcome.err()).isNotZero();
        assertThat(outcome.err()).contains("Authentication failed", "Invalid username or password")
                .doesNotContain(WRONG_PASSWORDS.get(0)).doesNotContain(stack.learnerPassword());
    }

    @Test
    void anUntrustedCertificateEndsTheRunWithAMessageToActOn() {
        rememberSecrets();
        Map<String, String> settings = stack.learnerSettings("untrusted");
        settings.put("bootstrap.servers", stack.broker().bootstrapServers(RobustnessStack.SSL));
        settings.put("security.protocol", "SSL");
        Outcome outcome = LearnerCommand.run(dir, settings, Duration.ofSeconds(60));
        assertThat(outcome.exitCode()).as("exit code; it wrote: %s", outcome.err()).isNotZero();
        assertThat(outcome.err()).contains("SSL handshake failed");
    }

    @Test
    void everyListenerOfTheStackBindsLoopbackAndNothingEnablesRemoteJmx() throws IOException {
        Assumptions.assumeTrue(ListeningSockets.isSupported(), "needs Linux /proc");
        rememberSecrets();
        // this JVM (the broker's PLAINTEXT, SASL_PLAINTEXT, SSL and CONTROLLER listeners) and its children (the
        // schema registry)
        List<Long> processes = new ArrayList<>();
        processes.add(ProcessHandle.current().pid());
        ProcessHandle.current().descendants().forEach(p -> processes.add(p.pid()));
        Set<ListeningSockets.Socket> all = new HashSet<>();
        for (long pid : processes) {
            try {
                all.addAll(ListeningSockets.of(pid));
            } catch (UncheckedIOException e) {
                // a child that ended meanwhile
            }
        }
        assertThat(all).as("listening sockets").hasSizeGreaterThanOrEqualTo(5)
                .allMatch(socket -> socket.address().isLoopbackAddress(), "binds loopback");
        // the learner's own is its HTTP endpoint on 127.0.0.1 (see learnsOver); its launcher and image enable no
        // remote JMX
        try (Stream<Path> files = Stream.concat(Files.walk(Path.of("..", "bin")), Files.walk(Path.of("..", "docker"))
                .filter(f -> !f.toString().contains("target")))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                assertThat(Files.readString(f)).as(f.toString()).doesNotContain("jmxremote");
            }
        }
    }

    private void learnsOver(String prefix, Map<String, String> security) throws Exception {
        String examples = prefix + ".examples";
        stack.broker().createTopic(examples, 1);
        Map<String, String> settings = stack.learnerSettings(prefix);
        settings.putAll(security);
        Set<ListeningSockets.Socket> before = ListeningSockets.isSupported() ? ListeningSockets.ofThisProcess() : null;
        try (LearnerApp learner = LearnerApp.start(new LearnerConfig(settings))) {
            ExamplesTopicCorpus corpus = new ExamplesTopicCorpus(stack.registryClient(), examples);
            Random random = new Random(11);
            List<Raw> records = new ArrayList<>();
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                Example e = ExamplesTopicCorpus.good(prefix + "-" + i, random);
                ids.add(e.getId());
                records.add(new Raw(e.getModel(), corpus.bytes(e)));
            }
            // the test's own clients use the same secured listener
            Map<String, Object> client = new HashMap<>(security);
            Topics.produce(client, examples, records);
            List<ConsumerRecord<String, Prediction>> predictions = Topics.readUntil(client, prefix + ".predictions",
                    LearnerBadInputIT.deserializer(Prediction.class,
                            Map.of("schema.registry.url", stack.registry().url())),
                    r -> r.size() >= ids.size(), () -> learner.streams().state().isRunningOrRebalancing(),
                    Duration.ofSeconds(60));
            assertThat(predictions).extracting(r -> r.value().getExampleId())
                    .containsExactlyInAnyOrderElementsOf(ids);
            if (before != null) {
                // its one listening socket: /metrics and /health, on 127.0.0.1
                Set<ListeningSockets.Socket> opened = new HashSet<>(ListeningSockets.ofThisProcess());
                opened.removeAll(before);
                assertThat(opened).as("listening sockets the learner opened").extracting(
                        ListeningSockets.Socket::toString).containsExactly("127.0.0.1:" + learner.httpPort()
                        .orElseThrow());
            }
        }
    }
}
