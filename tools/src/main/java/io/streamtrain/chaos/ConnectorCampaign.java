package io.streamtrain.chaos;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

import io.streamtrain.embedded.BuildOutputs;
import io.streamtrain.embedded.EmbeddedConnectWorker;
import io.streamtrain.embedded.EmbeddedKafkaBroker;
import io.streamtrain.embedded.ForkedLearner;

/**
 * A crash campaign against the Connect sink and the learner behind it: JSON records stream into a user topic, the
 * Streamtrain connector (the packaged plugin, in a Connect worker JVM of its own, {@link ForkedConnectWorker}) maps
 * them to examples, and a learner JVM trains on them; the campaign SIGKILLs the worker at random points and starts a
 * new one. Then it checks invariant 2 (docs/architecture.md) (every source record is in the examples topic or the DLQ), that a
 * redelivered record carries the same id and content, and that the learner's dedupe window kept it from training
 * twice on an id: examples trained = distinct labeled ids, one prediction per distinct id.
 */
public final class ConnectorCampaign {

    private static final String CONNECTOR = "chaos-sink";
    private static final Duration START_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration STALL_TIMEOUT = Duration.ofMinutes(3);

    /**
     * What to do.
     *
     * @param scenario its name in the report
     * @param prefix the prefix of its topics and groups; one per campaign on a broker
     * @param records JSON records produced to the user topic
     * @param kills SIGKILLs of the worker, each at a random point, each followed by a new worker
     * @param badEvery every n-th record is bad (a vector one short) and must reach the DLQ (0: none)
     * @param rate records produced per second (0: as fast as the producer goes)
     * @param offsetFlushMs the worker's {@code offset.flush.interval.ms}: what a kill redelivers
     * @param dedupeWindow {@code streamtrain.dedupe.window} of the learner
     * @param seed of every random choice: data, kill points
     * @param timeout for the whole campaign
     */
    public record Plan(String scenario, String prefix, int records, int kills, int badEvery, int rate,
            int offsetFlushMs, int dedupeWindow, long seed, Duration timeout) {

        public Plan {
            if (records < 100 || kills < 0 || badEvery < 0 || rate < 0 || offsetFlushMs < 1 || dedupeWindow < 0) {
                throw new IllegalArgumentException("invalid campaign plan: " + this);
            }
        }

        /** The worker killed {@code kills} times while records stream in at {@code rate} per second. */
        public static Plan workerKills(String prefix, int records, int kills, int rate, long seed) {
            return new Plan("connector crashes", prefix, records, kills, 50, rate, 5000, 100_000, seed,
                    Duration.ofMinutes(5).plusSeconds(records / 500));
        }
    }

    private final Plan plan;
    private final EmbeddedKafkaBroker kafka;
    private final String registryUrl;
    private final Path workDir;
    private final PrintWriter out;
    private final StringBuilder diagnostics = new StringBuilder();

    public ConnectorCampaign(Plan plan, EmbeddedKafkaBroker kafka, String registryUrl, Path workDir,
            PrintWriter out) {
        this.plan = plan;
        this.kafka = kafka;
        this.registryUrl = registryUrl;
        this.workDir = workDir;
        this.out = out;
    }

    /** The plugin zip the build made: the system property, the environment, or connector/target. */
    public static Path pluginZip() {
        return BuildOutputs.locate("streamtrain.connector.zip", "STREAMTRAIN_CONNECTOR_ZIP",
                "connector/target/streamtrain-streamtrain-connector-*.zip", "Build it with ./mvnw -DskipTests package");
    }

    /** Runs the campaign; never throws for a broken invariant or a timeout, which show as checks that failed. */
    public CampaignOutcome run() {
        String prefix = plan.prefix();
        String source = prefix + "-source";
        String examplesTopic = prefix + ".examples";
        String dlq = prefix + "-source-rejected";
        Random random = new Random(plan.seed());
        kafka.createTopic(source, 2);
        kafka.createTopic(dlq, 1);
        LearnerCampaign.createLearnerTopics(kafka, prefix, 2);
        List<String> models = LearnerCampaign.spreadModels(2, 2);
        Path dir = workDir.resolve(prefix);
        Path plugins = dir.resolve("plugins");
        EmbeddedConnectWorker.unzip(pluginZip(), plugins);
        log("%s: %,d JSON records at %s/s through the connector (2 tasks) into the learner, %d worker SIGKILL(s), "
                + "seed %d", plan.scenario(), plan.records(), plan.rate() == 0 ? "max" : plan.rate(), plan.kills(),
                plan.seed());

        ForkedConnectWorker worker = new ForkedConnectWorker("connect", dir, kafka.bootstrapServers(),
                prefix + "-connect", plugins, Map.of("offset.flush.interval.ms",
                        Integer.toString(plan.offsetFlushMs())));
        ForkedLearner learner = new ForkedLearner("learner", dir.resolve("learner"),
                LearnerCampaign.learnerSettings(kafka.bootstrapServers(), registryUrl, prefix,
                        dir.resolve("learner").resolve("state"), plan.dedupeWindow()), "768m",
                LearnerCampaign.PREFER_IPV4);
        SourceFeeder feeder = new SourceFeeder(kafka.bootstrapServers(), source, models, plan.records(),
                plan.badEvery(), plan.rate(), plan.seed());
        List<Disruption> disruptions = new ArrayList<>();
        int unexpectedExits = 0;
        String unfinished = null;
        long started = System.nanoTime();
        long deadline = started + plan.timeout().toNanos();
        try (IngestLedger ingest = new IngestLedger(kafka.bootstrapServers(), registryUrl, examplesTopic, dlq);
                OutputLedger output = new OutputLedger(kafka.bootstrapServers(), registryUrl, prefix);
                CommittedProgress progress = new CommittedProgress(kafka.bootstrapServers(), examplesTopic, 2)) {
            try {
                long mark = learner.logMark();
                learner.start();
                worker.start();
                worker.putConnector(CONNECTOR, connectorConfig(source, dlq));
                worker.awaitRunning(CONNECTOR, 2, START_TIMEOUT);
                learner.awaitLog(mark, "-> RUNNING", START_TIMEOUT);

                Thread feeding = new Thread(feeder, "chaos-source-" + prefix);
                feeding.setDaemon(true);
                feeding.start();
                TreeSet<Double> points = new TreeSet<>();
                while (points.size() < plan.kills()) {
                    points.add(0.15 + 0.7 * random.nextDouble());
                }
                for (double point : points) {
                    long target = (long) (point * plan.records() * (plan.badEvery() == 0 ? 1
                            : 1 - 1.0 / plan.badEvery()));
                    awaitProgress(progress, target, deadline, worker);
                    Pause.millis(random.nextInt(500));
                    disruptions.add(killWorker(worker, progress, deadline));
                }
                join(feeding, deadline);
                if (feeder.failure() != null) {
                    throw new LearnerCampaign.CampaignTimeout("producing the source records failed: "
                            + feeder.failure());
                }
                Set<String> sourceIds = feeder.allIds();
                awaitIngested(ingest, sourceIds, deadline, worker);
                awaitLearned(output, ingest, models, deadline, learner);
            } catch (LearnerCampaign.CampaignTimeout | IllegalStateException e) {
                unfinished = e.getMessage();
                log("%s: %s", plan.scenario(), unfinished);
            }
            ingest.poll(Duration.ofSeconds(2));
            output.poll(Duration.ofSeconds(2));
            long wall = System.nanoTime() - started;
            unexpectedExits += worker.exitedByItself() ? 1 : 0;
            unexpectedExits += learner.exitedByItself() ? 1 : 0;
            learner.close();
            worker.close();
            output.poll(Duration.ofSeconds(1));
            diagnostics.append("\n--- connect worker log tail:\n").append(worker.logTail(40))
                    .append("\n--- learner log tail:\n").append(learner.logTail(40)).append('\n');
            return outcome(feeder, ingest, output, models, disruptions, unexpectedExits, unfinished,
                    Duration.ofNanos(wall));
        } finally {
            learner.close();
            worker.close();
        }
    }

    private Map<String, String> connectorConfig(String source, String dlq) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("connector.class", "io.streamtrain.connect.StreamtrainSinkConnector");
        c.put("tasks.max", "2");
        c.put("topics", source);
        c.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        c.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        c.put("value.converter.schemas.enable", "false");
        c.put("streamtrain.topic.prefix", plan.prefix());
        c.put("model.id.field", "model");
        c.put("features", "x");
        c.put("feature.x.type", "vector");
        c.put("feature.x.length", Integer.toString(SourceFeeder.FEATURES));
        c.put("label.field", "label");
        c.put("label.classes", "0,1");
        c.put("label.optional", "true");
        c.put("errors.tolerance", "all");
        c.put("errors.deadletterqueue.topic.name", dlq);
        c.put("errors.deadletterqueue.topic.replication.factor", "1");
        c.put("errors.deadletterqueue.context.headers.enable", "true");
        c.put("producer.bootstrap.servers", kafka.bootstrapServers());
        c.put("schema.registry.url", registryUrl);
        return c;
    }

    private Disruption killWorker(ForkedConnectWorker worker, CommittedProgress progress, long deadline) {
        long faultStart = System.nanoTime();
        long at = progress.now();
        double fraction = (double) at / plan.records();
        long pid = worker.pid();
        worker.kill();
        long took = (System.nanoTime() - faultStart) / 1_000_000;
        // what the dead worker's last requests still append is not the new worker's doing
        Pause.millis(300);
        long atKill = progress.now();
        worker.start();
        worker.awaitRunning(CONNECTOR, 2, START_TIMEOUT);
        long recovery = -1;
        long limit = Math.min(deadline, System.nanoTime() + STALL_TIMEOUT.toNanos());
        while (System.nanoTime() < limit) {
            if (progress.now() > atKill) {
                recovery = (System.nanoTime() - faultStart) / 1_000_000;
                break;
            }
            if (!worker.isAlive()) {
                throw new IllegalStateException("the restarted Connect worker exited; log:\n" + worker.logTail(60));
            }
            Pause.millis(50);
        }
        log("%s: SIGKILL to the Connect worker (pid %d) at %.1f%% of the stream; new worker pid %d; examples flowed "
                + "again after %s", plan.scenario(), pid, 100 * fraction, worker.pid(),
                recovery < 0 ? "no output within the wait" : String.format(Locale.ROOT, "%.1f s", recovery / 1000.0));
        return new Disruption(Disruption.Kind.WORKER_SIGKILL, "Connect worker", at, fraction, took, recovery, "");
    }

    private void awaitProgress(CommittedProgress progress, long target, long deadline, ForkedConnectWorker worker) {
        long lastGrowth = System.nanoTime();
        long last = -1;
        while (progress.now() < target) {
            long now = progress.now();
            if (now > last) {
                last = now;
                lastGrowth = System.nanoTime();
            }
            if (!worker.isAlive()) {
                throw new IllegalStateException("the Connect worker exited by itself; log:\n" + worker.logTail(60));
            }
            if (System.nanoTime() > deadline || System.nanoTime() - lastGrowth > STALL_TIMEOUT.toNanos()) {
                throw new LearnerCampaign.CampaignTimeout(String.format(Locale.ROOT, "the examples topic stalled at "
                        + "%,d of the %,d needed for the next kill", now, target));
            }
            Pause.millis(100);
        }
    }

    private void awaitIngested(IngestLedger ingest, Set<String> sourceIds, long deadline, ForkedConnectWorker worker) {
        long lastChange = System.nanoTime();
        long lastCount = -1;
        while (true) {
            ingest.poll(Duration.ofMillis(500));
            long covered = covered(ingest, sourceIds);
            if (covered == sourceIds.size()) {
                return;
            }
            if (covered != lastCount) {
                lastCount = covered;
                lastChange = System.nanoTime();
            }
            if (!worker.isAlive()) {
                throw new IllegalStateException("the Connect worker exited by itself; log:\n" + worker.logTail(60));
            }
            if (System.nanoTime() > deadline || System.nanoTime() - lastChange > STALL_TIMEOUT.toNanos()) {
                throw new LearnerCampaign.CampaignTimeout(String.format(Locale.ROOT, "only %,d of the %,d source "
                        + "records reached the examples topic or the DLQ", covered, sourceIds.size()));
            }
        }
    }

    private static long covered(IngestLedger ingest, Set<String> sourceIds) {
        long n = 0;
        for (String id : sourceIds) {
            if (ingest.exampleIds().contains(id) || ingest.deadLettered().contains(id)) {
                n++;
            }
        }
        return n;
    }

    private void awaitLearned(OutputLedger output, IngestLedger ingest, List<String> models, long deadline,
            ForkedLearner learner) {
        long lastChange = System.nanoTime();
        long lastCount = -1;
        while (true) {
            output.poll(Duration.ofMillis(500));
            ingest.poll(Duration.ofMillis(10));
            boolean done = true;
            long count = output.predictionRecords();
            for (String model : models) {
                OutputLedger.ModelOutput m = output.model(model);
                count += m.windows;
                done &= m.predictedIds.containsAll(ingest.exampleIds(model, false))
                        && m.lastExamplesTrained >= ingest.exampleIds(model, true).size()
                        && m.sumExamples >= m.predictions;
            }
            if (done) {
                return;
            }
            if (count != lastCount) {
                lastCount = count;
                lastChange = System.nanoTime();
            }
            if (!learner.isAlive()) {
                throw new IllegalStateException("the learner exited by itself; log:\n" + learner.logTail(60));
            }
            if (System.nanoTime() > deadline || System.nanoTime() - lastChange > STALL_TIMEOUT.toNanos()) {
                throw new LearnerCampaign.CampaignTimeout(String.format(Locale.ROOT, "the learner's output did not "
                        + "complete: %,d of %,d distinct examples predicted", output.predictedIds().size(),
                        ingest.exampleIds().size()));
            }
        }
    }

    private void join(Thread thread, long deadline) {
        try {
            thread.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        if (thread.isAlive()) {
            throw new LearnerCampaign.CampaignTimeout("the source records were not all produced within the time limit");
        }
    }

    private CampaignOutcome outcome(SourceFeeder feeder, IngestLedger ingest, OutputLedger output, List<String> models,
            List<Disruption> disruptions, int unexpectedExits, String unfinished, Duration wall) {
        Set<String> sourceIds = feeder.allIds();
        Set<String> badIds = feeder.badIds();
        Set<String> missing = new HashSet<>(sourceIds);
        missing.removeAll(ingest.exampleIds());
        missing.removeAll(ingest.deadLettered());
        Set<String> badInExamples = new HashSet<>(badIds);
        badInExamples.retainAll(ingest.exampleIds());
        Set<String> goodInDlq = new HashSet<>(ingest.deadLettered());
        goodInDlq.removeAll(badIds);
        Set<String> unknown = new HashSet<>(ingest.exampleIds());
        unknown.removeAll(sourceIds);

        long distinctLabeled = 0;
        long trained = 0;
        long sumTrained = 0;
        long sumExamples = 0;
        long skipped = 0;
        boolean trainedHolds = true;
        boolean trainedSumHolds = true;
        boolean examplesSumHolds = true;
        Set<String> missingPredictions = new HashSet<>(ingest.exampleIds());
        missingPredictions.removeAll(output.predictedIds());
        StringBuilder perModel = new StringBuilder("| model | good records produced | distinct example ids "
                + "| distinct labeled ids | trained (last window) | predictions | Σ duplicates skipped |\n"
                + "|---|--:|--:|--:|--:|--:|--:|\n");
        for (String model : models) {
            OutputLedger.ModelOutput m = output.model(model);
            long labeled = ingest.exampleIds(model, true).size();
            distinctLabeled += labeled;
            trained += Math.max(0, m.lastExamplesTrained);
            sumTrained += m.sumTrained;
            sumExamples += m.sumExamples;
            skipped += m.sumDuplicates;
            trainedHolds &= m.lastExamplesTrained == labeled;
            trainedSumHolds &= m.sumTrained == m.lastExamplesTrained;
            examplesSumHolds &= m.sumExamples == m.predictions;
            perModel.append(String.format(Locale.ROOT, "| %s | %,d | %,d | %,d | %,d | %,d | %,d |%n", model,
                    feeder.goodIds(model, false).size(), ingest.exampleIds(model, false).size(), labeled,
                    m.lastExamplesTrained, m.predictions, m.sumDuplicates));
        }
        long distinct = ingest.exampleIds().size();
        long duplicates = ingest.duplicateRecords();

        Map<String, String> figures = new LinkedHashMap<>();
        figures.put("source records produced (JSON)", ChaosReport.count(sourceIds.size()));
        figures.put("of which bad (vector one short)", ChaosReport.count(badIds.size()));
        figures.put("Connect worker SIGKILLs", disruptions.size() + " of " + plan.kills());
        figures.put("worker offset flush interval", plan.offsetFlushMs() + " ms");
        figures.put("example records written", ChaosReport.count(ingest.exampleRecords()));
        figures.put("distinct example ids", ChaosReport.count(distinct));
        figures.put("redelivered duplicates in the examples topic", ChaosReport.count(duplicates));
        figures.put("DLQ records (distinct source records)", ChaosReport.count(ingest.dlqRecords()) + " ("
                + ChaosReport.count(ingest.deadLettered().size()) + ")");
        figures.put("DLQ reasons", ingest.dlqReasons().toString());
        figures.put("missing (neither examples nor DLQ)", ChaosReport.count(missing.size()));
        figures.put("learner dedupe window", ChaosReport.count(plan.dedupeWindow()) + " ids per model");
        figures.put("distinct labeled ids", ChaosReport.count(distinctLabeled));
        figures.put("examples trained (last TrainingMetrics per model)", ChaosReport.count(trained));
        figures.put("predictions committed", ChaosReport.count(output.predictionRecords()));
        figures.put("copies skipped by the learner (Σ duplicates)", ChaosReport.count(skipped));
        List<String> resumed = new ArrayList<>();
        disruptions.forEach(d -> resumed.add(d.recoveryMs() < 0 ? "none"
                : String.format(Locale.ROOT, "%.1f s", d.recoveryMs() / 1000.0)));
        figures.put("examples flowed again after each kill", resumed.isEmpty() ? "-" : String.join(", ", resumed));
        figures.put("wall time", ChaosReport.duration(wall));

        List<Check> checks = new ArrayList<>();
        checks.add(new Check("campaign finished within its time limit", "yes", unfinished == null ? "yes"
                : unfinished, unfinished == null));
        checks.add(Check.equal(ChaosReport.times(plan.kills(), "SIGKILL") + " of the Connect worker mid-stream, "
                + "each followed by a new worker", plan.kills(), disruptions.size()));
        checks.add(Check.equal("no component gave up by itself (worker, learner)", 0, unexpectedExits));
        checks.add(new Check("every source record is in the examples topic or the DLQ",
                ChaosReport.count(sourceIds.size()), ChaosReport.count(sourceIds.size() - missing.size()),
                missing.isEmpty() && !sourceIds.isEmpty()));
        checks.add(new Check("bad records in the DLQ only, good records in the examples topic only", "0, 0",
                badInExamples.size() + ", " + goodInDlq.size(), badInExamples.isEmpty() && goodInDlq.isEmpty()));
        checks.add(new Check("a redelivered record carries the same id (its source offset) and content",
                "0 differing, 0 unknown ids", ingest.conflictingDuplicates() + " differing, " + unknown.size()
                        + " unknown ids", ingest.conflictingDuplicates() == 0 && unknown.isEmpty()));
        checks.add(new Check("the kills caused redeliveries (the dedupe window was exercised)", "> 0",
                ChaosReport.count(duplicates), duplicates > 0));
        checks.add(new Check("examples trained = distinct labeled ids, for every model (nothing trained twice)",
                ChaosReport.count(distinctLabeled), ChaosReport.count(trained), trainedHolds));
        boolean onePerId = missingPredictions.isEmpty() && output.duplicatePredictions().isEmpty()
                && output.predictionRecords() == distinct;
        checks.add(new Check("exactly one committed prediction per distinct example id",
                ChaosReport.count(distinct) + ", 0 duplicate", String.format(Locale.ROOT, "%,d, %,d duplicate, %,d "
                        + "missing", output.predictionRecords(), output.duplicatePredictions().size(),
                        missingPredictions.size()), onePerId));
        checks.add(Check.equal("every redelivered copy skipped by the learner (Σ window duplicates)", duplicates,
                skipped));
        checks.add(new Check("metrics agree: Σ window trained = examplesTrained, Σ window examples = predictions",
                ChaosReport.count(trained) + ", " + ChaosReport.count(output.predictionRecords()),
                ChaosReport.count(sumTrained) + ", " + ChaosReport.count(sumExamples),
                trainedSumHolds && examplesSumHolds));
        String tried = String.format(Locale.ROOT, "%,d JSON records (1 in %d bad) through the packaged connector "
                + "(2 tasks) at %s records/s; Connect worker JVM SIGKILLed %d× at random points, a new worker started "
                + "each time; learner dedupe window %,d", plan.records(), plan.badEvery(),
                plan.rate() == 0 ? "max" : ChaosReport.count(plan.rate()), plan.kills(), plan.dedupeWindow());
        String details = perModel + (unfinished == null ? "" : "\nunfinished: " + unfinished + "\n")
                + (missing.isEmpty() ? "" : "\nsome missing source ids: " + missing.stream().sorted().limit(20)
                        .toList()) + diagnostics;
        return new CampaignOutcome(plan.scenario(), tried, plan.seed(), disruptions, figures, checks, wall,
                perModel.toString(), details);
    }

    private void log(String format, Object... args) {
        out.printf(Locale.ROOT, format + "%n", args);
        out.flush();
    }
}
