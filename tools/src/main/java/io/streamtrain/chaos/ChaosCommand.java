package io.streamtrain.chaos;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import io.streamtrain.app.BuildVersion;
import io.streamtrain.app.ShutdownRequest;
import io.streamtrain.embedded.EmbeddedKafkaBroker;
import io.streamtrain.embedded.EmbeddedSchemaRegistry;
import io.streamtrain.embedded.TempDirectories;
import io.streamtrain.tools.SignalStop;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code streamtrain chaos}: crash campaigns on the real components, on 127.0.0.1. The broker and the registry start
 * in this JVM (the registry as its child process); the learners and the Connect worker run in JVMs of their own so
 * that they can be SIGKILLed. Prints what was tried and what held, and writes it to {@code --out}.
 */
@Command(name = "chaos", mixinStandardHelpOptions = true, versionProvider = BuildVersion.class, sortOptions = false,
        description = {"Crash campaigns on a real broker, schema registry and Connect worker on 127.0.0.1: SIGKILLs "
                + "of learner and Connect worker JVMs and broker restarts at random points of a stream, then a check "
                + "that nothing was lost or done twice. Prints a table of what was tried and what held, and writes "
                + "chaos-report.md and the components' logs under --out.",
            "",
            "Campaigns (a size of 0 skips one):",
            "  learner crashes    one learner JVM SIGKILLed --kills times, restarted",
            "                     each time; the broker restarted --broker-restarts",
            "                     times meanwhile (--examples)",
            "  learner failover   two learner JVMs in one group; one SIGKILLed and",
            "                     left dead (--failover-examples)",
            "  learner replicas   one model trained by 3 replicas, averaged every 4",
            "                     steps, on three learner JVMs in one group; one",
            "                     SIGKILLed while the rounds go on and started again",
            "                     after up to 8 s; the broker restarted once",
            "                     (--replicated-examples, --replicated-rate)",
            "  connector crashes  the Connect worker JVM SIGKILLed --connector-kills",
            "                     times and replaced; the learner behind it must not",
            "                     train twice on a redelivered id (--connector-records)",
            "",
            "The seed picks the data, the fault points and the victims: the same seed",
            "picks the same points. The campaigns use seed, seed+1, seed+2 (the",
            "connector's) and seed+3 (the replicas')."},
        footer = {"", "Example:", "  bin/streamtrain chaos --examples 200000 --kills 3 --broker-restarts 1 --seed 7"})
public final class ChaosCommand implements Callable<Integer> {

    @Option(names = "--examples", defaultValue = "200000", paramLabel = "N",
            description = "Examples of the learner-crashes campaign (default: ${DEFAULT-VALUE}; 0 skips it).")
    int examples;

    @Option(names = "--kills", defaultValue = "3", paramLabel = "N",
            description = "SIGKILLs of the learner JVM in that campaign (default: ${DEFAULT-VALUE}).")
    int kills;

    @Option(names = "--broker-restarts", defaultValue = "1", paramLabel = "N",
            description = "Broker restarts in that campaign (default: ${DEFAULT-VALUE}).")
    int brokerRestarts;

    @Option(names = "--rate", defaultValue = "0", paramLabel = "PER_SECOND",
            description = "Examples produced per second in the learner-crashes and learner-failover campaigns; 0: "
                    + "as fast as possible (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--failover-examples", defaultValue = "50000", paramLabel = "N",
            description = "Examples of the learner-failover campaign (default: ${DEFAULT-VALUE}; 0 skips it).")
    int failoverExamples;

    @Option(names = "--replicated-examples", defaultValue = "30000", paramLabel = "N",
            description = "Examples of the learner-replicas campaign (default: ${DEFAULT-VALUE}; 0 skips it).")
    int replicatedExamples;

    @Option(names = "--replicated-rate", defaultValue = "" + LearnerCampaign.REPLICATED_RATE, paramLabel = "PER_SECOND",
            description = "Examples produced per second in the learner-replicas campaign: a stream the learners keep "
                    + "up with, so that rounds go on through the faults (default: ${DEFAULT-VALUE}).")
    int replicatedRate;

    @Option(names = "--connector-records", defaultValue = "100000", paramLabel = "N",
            description = "JSON records of the connector-crashes campaign (default: ${DEFAULT-VALUE}; 0 skips it).")
    int connectorRecords;

    @Option(names = "--connector-kills", defaultValue = "2", paramLabel = "N",
            description = "SIGKILLs of the Connect worker JVM (default: ${DEFAULT-VALUE}).")
    int connectorKills;

    @Option(names = "--connector-rate", defaultValue = "4000", paramLabel = "PER_SECOND",
            description = "JSON records produced per second in the connector campaign (default: ${DEFAULT-VALUE}).")
    int connectorRate;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the random choices (default: a random one, "
            + "printed).")
    Long seed;

    @Option(names = "--out", defaultValue = "target/chaos", paramLabel = "DIR",
            description = "Where the report and the logs go (default: ${DEFAULT-VALUE}).")
    Path outDir;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (examples < 0 || kills < 0 || brokerRestarts < 0 || rate < 0 || failoverExamples < 0
                || connectorRecords < 0 || connectorKills < 0 || connectorRate < 0 || replicatedExamples < 0) {
            err.println("sizes, counts and rates must not be negative");
            return 2;
        }
        if (replicatedRate < 1) {
            err.println("--replicated-rate must be at least 1: the replicas' rounds need a stream they keep up with");
            return 2;
        }
        if ((examples > 0 && examples < 1000) || (failoverExamples > 0 && failoverExamples < 1000)
                || (replicatedExamples > 0 && replicatedExamples < 1000)
                || (connectorRecords > 0 && connectorRecords < 1000)) {
            err.println("a campaign needs at least 1000 examples (or 0 to skip it)");
            return 2;
        }
        if (connectorRecords > 0) {
            try {
                ConnectorCampaign.pluginZip();
            } catch (IllegalStateException e) {
                // before minutes of the other campaigns, not after them
                err.println("the connector campaign needs the plugin zip: " + e.getMessage());
                return 2;
            }
        }
        long s = seed != null ? seed : new SecureRandom().nextLong() & Long.MAX_VALUE;
        out.printf("streamtrain chaos, seed %d (rerun with --seed %d), started %s%n", s, s, Instant.now());
        out.flush();
        // Ctrl-C interrupts this thread: the campaign in progress unwinds, closing its learners and workers, then
        // the registry and the broker; the logs are copied and the JVM exits after that
        try (ShutdownRequest shutdown = SignalStop.interruptingThisThread()) {
            return campaigns(s, out, shutdown);
        }
    }

    private int campaigns(long s, PrintWriter out, ShutdownRequest shutdown) throws IOException {
        Files.createDirectories(outDir);
        Path work = TempDirectories.create("streamtrain-chaos-");
        List<CampaignOutcome> outcomes = new ArrayList<>();
        long started = System.nanoTime();
        try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start();
                EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start();
                SignalStop.InterruptCleared cleared = SignalStop.interruptCleared()) {
            out.printf("Kafka at %s, schema registry at %s%n", kafka.bootstrapServers(), registry.url());
            out.flush();
            if (examples > 0) {
                LearnerCampaign.Plan plan = LearnerCampaign.Plan.crashes("chaos-crash", examples, kills,
                        brokerRestarts, s).withRate(rate);
                outcomes.add(new LearnerCampaign(plan, kafka, registry.url(), work, out).run());
                report(outcomes, out, started);
            }
            if (failoverExamples > 0) {
                LearnerCampaign.Plan plan = LearnerCampaign.Plan.failover("chaos-failover", failoverExamples, s + 1)
                        .withRate(rate);
                outcomes.add(new LearnerCampaign(plan, kafka, registry.url(), work, out).run());
                report(outcomes, out, started);
            }
            if (replicatedExamples > 0) {
                LearnerCampaign.Plan plan = LearnerCampaign.Plan.replicated("chaos-replicas", replicatedExamples,
                        s + 3).withRate(replicatedRate);
                outcomes.add(new LearnerCampaign(plan, kafka, registry.url(), work, out).run());
                report(outcomes, out, started);
            }
            if (connectorRecords > 0) {
                ConnectorCampaign.Plan plan = ConnectorCampaign.Plan.workerKills("chaos-connect", connectorRecords,
                        connectorKills, connectorRate, s + 2);
                outcomes.add(new ConnectorCampaign(plan, kafka, registry.url(), work, out).run());
                report(outcomes, out, started);
            }
        } catch (RuntimeException e) {
            if (!shutdown.requested()) {
                throw e;
            }
            // Ctrl-C: everything above is closed by now, in the reverse order of its start
            out.printf("stopped by a signal; %s has the campaigns that finished%n",
                    outDir.resolve("chaos-report.md").toAbsolutePath());
            out.flush();
            return 130;
        } finally {
            copyLogs(work, outDir.resolve("logs"));
            TempDirectories.delete(work);
        }
        String report = report(outcomes, null, started);
        out.println();
        out.println(report);
        for (CampaignOutcome o : outcomes) {
            if (!o.held()) {
                out.println("--- " + o.scenario() + ": details of what did not hold");
                out.println(o.diagnostics());
            }
        }
        out.printf("report: %s; logs: %s%n", outDir.resolve("chaos-report.md").toAbsolutePath(),
                outDir.resolve("logs").toAbsolutePath());
        out.flush();
        return outcomes.stream().allMatch(CampaignOutcome::held) ? 0 : 1;
    }

    /** Writes the report so far (a later campaign that hangs leaves the earlier results); prints a line if asked. */
    private String report(List<CampaignOutcome> outcomes, PrintWriter progress, long started) {
        String title = String.format("streamtrain chaos — %s, total %s", Instant.now(),
                ChaosReport.duration(Duration.ofNanos(System.nanoTime() - started)));
        String md = ChaosReport.markdown(title, outcomes);
        StringBuilder diagnostics = new StringBuilder();
        outcomes.forEach(o -> diagnostics.append("# ").append(o.scenario()).append('\n').append(o.diagnostics())
                .append('\n'));
        try {
            Files.writeString(outDir.resolve("chaos-report.md"), md, StandardCharsets.UTF_8);
            Files.writeString(outDir.resolve("chaos-details.txt"), diagnostics, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report under " + outDir, e);
        }
        if (progress != null) {
            CampaignOutcome last = outcomes.get(outcomes.size() - 1);
            progress.printf("%s: %s%n", last.scenario(), last.held() ? "every check held"
                    : "FAILED " + last.failed().stream().map(Check::invariant).toList());
            progress.flush();
        }
        return md;
    }

    private static void copyLogs(Path work, Path target) throws IOException {
        if (!Files.isDirectory(work)) {
            return;
        }
        try (Stream<Path> files = Files.walk(work)) {
            // the learners' and workers' own logs, not RocksDB's write-ahead logs in the state directories
            for (Path log : files.filter(p -> p.getFileName().toString().matches("(learner(-\\d+)?|connect)\\.log"))
                    .toList()) {
                Path to = target.resolve(work.relativize(log));
                Files.createDirectories(to.getParent());
                Files.copy(log, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }
}
