package io.streamtrain.bench;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

import io.streamtrain.app.BuildVersion;
import io.streamtrain.app.ShutdownRequest;
import io.streamtrain.embedded.TempDirectories;
import io.streamtrain.tools.SignalStop;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code streamtrain bench <suite>...}: measures the learner on the embedded components (broker, registry, Connect
 * worker on 127.0.0.1) and prints a table per suite, each figure the median [min–max] of several runs; writes
 * {@code <suite>.csv} and {@code <suite>.md} under {@code --out}.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, versionProvider = BuildVersion.class, sortOptions = false,
        description = {"Measures the learner on a real broker, registry and Connect worker on 127.0.0.1 (started "
                + "in-process), and learning quality beside MOA. Prints a table per suite (each figure the median "
                + "[min–max] of --runs runs) and writes <suite>.csv and <suite>.md under --out.",
            "",
            "Suites:",
            "  limit     raw DL4J test-then-train examples/s per batch size, in-process, no Kafka",
            "  pipeline  examples/s through the broker and the learner per spec (20 and 784 features), guarantee and "
                + "batch size, and its ratio to limit",
            "  latency   event produced → prediction readable, p50/p95/p99, per guarantee, commit interval and load",
            "  ingest    Connect sink records/s per task, JSON source topic → examples topic",
            "  e2e       JSON events with 784-element arrays → connector → learner → predictions: events/s, and the "
                + "CPU of each part",
            "  memory    learner RSS and heap over a long run (--examples), sampled",
            "  quality   one pass over Fashion-MNIST: prequential accuracy of the network specs and MOA learners",
            "  scale     1, 2 and 4 learner instances on one stream (data-parallel replicas): examples/s, last-10k "
                + "accuracy against a single learner, parameter bytes per example, and a projected cluster",
            "  rounds    data-parallel rounds without Kafka: R replicas in lockstep over one pass of Fashion-MNIST, "
                + "for each K and server momentum, against a single learner",
            "  all       all of them but scale and rounds (several minutes per configuration), in this order",
            "",
            "Figures are noisy on a shared machine: compare medians, and look at min and max."},
        footer = {"", "Examples:",
            "  bin/streamtrain bench limit pipeline --runs 5",
            "  bin/streamtrain bench latency --rates 2000 --commit-intervals 100",
            "  bin/streamtrain bench e2e --e2e-events 50000",
            "  bin/streamtrain bench memory --examples 2000000",
            "  bin/streamtrain bench quality --dataset fashion-mnist-full",
            "  bin/streamtrain bench scale --runs 1 --scale-average-every 4,16",
            "  bin/streamtrain bench rounds --rounds-replicas 4 --rounds-average-every 8,16,32"})
public final class Bench implements Callable<Integer> {

    private static final List<BenchSuite> SUITES = List.of(new LimitSuite(), new PipelineSuite(), new LatencySuite(),
            new IngestSuite(), new E2eSuite(), new ServeSuite(), new MemorySuite(), new QualitySuite(),
            new DriftSuite(), new ScaleSuite(), new RoundsSuite());

    /** Suites that {@code all} leaves out: they run for long, and only when named. */
    private static final Set<String> NOT_IN_ALL = Set.of("scale", "rounds");

    @Parameters(arity = "1..*", paramLabel = "SUITE",
            description = "limit, pipeline, latency, ingest, e2e, serve, memory, quality, drift, scale, rounds, or "
                    + "all (all but scale and rounds).")
    List<String> suites = new ArrayList<>();

    @Mixin
    BenchOptions options = new BenchOptions();

    /** The exit status after Ctrl-C: 128 + SIGINT. */
    static final int STOPPED = 130;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<BenchSuite> selected;
        try {
            selected = select(suites);
            validate(options);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return 2;
        }
        Machine machine = Machine.current();
        out.println("streamtrain bench " + String.join(" ", suites) + " — " + machine);
        out.flush();
        // Ctrl-C interrupts this thread: the suite in progress unwinds, closing its learner, then the registry and
        // the broker; the JVM exits after that
        try (ShutdownRequest shutdown = SignalStop.interruptingThisThread()) {
            return runSuites(selected, machine, shutdown, out, err);
        }
    }

    private int runSuites(List<BenchSuite> selected, Machine machine, ShutdownRequest shutdown, PrintWriter out,
            PrintWriter err) {
        Path work = TempDirectories.create("streamtrain-bench-");
        int failed = 0;
        try (BenchStack stack = new BenchStack();
                SignalStop.InterruptCleared cleared = SignalStop.interruptCleared()) {
            BenchContext context = new BenchContext(options, stack, out, machine, work);
            for (BenchSuite suite : selected) {
                if (shutdown.requested()) {
                    out.println("stopping: the suites left are not run");
                    out.flush();
                    return STOPPED;
                }
                out.println();
                out.println("== " + suite.name() + ": " + suite.description());
                out.flush();
                try {
                    Map<String, ResultTable> tables = suite.run(context);
                    for (Map.Entry<String, ResultTable> t : tables.entrySet()) {
                        List<Path> files = t.getValue().write(options.out, t.getKey());
                        if (!t.getKey().endsWith("-samples")) {
                            out.println();
                            out.print(t.getValue().toText());
                        }
                        out.println("  written: " + files.stream().map(Path::toString).toList());
                    }
                } catch (Exception e) {
                    if (shutdown.requested()) {
                        // interrupted by Ctrl-C: not a failure of the suite, and no stack trace
                        out.println("suite " + suite.name() + " stopped by a signal");
                        continue;
                    }
                    failed++;
                    err.println("suite " + suite.name() + " failed: " + e);
                    e.printStackTrace(err);
                }
                out.flush();
                err.flush();
            }
        } finally {
            TempDirectories.delete(work);
        }
        return failed == 0 ? 0 : 1;
    }

    /** The suites named on the command line, in the canonical order; {@code all} names every one. */
    static List<BenchSuite> select(List<String> names) {
        Map<String, BenchSuite> chosen = new LinkedHashMap<>();
        for (String name : names) {
            if (name.equals("all")) {
                SUITES.stream().filter(s -> !NOT_IN_ALL.contains(s.name())).forEach(s -> chosen.put(s.name(), s));
                continue;
            }
            BenchSuite suite = SUITES.stream().filter(s -> s.name().equals(name)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("unknown suite '" + name + "': expected one of "
                            + SUITES.stream().map(BenchSuite::name).toList() + " or all"));
            chosen.put(name, suite);
        }
        return SUITES.stream().filter(s -> chosen.containsKey(s.name())).toList();
    }

    private static void validate(BenchOptions o) {
        if (o.runs < 1) {
            throw new IllegalArgumentException("--runs must be at least 1, was " + o.runs);
        }
        if (o.batchSizes.isEmpty() || o.batchSizes.stream().anyMatch(b -> b < 1)) {
            throw new IllegalArgumentException("--batch-sizes must be positive, were " + o.batchSizes);
        }
        if (!(o.seconds > 0) || !(o.latencySeconds > 0) || !(o.sampleSeconds > 0)) {
            throw new IllegalArgumentException("--seconds, --latency-seconds and --sample-seconds must be positive");
        }
        for (String g : o.guarantees) {
            if (!g.equals("exactly_once_v2") && !g.equals("at_least_once")) {
                throw new IllegalArgumentException("--guarantees takes exactly_once_v2 and at_least_once, not " + g);
            }
        }
        if (o.rates.stream().anyMatch(r -> r < 1) || o.commitIntervals.stream().anyMatch(c -> c < 1)) {
            throw new IllegalArgumentException("--rates and --commit-intervals must be positive");
        }
        if (o.e2eEvents < 1000) {
            throw new IllegalArgumentException("--e2e-events must be at least 1000, was " + o.e2eEvents);
        }
        if (o.examples < 1000 || o.records < 100 || o.window < 1) {
            throw new IllegalArgumentException("--examples must be at least 1000, --records at least 100, --window "
                    + "at least 1");
        }
    }
}
