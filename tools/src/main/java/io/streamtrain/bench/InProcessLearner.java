package io.streamtrain.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.streamtrain.app.LearnerApp;
import io.streamtrain.app.LearnerConfig;
import io.streamtrain.embedded.TempDirectories;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The learner application, as {@code streamtrain run} starts it, in this JVM: its own application id, topic prefix
 * and state directory, so that runs do not share anything. Its topics and state are deleted on {@link #close()}.
 */
final class InProcessLearner implements AutoCloseable {

    /** The group of the learner's own metrics in Kafka Streams' registry. */
    static final String METRICS_GROUP = "streamtrain-learner-metrics";

    private final BenchStack stack;
    private final String applicationId;
    private final String prefix;
    private final Path stateDir;
    private final LearnerApp app;
    private final List<Metric> examplesTotal = new ArrayList<>();

    private InProcessLearner(BenchStack stack, String applicationId, String prefix, Path stateDir, LearnerApp app) {
        this.stack = stack;
        this.applicationId = applicationId;
        this.prefix = prefix;
        this.stateDir = stateDir;
        this.app = app;
    }

    /**
     * Starts a learner and waits until it is RUNNING.
     *
     * @param specFile the network spec file
     * @param extra the user's settings (--learner)
     * @param overrides the suite's settings (processing.guarantee, commit.interval.ms, ...), which win
     */
    static InProcessLearner start(BenchStack stack, String prefix, Path specFile, Map<String, String> extra,
            Map<String, String> overrides) {
        return start(stack, prefix, specFile, extra, overrides, false);
    }

    /**
     * Starts a serving replica ({@code streamtrain serve}) of the learner under {@code prefix}, and waits until it is
     * RUNNING; closing it leaves the learner's topics.
     */
    static InProcessLearner serve(BenchStack stack, String prefix, Path specFile, Map<String, String> extra) {
        return start(stack, prefix, specFile, extra, Map.of(), true);
    }

    private static InProcessLearner start(BenchStack stack, String prefix, Path specFile, Map<String, String> extra,
            Map<String, String> overrides, boolean serving) {
        Path stateDir = TempDirectories.create("streamtrain-bench-state-");
        String applicationId = prefix + "-learner";
        Map<String, Object> settings = new HashMap<>(stack.registryConfig());
        settings.put("bootstrap.servers", stack.bootstrapServers());
        settings.put("application.id", applicationId);
        settings.put("state.dir", stateDir.toString());
        settings.put(LearnerConfig.TOPIC_PREFIX, prefix);
        settings.put(LearnerConfig.MODEL_SPEC, specFile.toString());
        // a suite may run a learner and serving replicas side by side: each takes a free port for /metrics
        settings.put(LearnerConfig.HTTP_PORT, "0");
        settings.putAll(extra);
        settings.putAll(overrides);
        LearnerConfig config = new LearnerConfig(settings);
        LearnerApp app = serving ? LearnerApp.serve(config) : LearnerApp.start(config);
        InProcessLearner learner = new InProcessLearner(stack, serving ? applicationId + "-serve" : applicationId,
                serving ? null : prefix, stateDir, app);
        try {
            learner.awaitRunning(Duration.ofSeconds(60));
        } catch (RuntimeException e) {
            learner.close();
            throw e;
        }
        return learner;
    }

    private void awaitRunning(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (app.streams().state() != KafkaStreams.State.RUNNING) {
            if (app.streams().state() == KafkaStreams.State.ERROR
                    || app.streams().state() == KafkaStreams.State.NOT_RUNNING) {
                throw new IllegalStateException("the learner stopped while starting: " + app.streams().state());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the learner was not RUNNING within " + timeout.toSeconds() + " s");
            }
            Sleep.millis(20);
        }
    }

    KafkaStreams streams() {
        return app.streams();
    }

    /**
     * Examples predicted so far by all models: the learner's {@code examples-total} metric. Cheap enough to poll
     * every few milliseconds: the metric objects are looked up once, when the first model has appeared.
     */
    long examplesPredicted() {
        if (examplesTotal.isEmpty()) {
            for (Map.Entry<MetricName, ? extends Metric> e : app.streams().metrics().entrySet()) {
                if (e.getKey().group().equals(METRICS_GROUP) && e.getKey().name().equals("examples-total")) {
                    examplesTotal.add(e.getValue());
                }
            }
        }
        double total = 0;
        for (Metric m : examplesTotal) {
            if (m.metricValue() instanceof Number n) {
                total += n.doubleValue();
            }
        }
        return (long) total;
    }

    /** Whether the learner has stopped on an error. */
    boolean failed() {
        KafkaStreams.State s = app.streams().state();
        return s == KafkaStreams.State.ERROR || s == KafkaStreams.State.PENDING_ERROR;
    }

    @Override
    public void close() {
        try {
            app.close();
        } finally {
            TempDirectories.delete(stateDir);
            // a serving replica leaves the learner's topics to the learner
            stack.deleteTopics(prefix == null ? applicationId + "-" : prefix + ".", applicationId + "-");
        }
    }
}
