package io.streamtrain.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.streamtrain.embedded.EmbeddedKafkaBroker;
import io.streamtrain.embedded.EmbeddedSchemaRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real components the Kafka suites run on, started once per {@code bench} invocation on 127.0.0.1: a single-node
 * KRaft broker in this JVM and the schema registry as a child process.
 */
final class BenchStack implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BenchStack.class);

    private EmbeddedKafkaBroker kafka;
    private EmbeddedSchemaRegistry registry;

    /** The broker, started on first use. */
    synchronized EmbeddedKafkaBroker kafka() {
        if (kafka == null) {
            long start = System.nanoTime();
            kafka = EmbeddedKafkaBroker.start();
            log.info("embedded Kafka at {} in {} ms", kafka.bootstrapServers(), (System.nanoTime() - start) / 1_000_000);
        }
        return kafka;
    }

    /** The registry, started on first use. */
    synchronized EmbeddedSchemaRegistry registry() {
        if (registry == null) {
            long start = System.nanoTime();
            registry = EmbeddedSchemaRegistry.start();
            log.info("schema registry at {} in {} ms", registry.url(), (System.nanoTime() - start) / 1_000_000);
        }
        return registry;
    }

    String bootstrapServers() {
        return kafka().bootstrapServers();
    }

    /** The registry settings of clients and serdes. */
    Map<String, String> registryConfig() {
        return Map.of("schema.registry.url", registry().url());
    }

    /**
     * Deletes the topics whose names start with one of the prefixes, so that a long bench does not fill the broker's
     * disk. A failure is logged: leftover topics cost only disk on a broker whose data goes when the bench ends.
     */
    void deleteTopics(String... prefixes) {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers()))) {
            List<String> names = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
                    .filter(n -> Arrays.stream(prefixes).anyMatch(n::startsWith))
                    .toList();
            admin.deleteTopics(names).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            log.warn("cannot delete the topics {}*: {}", Arrays.toString(prefixes), e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public synchronized void close() {
        try {
            if (registry != null) {
                registry.close();
            }
        } finally {
            registry = null;
            if (kafka != null) {
                kafka.close();
            }
            kafka = null;
        }
    }
}
