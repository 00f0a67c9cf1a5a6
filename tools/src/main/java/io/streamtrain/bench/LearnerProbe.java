package io.streamtrain.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

import com.sun.tools.attach.VirtualMachine;
import io.streamtrain.embedded.ForkedLearner;

/**
 * Reads the memory and progress of a learner in a JVM of its own ({@link ForkedLearner}) from outside: RSS from
 * {@code /proc/<pid>/status}, heap and the learner's metrics over JMX (the JDK attach API starts the JVM's local
 * management agent; nothing listens on a port).
 */
final class LearnerProbe implements AutoCloseable {

    private static final Pattern NMT_TOTAL = Pattern.compile("Total: reserved=\\d+KB, committed=(\\d+)KB");
    private static final Pattern NMT_HEAP = Pattern.compile("Java Heap \\(reserved=\\d+KB, committed=(\\d+)KB");
    private static final Pattern HEAP_RANGE = Pattern.compile(
            "\\[0x([0-9a-f]+), 0x([0-9a-f]+), 0x([0-9a-f]+)\\)");
    private static final Pattern SMAPS_HEADER = Pattern.compile("([0-9a-f]+)-([0-9a-f]+) ");

    private final ForkedLearner learner;
    private final JMXConnector jmx;
    private final MBeanServerConnection mbeans;

    private LearnerProbe(ForkedLearner learner, JMXConnector jmx) throws IOException {
        this.learner = learner;
        this.jmx = jmx;
        this.mbeans = jmx.getMBeanServerConnection();
    }

    /** Connects to a started learner over JMX, retrying while its JVM starts. */
    static LearnerProbe attach(ForkedLearner learner, long timeoutMs) {
        long deadline = System.currentTimeMillis() + timeoutMs;
        Exception last = null;
        while (System.currentTimeMillis() < deadline && learner.isAlive()) {
            try {
                VirtualMachine vm = VirtualMachine.attach(Long.toString(learner.pid()));
                try {
                    String address = vm.startLocalManagementAgent();
                    return new LearnerProbe(learner, JMXConnectorFactory.connect(new JMXServiceURL(address)));
                } finally {
                    vm.detach();
                }
            } catch (Exception e) {
                last = e;
                Sleep.millis(500);
            }
        }
        throw new IllegalStateException("cannot attach to the learner JVM (pid " + learner.pid() + ") over JMX"
                + (learner.isAlive() ? "" : ": it exited; see " + learner.logFile()), last);
    }

    private long pid() {
        return learner.pid();
    }

    /** The resident set size in bytes, from {@code /proc/<pid>/status}. */
    long rssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
            throw new IllegalStateException("no VmRSS in /proc/" + pid() + "/status");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the learner's RSS (Linux /proc only)", e);
        }
    }

    /** Heap in use and committed, and the old generation after the last collection, in bytes. */
    long[] heap() throws IOException {
        MemoryMXBean memory = ManagementFactory.newPlatformMXBeanProxy(mbeans, ManagementFactory.MEMORY_MXBEAN_NAME,
                MemoryMXBean.class);
        MemoryUsage usage = memory.getHeapMemoryUsage();
        long oldAfterGc = -1;
        for (MemoryPoolMXBean pool : ManagementFactory.getPlatformMXBeans(mbeans, MemoryPoolMXBean.class)) {
            if (pool.getName().contains("Old Gen") && pool.getCollectionUsage() != null) {
                oldAfterGc = pool.getCollectionUsage().getUsed();
            }
        }
        return new long[] {usage.getUsed(), usage.getCommitted(), oldAfterGc};
    }

    /** Collections of the old generation so far (the old generation's after-GC size is only as fresh as the last). */
    long oldGenerationCollections() throws IOException {
        long count = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getPlatformMXBeans(mbeans, GarbageCollectorMXBean.class)) {
            if (gc.getName().contains("MarkSweep") || gc.getName().contains("Old")) {
                count += gc.getCollectionCount();
            }
        }
        return count;
    }

    /**
     * The memory the JVM itself has committed outside the Java heap (metaspace, code, threads, GC structures, ...),
     * from Native Memory Tracking through the DiagnosticCommand MBean; -1 when NMT is off. Not included: what native
     * libraries allocate with malloc (RocksDB, ND4J/JavaCPP, OpenBLAS).
     */
    long jvmNonHeapCommittedBytes() throws IOException {
        try {
            Object out = mbeans.invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"), "vmNativeMemory",
                    new Object[] {new String[] {"summary"}}, new String[] {String[].class.getName()});
            Matcher total = NMT_TOTAL.matcher(String.valueOf(out));
            Matcher heap = NMT_HEAP.matcher(String.valueOf(out));
            return total.find() && heap.find() ? (Long.parseLong(total.group(1)) - Long.parseLong(heap.group(1))) * 1024
                    : -1;
        } catch (javax.management.JMException e) {
            throw new IOException("cannot read the learner's native memory summary: " + e.getMessage(), e);
        }
    }

    /**
     * The address range {@code [start, end)} the Java heap is reserved in, from the GC.heap_info diagnostic command
     * (each generation is printed as {@code [start, committed end, reserved end)}); null when it cannot be read.
     */
    long[] heapAddressRange() throws IOException {
        String info;
        try {
            info = String.valueOf(mbeans.invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"),
                    "gcHeapInfo", new Object[] {new String[0]}, new String[] {String[].class.getName()}));
        } catch (javax.management.JMException e) {
            throw new IOException("cannot read the learner's heap layout: " + e.getMessage(), e);
        }
        Matcher m = HEAP_RANGE.matcher(info);
        long start = Long.MAX_VALUE;
        long end = -1;
        while (m.find()) {
            start = Math.min(start, Long.parseUnsignedLong(m.group(1), 16));
            end = Math.max(end, Long.parseUnsignedLong(m.group(3), 16));
        }
        return end < 0 ? null : new long[] {start, end};
    }

    /** The resident bytes of the mappings inside {@code [start, end)}, from {@code /proc/<pid>/smaps}. */
    long residentBytesIn(long[] range) {
        if (range == null) {
            return -1;
        }
        long total = 0;
        boolean inside = false;
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "smaps"))) {
                Matcher header = SMAPS_HEADER.matcher(line);
                if (header.lookingAt()) {
                    long from = Long.parseUnsignedLong(header.group(1), 16);
                    long to = Long.parseUnsignedLong(header.group(2), 16);
                    inside = from >= range[0] && to <= range[1];
                } else if (inside && line.startsWith("Rss:")) {
                    total += Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/" + pid() + "/smaps (Linux only)", e);
        }
        return total;
    }

    /**
     * RocksDB's memory in the learner's state stores: memtables, block cache and table readers (index and filter
     * blocks), from Kafka Streams' RocksDB metrics.
     */
    long rocksDbBytes() throws IOException {
        return (long) (sum("stream-state-metrics", "size-all-mem-tables")
                + sum("stream-state-metrics", "block-cache-usage")
                + sum("stream-state-metrics", "estimate-table-readers-mem"));
    }

    /** A learner metric summed over its tasks and models, such as {@code examples-total}; 0 before it exists. */
    double learnerMetric(String name) throws IOException {
        return sum(InProcessLearner.METRICS_GROUP, name);
    }

    /** A Kafka Streams metric of one group (JMX type), summed over its MBeans; 0 before it exists. */
    private double sum(String group, String name) throws IOException {
        double total = 0;
        try {
            Set<ObjectName> names = mbeans.queryNames(new ObjectName("kafka.streams:type=" + group + ",*"), null);
            for (ObjectName n : names) {
                try {
                    Object v = mbeans.getAttribute(n, name);
                    if (v instanceof Number number) {
                        total += number.doubleValue();
                    }
                } catch (javax.management.AttributeNotFoundException e) {
                    // another sensor under the same type, which has other metrics
                }
            }
        } catch (javax.management.JMException e) {
            throw new IOException("cannot read the learner's metric " + group + "/" + name + ": " + e.getMessage(), e);
        }
        return total;
    }

    /** Closes the JMX connection; the learner's JVM is its {@link ForkedLearner}'s to stop. */
    @Override
    public void close() {
        try {
            jmx.close();
        } catch (IOException e) {
            // the connection ends with the JVM anyway
        }
    }
}
