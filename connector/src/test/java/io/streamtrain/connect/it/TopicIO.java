package io.streamtrain.connect.it;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import io.streamtrain.avro.Example;
import io.streamtrain.avro.Label;
import io.streamtrain.registry.ConfluentAvroDeserializer;
import io.streamtrain.registry.ConfluentAvroSerializer;
import io.streamtrain.registry.SchemaRegistryClient;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** The test's side of the topics: creates them, produces JSON or Avro, and reads Examples, Labels and DLQ records. */
public final class TopicIO {

    /** How long a read waits for the expected records. */
    public static final Duration TIMEOUT = Duration.ofSeconds(90);

    /** A record to produce: key and raw value bytes (null for a tombstone). */
    public record Raw(String key, byte[] value) {
        public static Raw json(String key, String json) {
            return new Raw(key, json.getBytes(StandardCharsets.UTF_8));
        }
    }

    private final String bootstrapServers;
    private final SchemaRegistryClient registry;

    /** @param registry a client of the registry the connector writes to; the caller closes it */
    public TopicIO(String bootstrapServers, SchemaRegistryClient registry) {
        this.bootstrapServers = bootstrapServers;
        this.registry = registry;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public SchemaRegistryClient registry() {
        return registry;
    }

    /** Creates topics with one replica unless they exist. */
    public void createTopics(int partitions, String... names) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            for (String name : names) {
                try {
                    admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + name, e.getCause());
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("topics " + List.of(names) + " were not created in time", e);
        }
    }

    /** Produces records and returns where each landed, in order. */
    public List<RecordMetadata> produce(String topic, List<Raw> records) {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.LINGER_MS_CONFIG, 5), new StringSerializer(), new ByteArraySerializer())) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (Raw record : records) {
                sent.add(producer.send(new ProducerRecord<>(topic, record.key(), record.value())));
            }
            producer.flush();
            List<RecordMetadata> metadata = new ArrayList<>();
            for (Future<RecordMetadata> future : sent) {
                metadata.add(future.get(30, TimeUnit.SECONDS));
            }
            return metadata;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("producing to " + topic + " failed", e);
        }
    }

    /** Produces Avro records in the Confluent wire format with Streamtrain's serializer (the schema registered). */
    public List<RecordMetadata> produceAvro(String topic, List<GenericRecord> records) {
        List<Raw> raw = new ArrayList<>();
        try (ConfluentAvroSerializer<GenericRecord> serializer = new ConfluentAvroSerializer<>(registry, false)) {
            for (GenericRecord record : records) {
                raw.add(new Raw(null, serializer.serialize(topic, record)));
            }
        }
        return produce(topic, raw);
    }

    /** Reads {@code expected} Examples (waiting up to the timeout), then a little longer so extra ones show. */
    public List<ConsumerRecord<String, Example>> readExamples(String topic, int expected) {
        try (ConfluentAvroDeserializer<Example> deserializer = new ConfluentAvroDeserializer<>(registry,
                Example.class)) {
            return read(topic, expected, deserializer);
        }
    }

    /** Reads {@code expected} Labels, then a little longer so extra ones show. */
    public List<ConsumerRecord<String, Label>> readLabels(String topic, int expected) {
        try (ConfluentAvroDeserializer<Label> deserializer = new ConfluentAvroDeserializer<>(registry, Label.class)) {
            return read(topic, expected, deserializer);
        }
    }

    /** Reads {@code expected} raw records (e.g. from a DLQ, with headers), then a little longer. */
    public List<ConsumerRecord<String, byte[]>> readRaw(String topic, int expected) {
        return read(topic, expected, new ByteArrayDeserializer());
    }

    /**
     * Reads until every expected id has arrived (or twice the timeout passes) and returns everything read,
     * duplicates included.
     */
    public <V> List<ConsumerRecord<String, V>> readUntilIds(String topic, Deserializer<V> deserializer,
            Function<V, String> id, Set<String> expected) {
        Set<String> missing = new HashSet<>(expected);
        List<ConsumerRecord<String, V>> records = new ArrayList<>();
        try (KafkaConsumer<String, V> consumer = consumer(deserializer)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TIMEOUT.toNanos() * 2;
            while (!missing.isEmpty() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, V> record : consumer.poll(Duration.ofMillis(200))) {
                    records.add(record);
                    missing.remove(id.apply(record.value()));
                }
            }
            long settle = System.nanoTime() + Duration.ofSeconds(1).toNanos();
            while (System.nanoTime() < settle) {
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
            }
        }
        return records;
    }

    private <V> List<ConsumerRecord<String, V>> read(String topic, int expected, Deserializer<V> deserializer) {
        List<ConsumerRecord<String, V>> records = new ArrayList<>();
        try (KafkaConsumer<String, V> consumer = consumer(deserializer)) {
            List<TopicPartition> partitions = new ArrayList<>();
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (partitions.isEmpty() && System.nanoTime() < deadline) {
                for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(10))) {
                    partitions.add(new TopicPartition(topic, info.partition()));
                }
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (records.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            // a little longer: anything beyond the expected records must show up here
            long settle = System.nanoTime() + Duration.ofMillis(1500).toNanos();
            while (System.nanoTime() < settle) {
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
            }
        }
        return records;
    }

    private <V> KafkaConsumer<String, V> consumer(Deserializer<V> deserializer) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return new KafkaConsumer<>(config, new StringDeserializer(), deserializer);
    }
}
