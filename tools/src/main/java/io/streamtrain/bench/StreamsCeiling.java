package io.streamtrain.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;

import io.streamtrain.app.LearnerConfig;
import io.streamtrain.embedded.TempDirectories;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * What Kafka Streams alone does with the pipeline's backlog on this machine, without the learner's work: each example
 * is read, its bytes put into a slot of a changelogged store (as the learner keeps every example) and one record of a
 * prediction's size written, under the learner's own Kafka Streams settings ({@link LearnerConfig#streamsProperties}).
 * No decoding, no checks, no network. Its rate bounds the learner's: the stream thread does this work and DL4J's one
 * after the other, so the pipeline's ratio to the limit is at most {@code C / (C + L)} for a ceiling C and a limit L.
 */
final class StreamsCeiling implements AutoCloseable {

    /** About the size of a prediction's value (a class, probabilities, ids, times). */
    static final int OUTPUT_BYTES = 120;
    private static final String STORE = "examples";
    /** As many slots as the learner's ring holds at the least. */
    private static final int SLOTS = 1024;

    private final BenchStack stack;
    private final String prefix;
    private final String applicationId;
    private final Path stateDir;
    private final KafkaStreams streams;
    private final AtomicLong processed = new AtomicLong();

    /** Starts the application on {@code examplesTopic} and waits until it is RUNNING. */
    StreamsCeiling(BenchStack stack, String examplesTopic, String prefix, Map<String, String> extra,
            String guarantee) {
        this.stack = stack;
        this.prefix = prefix;
        this.applicationId = prefix + "-ceiling";
        this.stateDir = TempDirectories.create("streamtrain-bench-ceiling-");
        Map<String, Object> settings = new HashMap<>(stack.registryConfig());
        settings.put("bootstrap.servers", stack.bootstrapServers());
        settings.put("application.id", applicationId);
        settings.put("state.dir", stateDir.toString());
        settings.putAll(extra);
        settings.put("processing.guarantee", guarantee);
        Properties props = new LearnerConfig(settings).streamsProperties();
        String output = prefix + ".ceiling-out";
        stack.kafka().createTopic(output, 1);

        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE), Serdes.Long(),
                Serdes.ByteArray()).withCachingDisabled().withLoggingEnabled(Map.of()));
        byte[] prediction = new byte[OUTPUT_BYTES];
        builder.stream(examplesTopic, Consumed.with(Serdes.String(), Serdes.ByteArray()))
                .process(() -> new Processor<String, byte[], String, byte[]>() {
                    private ProcessorContext<String, byte[]> context;
                    private KeyValueStore<Long, byte[]> store;
                    private long seq;

                    @Override
                    public void init(ProcessorContext<String, byte[]> context) {
                        this.context = context;
                        this.store = context.getStateStore(STORE);
                    }

                    @Override
                    public void process(Record<String, byte[]> record) {
                        store.put(seq++ % SLOTS, record.value());
                        context.forward(record.withValue(prediction));
                        processed.incrementAndGet();
                    }
                }, STORE)
                .to(output, Produced.with(Serdes.String(), Serdes.ByteArray()));
        this.streams = new KafkaStreams(builder.build(props), props);
        streams.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (streams.state() != KafkaStreams.State.RUNNING) {
            if (streams.state() == KafkaStreams.State.ERROR || System.nanoTime() > deadline) {
                close();
                throw new IllegalStateException("the Kafka Streams ceiling application did not start: "
                        + streams.state());
            }
            Sleep.millis(20);
        }
    }

    /** Examples processed so far. */
    long processed() {
        return processed.get();
    }

    boolean failed() {
        KafkaStreams.State s = streams.state();
        return s == KafkaStreams.State.ERROR || s == KafkaStreams.State.PENDING_ERROR;
    }

    @Override
    public void close() {
        try {
            streams.close(Duration.ofSeconds(30));
        } finally {
            TempDirectories.delete(stateDir);
            stack.deleteTopics(prefix + ".", applicationId + "-");
        }
    }
}
