package io.streamtrain.connect.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.streamtrain.avro.Example;
import io.streamtrain.connect.it.TopicIO.Raw;
import io.streamtrain.registry.ConfluentAvroDeserializer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Writes that fail on a real broker (the examples topic does not exist yet) fail the commit instead of being
 * acknowledged; the task retries with its backoff and, once the topic is there, every record arrives.
 */
@ExtendWith(ConnectStack.Resolver.class)
class DeliveryFailureIT {

    private final ConnectStack stack;

    DeliveryFailureIT(ConnectStack stack) {
        this.stack = stack;
    }

    @Test
    void failedWritesAreRetriedUntilTheyLandAndNothingIsLost() throws Exception {
        stack.io().createTopics(1, "late-topic-in");
        Map<String, String> config = stack.connectorConfig("late-topic-sink", "late-topic-in", "latetopic");
        config.putAll(ChurnSamples.features());
        // fail fast while the topic is missing: metadata wait and delivery bounded, short backoff
        config.put("producer.max.block.ms", "300");
        config.put("producer.delivery.timeout.ms", "1000");
        config.put("producer.request.timeout.ms", "500");
        config.put("send.retry.backoff.ms", "200");
        config.put("send.retry.backoff.max.ms", "1000");
        config.put("send.max.retries", "1000");
        stack.startConnector(config);
        try {
            List<Raw> records = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                records.add(Raw.json("k" + i, ChurnSamples.json(i)));
            }
            List<RecordMetadata> landed = stack.io().produce("late-topic-in", records);
            Thread.sleep(4000); // sends fail, commits fail, the task backs off and retries
            assertThat(stack.connect().status("late-topic-sink").isRunning(1))
                    .as("a retriable failure does not fail the task").isTrue();

            stack.io().createTopics(1, "latetopic.examples");
            Set<String> expected = new HashSet<>();
            landed.forEach(m -> expected.add("late-topic-in-0-" + m.offset()));
            List<ConsumerRecord<String, Example>> examples;
            try (ConfluentAvroDeserializer<Example> deserializer = new ConfluentAvroDeserializer<>(
                    stack.registryClient(), Example.class)) {
                examples = stack.io().readUntilIds("latetopic.examples", deserializer, Example::getId, expected);
            }
            Set<String> seen = new HashSet<>();
            examples.forEach(r -> seen.add(r.value().getId()));
            assertThat(seen).isEqualTo(expected);
            assertThat(stack.connect().status("late-topic-sink").isRunning(1)).isTrue();
        } finally {
            stack.deleteConnector("late-topic-sink");
        }
    }
}
