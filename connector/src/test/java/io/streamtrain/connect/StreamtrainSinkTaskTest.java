package io.streamtrain.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.streamtrain.avro.ClassLabel;
import io.streamtrain.avro.Example;
import io.streamtrain.connect.mapping.MappingException;
import io.streamtrain.registry.ConfluentAvroDeserializer;
import io.streamtrain.registry.RegistryFailures;
import io.streamtrain.registry.SchemaRegistryClient;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTaskContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StreamtrainSinkTaskTest {

    private static final TopicPartition IN = new TopicPartition("payments", 0);

    private final InMemoryRegistry registry = new InMemoryRegistry();
    private final ManualTime time = new ManualTime();
    private final FakeContext context = new FakeContext();
    private MockProducer<String, byte[]> producer;
    private StreamtrainSinkTask task;

    @AfterEach
    void stop() {
        if (task != null) {
            task.stop();
        }
    }

    private StreamtrainSinkTask start(boolean autoComplete, Map<String, String> overrides) {
        producer = new MockProducer<>(autoComplete, null, new StringSerializer(), new ByteArraySerializer());
        task = new StreamtrainSinkTask(new StreamtrainSinkTask.Clients() {
            @Override
            public Producer<String, byte[]> producer(Map<String, Object> config) {
                assertThat(config).containsEntry("acks", "all").containsEntry("enable.idempotence", true);
                return producer;
            }

            @Override
            public SchemaRegistryClient registry(Map<String, Object> config) {
                return registry;
            }
        }, time);
        task.initialize(context);
        Map<String, String> props = StreamtrainSinkConfigTest.valid();
        props.putAll(overrides);
        task.start(props);
        return task;
    }

    private static SinkRecord record(long offset, Object amount, String label) {
        Map<String, Object> value = new HashMap<>();
        value.put("payment", Map.of("amount", amount));
        value.put("channel", "web");
        value.put("label", label);
        return new SinkRecord(IN.topic(), IN.partition(), null, null, null, value, offset, 1000L + offset,
                TimestampType.CREATE_TIME);
    }

    private static Map<TopicPartition, OffsetAndMetadata> offsets(long next) {
        return Map.of(IN, new OffsetAndMetadata(next));
    }

    @Test
    void writesAvroExamplesKeyedByModelId() {
        start(true, Map.of());
        task.put(List.of(record(0, 1.5, "ok"), record(1, 2.5, "fraud")));
        assertThat(task.preCommit(offsets(2))).isEqualTo(offsets(2));

        List<ProducerRecord<String, byte[]>> sent = producer.history();
        assertThat(sent).hasSize(2);
        assertThat(sent).allSatisfy(r -> {
            assertThat(r.topic()).isEqualTo("streamtrain.examples");
            assertThat(r.key()).isEqualTo("fraud");
            assertThat(r.value()[0]).isZero(); // Confluent wire format: magic byte, schema id, body
        });
        try (ConfluentAvroDeserializer<Example> deserializer = new ConfluentAvroDeserializer<>(registry,
                Example.class)) {
            Example second = deserializer.deserialize("streamtrain.examples", sent.get(1).value());
            assertThat(second.getId()).isEqualTo("payments-0-1");
            assertThat(second.getFeatures()).containsExactly(2.5f, 1f, 0f);
            assertThat(second.getLabel()).isEqualTo(new ClassLabel(1, "fraud"));
        }
        assertThat(registry.subjects()).containsExactly("streamtrain.examples-value");
    }

    @Test
    void preCommitWaitsUntilEverySendIsAcknowledged() {
        start(false, Map.of());
        task.put(List.of(record(0, 1.0, "ok"), record(1, 2.0, "ok")));
        assertThat(producer.flushed()).isFalse();
        assertThat(task.preCommit(offsets(2))).isEqualTo(offsets(2));
        assertThat(producer.flushed()).isTrue();
    }

    @Test
    void aRetriableSendFailureFailsTheCommitThenBacksOffBoundedly() {
        start(false, Map.of("send.retry.backoff.ms", "100", "send.retry.backoff.max.ms", "250"));
        task.put(List.of(record(0, 1.0, "ok"), record(1, 2.0, "ok")));
        producer.errorNext(new TimeoutException("Expiring 1 record(s) after 120000 ms"));

        assertThatThrownBy(() -> task.preCommit(offsets(2))).isInstanceOf(RetriableException.class)
                .hasMessageContaining("payments-0@0").hasMessageContaining("Expiring");
        assertThat(context.timeouts).containsExactly(100L);

        // Connect rewinds and redelivers; until the backoff has passed the task asks to wait
        assertThatThrownBy(() -> task.put(List.of(record(0, 1.0, "ok")))).isInstanceOf(RetriableException.class)
                .hasMessageContaining("backing off");
        assertThat(context.timeouts).containsExactly(100L, 100L);
        time.advance(100);
        task.put(List.of(record(0, 1.0, "ok"), record(1, 2.0, "ok")));

        // the backoff doubles, up to its bound
        producer.errorNext(new TimeoutException("again"));
        assertThatThrownBy(() -> task.preCommit(offsets(2))).isInstanceOf(RetriableException.class);
        time.advance(200);
        task.put(List.of(record(0, 1.0, "ok")));
        producer.errorNext(new TimeoutException("and again"));
        assertThatThrownBy(() -> task.preCommit(offsets(1))).isInstanceOf(RetriableException.class);
        assertThat(context.timeouts).containsSubsequence(100L, 200L, 250L);

        // a good commit resets the backoff
        time.advance(250);
        task.put(List.of(record(0, 1.0, "ok")));
        assertThat(task.preCommit(offsets(1))).isEqualTo(offsets(1));
    }

    @Test
    void retriesAreBoundedThenTheTaskFails() {
        start(false, Map.of("send.max.retries", "1", "send.retry.backoff.ms", "0", "send.retry.backoff.max.ms", "0"));
        task.put(List.of(record(0, 1.0, "ok")));
        producer.errorNext(new TimeoutException("broker down"));
        assertThatThrownBy(() -> task.preCommit(offsets(1))).isInstanceOf(RetriableException.class);
        task.put(List.of(record(0, 1.0, "ok")));
        producer.errorNext(new TimeoutException("still down"));
        assertThatThrownBy(() -> task.preCommit(offsets(1))).isInstanceOf(ConnectException.class)
                .isNotInstanceOf(RetriableException.class).hasMessageContaining("send.max.retries");
        assertThatThrownBy(() -> task.put(List.of(record(1, 1.0, "ok")))).isInstanceOf(ConnectException.class)
                .hasMessageContaining("Giving up");
        assertThatThrownBy(() -> task.preCommit(offsets(2))).isInstanceOf(ConnectException.class);
    }

    @Test
    void aNonRetriableSendFailureFailsTheCommitAndTheTask() {
        start(false, Map.of());
        task.put(List.of(record(0, 1.0, "ok")));
        producer.errorNext(new RecordTooLargeException("too large"));
        assertThatThrownBy(() -> task.preCommit(offsets(1))).isInstanceOf(ConnectException.class)
                .isNotInstanceOf(RetriableException.class).hasMessageContaining("retrying cannot help");
        assertThatThrownBy(() -> task.put(List.of(record(1, 1.0, "ok")))).isInstanceOf(ConnectException.class);
    }

    @Test
    void putNoticesAFailedSendEarlyAndAsksForTheCommitThatRewinds() {
        start(false, Map.of());
        task.put(List.of(record(0, 1.0, "ok")));
        producer.errorNext(new TimeoutException("down"));
        assertThatThrownBy(() -> task.put(List.of(record(1, 1.0, "ok")))).isInstanceOf(RetriableException.class);
        assertThat(context.commitRequested).isTrue();
        assertThat(producer.history()).hasSize(1);
        assertThatThrownBy(() -> task.preCommit(offsets(1))).isInstanceOf(RetriableException.class);
    }

    @Test
    void aMappedRecordLargerThanTheProducerTakesGoesToTheReporterAsTooLarge() {
        context.reporter = (record, error) -> {
            context.reported.add(error);
            return CompletableFuture.completedFuture(null);
        };
        // a limit below one mapped example (ids are at most 1000 characters, so only a limit this low, or a very
        // long feature vector, gets here)
        start(true, Map.of("errors.tolerance", "all", "errors.deadletterqueue.topic.name", "dlq",
                "producer.max.request.size", "60"));
        task.put(List.of(record(0, 1.0, "ok")));
        assertThat(producer.history()).isEmpty();
        assertThat(context.reported).singleElement().isInstanceOfSatisfying(MappingException.class, e -> {
            assertThat(e.rule()).isEqualTo("too-large");
            assertThat(e.field()).isEqualTo("(mapped record)");
            assertThat(e.getMessage()).contains("more than producer.max.request.size (60)");
        });
        assertThat(task.preCommit(offsets(1))).isEqualTo(offsets(1));
    }

    @Test
    void badRecordsGoToTheReporterWhoseWritesAreAwaitedBeforeTheCommit() throws Exception {
        CompletableFuture<Void> dlqWrite = new CompletableFuture<>();
        context.reporter = (record, error) -> {
            context.reported.add(error);
            return dlqWrite;
        };
        start(true, Map.of("errors.tolerance", "all", "errors.deadletterqueue.topic.name", "dlq"));
        task.put(List.of(record(0, 1.0, "ok"), record(1, Double.NaN, "ok"), record(2, 3.0, "chargeback"),
                record(3, 4.0, "fraud")));
        assertThat(producer.history()).hasSize(2);
        assertThat(context.reported).hasSize(2);
        MappingException nan = (MappingException) context.reported.get(0);
        assertThat(nan.field()).isEqualTo("payment.amount");
        assertThat(nan.rule()).isEqualTo("non-finite");
        assertThat(((MappingException) context.reported.get(1)).rule()).isEqualTo("unknown-class");

        ExecutorService executor = Executors.newSingleThreadExecutor();
        try {
            Future<Map<TopicPartition, OffsetAndMetadata>> commit = executor.submit(() -> task.preCommit(offsets(4)));
            Thread.sleep(200);
            assertThat(commit.isDone()).as("preCommit waits for the DLQ write").isFalse();
            dlqWrite.complete(null);
            assertThat(commit.get(5, TimeUnit.SECONDS)).isEqualTo(offsets(4));
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void aFailedDeadLetterWriteFailsTheCommit() {
        context.reporter = (record, error) -> CompletableFuture.failedFuture(new TimeoutException("dlq down"));
        start(true, Map.of("errors.tolerance", "all", "errors.deadletterqueue.topic.name", "dlq"));
        task.put(List.of(record(0, Double.NaN, "ok"), record(1, 1.0, "ok")));
        assertThat(context.commitRequested).isTrue();
        // the commit fails, so Connect rewinds and the bad record is reported again
        assertThatThrownBy(() -> task.preCommit(offsets(2))).isInstanceOf(RetriableException.class)
                .hasMessageContaining("payments-0@0").hasMessageContaining("dlq down");
    }

    @Test
    void withToleranceNoneABadRecordFailsTheTaskWithTheMappingMessage() {
        context.reporter = (record, error) -> {
            throw new AssertionError("nothing is reported with errors.tolerance=none");
        };
        start(true, Map.of());
        assertThatThrownBy(() -> task.put(List.of(record(0, 1.0, "ok"), record(1, "12", "ok"))))
                .isInstanceOf(ConnectException.class)
                .hasMessageContaining("payments-0@1")
                .hasMessageContaining("Field 'payment.amount' breaks rule 'wrong-type'");
    }

    @Test
    void withoutAReporterBadRecordsAreSkippedAndCounted() {
        context.reporter = null;
        start(true, Map.of("errors.tolerance", "all"));
        task.put(List.of(record(0, 1.0, "ok"), record(1, Double.POSITIVE_INFINITY, "ok")));
        assertThat(producer.history()).hasSize(1);
        assertThat(task.preCommit(offsets(2))).isEqualTo(offsets(2));
    }

    @Test
    void anUnreachableRegistryIsRetriedAndARefusalFailsTheTask() {
        start(true, Map.of());
        registry.failWith(RegistryFailures::unreachable);
        assertThatThrownBy(() -> task.put(List.of(record(0, 1.0, "ok")))).isInstanceOf(RetriableException.class)
                .hasMessageContaining("schema registry is unavailable");
        registry.heal();
        time.advance(60_000);
        task.put(List.of(record(0, 1.0, "ok")));
        assertThat(task.preCommit(offsets(1))).isEqualTo(offsets(1));

        StreamtrainSinkTask other = new StreamtrainSinkTask(new StreamtrainSinkTask.Clients() {
            @Override
            public Producer<String, byte[]> producer(Map<String, Object> config) {
                return new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
            }

            @Override
            public SchemaRegistryClient registry(Map<String, Object> config) {
                InMemoryRegistry refusing = new InMemoryRegistry();
                refusing.failWith(RegistryFailures::unauthorized);
                return refusing;
            }
        }, time);
        other.initialize(new FakeContext());
        other.start(StreamtrainSinkConfigTest.valid());
        try {
            assertThatThrownBy(() -> other.put(List.of(record(0, 1.0, "ok")))).isInstanceOf(ConnectException.class)
                    .isNotInstanceOf(RetriableException.class).hasMessageContaining("refused");
        } finally {
            other.stop();
        }
    }

    @Test
    void labelsModeWritesLabels() {
        Map<String, String> labels = new HashMap<>();
        labels.put("mode", "labels");
        labels.put("features", "");
        labels.put("id.field", "event");
        start(true, labels);
        Map<String, Object> value = Map.of("event", "payments-0-7", "label", "fraud");
        task.put(List.of(new SinkRecord("outcomes", 0, null, null, null, value, 0, 5L, TimestampType.CREATE_TIME)));
        assertThat(producer.history()).singleElement()
                .satisfies(r -> assertThat(r.topic()).isEqualTo("streamtrain.labels"));
    }

    /** A Connect task context that records what the task asks of it. */
    static final class FakeContext implements SinkTaskContext {
        ErrantRecordReporter reporter;
        final List<Throwable> reported = new ArrayList<>();
        final List<Long> timeouts = new ArrayList<>();
        boolean commitRequested;
        final Set<TopicPartition> paused = new HashSet<>();

        @Override
        public Map<String, String> configs() {
            return Map.of();
        }

        @Override
        public void offset(Map<TopicPartition, Long> offsets) {
        }

        @Override
        public void offset(TopicPartition tp, long offset) {
        }

        @Override
        public void timeout(long timeoutMs) {
            timeouts.add(timeoutMs);
        }

        @Override
        public Set<TopicPartition> assignment() {
            return Set.of(IN);
        }

        @Override
        public void pause(TopicPartition... partitions) {
            paused.addAll(List.of(partitions));
        }

        @Override
        public void resume(TopicPartition... partitions) {
            List.of(partitions).forEach(paused::remove);
        }

        @Override
        public void requestCommit() {
            commitRequested = true;
        }

        @Override
        public ErrantRecordReporter errantRecordReporter() {
            return reporter;
        }

        @Override
        public PluginMetrics pluginMetrics() {
            return null;
        }
    }

    /** A clock that moves only when told. */
    static final class ManualTime implements Time {
        private long millis = 1_000_000L;

        void advance(long ms) {
            millis += ms;
        }

        @Override
        public long milliseconds() {
            return millis;
        }

        @Override
        public long nanoseconds() {
            return TimeUnit.MILLISECONDS.toNanos(millis);
        }

        @Override
        public void sleep(long ms) {
            advance(ms);
        }

        @Override
        public void waitObject(Object obj, Supplier<Boolean> condition, long timeoutMs) {
            throw new UnsupportedOperationException();
        }
    }
}
