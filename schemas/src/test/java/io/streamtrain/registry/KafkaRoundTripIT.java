package io.streamtrain.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamtrain.avro.Example;
import io.streamtrain.embedded.EmbeddedKafkaBroker;
import io.streamtrain.embedded.EmbeddedSchemaRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Avro {@link Example} records through a real broker and a real registry with {@link ConfluentAvroSerde}. */
@ExtendWith(EmbeddedServices.class)
class KafkaRoundTripIT {

    private static final Duration DEADLINE = Duration.ofSeconds(60);

    private final EmbeddedKafkaBroker kafka;
    private final EmbeddedSchemaRegistry registry;

    KafkaRoundTripIT(EmbeddedKafkaBroker kafka, EmbeddedSchemaRegistry registry) {
        this.kafka = kafka;
        this.registry = registry;
    }

    @Test
    void examplesRoundTripWithAnIdempotentProducerAndAReadCommittedConsumer() {
        String topic = "examples-" + UUID.randomUUID();
        kafka.createTopic(topic, 2);
        List<Example> sent = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            sent.add(i % 2 == 0 ? SampleRecords.example("e-" + i) : SampleRecords.regressionExample("e-" + i));
        }

        try (ConfluentAvroSerde<Example> serde = ConfluentAvroSerde.specific(Example.class,
                Map.of("schema.registry.url", registry.url()), false);
             KafkaProducer<String, Example> producer = new KafkaProducer<>(producerConfig(),
                     new StringSerializer(), serde.serializer())) {
            for (Example example : sent) {
                producer.send(new ProducerRecord<>(topic, example.getModel(), example));
            }
            producer.send(new ProducerRecord<>(topic, "churn", null)); // a tombstone
            producer.flush();
        }

        // The consumer builds its deserializer by class name, through configure(), as Kafka users do.
        Map<String, Object> consumerConfig = consumerConfig();
        consumerConfig.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ConfluentAvroDeserializer.class.getName());
        consumerConfig.put("schema.registry.url", registry.url());
        List<ConsumerRecord<String, Example>> received = new ArrayList<>();
        try (KafkaConsumer<String, Example> consumer = new KafkaConsumer<>(consumerConfig)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (received.size() < sent.size() + 1 && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(received::add);
            }
        }

        assertThat(received).hasSize(sent.size() + 1);
        assertThat(received).filteredOn(r -> r.value() == null).hasSize(1);
        assertThat(received).extracting(ConsumerRecord::value).filteredOn(v -> v != null)
                .containsExactlyInAnyOrderElementsOf(sent);
        // per key (hence per partition) the order is kept
        assertThat(received).filteredOn(r -> r.key().equals("price") && r.value() != null)
                .extracting(r -> r.value().getId())
                .containsExactlyElementsOf(sent.stream().filter(e -> e.getModel().equals("price"))
                        .map(Example::getId).toList());
    }

    @Test
    void aConsumerReportsABadRecordWithItsTopicAndOffset() {
        String topic = "garbage-" + UUID.randomUUID();
        kafka.createTopic(topic, 1);
        Map<String, Object> producerConfig = producerConfig();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig,
                new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, "{\"not\":\"avro\"}".getBytes(StandardCharsets.UTF_8)));
            producer.flush();
        }

        try (ConfluentAvroSerde<Example> serde = ConfluentAvroSerde.specific(Example.class,
                Map.of("schema.registry.url", registry.url()), false);
             KafkaConsumer<String, Example> consumer = new KafkaConsumer<>(consumerConfig(),
                     new StringDeserializer(), serde.deserializer())) {
            consumer.subscribe(List.of(topic));
            assertThatThrownBy(() -> {
                long deadline = System.nanoTime() + DEADLINE.toNanos();
                while (System.nanoTime() < deadline) {
                    consumer.poll(Duration.ofMillis(200));
                }
            }).isInstanceOfSatisfying(RecordDeserializationException.class, e -> {
                assertThat(e.offset()).isZero();
                assertThat(e.getCause()).isInstanceOf(WireFormatException.class)
                        .hasMessageContaining("topic '" + topic + "'")
                        .hasMessageContaining("bad magic byte 0x7B");
            });
        }
    }

    private Map<String, Object> producerConfig() {
        Map<String, Object> config = new HashMap<>(kafka.clientConfig());
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        return config;
    }

    private Map<String, Object> consumerConfig() {
        Map<String, Object> config = new HashMap<>(kafka.clientConfig());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID());
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        return config;
    }
}
