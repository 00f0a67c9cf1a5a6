package io.streamtrain.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import io.streamtrain.data.LabeledExample;
import io.streamtrain.data.SyntheticStream;
import io.streamtrain.embedded.BuildOutputs;
import io.streamtrain.embedded.EmbeddedConnectWorker;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Records per second one Connect sink task maps from a JSON source topic into the examples topic: the packaged plugin
 * (connector/target/streamtrain-streamtrain-connector-*.zip) runs in a real Connect worker in this JVM; the source
 * topic is filled first with schemaless JSON records of 20 numeric features, an id and a class name; then the
 * connector starts (tasks.max=1, default settings) and the clock runs from when a tenth of the records is in the
 * examples topic until all are.
 */
final class IngestSuite implements BenchSuite {

    static final String CONNECTOR_CLASS = "io.streamtrain.connect.StreamtrainSinkConnector";
    private static final int FEATURES = 20;
    private static final List<String> CLASSES = List.of("negative", "positive");

    @Override
    public String name() {
        return "ingest";
    }

    @Override
    public String description() {
        return "Connect sink records/s per task, JSON source topic → examples topic";
    }

    @Override
    public Map<String, ResultTable> run(BenchContext context) throws Exception {
        BenchOptions o = context.options();
        ResultTable table = new ResultTable("ingest: Connect sink, JSON (" + FEATURES + " numeric features) → "
                + "examples, one task",
                ResultTable.Column.text("converter"),
                ResultTable.Column.number("records", "%.0f"),
                ResultTable.Column.summary("records/s per task", "%.0f"),
                ResultTable.Column.text("target ≥ 50000"));
        Map<String, ResultTable> tables = new LinkedHashMap<>();
        tables.put(name(), table);
        Path zip;
        try {
            zip = pluginZip(o.connectorZip);
        } catch (IllegalStateException e) {
            String message = "connector plugin not built: " + e.getMessage();
            context.out().println("  " + message);
            table.note(message);
            return tables;
        }
        context.progress("ingest: plugin %s", zip);
        BenchStack stack = context.stack();
        List<Double> rates = new ArrayList<>();
        try (EmbeddedConnectWorker connect = EmbeddedConnectWorker.builder(stack.bootstrapServers())
                .pluginZip(zip).start()) {
            for (int run = 0; run < o.runs; run++) {
                double rate = measure(context, connect, o.records, run);
                rates.add(rate);
                context.progress("ingest run %d: %.0f records/s", run + 1, rate);
            }
        }
        Summary s = Summary.of(rates);
        table.row("JsonConverter (schemaless)", o.records, s, s.median() >= 50_000 ? "met"
                : String.format(Locale.ROOT, "%.0f%% short", (50_000 - s.median()) / 500));
        table.note("Plugin: " + zip.getFileName() + ", loaded from plugin.path by a distributed-mode worker in "
                + "the bench JVM (broker in the same JVM); the connector's default producer and consumer settings.");
        table.note("Timed from 10% to 100% of the records in the examples topic (its end offset).");
        table.note("Machine: " + context.machine());
        return tables;
    }

    private static double measure(BenchContext context, EmbeddedConnectWorker connect, long records, int run)
            throws InterruptedException {
        BenchStack stack = context.stack();
        String id = UUID.randomUUID().toString().substring(0, 6);
        String source = "bench-ingest-in-" + id;
        String prefix = "bench-ingest-" + id;
        String name = "bench-ingest-" + (run + 1) + "-" + id;
        stack.kafka().createTopic(source, 1);
        stack.kafka().createTopic(prefix + ".examples", 1);
        produceJson(stack, source, records);

        Map<String, String> config = jsonSinkConfig(stack, name, source, prefix, CLASSES);
        config.put("features", IntStream.range(0, FEATURES).mapToObj(i -> "f" + i).collect(Collectors.joining(",")));
        connect.createConnector(name, config);
        connect.awaitRunning(name, 1, Duration.ofSeconds(60));
        TopicPartition out = new TopicPartition(prefix + ".examples", 0);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            long skip = Math.max(1, records / 10);
            long startCount = -1;
            long start = 0;
            long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
            long nextStatus = 0;
            while (true) {
                long end = consumer.endOffsets(List.of(out)).get(out);
                long now = System.nanoTime();
                if (startCount < 0 && end >= skip) {
                    startCount = end;
                    start = now;
                }
                if (end >= records) {
                    return (end - startCount) / ((now - start) / 1e9);
                }
                if (now > nextStatus) {
                    EmbeddedConnectWorker.ConnectorStatus status = connect.status(name);
                    if (status.failedTask() != null) {
                        throw new IllegalStateException("the connector task failed: " + status.failedTask().trace());
                    }
                    nextStatus = now + 1_000_000_000L;
                }
                if (now > deadline) {
                    throw new IllegalStateException("ingest run " + (run + 1) + ": only " + end + " of " + records
                            + " records in the examples topic after 10 minutes");
                }
                Sleep.millis(20);
            }
        } finally {
            connect.deleteConnector(name);
            stack.deleteTopics(prefix + ".", source);
        }
    }

    /** Fills the source topic with JSON records of the synthetic stream. */
    private static void produceJson(BenchStack stack, String topic, long records) {
        Iterator<LabeledExample> examples = new SyntheticStream(LimitSuite.SEED, FEATURES, 0).generator();
        try (KafkaProducer<String, String> producer = jsonProducer(stack)) {
            StringBuilder json = new StringBuilder(512);
            for (long i = 0; i < records; i++) {
                LabeledExample e = examples.next();
                json.setLength(0);
                json.append("{\"id\":\"e").append(i).append('"');
                float[] x = e.features();
                for (int f = 0; f < x.length; f++) {
                    json.append(",\"f").append(f).append("\":").append(x[f]);
                }
                json.append(",\"label\":\"").append(CLASSES.get(e.label())).append("\"}");
                producer.send(new ProducerRecord<>(topic, "k" + i, json.toString()));
            }
            producer.flush();
        }
    }

    /** A producer of JSON strings for a source topic, batching for throughput. */
    static KafkaProducer<String, String> jsonProducer(BenchStack stack) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, 20,
                ProducerConfig.BATCH_SIZE_CONFIG, 262_144),
                new StringSerializer(), new StringSerializer());
    }

    /**
     * The connector's settings for schemaless JSON records {"id", ..., "label"} of model "bench", one task, into
     * {@code <prefix>.examples}: the caller adds the features.
     */
    static Map<String, String> jsonSinkConfig(BenchStack stack, String name, String source, String prefix,
            List<String> classes) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("name", name);
        config.put("connector.class", CONNECTOR_CLASS);
        config.put("tasks.max", "1");
        config.put("topics", source);
        config.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        config.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        config.put("value.converter.schemas.enable", "false");
        config.put("streamtrain.topic.prefix", prefix);
        config.put("producer.bootstrap.servers", stack.bootstrapServers());
        config.put("schema.registry.url", stack.registryConfig().get("schema.registry.url"));
        config.put("model.id", "bench");
        config.put("id.field", "id");
        config.put("label.field", "label");
        config.put("label.classes", String.join(",", classes));
        return config;
    }

    /**
     * The plugin zip: {@code --connector-zip}, else the system property {@code streamtrain.connector.zip} (which
     * bin/streamtrain sets), the environment variable {@code STREAMTRAIN_CONNECTOR_ZIP}, or
     * {@code connector/target/streamtrain-streamtrain-connector-*.zip} under the working directory or a parent.
     *
     * @throws IllegalStateException naming what was looked for, when there is none
     */
    static Path pluginZip(Path option) {
        if (option != null) {
            if (!Files.isRegularFile(option)) {
                throw new IllegalStateException("--connector-zip " + option + " does not exist");
            }
            return option;
        }
        return BuildOutputs.locate("streamtrain.connector.zip", "STREAMTRAIN_CONNECTOR_ZIP",
                "connector/target/streamtrain-streamtrain-connector-*.zip",
                "Build it with ./mvnw -DskipTests package -pl connector -am");
    }
}
