package io.streamtrain.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import com.sun.management.OperatingSystemMXBean;
import io.streamtrain.data.LabeledExample;
import io.streamtrain.data.SyntheticStream;
import io.streamtrain.embedded.EmbeddedConnectWorker;
import io.streamtrain.learn.NetworkSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The whole product on one machine, as a user runs it: schemaless JSON events with a 784-element array in a source
 * topic, the packaged connector (one task) mapping them to examples, and the learner predicting and training on them
 * under its default guarantee. The source topic is filled first; the clock runs from when the learner has predicted
 * a tenth of the events until it has predicted all of them. Where the time goes is the CPU each part used over that
 * window: the Connect task (its thread, its consumer and producer), the learner (its stream thread and clients), and
 * the rest of the JVM (the broker, GC and the JIT), against the DL4J limit for the same spec, measured just before.
 */
final class E2eSuite implements BenchSuite {

    /** A thread's part of the pipeline, by its name. */
    enum Part {
        CONNECTOR("connector"), LEARNER("learner"), REST("broker and the rest of the JVM");

        final String label;

        Part(String label) {
            this.label = label;
        }
    }

    @Override
    public String name() {
        return "e2e";
    }

    @Override
    public String description() {
        return "events/s from JSON events (784-element arrays) through the packaged connector and the learner, and "
                + "where the CPU goes";
    }

    @Override
    public Map<String, ResultTable> run(BenchContext context) throws Exception {
        BenchOptions o = context.options();
        BenchSpec spec = BenchSpec.load(o.e2eSpec);
        int batch = spec.batchSize();
        NetworkSpec network = spec.spec();
        ResultTable table = new ResultTable("e2e: JSON events → connector → learner → predictions, " + spec.name(),
                ResultTable.Column.text("spec"),
                ResultTable.Column.number("batch", "%.0f"),
                ResultTable.Column.number("events", "%.0f"),
                ResultTable.Column.summary("events/s", "%.0f"),
                ResultTable.Column.summary("limit ex/s", "%.0f"),
                ResultTable.Column.summary("ratio", "%.2f"),
                ResultTable.Column.summary("connector CPU %", "%.0f"),
                ResultTable.Column.summary("learner CPU %", "%.0f"),
                ResultTable.Column.summary("rest CPU %", "%.0f"));
        Map<String, ResultTable> tables = new LinkedHashMap<>();
        tables.put(name(), table);
        Path zip;
        try {
            zip = IngestSuite.pluginZip(o.connectorZip);
        } catch (IllegalStateException e) {
            String message = "connector plugin not built: " + e.getMessage();
            context.out().println("  " + message);
            table.note(message);
            return tables;
        }
        Path specFile = spec.writeTo(context.work(), "e2e");
        List<Double> rates = new ArrayList<>();
        List<Double> limits = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        Map<Part, List<Double>> shares = new EnumMap<>(Part.class);
        for (Part p : Part.values()) {
            shares.put(p, new ArrayList<>());
        }
        try (EmbeddedConnectWorker connect = EmbeddedConnectWorker.builder(context.stack().bootstrapServers())
                .pluginZip(zip).start()) {
            for (int run = 0; run < o.runs; run++) {
                double limit = LimitSuite.measure(network, batch, o.seconds);
                Run r = measure(context, connect, network, specFile, o.e2eEvents, run);
                rates.add(r.eventsPerSecond());
                limits.add(limit);
                ratios.add(r.eventsPerSecond() / limit);
                for (Part p : Part.values()) {
                    shares.get(p).add(r.cpuPercent().get(p));
                }
                context.progress("e2e run %d: %.0f events/s, limit %.0f, ratio %.2f; CPU: %s", run + 1,
                        r.eventsPerSecond(), limit, r.eventsPerSecond() / limit, r.cpuPercent().entrySet().stream()
                                .map(e -> String.format(Locale.ROOT, "%s %.0f%%", e.getKey().label, e.getValue()))
                                .collect(Collectors.joining(", ")));
            }
        }
        table.row(spec.name(), batch, o.e2eEvents, Summary.of(rates), Summary.of(limits), Summary.of(ratios),
                Summary.of(shares.get(Part.CONNECTOR)), Summary.of(shares.get(Part.LEARNER)),
                Summary.of(shares.get(Part.REST)));
        table.note("Events: schemaless JSON {\"id\", \"pixels\": [784 numbers], \"label\"} of a synthetic separable "
                + "stream (10% unlabeled), produced before the connector starts; the connector (tasks.max=1, "
                + "JsonConverter) maps them to examples, the learner (as streamtrain run starts it, exactly_once_v2) "
                + "predicts and trains; timed from 10% to 100% of the events predicted.");
        table.note("CPU %: CPU time over the timed window as a share of one core (100 = one core busy all along): "
                + "the connector's threads (task, its clients), the learner's (stream thread, its clients), and the "
                + "rest (the broker, GC, JIT) as the JVM's CPU time minus both. The broker runs in this JVM too.");
        table.note("Limit: DL4J test-then-train alone at the same batch, measured before each run in the same JVM.");
        table.note("Machine: " + context.machine());
        return tables;
    }

    /** One run's events per second, and each part's CPU as a percentage of one core. */
    record Run(double eventsPerSecond, Map<Part, Double> cpuPercent) {
    }

    private static Run measure(BenchContext context, EmbeddedConnectWorker connect, NetworkSpec network,
            Path specFile, long events, int run) throws InterruptedException {
        BenchStack stack = context.stack();
        String id = UUID.randomUUID().toString().substring(0, 6);
        String source = "bench-e2e-in-" + id;
        String prefix = "bench-e2e-" + id;
        String connector = "bench-e2e-" + (run + 1) + "-" + id;
        stack.kafka().createTopic(source, 1);
        SyntheticStream stream = new SyntheticStream(LimitSuite.SEED, network.inputSize(), LimitSuite.UNLABELED);
        List<String> classes = IntStream.range(0, network.numClasses()).mapToObj(Integer::toString).toList();
        produceJson(stack, source, stream, classes, events);
        try (InProcessLearner learner = InProcessLearner.start(stack, prefix, specFile,
                context.options().learnerSettings, Map.of())) {
            connect.createConnector(connector, connectorConfig(stack, connector, source, prefix, network, classes));
            connect.awaitRunning(connector, 1, Duration.ofSeconds(60));
            try {
                return time(connect, connector, learner, prefix, events, run);
            } finally {
                connect.deleteConnector(connector);
            }
        } finally {
            stack.deleteTopics(source);
        }
    }

    private static Run time(EmbeddedConnectWorker connect, String connector, InProcessLearner learner,
            String prefix, long events, int run) throws InterruptedException {
        long skip = Math.max(1, events / 10);
        Map<Part, Long> startCpu = null;
        long startProcessCpu = 0;
        long startCount = 0;
        long start = 0;
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        long nextStatus = 0;
        while (true) {
            long count = learner.examplesPredicted();
            long now = System.nanoTime();
            if (startCpu == null && count >= skip) {
                startCpu = cpuByPart(connector, prefix);
                startProcessCpu = processCpu();
                startCount = count;
                start = now;
            }
            if (count >= events) {
                Map<Part, Long> endCpu = cpuByPart(connector, prefix);
                long process = processCpu() - startProcessCpu;
                double wall = now - start;
                Map<Part, Double> percent = new EnumMap<>(Part.class);
                long parts = 0;
                for (Part p : List.of(Part.CONNECTOR, Part.LEARNER)) {
                    long used = endCpu.get(p) - startCpu.get(p);
                    parts += used;
                    percent.put(p, 100.0 * used / wall);
                }
                percent.put(Part.REST, 100.0 * Math.max(0, process - parts) / wall);
                return new Run((count - startCount) / (wall / 1e9), percent);
            }
            if (learner.failed()) {
                throw new IllegalStateException("the learner failed during e2e run " + (run + 1));
            }
            if (now > nextStatus) {
                EmbeddedConnectWorker.ConnectorStatus status = connect.status(connector);
                if (status.failedTask() != null) {
                    throw new IllegalStateException("the connector task failed: " + status.failedTask().trace());
                }
                nextStatus = now + 1_000_000_000L;
            }
            if (now > deadline) {
                throw new IllegalStateException("e2e run " + (run + 1) + ": only " + count + " of " + events
                        + " events predicted after 10 minutes");
            }
            Sleep.millis(20);
        }
    }

    private static Map<String, String> connectorConfig(BenchStack stack, String name, String source, String prefix,
            NetworkSpec network, List<String> classes) {
        Map<String, String> config = IngestSuite.jsonSinkConfig(stack, name, source, prefix, classes);
        config.put("features", "pixels");
        config.put("feature.pixels.type", "vector");
        config.put("feature.pixels.length", Integer.toString(network.inputSize()));
        // a tenth of the events come without a label: predicted, not trained on
        config.put("label.optional", "true");
        return config;
    }

    /** Fills the source topic with JSON events {"id", "pixels": [...], "label"} (no label: 10% of them). */
    private static void produceJson(BenchStack stack, String topic, SyntheticStream stream, List<String> classes,
            long events) {
        Iterator<LabeledExample> examples = stream.generator();
        try (KafkaProducer<String, String> producer = IngestSuite.jsonProducer(stack)) {
            StringBuilder json = new StringBuilder(8192);
            for (long i = 0; i < events; i++) {
                LabeledExample e = examples.next();
                json.setLength(0);
                json.append("{\"id\":\"e").append(i).append("\",\"pixels\":[");
                float[] x = e.features();
                for (int f = 0; f < x.length; f++) {
                    if (f > 0) {
                        json.append(',');
                    }
                    json.append(x[f]);
                }
                json.append(']');
                if (e.isLabeled()) {
                    json.append(",\"label\":\"").append(classes.get(e.label())).append('"');
                }
                json.append('}');
                producer.send(new ProducerRecord<>(topic, "k" + i, json.toString()));
            }
            producer.flush();
        }
    }

    /** CPU nanoseconds of the connector's and the learner's live threads, by their names. */
    private static Map<Part, Long> cpuByPart(String connector, String learnerPrefix) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Map<Part, Long> cpu = new EnumMap<>(Part.class);
        for (Part p : Part.values()) {
            cpu.put(p, 0L);
        }
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            long used = threads.getThreadCpuTime(info.getThreadId());
            if (used < 0) {
                continue;
            }
            cpu.merge(part(info.getThreadName(), connector, learnerPrefix), used, Long::sum);
        }
        return cpu;
    }

    /** The part a thread belongs to: the learner's clients carry its application id, the task's its name. */
    static Part part(String thread, String connector, String learnerPrefix) {
        if (thread.contains(learnerPrefix + "-learner")) {
            return Part.LEARNER;
        }
        if (thread.contains(connector) || thread.startsWith("task-thread-")) {
            return Part.CONNECTOR;
        }
        return Part.REST;
    }

    private static long processCpu() {
        return ManagementFactory.getPlatformMXBean(OperatingSystemMXBean.class).getProcessCpuTime();
    }
}
