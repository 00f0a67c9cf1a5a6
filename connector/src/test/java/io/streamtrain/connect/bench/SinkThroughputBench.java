package io.streamtrain.connect.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.streamtrain.connect.it.ConnectStack;
import io.streamtrain.connect.it.TopicIO.Raw;
import io.streamtrain.connect.it.ChurnSamples;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * How many records per second one task delivers into the examples topic: 200k schemaless JSON records (16 features:
 * a scaled number, a boolean, a vocabulary, a hashed category, a vector) are produced first, then the connector
 * starts, and the clock runs until the examples topic holds them all. A measurement, not a test: it asserts nothing
 * about time, and runs only when named ({@code mvn verify -Dit.test=SinkThroughputBench -Dtest=none
 * -Dsurefire.failIfNoSpecifiedTests=false}).
 */
@ExtendWith(ConnectStack.Resolver.class)
class SinkThroughputBench {

    private static final int RECORDS = Integer.getInteger("bench.records", 200_000);

    private final ConnectStack stack;

    SinkThroughputBench(ConnectStack stack) {
        this.stack = stack;
    }

    @Test
    void defaultProducerSettings() {
        run("bench-default", Map.of());
    }

    @Test
    void tunedProducerSettings() {
        run("bench-tuned", Map.of("producer.linger.ms", "20", "producer.batch.size", "262144",
                "producer.compression.type", "lz4", "consumer.override.max.poll.records", "2000"));
    }

    private void run(String name, Map<String, String> extra) {
        String in = name + "-in";
        String prefix = name;
        stack.io().createTopics(1, in, prefix + ".examples");
        List<Raw> batch = new ArrayList<>();
        for (int i = 0; i < RECORDS; i++) {
            batch.add(Raw.json("k" + i, ChurnSamples.json(i % 1000)));
            if (batch.size() == 10_000) {
                stack.io().produce(in, batch);
                batch.clear();
            }
        }
        stack.io().produce(in, batch);

        Map<String, String> config = stack.connectorConfig(name, in, prefix);
        config.putAll(ChurnSamples.features());
        config.putAll(extra);
        long start = System.nanoTime();
        stack.connect().createConnector(name, config);
        long firstSeen = 0;
        TopicPartition out = new TopicPartition(prefix + ".examples", 0);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.broker().bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "bench-" + UUID.randomUUID()),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            long end = 0;
            long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
            while (end < RECORDS && System.nanoTime() < deadline) {
                end = consumer.endOffsets(List.of(out)).get(out);
                if (firstSeen == 0 && end > 0) {
                    firstSeen = System.nanoTime();
                }
                sleep();
            }
            long done = System.nanoTime();
            double total = (done - start) / 1e9;
            double steady = (done - firstSeen) / 1e9;
            System.out.printf("%n%s: %d examples in %.1f s from connector creation = %.0f records/s;"
                    + " %.0f records/s from the first example on (task start excluded)%n%n",
                    name, end, total, end / total, end / steady);
        } finally {
            stack.deleteConnector(name);
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
