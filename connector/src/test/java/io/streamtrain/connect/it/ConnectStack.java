package io.streamtrain.connect.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import io.streamtrain.embedded.EmbeddedConnectWorker;
import io.streamtrain.embedded.EmbeddedKafkaBroker;
import io.streamtrain.embedded.EmbeddedSchemaRegistry;
import io.streamtrain.registry.RestSchemaRegistryClient;
import io.streamtrain.registry.SchemaRegistryClient;
import io.streamtrain.registry.SchemaRegistryClientConfig;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * What the connector's integration tests run against, started once for all of them: a real broker, the real schema
 * registry (Apicurio, as a child process) and a real Connect worker in distributed mode whose {@code plugin.path} is
 * the unpacked plugin zip, all on 127.0.0.1. Test classes get it as a constructor parameter
 * ({@code @ExtendWith(ConnectStack.Resolver.class)}); it is closed after the last test.
 */
public final class ConnectStack implements ConnectTarget, AutoCloseable {

    /** The system property with the plugin zip, set by the pom for failsafe. */
    public static final String ZIP_PROPERTY = "streamtrain.connector.zip";
    public static final String CONNECTOR_CLASS = "io.streamtrain.connect.StreamtrainSinkConnector";
    public static final String AVRO_CONVERTER = "io.streamtrain.connect.avro.ConfluentAvroConverter";
    public static final Duration TIMEOUT = TopicIO.TIMEOUT;

    private final EmbeddedKafkaBroker broker;
    private final EmbeddedSchemaRegistry registry;
    private final EmbeddedConnectWorker connect;
    private final SchemaRegistryClient registryClient;
    private final TopicIO io;

    private ConnectStack() {
        Path zip = pluginZip();
        EmbeddedKafkaBroker b = null;
        EmbeddedSchemaRegistry r = null;
        try {
            b = EmbeddedKafkaBroker.start();
            r = EmbeddedSchemaRegistry.start();
            this.connect = EmbeddedConnectWorker.builder(b.bootstrapServers()).pluginZip(zip).start();
        } catch (RuntimeException e) {
            if (r != null) {
                r.close();
            }
            if (b != null) {
                b.close();
            }
            throw e;
        }
        this.broker = b;
        this.registry = r;
        this.registryClient = new RestSchemaRegistryClient(new SchemaRegistryClientConfig(
                Map.of("schema.registry.url", registry.url())));
        this.io = new TopicIO(broker.bootstrapServers(), registryClient);
    }

    /** The plugin zip the build made. */
    public static Path pluginZip() {
        String property = System.getProperty(ZIP_PROPERTY);
        if (property == null) {
            throw new IllegalStateException("System property " + ZIP_PROPERTY + " is not set: run the integration tests"
                    + " through Maven (mvn verify), which builds the zip first");
        }
        Path zip = Path.of(property);
        if (!Files.isRegularFile(zip)) {
            throw new IllegalStateException("The plugin zip " + zip + " does not exist: run mvn package first");
        }
        return zip;
    }

    /** Resolves {@link ConnectStack} parameters with the one shared stack. */
    public static final class Resolver implements ParameterResolver {
        @Override
        public boolean supportsParameter(ParameterContext parameter, ExtensionContext extension) {
            return parameter.getParameter().getType() == ConnectStack.class;
        }

        @Override
        public Object resolveParameter(ParameterContext parameter, ExtensionContext extension) {
            // in the root store: started by the first test that needs it, closed (AutoCloseable) after the last
            return extension.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                    .getOrComputeIfAbsent(ConnectStack.class, k -> new ConnectStack(), ConnectStack.class);
        }
    }

    public EmbeddedKafkaBroker broker() {
        return broker;
    }

    public EmbeddedConnectWorker connect() {
        return connect;
    }

    public String registryUrl() {
        return registry.url();
    }

    public SchemaRegistryClient registryClient() {
        return registryClient;
    }

    @Override
    public TopicIO io() {
        return io;
    }

    @Override
    public void close() {
        try {
            registryClient.close();
            connect.close();
        } finally {
            try {
                registry.close();
            } finally {
                broker.close();
            }
        }
    }

    @Override
    public Map<String, String> connectorConfig(String name, String topics, String prefix) {
        return baseConnectorConfig(name, topics, prefix, broker.bootstrapServers(), registry.url());
    }

    /** The base connector configuration, for a worker that reaches the cluster and registry at these addresses. */
    static Map<String, String> baseConnectorConfig(String name, String topics, String prefix, String bootstrap,
            String registryUrl) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("name", name);
        config.put("connector.class", CONNECTOR_CLASS);
        config.put("tasks.max", "1");
        config.put("topics", topics);
        config.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        config.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        config.put("value.converter.schemas.enable", "false");
        config.put("streamtrain.topic.prefix", prefix);
        config.put("producer.bootstrap.servers", bootstrap);
        config.put("schema.registry.url", registryUrl);
        return config;
    }

    /** The settings that send bad records to a DLQ with the reason in its headers. */
    public static Map<String, String> deadLetterQueue(String topic) {
        return Map.of("errors.tolerance", "all",
                "errors.deadletterqueue.topic.name", topic,
                "errors.deadletterqueue.topic.replication.factor", "1",
                "errors.deadletterqueue.context.headers.enable", "true");
    }

    @Override
    public void startConnector(Map<String, String> config) {
        String name = config.get("name");
        connect.createConnector(name, config);
        connect.awaitRunning(name, Integer.parseInt(config.getOrDefault("tasks.max", "1")), TIMEOUT);
    }

    @Override
    public void deleteConnector(String name) {
        if (connect.connectors().contains(name)) {
            connect.deleteConnector(name);
        }
    }
}
