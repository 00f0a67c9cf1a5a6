package io.streamtrain.bench;

import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import io.streamtrain.avro.Example;
import io.streamtrain.data.LabeledExample;
import io.streamtrain.registry.ConfluentAvroSerde;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes examples to an examples topic as a user's producer would: Avro in the registry's wire format, keyed by model
 * id, idempotent, acks=all. Bulk mode batches for throughput; low-latency mode sends each record at once, so that
 * the time of {@link #send} is the time the event was produced.
 */
final class ExampleProducer implements AutoCloseable {

    private final KafkaProducer<String, Example> producer;
    private final Serde<Example> serde;
    private final String topic;
    private final String model;
    private final List<String> classNames;
    private final AtomicReference<Exception> failure = new AtomicReference<>();

    private ExampleProducer(BenchStack stack, String topic, String model, List<String> classNames,
            Map<String, Object> tuning) {
        this.topic = topic;
        this.model = model;
        this.classNames = List.copyOf(classNames);
        this.serde = ConfluentAvroSerde.specific(Example.class, stack.registryConfig(), false);
        Map<String, Object> config = new HashMap<>(tuning);
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        this.producer = new KafkaProducer<>(config, new StringSerializer(), serde.serializer());
    }

    /** A producer tuned for throughput: 20 ms linger, 256 KiB batches. */
    static ExampleProducer bulk(BenchStack stack, String topic, String model, List<String> classNames) {
        return new ExampleProducer(stack, topic, model, classNames, Map.of(
                ProducerConfig.LINGER_MS_CONFIG, 20,
                ProducerConfig.BATCH_SIZE_CONFIG, 262_144,
                ProducerConfig.BUFFER_MEMORY_CONFIG, 64L * 1024 * 1024));
    }

    /** A producer that sends each record without waiting for a batch to fill. */
    static ExampleProducer lowLatency(BenchStack stack, String topic, String model, List<String> classNames) {
        return new ExampleProducer(stack, topic, model, classNames, Map.of(ProducerConfig.LINGER_MS_CONFIG, 0));
    }

    /** Sends one example; a failure is thrown by a later {@link #flush()}. */
    void send(LabeledExample example, String id, Instant eventTime) {
        throwFailure();
        Example record = example.toAvro(model, id, eventTime, classNames);
        producer.send(new ProducerRecord<>(topic, model, record), (meta, e) -> {
            if (e != null) {
                failure.compareAndSet(null, e);
            }
        });
    }

    /** Sends {@code count} examples as fast as the broker takes them, ids {@code <idPrefix><n>}, then flushes. */
    void sendAll(Iterator<LabeledExample> examples, long count, String idPrefix) {
        Instant base = Instant.now();
        for (long i = 0; i < count && examples.hasNext(); i++) {
            send(examples.next(), idPrefix + i, base.plusMillis(i / 1000));
        }
        flush();
    }

    /** Waits until everything sent is acknowledged; throws the first failure. */
    void flush() {
        producer.flush();
        throwFailure();
    }

    private void throwFailure() {
        Exception e = failure.get();
        if (e != null) {
            throw new IllegalStateException("producing examples to " + topic + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        producer.close();
        serde.close();
    }
}
