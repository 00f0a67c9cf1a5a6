package io.streamtrain.robustness;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.streamtrain.embedded.EmbeddedKafkaBroker;
import io.streamtrain.embedded.EmbeddedKafkaBroker.Listener;
import io.streamtrain.embedded.EmbeddedSchemaRegistry;
import io.streamtrain.embedded.TempDirectories;
import io.streamtrain.embedded.TestCertificates;
import io.streamtrain.registry.RestSchemaRegistryClient;
import io.streamtrain.registry.SchemaRegistryClient;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * What the learner's robustness tests run against, started once for all of them: a real broker with three client
 * listeners on 127.0.0.1 (PLAINTEXT; SASL_PLAINTEXT with the PLAIN mechanism and two users; SSL with a certificate
 * made by the test), and the real schema registry. Test classes get it as a constructor parameter
 * ({@code @ExtendWith(RobustnessStack.Resolver.class)}); it is closed after the last test.
 */
final class RobustnessStack implements AutoCloseable {

    static final String SASL = "SASL_PLAINTEXT";
    static final String SSL = "SSL";
    static final String LEARNER_USER = "learner";

    private final TestCertificates certs;
    private final EmbeddedKafkaBroker broker;
    private final EmbeddedSchemaRegistry registry;
    private final SchemaRegistryClient registryClient;
    private final Path work;
    private final String adminPassword = secret("admin");
    private final String learnerPassword = secret("learner");

    private RobustnessStack() {
        work = TempDirectories.create("streamtrain-robustness-");
        certs = TestCertificates.create();
        EmbeddedKafkaBroker b = null;
        try {
            Map<String, String> overrides = new HashMap<>(certs.serverSslConfig("listener.name.ssl."));
            // lets a test shorten the session timeout: a replaced stream thread waits for its dead one's session
            overrides.put("group.min.session.timeout.ms", "1000");
            overrides.put("listener.name.sasl_plaintext.sasl.enabled.mechanisms", "PLAIN");
            overrides.put("listener.name.sasl_plaintext.plain.sasl.jaas.config",
                    "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"admin\" password=\""
                            + adminPassword + "\" user_admin=\"" + adminPassword + "\" user_" + LEARNER_USER + "=\""
                            + learnerPassword + "\";");
            b = EmbeddedKafkaBroker.start(overrides, List.of(new Listener(SASL, SASL), new Listener(SSL, SSL)));
            registry = EmbeddedSchemaRegistry.start();
        } catch (RuntimeException e) {
            if (b != null) {
                b.close();
            }
            certs.close();
            throw e;
        }
        broker = b;
        registryClient = new RestSchemaRegistryClient(Map.of("schema.registry.url", registry.url()));
    }

    /** A random password, so that a test can look for it in every log line. */
    static String secret(String who) {
        byte[] random = new byte[9];
        new SecureRandom().nextBytes(random);
        return who + "-pw-" + HexFormat.of().formatHex(random);
    }

    /** Resolves {@link RobustnessStack} parameters with the one shared stack. */
    static final class Resolver implements ParameterResolver {
        @Override
        public boolean supportsParameter(ParameterContext parameter, ExtensionContext extension) {
            return parameter.getParameter().getType() == RobustnessStack.class;
        }

        @Override
        public Object resolveParameter(ParameterContext parameter, ExtensionContext extension) {
            return extension.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                    .getOrComputeIfAbsent(RobustnessStack.class, k -> new RobustnessStack(), RobustnessStack.class);
        }
    }

    EmbeddedKafkaBroker broker() {
        return broker;
    }

    EmbeddedSchemaRegistry registry() {
        return registry;
    }

    SchemaRegistryClient registryClient() {
        return registryClient;
    }

    TestCertificates certs() {
        return certs;
    }

    String learnerPassword() {
        return learnerPassword;
    }

    String adminPassword() {
        return adminPassword;
    }

    /** A fresh directory for one learner's state. */
    Path stateDir(String name) {
        return work.resolve(name);
    }

    /**
     * The settings of a learner on the PLAINTEXT listener: its own application id and state directory, the topic
     * prefix, short commit and metrics intervals, /metrics and /health on any free port of 127.0.0.1.
     */
    Map<String, String> learnerSettings(String prefix) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("bootstrap.servers", broker.bootstrapServers());
        s.put("schema.registry.url", registry.url());
        s.put("application.id", prefix + "-learner");
        s.put("state.dir", stateDir(prefix).toString());
        s.put("commit.interval.ms", "100");
        s.put("streamtrain.topic.prefix", prefix);
        s.put("streamtrain.metrics.interval.ms", "300");
        // any free port for /metrics and /health: a learner and a replica run side by side in these tests
        s.put("streamtrain.http.port", "0");
        return s;
    }

    /** Client settings for the SASL_PLAINTEXT listener as {@code user}. */
    Map<String, String> saslClient(String user, String password) {
        return Map.of(
                "bootstrap.servers", broker.bootstrapServers(SASL),
                "security.protocol", SASL,
                "sasl.mechanism", "PLAIN",
                "sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
                        + user + "\" password=\"" + password + "\";");
    }

    /** Client settings for the SSL listener, trusting the test CA. */
    Map<String, String> sslClient() {
        Map<String, String> s = new HashMap<>(certs.clientSslConfig(""));
        s.put("bootstrap.servers", broker.bootstrapServers(SSL));
        s.put("security.protocol", SSL);
        return s;
    }

    @Override
    public void close() {
        try {
            registryClient.close();
            registry.close();
        } finally {
            try {
                broker.close();
            } finally {
                certs.close();
                TempDirectories.delete(work);
            }
        }
    }
}
