package io.streamtrain.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the time goes while a suite runs, from two sources:
 * <ul>
 * <li>a wall-clock sampler of the learner's stream threads (every 5 ms, their state and stack through
 *     {@link ThreadMXBean}), which counts waiting as well as running: each sample is put in the layer of its innermost
 *     frame of a known library (ND4J/DL4J, RocksDB, Avro, the Kafka clients, Kafka Streams, ours) and marked running
 *     or waiting;</li>
 * <li>a Java Flight Recorder recording of the whole JVM ("profile" settings), written for JDK Mission Control, from
 *     which the CPU samples per thread group are counted (broker, stream thread, clients' I/O threads, GC).</li>
 * </ul>
 */
final class Profile {

    /** Layers by package prefix, matched from a sample's innermost frame outwards. */
    private static final Map<String, String> LAYERS = new LinkedHashMap<>();
    /** Frames that are a thread waiting (in native code or parked), not computing. */
    private static final List<String> WAIT_FRAMES = List.of("sun.nio.ch.EPoll.wait", "sun.nio.ch.Net.poll",
            "sun.nio.ch.SocketDispatcher.read", "sun.nio.ch.Net.accept", "jdk.internal.misc.Unsafe.park",
            "java.lang.Object.wait", "java.lang.Thread.sleep", "java.lang.Thread.yield",
            "sun.nio.ch.FileDispatcherImpl.read0", "java.io.FileInputStream.readBytes",
            "java.lang.ProcessHandleImpl.waitForProcessExit0", "java.net.SocketInputStream.socketRead0");
    private static final long SAMPLE_MILLIS = 5;
    /** The Kafka methods whose share of the stream thread's time is reported, beside all of ours. */
    private static final Set<String> KAFKA_ON_STACK = Set.of(
            "org.apache.kafka.streams.processor.internals.StreamThread.pollPhase",
            "org.apache.kafka.streams.processor.internals.TaskManager.commit",
            "org.apache.kafka.streams.processor.internals.TaskManager.process",
            "org.apache.kafka.streams.processor.internals.StreamTask.prepareCommit",
            "org.apache.kafka.streams.processor.internals.StreamTask.postCommit",
            "org.apache.kafka.streams.processor.internals.ProcessorStateManager.flush",
            "org.apache.kafka.streams.processor.internals.ProcessorStateManager.checkpoint",
            "org.apache.kafka.streams.processor.internals.StreamsProducer.commitTransaction",
            "org.apache.kafka.streams.processor.internals.StreamsProducer.maybeBeginTransaction",
            "org.apache.kafka.streams.processor.internals.RecordCollectorImpl.send",
            "org.apache.kafka.streams.processor.internals.RecordCollectorImpl.flush",
            "org.apache.kafka.streams.processor.internals.SinkNode.process",
            "org.apache.kafka.streams.state.internals.MeteredKeyValueStore.put",
            "org.apache.kafka.streams.state.internals.MeteredKeyValueStore.delete",
            "org.apache.kafka.streams.state.internals.MeteredKeyValueStore.get",
            "org.apache.kafka.streams.state.internals.MeteredKeyValueStore.range",
            "org.apache.kafka.streams.state.internals.ChangeLoggingKeyValueBytesStore.log",
            "org.apache.kafka.streams.state.internals.RocksDBStore.flush",
            "org.apache.kafka.clients.producer.KafkaProducer.send",
            "org.apache.kafka.clients.producer.KafkaProducer.commitTransaction",
            "org.apache.kafka.clients.producer.KafkaProducer.sendOffsetsToTransaction",
            "org.apache.kafka.clients.producer.KafkaProducer.flush",
            "org.apache.kafka.clients.consumer.KafkaConsumer.poll",
            "org.apache.avro.specific.SpecificRecordBuilderBase.defaultValue");

    static {
        LAYERS.put("org.nd4j.", "ND4J/DL4J");
        LAYERS.put("org.deeplearning4j.", "ND4J/DL4J");
        LAYERS.put("org.bytedeco.", "ND4J/DL4J");
        LAYERS.put("org.rocksdb.", "RocksDB (state store)");
        LAYERS.put("org.apache.avro.", "Avro");
        LAYERS.put("io.streamtrain.registry.", "registry serde");
        LAYERS.put("org.apache.kafka.clients.producer.", "Kafka producer");
        LAYERS.put("org.apache.kafka.clients.consumer.", "Kafka consumer");
        LAYERS.put("org.apache.kafka.streams.state.", "Kafka Streams store layers");
        LAYERS.put("org.apache.kafka.streams.", "Kafka Streams runtime");
        LAYERS.put("org.apache.kafka.common.", "Kafka common");
        LAYERS.put("io.streamtrain.", "Streamtrain learner");
    }

    private final Recording recording;
    private final Sampler sampler;

    private Profile(Recording recording, Sampler sampler) {
        this.recording = recording;
        this.sampler = sampler;
    }

    /** Starts the recording and the sampler of threads whose name contains {@code StreamThread}. */
    static Profile start() {
        try {
            Recording r = new Recording(Configuration.getConfiguration("profile"));
            r.setToDisk(true);
            r.start();
            Sampler s = new Sampler();
            s.start();
            return new Profile(r, s);
        } catch (IOException | ParseException e) {
            throw new IllegalStateException("cannot start a JFR recording: " + e.getMessage(), e);
        }
    }

    /** Stops, writes the recording to {@code file} and returns what the two sources say. */
    Report stop(Path file) {
        sampler.finish();
        try {
            recording.stop();
            Files.createDirectories(file.getParent());
            recording.dump(file);
            recording.close();
            return new Report(sampler.states, sampler.layers, sampler.topFrames, sampler.onStack, sampler.samples,
                    cpuByThread(file), file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the JFR recording " + file, e);
        }
    }

    /** CPU samples of a recording per thread group: Java execution samples, and native samples not waiting. */
    static Map<String, Integer> cpuByThread(Path file) throws IOException {
        Map<String, Integer> threads = new HashMap<>();
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            String type = e.getEventType().getName();
            boolean java = type.equals("jdk.ExecutionSample");
            if (!java && !type.equals("jdk.NativeMethodSample")) {
                continue;
            }
            RecordedThread thread = e.getThread("sampledThread");
            RecordedStackTrace stack = e.getStackTrace();
            if (thread == null || stack == null || stack.getFrames().isEmpty()) {
                continue;
            }
            if (!java && isWait(method(stack.getFrames().get(0)))) {
                continue;
            }
            threads.merge(threadGroup(thread.getJavaName()), 1, Integer::sum);
        }
        return threads;
    }

    static final String STREAM_THREAD = "learner stream thread";

    /** Threads grouped by role: numbers and ids stripped from their names. */
    static String threadGroup(String name) {
        if (name == null) {
            return "?";
        }
        if (name.contains("StreamThread")) {
            return name.contains("producer") || name.contains("consumer") || name.contains("restore")
                    ? "learner clients' I/O threads" : STREAM_THREAD;
        }
        if (name.startsWith("kafka-producer-network-thread")) {
            return "producers' I/O threads";
        }
        if (name.contains("request-handler") || name.contains("data-plane") || name.contains("broker")
                || name.contains("raft") || name.contains("controller") || name.contains("kafka-log")
                || name.contains("group-coordinator") || name.contains("Txn") || name.contains("transaction")
                || name.contains("ExpirationReaper") || name.contains("quorum") || name.contains("kafka-scheduler")
                || name.contains("Persister") || name.contains("metadata-loader") || name.contains("log-cleaner")) {
            return "broker";
        }
        if (name.startsWith("GC ") || name.contains("ParGC") || name.contains("VM Thread")) {
            return "GC and VM";
        }
        if (name.contains("Deallocator")) {
            return "JavaCPP deallocator";
        }
        return name.replaceAll("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<id>")
                .replaceAll("\\d+", "N");
    }

    private static boolean isWait(String method) {
        return WAIT_FRAMES.contains(method);
    }

    private static String method(RecordedFrame f) {
        return f.getMethod().getType().getName() + "." + f.getMethod().getName();
    }

    /** The layer of a stack: its innermost frame of a known library. */
    static String layer(List<String> frames) {
        for (String f : frames) {
            for (Map.Entry<String, String> l : LAYERS.entrySet()) {
                if (f.startsWith(l.getKey())) {
                    return l.getValue();
                }
            }
        }
        return "JDK / other";
    }

    /** Samples the stream threads' state and stack every few milliseconds. */
    private static final class Sampler extends Thread {
        private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        final Map<String, Integer> states = new HashMap<>();
        final Map<String, Integer> layers = new HashMap<>();
        final Map<String, Integer> topFrames = new HashMap<>();
        final Map<String, Integer> onStack = new HashMap<>();
        int samples;
        private volatile boolean running = true;

        Sampler() {
            super("bench-profile-sampler");
            setDaemon(true);
        }

        @Override
        public void run() {
            long[] ids = new long[0];
            long refresh = 0;
            while (running) {
                long now = System.nanoTime();
                if (now > refresh) {
                    ids = streamThreads();
                    refresh = now + 500_000_000L;
                }
                if (ids.length > 0) {
                    for (ThreadInfo info : threads.getThreadInfo(ids, 96)) {
                        if (info != null) {
                            record(info);
                        }
                    }
                }
                try {
                    Thread.sleep(SAMPLE_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        private long[] streamThreads() {
            List<Long> found = new ArrayList<>();
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (STREAM_THREAD.equals(threadGroup(t.getName()))) {
                    found.add(t.getId());
                }
            }
            return found.stream().mapToLong(Long::longValue).toArray();
        }

        private synchronized void record(ThreadInfo info) {
            StackTraceElement[] stack = info.getStackTrace();
            if (stack.length == 0) {
                return;
            }
            List<String> frames = new ArrayList<>(stack.length);
            for (StackTraceElement e : stack) {
                frames.add(e.getClassName() + "." + e.getMethodName());
            }
            boolean waiting = info.getThreadState() != Thread.State.RUNNABLE || isWait(frames.get(0));
            String how = waiting ? "waiting" : "running";
            samples++;
            states.merge(how, 1, Integer::sum);
            layers.merge(how + " in " + layer(frames), 1, Integer::sum);
            topFrames.merge(how + ": " + frames.get(0), 1, Integer::sum);
            Set<String> seen = new HashSet<>();
            for (String f : frames) {
                if ((f.startsWith("io.streamtrain.") || KAFKA_ON_STACK.contains(f)) && seen.add(f)) {
                    onStack.merge(f, 1, Integer::sum);
                }
            }
        }

        void finish() {
            running = false;
            interrupt();
            try {
                join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** What a profile says. */
    record Report(Map<String, Integer> states, Map<String, Integer> layers, Map<String, Integer> topFrames,
                  Map<String, Integer> onStack, int samples, Map<String, Integer> cpuByThread, Path recording) {

        /** One line: the stream thread's running share and its biggest layers. */
        String headline() {
            List<Map.Entry<String, Integer>> l = sorted(layers);
            StringBuilder b = new StringBuilder("stream thread (wall clock, " + samples + " samples): "
                    + percent(states.getOrDefault("running", 0), samples) + " running");
            for (int i = 0; i < Math.min(4, l.size()); i++) {
                b.append(i == 0 ? "; " : ", ").append(l.get(i).getKey()).append(' ')
                        .append(percent(l.get(i).getValue(), samples));
            }
            int cpu = cpuByThread.values().stream().mapToInt(Integer::intValue).sum();
            List<Map.Entry<String, Integer>> t = sorted(cpuByThread);
            b.append("; JVM CPU samples (JFR): ");
            for (int i = 0; i < Math.min(3, t.size()); i++) {
                b.append(i == 0 ? "" : ", ").append(t.get(i).getKey()).append(' ')
                        .append(percent(t.get(i).getValue(), cpu));
            }
            return b.toString();
        }

        /** The report as a table. */
        ResultTable table(String title, int limit) {
            ResultTable t = new ResultTable(title, ResultTable.Column.text("section"), ResultTable.Column.text("what"),
                    ResultTable.Column.number("samples", "%.0f"), ResultTable.Column.text("share"));
            add(t, "stream thread: state", states, samples, limit);
            add(t, "stream thread: layer", layers, samples, limit);
            add(t, "stream thread: top frame", topFrames, samples, limit);
            add(t, "stream thread: on stack", onStack, samples, limit);
            add(t, "JVM CPU by thread (JFR)", cpuByThread,
                    cpuByThread.values().stream().mapToInt(Integer::intValue).sum(), limit);
            t.note("Stream thread: wall-clock samples every " + SAMPLE_MILLIS + " ms of its state and stack; a sample's"
                    + " layer is its innermost frame of a known library; waiting = not RUNNABLE, or in a blocking "
                    + "native call (epoll, park). JVM CPU: JFR execution samples and native samples not in a "
                    + "blocking call. Recording: " + recording);
            return t;
        }

        private static void add(ResultTable t, String section, Map<String, Integer> counts, int of, int limit) {
            List<Map.Entry<String, Integer>> rows = sorted(counts);
            for (int i = 0; i < Math.min(limit, rows.size()); i++) {
                t.row(section, rows.get(i).getKey(), rows.get(i).getValue(), percent(rows.get(i).getValue(), of));
            }
        }

        private static List<Map.Entry<String, Integer>> sorted(Map<String, Integer> counts) {
            List<Map.Entry<String, Integer>> rows = new ArrayList<>(counts.entrySet());
            rows.sort(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder())
                    .thenComparing(Map.Entry.comparingByKey()));
            return rows;
        }

        private static String percent(int n, int of) {
            return String.format(Locale.ROOT, "%.1f%%", 100.0 * n / Math.max(1, of));
        }
    }
}
