package io.streamtrain.embedded;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka cluster (combined broker and KRaft controller) in this JVM, bound to 127.0.0.1 on free
 * ports, with the settings that {@code exactly_once_v2} needs on one node. Its log directory is a temporary folder
 * removed on {@link #close()}.
 *
 * <p>Kafka's own test kit binds every interface, so this starts {@link KafkaRaftServer} from the main jars instead.
 * {@link #restart()} stops and starts the same node on the same ports and data, for failure tests.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
    private static final int START_ATTEMPTS = 3;

    /**
     * A listener besides PLAINTEXT (clients, inter-broker) and CONTROLLER, for security tests: its name (also the
     * prefix of its {@code listener.name.<name>.*} settings, lower case) and security protocol. It binds 127.0.0.1 on
     * a port picked when the broker starts.
     */
    public record Listener(String name, String securityProtocol) {
    }

    private final Path dir;
    private final Map<String, String> overrides;
    private final List<Listener> extraListeners;
    private final Map<String, Integer> extraPorts = new LinkedHashMap<>();
    private final String clusterId = Uuid.randomUuid().toString();
    private final Thread shutdownHook;
    private int port;
    private int controllerPort;
    private KafkaRaftServer server;

    private EmbeddedKafkaBroker(Path dir, Map<String, String> overrides, List<Listener> extraListeners) {
        this.dir = dir;
        this.overrides = Map.copyOf(overrides);
        this.extraListeners = List.copyOf(extraListeners);
        this.shutdownHook = new Thread(this::stopQuietly, "embedded-kafka-shutdown");
    }

    /** Starts a broker with the default settings. */
    public static EmbeddedKafkaBroker start() {
        return start(Map.of());
    }

    /**
     * Starts a broker with extra broker properties, which win over the defaults (for example extra listeners with
     * SASL or SSL, or {@code num.partitions}).
     */
    public static EmbeddedKafkaBroker start(Map<String, String> brokerOverrides) {
        return start(brokerOverrides, List.of());
    }

    /**
     * Starts a broker with extra listeners (say SASL_PLAINTEXT and SSL) besides PLAINTEXT, each on 127.0.0.1 and a
     * free port, and extra broker properties for them ({@code listener.name.<name>.*}). Controller and inter-broker
     * traffic stay on PLAINTEXT.
     */
    public static EmbeddedKafkaBroker start(Map<String, String> brokerOverrides, List<Listener> extraListeners) {
        Path dir = TempDirectories.create("streamtrain-kafka-");
        EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(dir, brokerOverrides, extraListeners);
        try {
            broker.startOnFreePorts();
        } catch (RuntimeException e) {
            broker.close();
            throw e;
        }
        StopHooks.add(broker.shutdownHook);
        return broker;
    }

    /** The bootstrap address of the PLAINTEXT listener, {@code 127.0.0.1:port}. */
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** The bootstrap address of an extra listener, {@code 127.0.0.1:port}. */
    public String bootstrapServers(String listenerName) {
        Integer extra = extraPorts.get(listenerName);
        if (extra == null) {
            throw new IllegalArgumentException("no listener " + listenerName + "; extra listeners: "
                    + extraPorts.keySet());
        }
        return "127.0.0.1:" + extra;
    }

    /** The port of the PLAINTEXT listener. */
    public int port() {
        return port;
    }

    /** Client properties that reach this broker: bootstrap servers only. */
    public Map<String, Object> clientConfig() {
        return Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    }

    /** Creates a topic with replication factor 1 unless it exists, and waits for it. */
    public void createTopic(String name, int partitions) {
        createTopic(name, partitions, Map.of());
    }

    /** Creates a topic with replication factor 1 and the given topic configs unless it exists, and waits for it. */
    public void createTopic(String name, int partitions, Map<String, String> configs) {
        try (Admin admin = Admin.create(clientConfig())) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs)))
                    .all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create topic " + name + ": " + e.getCause().getMessage(), e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topic " + name, e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("topic " + name + " was not created within 30 s", e);
        }
    }

    /** Creates several topics with the same partition count. */
    public void createTopics(int partitions, Collection<String> names) {
        names.forEach(name -> createTopic(name, partitions));
    }

    /** Stops the node (as a controlled shutdown) and starts it again on the same ports with the same data. */
    public void restart() {
        stopServer();
        startServer();
    }

    /** Stops the node without deleting its data; {@link #restart()} or {@link #close()} may follow. */
    public void stop() {
        stopServer();
    }

    /** Starts a node stopped by {@link #stop()} on the same ports with the same data. */
    public void resume() {
        if (server == null) {
            startServer();
        }
    }

    /** Stops the node and removes its data. */
    @Override
    public void close() {
        stopQuietly();
        StopHooks.remove(shutdownHook);
    }

    private void stopQuietly() {
        try {
            stopServer();
        } finally {
            TempDirectories.delete(dir);
        }
    }

    private void startOnFreePorts() {
        RuntimeException last = null;
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            port = FreePorts.pick();
            controllerPort = FreePorts.pick();
            extraListeners.forEach(l -> extraPorts.put(l.name(), FreePorts.pick()));
            try {
                format();
                startServer();
                return;
            } catch (RuntimeException e) {
                // another process may take a port between picking and binding it: try fresh ones
                last = e;
                log.warn("embedded Kafka did not start on ports {}/{} (attempt {} of {})",
                        port, controllerPort, attempt, START_ATTEMPTS, e);
                stopServer();
                TempDirectories.delete(dir.resolve("logs"));
            }
        }
        throw new IllegalStateException("embedded Kafka did not start after " + START_ATTEMPTS + " attempts", last);
    }

    private Properties brokerProperties() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        StringBuilder listeners = new StringBuilder("PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:"
                + controllerPort);
        StringBuilder advertised = new StringBuilder("PLAINTEXT://127.0.0.1:" + port);
        StringBuilder protocols = new StringBuilder("PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        for (Listener l : extraListeners) {
            String address = l.name() + "://127.0.0.1:" + extraPorts.get(l.name());
            listeners.append(',').append(address);
            advertised.append(',').append(address);
            protocols.append(',').append(l.name()).append(':').append(l.securityProtocol());
        }
        p.put("listeners", listeners.toString());
        p.put("advertised.listeners", advertised.toString());
        p.put("listener.security.protocol.map", protocols.toString());
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", dir.resolve("logs").toString());
        p.put("num.partitions", "1");
        // one node: every internal topic has one replica, or transactions and groups never become available
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "4");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        // keeps the cleaner's buffer, and so the heap, small
        p.put("log.cleaner.dedupe.buffer.size", "2097152");
        p.put("auto.create.topics.enable", "false");
        p.put("delete.topic.enable", "true");
        p.putAll(overrides);
        Properties props = new Properties();
        props.putAll(p);
        return props;
    }

    private void format() {
        Path config = dir.resolve("server.properties");
        try (Writer out = Files.newBufferedWriter(config, StandardCharsets.UTF_8)) {
            brokerProperties().store(out, "embedded Kafka");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + config, e);
        }
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        int rc;
        try (PrintStream print = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            rc = StorageTool.execute(new String[] {"format", "--config", config.toString(),
                "--cluster-id", clusterId, "--ignore-formatted"}, print);
        }
        if (rc != 0) {
            throw new IllegalStateException("formatting the embedded Kafka storage failed (exit " + rc + "): "
                    + output.toString(StandardCharsets.UTF_8));
        }
    }

    private void startServer() {
        long started = System.nanoTime();
        KafkaRaftServer s = new KafkaRaftServer(KafkaConfig.fromProps(brokerProperties(), false), Time.SYSTEM);
        server = s;
        s.startup();
        awaitReady();
        log.info("embedded Kafka started at {} in {} ms", bootstrapServers(),
                Duration.ofNanos(System.nanoTime() - started).toMillis());
    }

    private void awaitReady() {
        try (Admin admin = Admin.create(clientConfig())) {
            admin.describeCluster().nodes().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for embedded Kafka", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("embedded Kafka at " + bootstrapServers() + " did not answer", e);
        }
    }

    private void stopServer() {
        KafkaRaftServer s = server;
        server = null;
        if (s != null) {
            s.shutdown();
            s.awaitShutdown();
            log.info("embedded Kafka at {} stopped", bootstrapServers());
        }
    }
}
