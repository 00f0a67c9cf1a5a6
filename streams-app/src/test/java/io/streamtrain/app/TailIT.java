package io.streamtrain.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamtrain.avro.ClassLabel;
import io.streamtrain.avro.Prediction;
import io.streamtrain.avro.TrainingMetrics;
import io.streamtrain.embedded.ChildJvm;
import io.streamtrain.embedded.EmbeddedKafkaBroker;
import io.streamtrain.embedded.EmbeddedSchemaRegistry;
import io.streamtrain.embedded.FreePorts;
import io.streamtrain.registry.ConfluentAvroSerializer;
import io.streamtrain.registry.RestSchemaRegistryClient;
import io.streamtrain.registry.SchemaRegistryClient;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code streamtrain tail} against the real broker and registry: records written as the learner writes them (its
 * Avro classes through the project's serializer, keyed by model id, in transactions, one of them aborted), read back
 * as JSON lines, in-process through picocli and as the command {@code bin/streamtrain tail} in a JVM of its own.
 */
class TailIT {

    private static final String PREFIX = "tailit";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    private static EmbeddedKafkaBroker kafka;
    private static EmbeddedSchemaRegistry registry;
    private static SchemaRegistryClient registryClient;

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeAll
    static void start() {
        kafka = EmbeddedKafkaBroker.start();
        registry = EmbeddedSchemaRegistry.start();
        registryClient = new RestSchemaRegistryClient(Map.of("schema.registry.url", registry.url()));
    }

    @AfterAll
    static void stop() {
        if (registryClient != null) {
            registryClient.close();
        }
        if (registry != null) {
            registry.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    private int tail(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of("tail", "--bootstrap-server", kafka.bootstrapServers(),
                "--registry-url", registry.url()));
        all.addAll(List.of(args));
        return cli.execute(all.toArray(String[]::new));
    }

    private List<JsonNode> lines() {
        return lines(out.toString());
    }

    private static List<JsonNode> lines(String text) {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (!line.isEmpty()) {
                try {
                    lines.add(JSON.readTree(line));
                } catch (IOException e) {
                    throw new AssertionError("not a JSON line: " + line, e);
                }
            }
        }
        return lines;
    }

    private static List<String> field(List<JsonNode> lines, String name) {
        return lines.stream().map(l -> l.get(name).asText()).toList();
    }

    /** A transactional producer as the learner's (exactly_once_v2): what an aborted transaction wrote is never read. */
    private static KafkaProducer<String, Object> producer() {
        KafkaProducer<String, Object> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tailit-" + UUID.randomUUID()),
                new StringSerializer(), new ConfluentAvroSerializer<>(registryClient, false));
        producer.initTransactions();
        return producer;
    }

    private static Prediction prediction(String id, String model) {
        return Prediction.newBuilder()
                .setExampleId(id)
                .setModel(model)
                .setModelVersion(7)
                .setPredictedClass(1)
                .setProbabilities(List.of(0.4f, 0.6f))
                .setLabel(ClassLabel.newBuilder().setIndex(0).build())
                .setLoss(0.9162907318741551)
                .setEventTime(Instant.parse("2026-12-04T10:00:00.250Z"))
                .setPredictedAt(Instant.parse("2026-12-04T10:00:01Z"))
                .build();
    }

    private static TrainingMetrics metrics(String model, long examplesTrained) {
        return TrainingMetrics.newBuilder()
                .setModel(model)
                .setWindowStart(Instant.parse("2026-12-04T10:00:00Z"))
                .setWindowEnd(Instant.parse("2026-12-04T10:00:05Z"))
                .setModelVersion(examplesTrained / 8).setExamples(16).setLabeled(16).setTrained(16)
                .setExamplesTrained(examplesTrained)
                .setMeanLoss(0.5).setAccuracy(0.75).setPrequentialAccuracy(0.7)
                .setExamplesPerSecond(3.2)
                .setBackend("CPU")
                .build();
    }

    private static void send(KafkaProducer<String, Object> producer, String topic, boolean commit,
            List<? extends Object> values) {
        producer.beginTransaction();
        for (Object value : values) {
            String key = value instanceof Prediction p ? p.getModel()
                    : value instanceof TrainingMetrics m ? m.getModel() : null;
            producer.send(new ProducerRecord<>(topic, key, value));
        }
        if (commit) {
            producer.commitTransaction();
        } else {
            producer.flush();
            producer.abortTransaction();
        }
    }

    @Test
    void printsCommittedPredictionsFromTheBeginningAsJsonLines() throws Exception {
        String topic = PREFIX + ".predictions";
        kafka.createTopic(topic, 1);
        try (KafkaProducer<String, Object> producer = producer()) {
            send(producer, topic, true, List.of(prediction("p1", "m1"), prediction("p2", "m1"),
                    prediction("p3", "m2")));
            send(producer, topic, false, List.of(prediction("aborted-1", "m1"), prediction("aborted-2", "m2")));
            send(producer, topic, true, List.of(prediction("p4", "m2"), prediction("p5", "m1")));
        }

        assertThat(tail("predictions", "--prefix", PREFIX, "--from-beginning", "--max", "5"))
                .as("exit status; stderr: %s", err).isZero();
        List<JsonNode> lines = lines();
        // read_committed: the aborted transaction's records would have come before p4 and p5
        assertThat(field(lines, "exampleId")).containsExactly("p1", "p2", "p3", "p4", "p5");
        JsonNode first = lines.get(0);
        assertThat(first.get("model").asText()).isEqualTo("m1");
        assertThat(first.get("loss").isNumber()).as("a union prints as its bare value").isTrue();
        assertThat(first.get("loss").asDouble()).isEqualTo(0.9162907318741551);
        assertThat(first.get("predictedClassName").isNull()).isTrue();
        assertThat(first.get("label").get("index").asInt()).isZero();
        assertThat(first.get("eventTime").asText()).isEqualTo("2026-12-04T10:00:00.250Z");
        assertThat(first.get("probabilities").toString()).isEqualTo("[0.4,0.6]");
        assertThat(out.toString()).as("stdout holds the JSON lines and nothing else")
                .isEqualTo(String.join("\n", lines.stream().map(JsonNode::toString).toList()) + "\n");

        out.getBuffer().setLength(0);
        assertThat(tail("predictions", "--prefix", PREFIX, "--from-beginning", "--max", "2")).isZero();
        assertThat(field(lines(), "exampleId")).as("--max 2").containsExactly("p1", "p2");

        out.getBuffer().setLength(0);
        assertThat(tail(topic, "--model", "m1", "--from-beginning", "--max", "3")).isZero();
        assertThat(field(lines(), "exampleId")).as("--model m1, by the full topic name").containsExactly("p1", "p2",
                "p5");
    }

    @Test
    void modelFiltersMetricsByKeyOrModelField() {
        String topic = PREFIX + ".metrics";
        kafka.createTopic(topic, 2);
        try (KafkaProducer<String, Object> producer = producer()) {
            send(producer, topic, true, List.of(metrics("a", 8), metrics("b", 8), metrics("a", 16)));
            // no key: the model field says which model it is
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, null, metrics("b", 24)));
            producer.commitTransaction();
        }
        assertThat(tail("metrics", "--prefix", PREFIX, "--from-beginning", "--model", "b", "--max", "2"))
                .as("stderr: %s", err).isZero();
        List<JsonNode> lines = lines();
        assertThat(field(lines, "model")).containsOnly("b").hasSize(2);
        assertThat(lines.stream().map(l -> l.get("examplesTrained").asLong()).sorted().toList())
                .containsExactly(8L, 24L);
        assertThat(lines.get(0).get("backend").asText()).isEqualTo("CPU");
        assertThat(lines.get(0).get("windowEnd").asText()).isEqualTo("2026-12-04T10:00:05.000Z");
    }

    @Test
    void withoutFromBeginningOnlyRecordsWrittenAfterTheStartPrint() throws Exception {
        String topic = PREFIX + "-end.predictions";
        kafka.createTopic(topic, 1);
        try (KafkaProducer<String, Object> producer = producer()) {
            send(producer, topic, true, List.of(prediction("old-1", "m"), prediction("old-2", "m")));
            CompletableFuture<Integer> status = CompletableFuture.supplyAsync(() -> tail("predictions", "--prefix",
                    PREFIX + "-end", "--max", "2"));
            // tail fixes the end when it has started: write until it has printed two records
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            int n = 0;
            while (!status.isDone() && System.nanoTime() < deadline) {
                send(producer, topic, true, List.of(prediction("new-" + n++, "m")));
                Thread.sleep(200);
            }
            assertThat(status.get(10, TimeUnit.SECONDS)).as("stderr: %s", err).isZero();
        }
        assertThat(field(lines(), "exampleId")).hasSize(2).allMatch(id -> id.startsWith("new-"));
    }

    @Test
    void recordsOfAnySchemaPrintAndUndecodableOnesAreSkippedOnStderr() throws Exception {
        String topic = PREFIX + ".served";
        kafka.createTopic(topic, 1);
        // a schema the learner does not know of, as later topics will have
        Schema served = SchemaBuilder.record("Served").namespace("io.streamtrain.avro").fields()
                .name("model").type().stringType().noDefault()
                .name("requests").type().longType().noDefault()
                .name("p99Ms").type().nullable().doubleType().noDefault()
                .endRecord();
        GenericRecord record = new GenericData.Record(served);
        record.put("model", "m1");
        record.put("requests", 12L);
        record.put("p99Ms", 3.5);
        try (KafkaProducer<String, byte[]> raw = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
            raw.send(new ProducerRecord<>(topic, "m1", "plain text, not Avro".getBytes(StandardCharsets.UTF_8)));
            raw.send(new ProducerRecord<>(topic, "m1",
                    new ConfluentAvroSerializer<GenericRecord>(registryClient, false).serialize(topic, record)));
            raw.flush();
        }
        assertThat(tail("served", "--prefix", PREFIX, "--from-beginning", "--max", "1")).isZero();
        assertThat(lines()).hasSize(1);
        assertThat(lines().get(0).toString()).isEqualTo("{\"model\":\"m1\",\"requests\":12,\"p99Ms\":3.5}");
        assertThat(err.toString()).contains("skipped " + topic + "-0@0: ").contains("bad magic byte");
    }

    @Test
    void anUnknownTopicIsAClearErrorWithExitStatus2() {
        assertThat(tail("control.log", "--prefix", PREFIX)).isEqualTo(2);
        assertThat(err.toString()).contains("unknown topic " + PREFIX + ".control.log")
                .contains("'control.log' with the prefix " + PREFIX);
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void aRegistryThatDoesNotAnswerIsAClearErrorWithExitStatus3() {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        String nowhere = "http://127.0.0.1:" + FreePorts.pick();
        assertThat(cli.execute("tail", "predictions", "--bootstrap-server", kafka.bootstrapServers(),
                "--registry-url", nowhere, "-D", "schema.registry.max.retries=0")).isEqualTo(3);
        assertThat(err.toString()).contains("the schema registry at " + nowhere + " cannot be used");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void kafkaThatDoesNotAnswerIsAClearErrorWithExitStatus3() {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        String nowhere = "127.0.0.1:" + FreePorts.pick();
        assertThat(cli.execute("tail", "predictions", "--bootstrap-server", nowhere, "--registry-url", registry.url(),
                "-D", "default.api.timeout.ms=3000")).isEqualTo(3);
        assertThat(err.toString()).contains("Kafka at " + nowhere + " did not answer within 3000 ms");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void theConfigFileOfTheLearnerIsEnough() throws Exception {
        String topic = PREFIX + "-file.metrics";
        kafka.createTopic(topic, 1);
        try (KafkaProducer<String, Object> producer = producer()) {
            send(producer, topic, true, List.of(metrics("f", 8)));
        }
        Path config = Files.writeString(dir.resolve("learner.properties"), "bootstrap.servers="
                + kafka.bootstrapServers() + "\nschema.registry.url=" + registry.url()
                + "\nstreamtrain.topic.prefix=" + PREFIX + "-file\napplication.id=some-learner\n");
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        assertThat(cli.execute("tail", "metrics", "--config", config.toString(), "--from-beginning", "--max", "1"))
                .as("stderr: %s", err).isZero();
        assertThat(field(lines(), "model")).containsExactly("f");
    }

    // ---- as a command, in a JVM of its own: bin/streamtrain tail, as the README and docs/compose.md use it

    private Process launch(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(ROOT.resolve("bin/streamtrain").toString(), "tail",
                "--bootstrap-server", kafka.bootstrapServers(), "--registry-url", registry.url()));
        Collections.addAll(command, args);
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                .redirectError(dir.resolve("stderr.txt").toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().put("STREAMTRAIN_HEAP", "-Xmx256m");
        return builder.start();
    }

    @Test
    void binStreamtrainTailPrintsJsonLinesOnStdoutAndDiagnosticsOnStderr() throws Exception {
        String topic = PREFIX + "-cli.predictions";
        kafka.createTopic(topic, 1);
        try (KafkaProducer<String, Object> producer = producer()) {
            send(producer, topic, true, List.of(prediction("c1", "m"), prediction("c2", "m")));
        }
        Process tail = launch("predictions", "--prefix", PREFIX + "-cli", "--from-beginning", "--max", "2");
        String stdout = new String(tail.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        ChildJvm.await(tail, Duration.ofSeconds(60), "tail did not end");
        String stderr = Files.readString(dir.resolve("stderr.txt"));
        assertThat(tail.exitValue()).as("stderr: %s", stderr).isZero();
        assertThat(field(lines(stdout), "exampleId")).containsExactly("c1", "c2");
        assertThat(stderr).doesNotContain("c1");

        Process unknown = launch("no-such-topic");
        ChildJvm.await(unknown, Duration.ofSeconds(60), "tail did not end");
        assertThat(unknown.exitValue()).isEqualTo(2);
        assertThat(new String(unknown.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEmpty();
        assertThat(Files.readString(dir.resolve("stderr.txt"))).contains("unknown topic no-such-topic");
    }

    @Test
    void itEndsWithStatus0WhenTheReaderOfItsOutputGoesAway() throws Exception {
        String topic = PREFIX + "-pipe.predictions";
        kafka.createTopic(topic, 1);
        try (KafkaProducer<String, Object> producer = producer()) {
            List<Prediction> many = new ArrayList<>();
            for (int i = 0; i < 3000; i++) {
                many.add(prediction("h" + i, "m"));
            }
            send(producer, topic, true, many);
        }
        // as `| head -1`: more lines than a pipe holds, and the reader closes after the first
        Process tail = launch("predictions", "--prefix", PREFIX + "-pipe", "--from-beginning");
        try (BufferedReader stdout = new BufferedReader(new InputStreamReader(tail.getInputStream(),
                StandardCharsets.UTF_8))) {
            assertThat(JSON.readTree(stdout.readLine()).get("exampleId").asText()).isEqualTo("h0");
        }
        try {
            ChildJvm.await(tail, Duration.ofSeconds(60), "tail did not end when its reader went away");
        } finally {
            tail.destroyForcibly();
        }
        assertThat(tail.exitValue()).as(Files.readString(dir.resolve("stderr.txt"))).isZero();
    }

    @Test
    void ctrlCStopsItCleanlyWithStatus130() throws Exception {
        String topic = PREFIX + "-int.metrics";
        kafka.createTopic(topic, 1);
        Process tail = launch("metrics", "--prefix", PREFIX + "-int");
        try (KafkaProducer<String, Object> producer = producer();
             BufferedReader stdout = new BufferedReader(new InputStreamReader(tail.getInputStream(),
                     StandardCharsets.UTF_8))) {
            // it prints what is written once it has started: write until a line comes
            CompletableFuture<String> firstLine = CompletableFuture.supplyAsync(() -> {
                try {
                    return stdout.readLine();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!firstLine.isDone() && System.nanoTime() < deadline) {
                send(producer, topic, true, List.of(metrics("i", 8)));
                Thread.sleep(300);
            }
            assertThat(JSON.readTree(firstLine.get(1, TimeUnit.SECONDS)).get("model").asText()).isEqualTo("i");
            new ProcessBuilder("kill", "-INT", Long.toString(tail.pid())).start().waitFor();
            ChildJvm.await(tail, Duration.ofSeconds(30), "tail did not stop on SIGINT");
        } finally {
            tail.destroyForcibly();
        }
        assertThat(tail.exitValue()).isEqualTo(130);
        assertThat(Files.readString(dir.resolve("stderr.txt"))).doesNotContain("Exception", "\tat ");
    }
}
