package io.streamtrain.connect.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.streamtrain.avro.Example;
import io.streamtrain.connect.it.TopicIO.Raw;
import io.streamtrain.registry.ConfluentAvroDeserializer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A connector restarted through the REST API, and then the whole worker stopped and started, while records keep
 * coming: every source record ends up in the examples topic or the DLQ. Redelivered records may be written twice,
 * but only with their own topic-partition-offset id and the same content.
 */
@ExtendWith(ConnectStack.Resolver.class)
class RestartIT {

    private static final int BATCHES = 30;
    private static final int BATCH_SIZE = 100;
    private static final int BAD_EVERY = 37;

    private final ConnectStack stack;

    RestartIT(ConnectStack stack) {
        this.stack = stack;
    }

    @Test
    void restartingTheConnectorAndTheWorkerMidStreamLosesNothing() throws Exception {
        stack.io().createTopics(2, "restart-in");
        stack.io().createTopics(1, "restart.examples");
        Map<String, String> config = stack.connectorConfig("restart-sink", "restart-in", "restart");
        config.putAll(ChurnSamples.features());
        config.putAll(ConnectStack.deadLetterQueue("restart-in-rejected"));
        stack.startConnector(config);
        try {
            AtomicInteger batchesSent = new AtomicInteger();
            List<Raw> all = new ArrayList<>();
            for (int i = 0; i < BATCHES * BATCH_SIZE; i++) {
                all.add(Raw.json("k" + i, i % BAD_EVERY == 0
                        ? ChurnSamples.json(i).replace("\"premium\":", "\"premium\":\"no\",\"x\":")
                        : ChurnSamples.json(i)));
            }
            CompletableFuture<List<RecordMetadata>> producing = CompletableFuture.supplyAsync(() -> {
                List<RecordMetadata> landed = new ArrayList<>();
                for (int b = 0; b < BATCHES; b++) {
                    landed.addAll(stack.io().produce("restart-in", all.subList(b * BATCH_SIZE, (b + 1) * BATCH_SIZE)));
                    batchesSent.incrementAndGet();
                    sleep(150);
                }
                return landed;
            });

            awaitBatches(batchesSent, BATCHES / 3);
            stack.connect().restartConnector("restart-sink");
            stack.connect().awaitRunning("restart-sink", 1, ConnectStack.TIMEOUT);

            awaitBatches(batchesSent, 2 * BATCHES / 3);
            stack.connect().restart();
            stack.connect().awaitRunning("restart-sink", 1, ConnectStack.TIMEOUT);

            List<RecordMetadata> landed = producing.get(2, TimeUnit.MINUTES);
            Set<String> goodIds = new HashSet<>();
            Set<Long> badOffsets = new HashSet<>();
            Map<String, Integer> indexById = new HashMap<>();
            for (int i = 0; i < landed.size(); i++) {
                String id = "restart-in-" + landed.get(i).partition() + "-" + landed.get(i).offset();
                if (i % BAD_EVERY == 0) {
                    badOffsets.add(landed.get(i).partition() * 1_000_000L + landed.get(i).offset());
                } else {
                    goodIds.add(id);
                    indexById.put(id, i);
                }
            }

            List<ConsumerRecord<String, Example>> examples;
            try (ConfluentAvroDeserializer<Example> deserializer = new ConfluentAvroDeserializer<>(
                    stack.registryClient(), Example.class)) {
                examples = stack.io().readUntilIds("restart.examples", deserializer, Example::getId, goodIds);
            }
            Set<String> seen = new HashSet<>();
            for (ConsumerRecord<String, Example> record : examples) {
                Example example = record.value();
                assertThat(goodIds).as("an example id is a source topic-partition-offset").contains(example.getId());
                assertThat(example.getFeatures()).as("a duplicate carries the same features")
                        .containsExactly(ChurnSamples.expectedFeatures(indexById.get(example.getId())));
                seen.add(example.getId());
            }
            assertThat(seen).as("every good record reached the examples topic").isEqualTo(goodIds);

            Set<Long> deadSeen = new HashSet<>();
            List<ConsumerRecord<String, byte[]>> dead = stack.io().readUntilIds("restart-in-rejected",
                    new ByteArrayDeserializer(), v -> null, Set.of());
            for (ConsumerRecord<String, byte[]> record : dead) {
                long partition = Long.parseLong(header(record, "__connect.errors.partition"));
                long offset = Long.parseLong(header(record, "__connect.errors.offset"));
                assertThat(header(record, "__connect.errors.exception.message"))
                        .contains("Field 'premium' breaks rule 'wrong-type'");
                deadSeen.add(partition * 1_000_000L + offset);
            }
            assertThat(deadSeen).as("every bad record reached the DLQ").isEqualTo(badOffsets);
            System.out.printf("RestartIT: %d source records, %d examples written (%d distinct), %d in the DLQ"
                    + " (%d distinct)%n", landed.size(), examples.size(), seen.size(), dead.size(), deadSeen.size());
        } finally {
            stack.deleteConnector("restart-sink");
        }
    }

    private static void awaitBatches(AtomicInteger sent, int count) {
        long deadline = System.nanoTime() + ConnectStack.TIMEOUT.toNanos();
        while (sent.get() < count && System.nanoTime() < deadline) {
            sleep(50);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String header(ConsumerRecord<?, ?> record, String key) {
        return new String(record.headers().lastHeader(key).value(), StandardCharsets.UTF_8);
    }
}
