package io.streamtrain.connect;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import io.streamtrain.avro.Example;
import io.streamtrain.avro.Label;
import io.streamtrain.connect.delivery.DeliveryTracker;
import io.streamtrain.connect.delivery.RejectedRecords;
import io.streamtrain.connect.delivery.RetryBackoff;
import io.streamtrain.connect.delivery.SendFailure;
import io.streamtrain.connect.mapping.ExampleMapper;
import io.streamtrain.connect.mapping.LabelMapper;
import io.streamtrain.connect.mapping.MappedRecord;
import io.streamtrain.connect.mapping.MappingException;
import io.streamtrain.connect.mapping.MappingSpec;
import io.streamtrain.connect.mapping.RecordMapper;
import io.streamtrain.registry.ConfluentAvroSerializer;
import io.streamtrain.registry.RestSchemaRegistryClient;
import io.streamtrain.registry.SchemaRegistryClient;
import io.streamtrain.registry.SchemaRegistryClientConfig;
import io.streamtrain.registry.SchemaRegistryException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps each record to an Example (or a Label), writes it to the output topic in the Confluent Avro wire format
 * through an idempotent producer with acks=all, and sends records that cannot be mapped to Connect's dead-letter
 * queue.
 *
 * <p>Nothing is acknowledged before it is durable: {@link #preCommit} flushes the producer and waits for the
 * dead-letter writes, and returns Connect's offsets only when every record handed to {@link #put} is written or
 * dead-lettered. A failed write fails that commit instead, and Connect rewinds to the last committed offsets, so
 * the records after it are delivered and written again (with the same ids). A retriable failure is retried with a
 * bounded exponential backoff ({@code send.retry.backoff.ms}, {@code send.max.retries}); any other fails the task.
 */
public class StreamtrainSinkTask extends SinkTask {

    private static final Logger log = LoggerFactory.getLogger(StreamtrainSinkTask.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
    /** What a record batch of one record adds to its key and value, at most (Kafka's v2 format, no headers). */
    private static final int RECORD_OVERHEAD_BYTES = 128;
    /** The producer's own default of {@code max.request.size}. */
    private static final int DEFAULT_MAX_REQUEST_SIZE = 1024 * 1024;

    /** Makes the clients the task talks to; tests hand in fakes. */
    interface Clients {
        Producer<String, byte[]> producer(Map<String, Object> config);

        SchemaRegistryClient registry(Map<String, Object> config);
    }

    private static final Clients KAFKA = new Clients() {
        @Override
        public Producer<String, byte[]> producer(Map<String, Object> config) {
            return new KafkaProducer<>(config);
        }

        @Override
        public SchemaRegistryClient registry(Map<String, Object> config) {
            return new RestSchemaRegistryClient(new SchemaRegistryClientConfig(config));
        }
    };

    private final Clients clients;
    private final Time time;

    private StreamtrainSinkConfig config;
    private RecordMapper mapper;
    private String outputTopic;
    private SchemaRegistryClient registry;
    private ConfluentAvroSerializer<SpecificRecord> serializer;
    private Producer<String, byte[]> producer;
    private DeliveryTracker delivery;
    private RejectedRecords rejected;
    private RetryBackoff backoff;
    private long retryNotBefore;
    private ConnectException fatal;
    private int maxRequestSize;

    /** For Connect. */
    public StreamtrainSinkTask() {
        this(KAFKA, Time.SYSTEM);
    }

    StreamtrainSinkTask(Clients clients, Time time) {
        this.clients = clients;
        this.time = time;
    }

    @Override
    public String version() {
        return Version.get();
    }

    @Override
    public void start(Map<String, String> props) {
        config = new StreamtrainSinkConfig(props);
        MappingSpec spec = config.mappingSpec();
        mapper = config.mode() == StreamtrainSinkConfig.Mode.EXAMPLES ? new ExampleMapper(spec) : new LabelMapper(spec);
        outputTopic = config.outputTopic();
        delivery = new DeliveryTracker();
        backoff = new RetryBackoff(config.sendMaxRetries(), config.sendRetryBackoffMs(),
                config.sendRetryBackoffMaxMs());
        rejected = new RejectedRecords(errantRecordReporter(),
                config.errorTolerance() == StreamtrainSinkConfig.ErrorTolerance.ALL);
        registry = clients.registry(config.registryConfig());
        serializer = new ConfluentAvroSerializer<>(registry, false, config.writerSchemaPolicy());
        Map<String, Object> producerConfig = new HashMap<>(config.producerConfig());
        producerConfig.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "streamtrain-sink-" + config.connectorName() + "-"
                + UUID.randomUUID().toString().substring(0, 8));
        producer = clients.producer(producerConfig);
        Object maxRequest = producerConfig.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
        maxRequestSize = maxRequest == null ? DEFAULT_MAX_REQUEST_SIZE : Integer.parseInt(maxRequest.toString().trim());
        log.info("Streamtrain sink task of connector {} started: mode {}, writing to {}{}", config.connectorName(),
                config.mode().name().toLowerCase(), outputTopic,
                mapper instanceof ExampleMapper examples ? " with " + examples.width() + " features per example" : "");
    }

    private ErrantRecordReporter errantRecordReporter() {
        try {
            return context.errantRecordReporter();
        } catch (NoSuchMethodError | NoClassDefFoundError e) {
            // a worker older than Kafka 2.6 has no reporter; rejected records are then logged and counted
            log.warn("This Connect worker has no ErrantRecordReporter (Kafka < 2.6): rejected records are skipped");
            return null;
        }
    }

    @Override
    public void put(Collection<SinkRecord> records) {
        if (fatal != null) {
            throw fatal;
        }
        if (delivery.failure() != null) {
            // a write failed: have Connect commit now, so preCommit fails the commit and rewinds without delay
            context.requestCommit();
            throw new RetriableException("a write failed; waiting for the commit that rewinds to the last committed"
                    + " offsets: " + delivery.failure().describe());
        }
        if (records.isEmpty()) {
            return;
        }
        long wait = retryNotBefore - time.milliseconds();
        if (wait > 0) {
            context.timeout(wait);
            throw new RetriableException("backing off for " + wait + " ms before retry " + backoff.retries()
                    + " of " + config.sendMaxRetries());
        }
        for (SinkRecord record : records) {
            if (delivery.failure() != null) {
                // a send failed at once (no metadata for the topic within max.block.ms: the topic is missing or the
                // cluster out of reach): the rest would each wait as long; the rewind writes them again
                context.requestCommit();
                throw new RetriableException("a write failed; the remaining records of this batch are not sent: "
                        + delivery.failure().describe());
            }
            MappedRecord mapped;
            try {
                mapped = mapper.map(record);
            } catch (MappingException e) {
                rejected.reject(record, e);
                continue;
            }
            send(record, mapped);
        }
        SendFailure dlqFailure = rejected.prune();
        if (dlqFailure != null) {
            // the record may be from an earlier batch: only a rewind to the last commit writes it again
            delivery.fail(dlqFailure);
            context.requestCommit();
        }
    }

    private void send(SinkRecord record, MappedRecord mapped) {
        byte[] value;
        try {
            value = serializer.serialize(outputTopic, mapped.value());
        } catch (SchemaRegistryException e) {
            if (e.isRetriable()) {
                throw retryLater("the schema registry is unavailable", e);
            }
            throw fail(new ConnectException("The schema registry refused the schema of " + outputTopic + ": "
                    + e.getMessage(), e));
        } catch (SerializationException e) {
            throw fail(new ConnectException("Cannot serialize a record for " + outputTopic + ": " + e.getMessage(), e));
        }
        int size = value.length + (mapped.key() == null ? 0 : mapped.key().getBytes(StandardCharsets.UTF_8).length)
                + RECORD_OVERHEAD_BYTES;
        if (size > maxRequestSize) {
            // the producer would refuse it, and the task would fail on this record again after every restart
            rejected.reject(record, new MappingException("(mapped record)", MappingException.TOO_LARGE, "the "
                    + (config.mode() == StreamtrainSinkConfig.Mode.EXAMPLES ? "example" : "label") + " would be about "
                    + size + " bytes, more than producer.max.request.size (" + maxRequestSize + "); its id is "
                    + idLength(mapped) + " characters long"));
            return;
        }
        TopicPartition source = new TopicPartition(record.originalTopic(), record.originalKafkaPartition());
        try {
            producer.send(new ProducerRecord<>(outputTopic, mapped.key(), value),
                    delivery.callback(source, record.originalKafkaOffset()));
        } catch (KafkaException e) {
            // what send() throws rather than reports through the callback: a closed or fenced producer
            throw fail(new ConnectException("The producer cannot write to " + outputTopic + ": " + e.getMessage(), e));
        }
    }

    /**
     * Waits until every record handed to {@link #put} is written to the output topic or the dead-letter queue.
     *
     * @throws RetriableException after a retriable write failure, so that this commit fails and Connect rewinds
     * @throws ConnectException   after any other failure, or when the retries are used up; the task then fails
     */
    @Override
    public void flush(Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
        if (fatal != null) {
            throw fatal;
        }
        if (producer == null) {
            return;
        }
        try {
            producer.flush();
        } catch (KafkaException e) {
            throw fail(new ConnectException("Flushing the producer failed: " + e.getMessage(), e));
        }
        SendFailure failure = delivery.failure();
        SendFailure dlqFailure = rejected.awaitAll();
        if (failure == null) {
            failure = dlqFailure;
        }
        if (failure != null) {
            delivery.clear();
            throw failed(failure);
        }
        backoff.reset();
        retryNotBefore = 0;
    }

    /** Flushes, then returns Connect's offsets: every record before them is durable. */
    @Override
    public Map<TopicPartition, OffsetAndMetadata> preCommit(Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
        flush(currentOffsets);
        log.debug("Committing {} after {} records written, {} rejected", currentOffsets, delivery.written(),
                rejected.rejected());
        return currentOffsets;
    }

    private ConnectException failed(SendFailure failure) {
        if (failure.retriable()) {
            return retryLater(failure.describe(), failure.cause());
        }
        return fail(new ConnectException("Writing to " + outputTopic + " failed, and retrying cannot help: "
                + failure.describe(), failure.cause()));
    }

    private static int idLength(MappedRecord mapped) {
        Object value = mapped.value();
        if (value instanceof Example e) {
            return e.getId().length();
        }
        return value instanceof Label l ? l.getExampleId().length() : -1;
    }

    /** Schedules the next attempt after the backoff, or fails the task when the retries are used up. */
    private ConnectException retryLater(String what, Throwable cause) {
        if (!backoff.tryAgain()) {
            return fail(new ConnectException("Giving up after " + config.sendMaxRetries() + " retries ("
                    + StreamtrainSinkConfig.SEND_MAX_RETRIES_CONFIG + "): " + what, cause));
        }
        long delay = backoff.delayMs();
        retryNotBefore = time.milliseconds() + delay;
        context.timeout(Math.max(1, delay));
        log.warn("Retry {} of {} in {} ms: {}", backoff.retries(), config.sendMaxRetries(), delay, what);
        return new RetriableException(what, cause);
    }

    /** Remembers a failure that no retry can fix: the next put() and commit fail with it too. */
    private ConnectException fail(ConnectException e) {
        fatal = e;
        return e;
    }

    @Override
    public void stop() {
        log.info("Streamtrain sink task of connector {} stopping: {} records sent, {} confirmed written, {} rejected",
                config == null ? "?" : config.connectorName(), delivery == null ? 0 : delivery.sent(),
                delivery == null ? 0 : delivery.written(), rejected == null ? 0 : rejected.rejected());
        if (producer != null) {
            try {
                producer.close(CLOSE_TIMEOUT);
            } catch (KafkaException e) {
                log.warn("Closing the producer failed", e);
            }
        }
        if (serializer != null) {
            serializer.close();
        }
        if (registry != null) {
            registry.close();
        }
    }
}
