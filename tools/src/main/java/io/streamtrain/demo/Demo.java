package io.streamtrain.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.streamtrain.app.LearnerApp;
import io.streamtrain.app.LearnerConfig;
import io.streamtrain.avro.TrainingMetrics;
import io.streamtrain.dashboard.Dashboard;
import io.streamtrain.data.Dataset;
import io.streamtrain.data.LabeledExample;
import io.streamtrain.embedded.BuildOutputs;
import io.streamtrain.embedded.EmbeddedConnectWorker;
import io.streamtrain.embedded.EmbeddedKafkaBroker;
import io.streamtrain.embedded.EmbeddedSchemaRegistry;
import io.streamtrain.embedded.TempDirectories;
import io.streamtrain.learn.NetworkSpec;
import io.streamtrain.registry.ConfluentAvroSerde;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole pipeline on one machine, bound to 127.0.0.1: a KRaft broker, the schema registry, a Connect worker with
 * the packaged Streamtrain plugin, and the learner. A labeled dataset is replayed as JSON records into a source
 * topic; the connector maps them to examples; the learner predicts and trains; progress is read back from the
 * metrics topic as a user would read it. {@link #close()} stops everything it started and removes its files.
 */
public final class Demo implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Demo.class);

    static final String SOURCE_TOPIC = "demo.events";
    static final String DLQ_TOPIC = "demo.events.rejected";
    static final String PREFIX = "streamtrain";
    static final String MODEL = "demo";
    static final String CONNECTOR = "demo-json";
    /** Without progress for this long, the demo stops with an error rather than hang. */
    static final Duration STALL_TIMEOUT = Duration.ofMinutes(3);

    /**
     * What to run: the dataset, how many of its examples, the spec, and whether to stay up after the replay.
     *
     * @param plot where the learning curves are written at the end as SVG, or null
     * @param dashboard whether to serve the dashboard (on 127.0.0.1:9470, or any free port when that is taken)
     */
    public record Options(Dataset dataset, long examples, String model, boolean keepRunning, Path plot,
            boolean dashboard) {
    }

    /** The exit status after a stop asked for by a signal (Ctrl-C): 128 + SIGINT, as a shell reports it. */
    static final int STOPPED = 130;
    /** How long the replay may take to notice a stop and flush what it has sent. */
    private static final Duration REPLAY_STOP = Duration.ofSeconds(10);

    private final Deque<Started> started = new ArrayDeque<>();
    private final AtomicBoolean stopRequested = new AtomicBoolean();
    private final PrintStream out;

    public Demo(PrintStream out) {
        this.out = out;
    }

    /** Runs the demo to its end (or until {@link #requestStop()}); returns the exit code. */
    public int run(Options options) throws InterruptedException {
        NetworkSpec spec = LearnerApp.loadSpec(options.model());
        Dataset data = options.dataset();
        if (spec.inputSize() != data.featureCount()) {
            out.println("the model takes " + spec.inputSize() + " features but " + data.name() + " has "
                    + data.featureCount() + "; give a spec that fits with --model");
            return 2;
        }
        if (!spec.isClassification() || spec.numClasses() != data.numClasses()) {
            out.println("the model must classify into the dataset's " + data.numClasses() + " classes");
            return 2;
        }
        long total = Math.min(options.examples(), data.size().orElse(Long.MAX_VALUE));

        out.println("starting Kafka, the schema registry, Connect and the learner on 127.0.0.1 ...");
        EmbeddedKafkaBroker kafka = keep("stopped Kafka", EmbeddedKafkaBroker.start());
        kafka.createTopic(SOURCE_TOPIC, 1);
        kafka.createTopic(DLQ_TOPIC, 1);
        EmbeddedSchemaRegistry registry = keep("stopped the schema registry", EmbeddedSchemaRegistry.start());
        Path stateDir = TempDirectories.create("streamtrain-demo-state-");
        keep("removed the learner's state", () -> TempDirectories.delete(stateDir));
        if (stopRequested.get()) {
            return STOPPED;
        }

        Map<String, Object> learnerSettings = new HashMap<>();
        learnerSettings.put("bootstrap.servers", kafka.bootstrapServers());
        learnerSettings.put("schema.registry.url", registry.url());
        learnerSettings.put("application.id", "streamtrain-demo");
        learnerSettings.put("state.dir", stateDir.toString());
        learnerSettings.put(LearnerConfig.TOPIC_PREFIX, PREFIX);
        learnerSettings.put(LearnerConfig.MODEL_SPEC, options.model());
        learnerSettings.put(LearnerConfig.METRICS_INTERVAL_MS, "1000");
        // /metrics and /health on a free port of 127.0.0.1, like every other address of the demo
        learnerSettings.put(LearnerConfig.HTTP_PORT, "0");
        LearnerApp learner = keep("stopped the learner", LearnerApp.start(new LearnerConfig(learnerSettings)));
        if (stopRequested.get()) {
            return STOPPED;
        }

        Path plugin = BuildOutputs.locate("streamtrain.connector.zip", "STREAMTRAIN_CONNECTOR_ZIP",
                "connector/target/streamtrain-streamtrain-connector-*.zip", "Build it with ./mvnw -DskipTests package");
        EmbeddedConnectWorker connect = keep("stopped the connector and the Connect worker",
                EmbeddedConnectWorker.builder(kafka.bootstrapServers())
                        .pluginZip(plugin)
                        .workerProperty("offset.flush.interval.ms", "1000")
                        .start());
        out.printf(Locale.ROOT, "Kafka at %s, schema registry at %s, Connect REST at %s, the learner's metrics at "
                + "%s/metrics%n", kafka.bootstrapServers(), registry.url(), connect.restUrl(),
                learner.httpUrl().orElseThrow());
        if (options.dashboard()) {
            Dashboard dashboard = keep("stopped the dashboard", startDashboard(learnerSettings));
            out.println("the dashboard: " + dashboard.url() + " (open it in a browser; Ctrl-C stops the demo)");
        }
        connect.createConnector(CONNECTOR, connectorConfig(data, kafka, registry));
        connect.awaitRunning(CONNECTOR, 1, Duration.ofMinutes(1));
        if (stopRequested.get()) {
            return STOPPED;
        }

        out.printf(Locale.ROOT, "replaying %d examples of %s as JSON into %s; the learner trains %s on them%n",
                total, data.name(), SOURCE_TOPIC, spec.name().orElse(options.model()));
        Thread replay = new Thread(() -> replay(data, total, kafka), "demo-replay");
        replay.start();
        keep("stopped the replay", () -> {
            stopRequested.set(true);
            replay.join(REPLAY_STOP.toMillis());
        });

        ProgressPrinter progress = keep("stopped the progress reader", new ProgressPrinter(
                kafka.bootstrapServers(), PREFIX + ".metrics",
                ConfluentAvroSerde.specific(TrainingMetrics.class, Map.of("schema.registry.url", registry.url()),
                        false).deserializer(), MODEL, out));
        long lastProgress = System.nanoTime();
        long seen = 0;
        while (!stopRequested.get()) {
            progress.poll(Duration.ofMillis(500));
            if (progress.examples() > seen) {
                seen = progress.examples();
                lastProgress = System.nanoTime();
            }
            if (seen >= total && !options.keepRunning()) {
                break;
            }
            if (learner.streams().state().hasCompletedShutdown()) {
                out.println("the learner stopped; the error above and the full log say why");
                return 1;
            }
            if (!options.keepRunning() && System.nanoTime() - lastProgress > STALL_TIMEOUT.toNanos()) {
                out.println("no progress for " + STALL_TIMEOUT.toMinutes() + " minutes; stopping");
                return 1;
            }
        }
        if (stopRequested.get()) {
            return STOPPED;
        }
        out.println(progress.summary());
        if (options.plot() != null) {
            try {
                for (Path file : progress.writeCurves(options.plot(), spec.name().orElse(MODEL) + " on "
                        + data.name())) {
                    out.println("learning curve: " + file);
                }
            } catch (IOException e) {
                out.println("cannot write the learning curves to " + options.plot() + ": " + e.getMessage());
                return 1;
            }
        }
        return 0;
    }

    /** Asks {@link #run} to finish after its current step (Ctrl-C). */
    public void requestStop() {
        stopRequested.set(true);
    }

    private Map<String, String> connectorConfig(Dataset data, EmbeddedKafkaBroker kafka,
            EmbeddedSchemaRegistry registry) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("connector.class", "io.streamtrain.connect.StreamtrainSinkConnector");
        c.put("tasks.max", "1");
        c.put("topics", SOURCE_TOPIC);
        c.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        c.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        c.put("value.converter.schemas.enable", "false");
        c.put("errors.tolerance", "all");
        c.put("errors.deadletterqueue.topic.name", DLQ_TOPIC);
        c.put("errors.deadletterqueue.topic.replication.factor", "1");
        c.put("errors.deadletterqueue.context.headers.enable", "true");
        c.put("streamtrain.topic.prefix", PREFIX);
        c.put("model.id", MODEL);
        c.put("id.field", "id");
        c.put("features", "pixels");
        c.put("feature.pixels.type", "vector");
        c.put("feature.pixels.length", Integer.toString(data.featureCount()));
        c.put("label.field", "label");
        c.put("label.classes", String.join(",", data.classNames()));
        c.put("producer.bootstrap.servers", kafka.bootstrapServers());
        c.put("schema.registry.url", registry.url());
        return c;
    }

    /** Produces the dataset as JSON records {"id", "pixels": [...], "label": "<class name>"}. */
    private void replay(Dataset data, long total, EmbeddedKafkaBroker kafka) {
        JsonStringEncoder encoder = JsonStringEncoder.getInstance();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, 20,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4"),
                new StringSerializer(), new StringSerializer());
                Stream<LabeledExample> examples = data.stream().limit(total)) {
            Iterator<LabeledExample> it = examples.iterator();
            long n = 0;
            StringBuilder json = new StringBuilder(8192);
            while (it.hasNext() && !stopRequested.get()) {
                LabeledExample e = it.next();
                json.setLength(0);
                json.append("{\"id\":\"").append(n).append("\",\"pixels\":[");
                float[] x = e.features();
                for (int i = 0; i < x.length; i++) {
                    if (i > 0) {
                        json.append(',');
                    }
                    appendCompact(json, x[i]);
                }
                json.append(']');
                if (e.isLabeled()) {
                    json.append(",\"label\":\"")
                            .append(encoder.quoteAsString(data.classNames().get(e.label()))).append('"');
                }
                json.append('}');
                producer.send(new ProducerRecord<>(SOURCE_TOPIC, Long.toString(n), json.toString()));
                n++;
            }
            producer.flush();
        } catch (RuntimeException e) {
            log.error("replaying {} failed", data.name(), e);
        }
    }

    /** Pixels are mostly 0: write 0 as "0" and others with 4 decimals, which keeps each record near 2 KB. */
    private static void appendCompact(StringBuilder json, float v) {
        if (v == 0f) {
            json.append('0');
        } else if (v == 1f) {
            json.append('1');
        } else {
            json.append(String.format(Locale.ROOT, "%.4f", v));
        }
    }

    /** The dashboard over the demo's cluster: on its usual port when that is free, else on any free port. */
    private static Dashboard startDashboard(Map<String, Object> learnerSettings) {
        LearnerConfig config = new LearnerConfig(learnerSettings);
        try {
            try {
                return Dashboard.start(config.consumerConfig(), config.registryConfig(), PREFIX, Duration.ofHours(1),
                        "127.0.0.1", Dashboard.DEFAULT_PORT);
            } catch (IOException taken) {
                return Dashboard.start(config.consumerConfig(), config.registryConfig(), PREFIX, Duration.ofHours(1),
                        "127.0.0.1", 0);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve the dashboard on 127.0.0.1: " + e.getMessage(), e);
        }
    }

    /** Remembers a started component for {@link #close()}, with the line that says it was stopped. */
    private <T extends AutoCloseable> T keep(String stoppedLine, T component) {
        started.push(new Started(stoppedLine, component));
        return component;
    }

    /**
     * Stops every component in the reverse order of their start (the progress reader, the replay, Connect, the
     * learner, the registry, Kafka), one line each. Called by the thread that ran {@link #run}, never from a signal
     * handler: Kafka's clients are not safe for multi-threaded access. Safe to call twice.
     */
    @Override
    public void close() {
        stopRequested.set(true);
        while (!started.isEmpty()) {
            Started next = started.pop();
            long start = System.nanoTime();
            boolean ok = closeQuietly(next.component());
            out.printf(Locale.ROOT, "%s%s (%.1f s)%n", next.stoppedLine(), ok ? "" : ", with an error (see the log)",
                    (System.nanoTime() - start) / 1e9);
        }
    }

    private record Started(String stoppedLine, AutoCloseable component) {
    }

    private static boolean closeQuietly(AutoCloseable component) {
        try {
            component.close();
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            log.warn("stopping {} failed", component, e);
            return false;
        }
    }
}
