package io.streamtrain.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** The machine a benchmark ran on, as the report names it. */
record Machine(int cpus, String cpuModel, long memoryBytes, String jdk, String os, double loadAverage) {

    static Machine current() {
        String model = "unknown CPU";
        long memory = -1;
        try {
            List<String> cpuinfo = Files.readAllLines(Path.of("/proc/cpuinfo"));
            model = cpuinfo.stream().filter(l -> l.startsWith("model name")).findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse(model);
            List<String> meminfo = Files.readAllLines(Path.of("/proc/meminfo"));
            memory = meminfo.stream().filter(l -> l.startsWith("MemTotal:")).findFirst()
                    .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024).orElse(-1L);
        } catch (IOException | RuntimeException e) {
            // not Linux: the report says what it knows
        }
        return new Machine(Runtime.getRuntime().availableProcessors(), model, memory,
                System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                        + System.getProperty("os.arch"),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%d CPUs (%s), %.1f GiB RAM, %s, %s; load average %.2f at start",
                cpus, cpuModel, memoryBytes / (1024.0 * 1024 * 1024), jdk, os, loadAverage);
    }
}
