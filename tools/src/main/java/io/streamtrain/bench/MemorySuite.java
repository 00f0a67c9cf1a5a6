package io.streamtrain.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import io.streamtrain.app.LearnerConfig;
import io.streamtrain.data.LabeledExample;
import io.streamtrain.data.SyntheticStream;
import io.streamtrain.embedded.ForkedLearner;

/**
 * The learner's memory over a long run: the learner runs in a JVM of its own (as {@code bin/streamtrain run} runs
 * it) while this JVM produces {@code --examples} examples to it, keeping at most a bounded lead, and samples the
 * learner's RSS, heap and progress every few seconds. One long run: the figures are over its samples.
 */
final class MemorySuite implements BenchSuite {

    private static final String MODEL = "bench";
    private static final long MAX_LEAD = 200_000;
    private static final double MB = 1024.0 * 1024;

    @Override
    public String name() {
        return "memory";
    }

    @Override
    public String description() {
        return "learner RSS and heap over a long run, sampled, to show whether they stay flat";
    }

    /** One sample. */
    record Sample(double seconds, long examples, long rss, long heapUsed, long heapCommitted, long oldAfterGc,
                  long oldCollections, long heapResident, long jvmNonHeap, long rocksDb) {

        /** The resident set outside the Java heap. */
        long nonHeapResident() {
            return heapResident < 0 ? -1 : rss - heapResident;
        }

        /**
         * What neither the JVM (NMT, outside the heap) nor RocksDB accounts for: ND4J/JavaCPP and OpenBLAS buffers,
         * malloc's own overhead and fragmentation.
         */
        long otherNative() {
            return heapResident < 0 || jvmNonHeap < 0 ? -1 : rss - heapResident - jvmNonHeap - rocksDb;
        }
    }

    @Override
    public Map<String, ResultTable> run(BenchContext context) throws Exception {
        BenchOptions o = context.options();
        BenchStack stack = context.stack();
        BenchSpec spec = BenchSpec.load(o.spec);
        String prefix = "bench-mem-" + UUID.randomUUID().toString().substring(0, 6);
        Path dir = Files.createDirectories(context.work().resolve(prefix));
        Path specFile = spec.writeTo(dir, "spec");
        stack.kafka().createTopic(prefix + ".examples", 1);

        Map<String, String> settings = new HashMap<>(o.learnerSettings);
        settings.putAll(stack.registryConfig());
        settings.put("bootstrap.servers", stack.bootstrapServers());
        settings.put("application.id", prefix + "-learner");
        settings.put("state.dir", dir.resolve("state").toString());
        settings.put(LearnerConfig.TOPIC_PREFIX, prefix);
        settings.put(LearnerConfig.MODEL_SPEC, specFile.toString());

        AtomicLong progress = new AtomicLong();
        AtomicReference<Exception> producerFailure = new AtomicReference<>();
        List<Sample> samples = new ArrayList<>();
        long started;
        context.progress("memory: learner JVM -Xmx%s, %d examples of %s, batch %d, sampled every %.1f s",
                o.learnerHeap, o.examples, spec.name(), spec.batchSize(), o.sampleSeconds);
        try (ForkedLearner learner = startLearner(dir, settings, o.learnerHeap);
                LearnerProbe probe = LearnerProbe.attach(learner, 120_000)) {
            long[] heapRange = probe.heapAddressRange();
            Thread producer = producerThread(stack, prefix, spec.spec().inputSize(), o.examples, progress,
                    producerFailure);
            started = System.nanoTime();
            producer.start();
            long sampleNanos = (long) (o.sampleSeconds * 1e9);
            long next = started;
            long lastPrint = started;
            while (true) {
                if (!learner.isAlive()) {
                    throw new IllegalStateException("the learner JVM exited; its log:\n" + learner.logTail(40));
                }
                if (producerFailure.get() != null) {
                    throw new IllegalStateException("producing failed", producerFailure.get());
                }
                long examples = (long) probe.learnerMetric("examples-total");
                progress.set(examples);
                long[] heap = probe.heap();
                long now = System.nanoTime();
                Sample s = new Sample((now - started) / 1e9, examples, probe.rssBytes(), heap[0], heap[1], heap[2],
                        probe.oldGenerationCollections(), probe.residentBytesIn(heapRange),
                        probe.jvmNonHeapCommittedBytes(), probe.rocksDbBytes());
                samples.add(s);
                if (now - lastPrint > 30e9 || examples >= o.examples) {
                    context.progress("memory: %.0f s, %d examples, RSS %.0f MB, heap %.0f MB used / %.0f MB",
                            s.seconds(), examples, s.rss() / MB, s.heapUsed() / MB, s.heapCommitted() / MB);
                    lastPrint = now;
                }
                if (examples >= o.examples) {
                    break;
                }
                next += sampleNanos;
                Sleep.millis(Math.max(1, (next - System.nanoTime()) / 1_000_000));
            }
            producer.interrupt();
            producer.join(10_000);
        } finally {
            stack.deleteTopics(prefix + ".", prefix + "-learner-");
        }

        Map<String, ResultTable> tables = new LinkedHashMap<>();
        tables.put(name(), summarise(samples, o, spec, context));
        tables.put(name() + "-samples", samplesTable(samples));
        return tables;
    }

    /**
     * The learner in a JVM of its own, as {@code bin/streamtrain run} runs it, so that its resident set is the
     * learner's alone; with Native Memory Tracking, to tell what the JVM itself commits from RocksDB's and ND4J's
     * memory.
     */
    private static ForkedLearner startLearner(Path dir, Map<String, String> settings, String heap) {
        ForkedLearner learner = new ForkedLearner("learner", dir, settings, heap, "-XX:NativeMemoryTracking=summary");
        learner.start();
        return learner;
    }

    private static Thread producerThread(BenchStack stack, String prefix, int features, long total, AtomicLong progress,
            AtomicReference<Exception> failure) {
        Thread t = new Thread(() -> {
            SyntheticStream stream = new SyntheticStream(LimitSuite.SEED, features, LimitSuite.UNLABELED);
            Iterator<LabeledExample> examples = stream.generator();
            try (ExampleProducer producer = ExampleProducer.bulk(stack, prefix + ".examples", MODEL,
                    stream.classNames())) {
                long sent = 0;
                while (sent < total && !Thread.currentThread().isInterrupted()) {
                    long chunk = Math.min(20_000, total - sent);
                    producer.sendAll(examples, chunk, "m" + sent + "-");
                    sent += chunk;
                    while (sent - progress.get() > MAX_LEAD && !Thread.currentThread().isInterrupted()) {
                        Thread.sleep(50);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                failure.set(e);
            }
        }, "bench-memory-producer");
        t.setDaemon(true);
        return t;
    }

    private static ResultTable summarise(List<Sample> samples, BenchOptions o, BenchSpec spec, BenchContext context) {
        ResultTable t = new ResultTable("memory: learner JVM (-Xmx" + o.learnerHeap + ") over "
                + String.format(Locale.ROOT, "%,d", o.examples) + " examples, " + spec.name(),
                ResultTable.Column.text("MB"),
                ResultTable.Column.summary("25-50% of the run", "%.1f"),
                ResultTable.Column.summary("75-100% of the run", "%.1f"),
                ResultTable.Column.number("change", "%+.1f"),
                ResultTable.Column.number("slope per 1M examples", "%+.1f"));
        Sample last = samples.get(samples.size() - 1);
        // the first quarter is warm-up (JIT, natives, heap growing to its working size)
        List<Sample> steady = samples.stream().filter(s -> s.examples() >= o.examples / 4).toList();
        if (steady.size() < 2) {
            steady = samples;
        }
        List<Sample> early = steady.stream().filter(s -> s.examples() < o.examples / 2).toList();
        List<Sample> late = samples.stream().filter(s -> s.examples() >= o.examples * 3 / 4).toList();
        Summary rssEarly = row(t, "RSS", early, late, steady, Sample::rss);
        Summary rssLate = Summary.of(late.stream().map(s -> s.rss() / MB).toList());
        row(t, "heap used", early, late, steady, Sample::heapUsed);
        row(t, "heap committed", early, late, steady, Sample::heapCommitted);
        if (steady.stream().allMatch(s -> s.heapResident() >= 0)) {
            row(t, "  Java heap, resident", early, late, steady, Sample::heapResident);
            row(t, "  outside the heap, resident", early, late, steady, Sample::nonHeapResident);
        }
        if (steady.stream().allMatch(s -> s.heapResident() >= 0 && s.jvmNonHeap() >= 0)) {
            row(t, "    JVM outside the heap (NMT)", early, late, steady, Sample::jvmNonHeap);
            row(t, "    RocksDB (memtables, cache, readers)", early, late, steady, Sample::rocksDb);
            row(t, "    rest: ND4J, OpenBLAS, malloc", early, late, steady, Sample::otherNative);
        }
        long oldCollections = last.oldCollections() - steady.get(0).oldCollections();
        if (oldCollections > 0) {
            row(t, "old gen after GC", early, late, steady, Sample::oldAfterGc);
        }
        double growth = rssLate.median() - rssEarly.median();
        double growthPct = 100 * growth / rssEarly.median();
        if (steady.stream().allMatch(s -> s.heapResident() >= 0)) {
            Summary outsideEarly = Summary.of(early.stream().map(s -> s.nonHeapResident() / MB).toList());
            Summary outsideLate = Summary.of(late.stream().map(s -> s.nonHeapResident() / MB).toList());
            double outside = outsideLate.median() - outsideEarly.median();
            double outsidePct = 100 * outside / outsideEarly.median();
            double heapCommitted = last.heapCommitted() / MB;
            t.note(String.format(Locale.ROOT, "Target RSS flat: the median RSS changed by %+.1f MB (%+.1f%%) from the "
                    + "second quarter of the run to the last; %+.1f MB of it is the Java heap's pages becoming resident "
                    + "(bounded by the committed heap, %.0f MB, itself bounded by -Xmx), %+.1f MB (%+.1f%%) is outside "
                    + "the heap: %s.", growth, growthPct, growth - outside, heapCommitted, outside, outsidePct,
                    Math.abs(outsidePct) < 5 ? "flat outside the heap within 5%" : "NOT flat outside the heap"));
        } else {
            t.note(String.format(Locale.ROOT, "Target RSS flat: the median RSS changed by %+.1f MB (%+.1f%%) from the "
                    + "second quarter of the run to the last: %s.", growth, growthPct,
                    Math.abs(growthPct) < 5 ? "flat within 5%" : "NOT flat"));
        }
        t.note(String.format(Locale.ROOT, "%,d examples in %.0f s (%.0f examples/s), %d samples every %.1f s; %d "
                        + "old-generation collections after the first quarter.", last.examples(), last.seconds(),
                last.examples() / last.seconds(), samples.size(), o.sampleSeconds, oldCollections));
        t.note("One long run (--runs does not apply). RSS from /proc/<pid>/status, the heap's resident part from "
                + "/proc/<pid>/smaps (the mappings in the heap's reserved range, from GC.heap_info); heap, Native Memory "
                + "Tracking (JVM outside the heap, committed) and Kafka Streams' RocksDB metrics over JMX. The learner JVM runs like bin/streamtrain "
                + "(OMP_NUM_THREADS=1, -XX:+UseParallelGC, -Dorg.bytedeco.javacpp.maxPhysicalBytes=0) plus "
                + "-XX:NativeMemoryTracking=summary.");
        t.note("Machine: " + context.machine());
        return t;
    }

    /** A row of the memory table: medians of the two halves of the steady part, their change and the slope. */
    private static Summary row(ResultTable t, String what, List<Sample> early, List<Sample> late, List<Sample> steady,
            java.util.function.ToLongFunction<Sample> value) {
        Summary e = Summary.of(early.stream().map(s -> value.applyAsLong(s) / MB).toList());
        Summary l = Summary.of(late.stream().map(s -> value.applyAsLong(s) / MB).toList());
        t.row(what, e, l, l.median() - e.median(), slopePerMillion(steady, value));
        return e;
    }

    /** Least-squares slope of a value (bytes) against examples, in MB per million examples. */
    static double slopePerMillion(List<Sample> samples, java.util.function.ToLongFunction<Sample> value) {
        int n = samples.size();
        if (n < 2) {
            return Double.NaN;
        }
        double mx = 0;
        double my = 0;
        for (Sample s : samples) {
            mx += s.examples();
            my += value.applyAsLong(s);
        }
        mx /= n;
        my /= n;
        double sxy = 0;
        double sxx = 0;
        for (Sample s : samples) {
            double dx = s.examples() - mx;
            sxy += dx * (value.applyAsLong(s) - my);
            sxx += dx * dx;
        }
        return sxx == 0 ? Double.NaN : sxy / sxx * 1e6 / MB;
    }

    private static ResultTable samplesTable(List<Sample> samples) {
        ResultTable t = new ResultTable("memory samples",
                ResultTable.Column.number("seconds", "%.1f"),
                ResultTable.Column.number("examples", "%.0f"),
                ResultTable.Column.number("rss MB", "%.1f"),
                ResultTable.Column.number("heap used MB", "%.1f"),
                ResultTable.Column.number("heap committed MB", "%.1f"),
                ResultTable.Column.number("old gen after GC MB", "%.1f"),
                ResultTable.Column.number("old collections", "%.0f"),
                ResultTable.Column.number("heap resident MB", "%.1f"),
                ResultTable.Column.number("JVM non-heap MB", "%.1f"),
                ResultTable.Column.number("RocksDB MB", "%.1f"),
                ResultTable.Column.number("other native MB", "%.1f"));
        for (Sample s : samples) {
            t.row(s.seconds(), s.examples(), s.rss() / MB, s.heapUsed() / MB, s.heapCommitted() / MB,
                    s.oldAfterGc() < 0 ? null : s.oldAfterGc() / MB, s.oldCollections(),
                    s.heapResident() < 0 ? null : s.heapResident() / MB,
                    s.jvmNonHeap() < 0 ? null : s.jvmNonHeap() / MB, s.rocksDb() / MB,
                    s.otherNative() < 0 ? null : s.otherNative() / MB);
        }
        return t;
    }
}
