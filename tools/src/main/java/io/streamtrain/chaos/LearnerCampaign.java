package io.streamtrain.chaos;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.streamtrain.avro.ChampionSwitch;
import io.streamtrain.avro.ContenderScore;
import io.streamtrain.avro.DriftEvent;
import io.streamtrain.avro.ModelSnapshot;
import io.streamtrain.embedded.EmbeddedKafkaBroker;
import io.streamtrain.app.LearnerConfig;
import io.streamtrain.contract.ReplicaKey;
import io.streamtrain.embedded.ForkedLearner;
import io.streamtrain.snapshot.SnapshotChunks;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.utils.Utils;

/**
 * A crash campaign against the learner on a real broker and registry: learner JVMs ({@link ForkedLearner}) read a
 * stream of examples while the campaign SIGKILLs them and restarts the broker at random points of the stream; then
 * it reads back what was committed and checks invariant 1 (docs/architecture.md) and the metrics: every labeled example trained
 * on once, one prediction per example id, the TrainingMetrics windows adding up to the model's counters, and every
 * redelivered copy skipped.
 *
 * <p>With one instance the killed JVM is started again at once; with two or more (same application id) a killed one
 * may stay dead, so that its tasks move to the survivors, which restore its models from the changelog, or be started
 * again after a while.
 *
 * <p>With models trained by several replicas (data-parallel, spec {@code parallel.replicas}) the examples and late
 * labels are keyed {@code <model>#<shard>}, each replica is a model of its own for the learner's counters (its
 * TrainingMetrics windows, replay sample, race and drift detectors name {@code <model>#<shard>}), and the checks per
 * model hold per replica: a replica trains on every labeled example of its shard once. The predictions name the model,
 * the models topic has the model's averaged versions, and the checks of the rounds read both.
 */
public final class LearnerCampaign {

    /** ModelRestore's line for a restored model; the groups: model, version, trained, generation, replayed, ... */
    private static final Pattern RESTORED = Pattern.compile("model (\\S+) restored at version (\\d+) \\((\\d+) "
            + "examples trained\\): checkpoint generation (-?\\d+), (\\d+) examples fitted again in (\\d+) "
            + "batches, (\\d+) waiting, (?:\\d+ waiting for a label, \\d+ labels waiting for their example, )?"
            + "in (\\d+) ms");
    private static final Pattern LOADED = Pattern.compile("model (\\S+) (?:restored at version|created on)");
    private static final Duration START_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration STALL_TIMEOUT = Duration.ofMinutes(3);
    private static final int MAX_UNEXPECTED_EXITS = 5;
    /** The learner JVMs prefer IPv4, as the test JVMs do (test.argLine): every component listens on 127.0.0.1. */
    static final String PREFER_IPV4 = "-Djava.net.preferIPv4Stack=true";

    /**
     * What to do.
     *
     * @param scenario its name in the report
     * @param prefix the topic prefix (and application id prefix); one per campaign on a broker
     * @param examples distinct examples produced
     * @param models how many models, spread over the partitions
     * @param partitions partitions of the learner's topics
     * @param instances learner JVMs with the same application id
     * @param kills SIGKILLs, each at a random point of the stream, of a random running instance
     * @param restartKilled start a killed instance again at once (else it stays dead and its tasks move)
     * @param brokerRestarts broker restarts at random points of the stream, while the learner runs
     * @param duplicateEvery send one example in n a second time, with the same id (0: never)
     * @param rate examples produced per second (0: as fast as the producer goes)
     * @param dedupeWindow {@code streamtrain.dedupe.window} of the learner
     * @param replicas the replicas that train each model (spec {@code parallel.replicas}; 1: one task, no averaging)
     * @param downUpTo how long a killed instance that is started again stays down first: a random time up to this
     *     (zero: it is started again at once)
     * @param seed of every random choice: data, fault points, victims
     * @param timeout for the whole campaign
     */
    public record Plan(String scenario, String prefix, int examples, int models, int partitions, int instances,
            int kills, boolean restartKilled, int brokerRestarts, int duplicateEvery, int rate, int dedupeWindow,
            int replicas, Duration downUpTo, long seed, Duration timeout) {

        public Plan {
            if (examples < 100 || models < 1 || partitions < 1 || instances < 1 || kills < 0 || brokerRestarts < 0
                    || duplicateEvery < 0 || rate < 0 || dedupeWindow < 0 || ReplicaKey.replicasProblem(replicas)
                    != null || downUpTo.isNegative()) {
                throw new IllegalArgumentException("invalid campaign plan: " + this);
            }
            if (replicas > partitions) {
                throw new IllegalArgumentException(replicas + " replicas need as many partitions, not " + partitions);
            }
            if (!restartKilled && kills >= instances) {
                throw new IllegalArgumentException("with killed instances left dead, " + kills
                        + " kills need more than " + instances + " instances");
            }
        }

        /** One learner JVM killed {@code kills} times and restarted each time; the broker restarted meanwhile. */
        public static Plan crashes(String prefix, int examples, int kills, int brokerRestarts, long seed) {
            return new Plan("learner crashes", prefix, examples, 2, 2, 1, kills, true, brokerRestarts, 50, 0, 20_000,
                    1, Duration.ZERO, seed, Duration.ofMinutes(5).plusSeconds(examples / 500));
        }

        /** Two learner JVMs sharing the work; one is killed and stays dead: the other takes over its models. */
        public static Plan failover(String prefix, int examples, long seed) {
            return new Plan("learner failover", prefix, examples, 4, 4, 2, 1, false, 0, 50, 0, 20_000, 1,
                    Duration.ZERO, seed, Duration.ofMinutes(5).plusSeconds(examples / 500));
        }

        /**
         * One model trained by {@value #REPLICAS} replicas (averaged every {@value #AVERAGE_EVERY_STEPS} steps) on
         * three learner JVMs in one group, one replica's partition on each; one JVM SIGKILLed while the rounds go on
         * and started again after up to 8 s (longer than the group's session: its tasks may move to the others and
         * back), and the broker restarted. The examples come at {@value #REPLICATED_RATE} a second, which the
         * learners keep up with, so that rounds go on through the faults (before the learner read a round's records
         * first and fetched less of a partition at a time, 12,000 examples as fast as the producer goes made 3
         * rounds, adopted once the stream was done; docs/reliability.md).
         */
        public static Plan replicated(String prefix, int examples, long seed) {
            return new Plan("learner replicas", prefix, examples, 1, REPLICAS, 3, 1, true, 1, 50, REPLICATED_RATE,
                    20_000, REPLICAS, Duration.ofSeconds(8), seed,
                    Duration.ofMinutes(5).plusSeconds(examples / REPLICATED_RATE));
        }

        public Plan withRate(int examplesPerSecond) {
            return new Plan(scenario, prefix, examples, models, partitions, instances, kills, restartKilled,
                    brokerRestarts, duplicateEvery, examplesPerSecond, dedupeWindow, replicas, downUpTo, seed,
                    timeout);
        }

        public Plan withTimeout(Duration limit) {
            return new Plan(scenario, prefix, examples, models, partitions, instances, kills, restartKilled,
                    brokerRestarts, duplicateEvery, rate, dedupeWindow, replicas, downUpTo, seed, limit);
        }
    }

    private final Plan plan;
    private final EmbeddedKafkaBroker kafka;
    private final String registryUrl;
    private final Path workDir;
    private final PrintWriter out;
    private final List<ForkedLearner> learners = new ArrayList<>();
    private final StringBuilder diagnostics = new StringBuilder();
    /**
     * The distinct examples each model gets (round robin over the models), per key of its state: the model's id, or
     * {@code <model>#<shard>} for each replica of a model on several.
     */
    private final Map<String, Long> expected = new LinkedHashMap<>();
    /** Per key of a model's state, the examples it gets before the labels flip. */
    private final Map<String, Long> beforeFlip = new LinkedHashMap<>();
    /** The keys of the models' states, in order: each model's id, or its replicas' keys. */
    private final List<String> units = new ArrayList<>();
    /** The model each key is of, and that model's index in the list of models. */
    private final Map<String, String> modelOf = new LinkedHashMap<>();
    private final Map<String, Integer> modelIndexOf = new LinkedHashMap<>();
    /** Per replicated model, its last averaged version on the models topic when the last SIGKILL was sent. */
    private final Map<String, Long> versionAtKill = new LinkedHashMap<>();
    private int unexpectedExits;

    /**
     * @param workDir where the learners' properties, logs and state directories go
     * @param out progress lines
     */
    public LearnerCampaign(Plan plan, EmbeddedKafkaBroker kafka, String registryUrl, Path workDir, PrintWriter out) {
        this.plan = plan;
        this.kafka = kafka;
        this.registryUrl = registryUrl;
        this.workDir = workDir;
        this.out = out;
    }

    /** Runs the campaign; never throws for a broken invariant or a timeout, which show as checks that failed. */
    public CampaignOutcome run() {
        String prefix = plan.prefix();
        Random random = new Random(plan.seed());
        createLearnerTopics(kafka, prefix, plan.partitions());
        List<String> models = plan.replicas() == 1 ? spreadModels(plan.models(), plan.partitions())
                : spreadReplicatedModels(plan.models(), plan.partitions(), plan.replicas());
        for (int k = 0; k < models.size(); k++) {
            for (int r = 0; r < plan.replicas(); r++) {
                String unit = plan.replicas() == 1 ? models.get(k) : ReplicaKey.shardKey(models.get(k), r);
                units.add(unit);
                modelOf.put(unit, models.get(k));
                modelIndexOf.put(unit, k);
                expected.put(unit, 0L);
                beforeFlip.put(unit, 0L);
            }
        }
        for (int n = 0; n < plan.examples(); n++) {
            String unit = unitOf(models, n);
            expected.merge(unit, 1L, Long::sum);
            if (n < flipAt()) {
                beforeFlip.merge(unit, 1L, Long::sum);
            }
        }
        log("%s: %,d examples for %d models over %d partitions, %d learner instance(s), %d SIGKILL(s), %d broker "
                + "restart(s), %d replica(s) per model, seed %d", plan.scenario(), plan.examples(), models.size(),
                plan.partitions(), plan.instances(), plan.kills(), plan.brokerRestarts(), plan.replicas(),
                plan.seed());
        List<Disruption> disruptions = new ArrayList<>();
        ExampleFeeder feeder = new ExampleFeeder(kafka.bootstrapServers(), registryUrl, prefix + ".examples", models,
                plan.replicas(), plan.examples(), plan.duplicateEvery(), plan.rate(), plan.seed(), flipAt());
        long started = System.nanoTime();
        long deadline = started + plan.timeout().toNanos();
        String unfinished = null;
        Map<String, Set<String>> moved = new LinkedHashMap<>();
        try (OutputLedger ledger = new OutputLedger(kafka.bootstrapServers(), registryUrl, prefix, plan.replicas())) {
            try {
                startLearners();
                Thread feeding = new Thread(feeder, "chaos-feeder-" + prefix);
                feeding.setDaemon(true);
                feeding.start();

                List<Disruption.Kind> faults = new ArrayList<>();
                for (int i = 0; i < plan.kills(); i++) {
                    faults.add(Disruption.Kind.LEARNER_SIGKILL);
                }
                for (int i = 0; i < plan.brokerRestarts(); i++) {
                    faults.add(Disruption.Kind.BROKER_RESTART);
                }
                Collections.shuffle(faults, random);
                TreeSet<Double> points = new TreeSet<>();
                // with replicas, up to 70%: the rounds after the kill are checked, and need stream left to go on
                double span = plan.replicas() > 1 ? 0.6 : 0.8;
                while (points.size() < faults.size()) {
                    points.add(0.1 + span * random.nextDouble());
                }
                List<Double> at = new ArrayList<>(points);
                for (int i = 0; i < faults.size(); i++) {
                    long target = (long) (at.get(i) * plan.examples());
                    awaitProgress(ledger, target, deadline);
                    if (plan.replicas() > 1 && faults.get(i) == Disruption.Kind.LEARNER_SIGKILL) {
                        // while the rounds go on: after the first average, as the replicas train towards the next
                        awaitFirstRound(ledger, models, deadline);
                    }
                    // a random moment relative to the learner's commits and mini-batches
                    Pause.millis(random.nextInt(300));
                    disruptions.add(inject(faults.get(i), random, ledger, models, deadline, moved));
                }
                joinFeeder(feeding, deadline);
                if (feeder.failure() != null) {
                    throw new CampaignTimeout("producing the examples failed: " + feeder.failure());
                }
                awaitComplete(ledger, feeder, deadline);
            } catch (CampaignTimeout | IllegalStateException e) {
                // a learner that would not start, a stall: what was committed so far is still checked
                unfinished = e.getMessage();
                log("%s: %s", plan.scenario(), unfinished);
            }
            // more time for a duplicate or a late window to show up, if there were one
            ledger.poll(Duration.ofSeconds(3));
            long wall = System.nanoTime() - started;
            learners.forEach(ForkedLearner::close);
            ledger.poll(Duration.ofSeconds(1));
            for (ForkedLearner learner : learners) {
                diagnostics.append("\n--- ").append(learner.name()).append(" log tail:\n")
                        .append(learner.logTail(40)).append('\n');
            }
            return outcome(feeder, ledger, models, disruptions, moved, unfinished, Duration.ofNanos(wall));
        } finally {
            learners.forEach(ForkedLearner::close);
        }
    }

    private void startLearners() {
        List<Long> marks = new ArrayList<>();
        for (int i = 1; i <= plan.instances(); i++) {
            String name = "learner-" + i;
            Path dir = workDir.resolve(plan.prefix()).resolve(name);
            Map<String, String> settings = learnerSettings(kafka.bootstrapServers(), registryUrl, plan.prefix(),
                    dir.resolve("state"), plan.dedupeWindow());
            settings.putAll(modelSpecs(dir));
            ForkedLearner learner = new ForkedLearner(name, dir, settings, "768m", PREFER_IPV4);
            learners.add(learner);
            marks.add(learner.logMark());
            learner.start();
        }
        // every instance in the group before the first example: the tasks are spread from the start
        for (int i = 0; i < learners.size(); i++) {
            learners.get(i).awaitLog(marks.get(i), "-> RUNNING", START_TIMEOUT);
        }
    }

    private Disruption inject(Disruption.Kind kind, Random random, OutputLedger ledger, List<String> models,
            long deadline, Map<String, Set<String>> moved) {
        long faultStart = System.nanoTime();
        ledger.poll(Duration.ZERO);
        long atBefore = ledger.predictionRecords();
        double fraction = (double) atBefore / plan.examples();
        if (kind == Disruption.Kind.BROKER_RESTART) {
            kafka.restart();
            long took = millisSince(faultStart);
            long recovery = awaitGrowth(ledger, Set.of(), faultStart, deadline);
            log("%s: broker restarted at %.1f%% of the stream in %.1f s; committed output resumed after %s",
                    plan.scenario(), 100 * fraction, took / 1000.0, seconds(recovery));
            return new Disruption(kind, "broker " + kafka.bootstrapServers(), atBefore, fraction, took, recovery, "");
        }
        List<ForkedLearner> alive = learners.stream().filter(ForkedLearner::isAlive).toList();
        ForkedLearner victim = alive.get(random.nextInt(alive.size()));
        Map<ForkedLearner, Long> marks = new LinkedHashMap<>();
        learners.forEach(l -> marks.put(l, l.logMark()));
        Set<String> victimModels = modelsLoaded(victim.logOfCurrentRun());
        long pid = victim.pid();
        if (plan.replicas() > 1) {
            for (String model : models) {
                versionAtKill.put(model, ledger.lastSnapshotVersion(model));
            }
        }
        victim.kill();
        long took = millisSince(faultStart);
        long downMs = 0;
        if (plan.restartKilled()) {
            if (!plan.downUpTo().isZero()) {
                // down a while: for longer than the group's session the others take its tasks over meanwhile
                downMs = 500 + random.nextLong(Math.max(1, plan.downUpTo().toMillis() - 500));
                Pause.millis(downMs);
            }
            victim.start();
        }
        // back when the victim's models have new committed predictions: on the restarted JVM or on a survivor
        long recovery = awaitGrowth(ledger, victimModels, faultStart, deadline);
        if (!plan.restartKilled()) {
            awaitTakeover(victim, victimModels, marks, deadline);
        }
        StringBuilder restore = new StringBuilder();
        for (ForkedLearner l : learners) {
            if (l == victim && !plan.restartKilled()) {
                continue;
            }
            String since = l.logSince(marks.get(l));
            Set<String> restoredHere = new LinkedHashSet<>();
            Matcher m = RESTORED.matcher(since);
            while (m.find()) {
                restoredHere.add(m.group(1));
                restore.append(restore.length() == 0 ? "" : "; ").append(String.format(Locale.ROOT,
                        "%s on %s: checkpoint gen %s + %s examples replayed in %s batches, %s ms", m.group(1),
                        l.name(), m.group(4), m.group(5), m.group(6), m.group(8)));
            }
            if (l != victim) {
                Set<String> takenOver = new LinkedHashSet<>(victimModels);
                takenOver.retainAll(restoredHere);
                if (!takenOver.isEmpty()) {
                    moved.computeIfAbsent(victim.name() + " → " + l.name(), k -> new LinkedHashSet<>())
                            .addAll(takenOver);
                }
            }
        }
        String rounds = versionAtKill.isEmpty() ? "" : ", averaged versions at the kill " + versionAtKill;
        log("%s: SIGKILL to %s (pid %d, models %s%s) at %.1f%% of the stream; %s; committed output resumed after %s%s",
                plan.scenario(), victim.name(), pid, victimModels, rounds, 100 * fraction,
                !plan.restartKilled() ? "left dead" : downMs == 0 ? "restarted at once"
                        : "restarted after " + seconds(downMs) + " down", seconds(recovery),
                restore.length() == 0 ? "" : "; restored " + restore);
        return new Disruption(kind, victim.name() + (downMs == 0 ? "" : ", down " + seconds(downMs)), atBefore,
                fraction, took, recovery, restore.toString());
    }

    /** Waits (bounded) until survivors have logged restoring each of the victim's models. */
    private void awaitTakeover(ForkedLearner victim, Set<String> models, Map<ForkedLearner, Long> marks,
            long deadline) {
        long limit = Math.min(deadline, System.nanoTime() + Duration.ofSeconds(60).toNanos());
        while (System.nanoTime() < limit) {
            Set<String> restored = new TreeSet<>();
            for (ForkedLearner l : learners) {
                if (l != victim) {
                    Matcher m = RESTORED.matcher(l.logSince(marks.get(l)));
                    while (m.find()) {
                        restored.add(m.group(1));
                    }
                }
            }
            if (restored.containsAll(models)) {
                return;
            }
            watchLearners();
            Pause.millis(200);
        }
    }

    private static Set<String> modelsLoaded(String log) {
        Set<String> models = new TreeSet<>();
        Matcher m = LOADED.matcher(log);
        while (m.find()) {
            models.add(m.group(1));
        }
        return models;
    }

    private void awaitProgress(OutputLedger ledger, long target, long deadline) {
        long lastGrowth = System.nanoTime();
        long last = -1;
        while (true) {
            ledger.poll(Duration.ofMillis(100));
            long now = ledger.predictionRecords();
            if (now >= target) {
                return;
            }
            if (now > last) {
                last = now;
                lastGrowth = System.nanoTime();
            }
            watchLearners();
            if (System.nanoTime() > deadline || System.nanoTime() - lastGrowth > STALL_TIMEOUT.toNanos()) {
                throw new CampaignTimeout(String.format(Locale.ROOT, "committed predictions stalled at %,d of the "
                        + "%,d needed for the next fault", now, target));
            }
        }
    }

    /** Waits (bounded) until every replicated model has an averaged version on the models topic. */
    private void awaitFirstRound(OutputLedger ledger, List<String> models, long deadline) {
        long limit = Math.min(deadline, System.nanoTime() + STALL_TIMEOUT.toNanos());
        while (models.stream().anyMatch(m -> ledger.lastSnapshotVersion(m) < 1)) {
            if (System.nanoTime() > limit) {
                throw new CampaignTimeout("no averaged version of " + models + " on the models topic before the kill");
            }
            ledger.poll(Duration.ofMillis(100));
            watchLearners();
        }
    }

    /**
     * Milliseconds from the fault's start until a new prediction of one of {@code models} (of any model when empty)
     * is committed (read_committed); -1 if none was within the wait. Committed predictions, not offsets: aborting
     * the dead instance's transaction moves the last stable offset too.
     */
    private long awaitGrowth(OutputLedger ledger, Set<String> models, long faultStart, long deadline) {
        ledger.poll(Duration.ZERO);
        Set<String> watched = models.isEmpty() ? expected.keySet() : models;
        long from = predictions(ledger, watched);
        long limit = Math.min(deadline, System.nanoTime() + STALL_TIMEOUT.toNanos());
        while (System.nanoTime() < limit) {
            ledger.poll(Duration.ofMillis(50));
            if (predictions(ledger, watched) > from) {
                return millisSince(faultStart);
            }
            if (watched.stream().allMatch(m -> ledger.model(m).predictedIds.size() >= expected.getOrDefault(m, 0L))) {
                return -1; // those models had nothing left to predict: there is no output to wait for
            }
            watchLearners();
        }
        return -1;
    }

    private static long predictions(OutputLedger ledger, Set<String> models) {
        return models.stream().mapToLong(m -> ledger.model(m).predictions).sum();
    }

    private void joinFeeder(Thread feeding, long deadline) {
        try {
            feeding.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        if (feeding.isAlive()) {
            throw new CampaignTimeout("the examples were not all produced within the time limit");
        }
    }

    private void awaitComplete(OutputLedger ledger, ExampleFeeder feeder, long deadline) {
        long lastChange = System.nanoTime();
        long lastCount = -1;
        while (!complete(ledger, feeder)) {
            ledger.poll(Duration.ofMillis(500));
            long count = ledger.predictionRecords();
            for (String unit : feeder.produced().keySet()) {
                count += ledger.model(unit).windows;
            }
            if (count != lastCount) {
                lastCount = count;
                lastChange = System.nanoTime();
            }
            watchLearners();
            if (System.nanoTime() > deadline || System.nanoTime() - lastChange > STALL_TIMEOUT.toNanos()) {
                throw new CampaignTimeout(String.format(Locale.ROOT, "the committed output did not complete: %,d of "
                        + "%,d examples predicted", ledger.predictedIds().size(), feeder.ids().size()));
            }
        }
    }

    private static boolean complete(OutputLedger ledger, ExampleFeeder feeder) {
        for (Map.Entry<String, Long> produced : feeder.produced().entrySet()) {
            OutputLedger.ModelOutput m = ledger.model(produced.getKey());
            long labeled = feeder.labeled().getOrDefault(produced.getKey(), 0L);
            if (m.predictedIds.size() < produced.getValue() || m.lastExamplesTrained < labeled
                    || m.sumExamples < m.predictions) {
                return false;
            }
        }
        return true;
    }

    /** Starts again a learner that exited without being killed (counted: the learner must not give up). */
    private void watchLearners() {
        for (ForkedLearner learner : learners) {
            if (learner.exitedByItself()) {
                unexpectedExits++;
                String tail = learner.logTail(60);
                diagnostics.append("\n--- ").append(learner.name()).append(" exited by itself with code ")
                        .append(learner.exitCode()).append(":\n").append(tail).append('\n');
                log("%s: %s exited by itself with code %d; log tail:%n%s", plan.scenario(), learner.name(),
                        learner.exitCode(), tail);
                if (unexpectedExits > MAX_UNEXPECTED_EXITS) {
                    throw new CampaignTimeout("the learner exited by itself " + unexpectedExits + " times");
                }
                learner.start();
            }
        }
    }

    private CampaignOutcome outcome(ExampleFeeder feeder, OutputLedger ledger, List<String> models,
            List<Disruption> disruptions, Map<String, Set<String>> moved, String unfinished, Duration wall) {
        long produced = sum(feeder.produced());
        long labeled = sum(feeder.labeled());
        long copies = sum(feeder.duplicatesSent());
        long lateSent = sum(feeder.lateLabelsSent());
        long lateJoined = 0;
        long trained = 0;
        long sumTrained = 0;
        long sumExamples = 0;
        long sumLabeled = 0;
        long skipped = 0;
        long windowErrors = 0;
        long windows = 0;
        boolean trainedHolds = true;
        boolean trainedSumHolds = true;
        boolean examplesSumHolds = true;
        boolean labeledSumHolds = true;
        boolean skippedHolds = true;
        StringBuilder perModel = new StringBuilder("| " + (plan.replicas() > 1 ? "replica" : "model")
                + " | partition | produced | labeled | copies sent | trained "
                + "(last window) | predictions | Σ trained | Σ examples | Σ labeled | Σ duplicates | windows |\n"
                + "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
        // per key of a model's state: a model's id, or each of its replicas' (model#r) when several train it
        for (String model : units) {
            OutputLedger.ModelOutput m = ledger.model(model);
            long modelLabeled = feeder.labeled().getOrDefault(model, 0L);
            long modelCopies = feeder.duplicatesSent().getOrDefault(model, 0L);
            long modelTrained = Math.max(0, m.lastExamplesTrained);
            trained += modelTrained;
            sumTrained += m.sumTrained;
            sumExamples += m.sumExamples;
            sumLabeled += m.sumLabeled;
            skipped += m.sumDuplicates;
            lateJoined += m.sumLateLabels;
            windowErrors += m.sumErrors;
            windows += m.windows;
            trainedHolds &= m.lastExamplesTrained == modelLabeled;
            trainedSumHolds &= m.sumTrained == m.lastExamplesTrained;
            examplesSumHolds &= m.sumExamples == m.predictions;
            labeledSumHolds &= m.sumLabeled == modelLabeled;
            skippedHolds &= m.sumDuplicates == modelCopies;
            perModel.append(String.format(Locale.ROOT, "| %s | %d | %,d | %,d | %,d | %,d | %,d | %,d | %,d | %,d "
                    + "| %,d | %,d |%n", model, partitionOf(model, plan.partitions()),
                    feeder.produced().getOrDefault(model, 0L), modelLabeled, modelCopies, m.lastExamplesTrained,
                    m.predictions, m.sumTrained, m.sumExamples, m.sumLabeled, m.sumDuplicates, m.windows));
        }
        Set<String> missing = new HashSet<>(feeder.ids());
        missing.removeAll(ledger.predictedIds());
        Set<String> unexpected = new HashSet<>(ledger.predictedIds());
        unexpected.removeAll(feeder.ids());
        long kills = disruptions.stream().filter(d -> d.kind() == Disruption.Kind.LEARNER_SIGKILL).count();
        long restarts = disruptions.stream().filter(d -> d.kind() == Disruption.Kind.BROKER_RESTART).count();

        Map<String, String> figures = new LinkedHashMap<>();
        figures.put("learner instances", Integer.toString(plan.instances()));
        figures.put("models / partitions", models.size() + " / " + plan.partitions());
        if (plan.replicas() > 1) {
            figures.put("replicas per model (averaged every n steps)", plan.replicas() + " (" + AVERAGE_EVERY_STEPS
                    + ")");
        }
        figures.put("learner SIGKILLs", kills + " of " + plan.kills());
        figures.put("broker restarts", restarts + " of " + plan.brokerRestarts());
        figures.put("learner exits not caused by a kill", Integer.toString(unexpectedExits));
        figures.put("examples produced (distinct ids)", ChaosReport.count(produced));
        figures.put("labeled examples produced", ChaosReport.count(labeled));
        figures.put("redelivered copies sent (same id)", ChaosReport.count(copies));
        figures.put("labels sent late, on the labels topic (counted as labeled)", ChaosReport.count(lateSent));
        figures.put("late labels joined to their example (Σ lateLabels)", ChaosReport.count(lateJoined));
        figures.put(plan.replicas() > 1 ? "examples trained (last TrainingMetrics per replica, model#r, summed)"
                : "examples trained (last TrainingMetrics per model)", ChaosReport.count(trained));
        figures.put("predictions committed", ChaosReport.count(ledger.predictionRecords()));
        figures.put("duplicate predictions", ChaosReport.count(ledger.duplicatePredictions().size()));
        figures.put("missing predictions", ChaosReport.count(missing.size()));
        figures.put("copies skipped by the dedupe window (Σ duplicates)", ChaosReport.count(skipped));
        figures.put("metrics windows", ChaosReport.count(windows));
        figures.put("output resumed after each fault", recoveries(disruptions));
        figures.put("wall time", ChaosReport.duration(wall));

        List<Check> checks = new ArrayList<>();
        checks.add(new Check("campaign finished within its time limit", "yes", unfinished == null ? "yes"
                : unfinished, unfinished == null));
        checks.add(Check.equal(ChaosReport.times(plan.kills(), "SIGKILL") + " of a learner JVM at random points "
                + "of the stream", plan.kills(), kills));
        if (plan.brokerRestarts() > 0) {
            checks.add(Check.equal(ChaosReport.times(plan.brokerRestarts(), "broker restart")
                    + " while the learner ran", plan.brokerRestarts(), restarts));
        }
        checks.add(Check.equal("the learner never gave up by itself (exits not caused by a kill)", 0,
                unexpectedExits));
        checks.add(new Check("examples trained = labeled examples produced, for every " + each(),
                ChaosReport.count(labeled), ChaosReport.count(trained), trainedHolds));
        boolean onePerId = missing.isEmpty() && unexpected.isEmpty() && ledger.duplicatePredictions().isEmpty()
                && ledger.predictionRecords() == produced;
        checks.add(new Check("exactly one committed prediction per example id",
                ChaosReport.count(produced) + ", 0 duplicate, 0 missing",
                String.format(Locale.ROOT, "%,d, %,d duplicate, %,d missing, %,d unknown", ledger.predictionRecords(),
                        ledger.duplicatePredictions().size(), missing.size(), unexpected.size()), onePerId));
        checks.add(namingCheck(ledger, models));
        checks.add(new Check("metrics agree: Σ window trained = examplesTrained, for every " + each(),
                ChaosReport.count(trained), ChaosReport.count(sumTrained), trainedSumHolds));
        checks.add(new Check("metrics agree: Σ window examples = committed predictions, for every " + each(),
                ChaosReport.count(ledger.predictionRecords()), ChaosReport.count(sumExamples), examplesSumHolds));
        checks.add(new Check("metrics agree: Σ window labeled = labeled examples produced, for every " + each(),
                ChaosReport.count(labeled), ChaosReport.count(sumLabeled), labeledSumHolds));
        if (plan.duplicateEvery() > 0) {
            checks.add(new Check("every redelivered copy skipped, none trained again (Σ window duplicates)",
                    ChaosReport.count(copies), ChaosReport.count(skipped), skippedHolds && copies > 0));
        }
        checks.add(new Check("every late label joined its example once (Σ window lateLabels)",
                ChaosReport.count(lateSent), ChaosReport.count(lateJoined), lateJoined == lateSent && lateSent > 0));
        checks.add(new Check("no example rejected (errors topic, Σ window errors)", "0, 0",
                ledger.errorRecords() + ", " + windowErrors, ledger.errorRecords() == 0 && windowErrors == 0));
        if (plan.replicas() == 1) {
            checks.add(snapshotCheck(ledger, models, figures));
        } else {
            checks.addAll(roundChecks(ledger, feeder, models, figures));
        }
        checks.add(driftCheck(ledger, figures));
        checks.add(replayCheck(ledger, figures));
        checks.add(raceCheck(ledger, figures));
        if (!plan.restartKilled() && plan.kills() > 0) {
            checks.add(new Check("the killed instance's models restored on a survivor from the changelog",
                    "≥ 1 model moved", moved.isEmpty() ? "none" : moved.toString(), !moved.isEmpty()));
        }
        String tried = plan.replicas() > 1
                ? String.format(Locale.ROOT, "%,d examples (%s each trained by %d replicas, averaged every %d "
                        + "steps; %d partitions); %d learner JVMs in one group; %d SIGKILLed while the rounds went on "
                        + "and started again after up to %s; broker restarted %d×", plan.examples(),
                        plan.models() == 1 ? "1 model" : plan.models() + " models", plan.replicas(),
                        AVERAGE_EVERY_STEPS, plan.partitions(), plan.instances(), plan.kills(),
                        seconds(plan.downUpTo().toMillis()), plan.brokerRestarts())
                : plan.instances() == 1
                ? String.format(Locale.ROOT, "%,d examples (%d models); learner JVM SIGKILLed %d× at random points "
                        + "and restarted; broker restarted %d× while the learner ran", plan.examples(), plan.models(),
                        plan.kills(), plan.brokerRestarts())
                : String.format(Locale.ROOT, "%,d examples (%d models, %d partitions); %d learner JVMs in one group; "
                        + "%d SIGKILLed at a random point and left dead", plan.examples(), plan.models(),
                        plan.partitions(), plan.instances(), plan.kills());
        String details = perModel + (unfinished == null ? "" : "\nunfinished: " + unfinished + "\n")
                + (missing.isEmpty() ? "" : "\nsome missing ids: " + missing.stream().sorted().limit(20).toList()
                        + OpenTransactions.describe(kafka.bootstrapServers(), registryUrl,
                                plan.prefix() + ".predictions", missing))
                + (ledger.duplicatePredictions().isEmpty() ? "" : "\nsome duplicate ids: "
                        + ledger.duplicatePredictions().stream().limit(20).toList())
                + diagnostics;
        return new CampaignOutcome(plan.scenario(), tried, plan.seed(), disruptions, figures, checks, wall,
                perModel.toString(), details);
    }

    /**
     * The models topic as a reader sees it (read_committed): for every model, a snapshot of each multiple of
     * {@link #SNAPSHOT_EVERY_STEPS} up to its last version, each chunk written once, each version whole (its chunks join
     * and match their SHA-256), and all but the last {@link #SNAPSHOT_KEEP} tombstoned. A snapshot published in a
     * transaction that a SIGKILL cut short shows as nothing, and is published again when the step is redone.
     */
    private static Check snapshotCheck(OutputLedger ledger, List<String> models, Map<String, String> figures) {
        long published = 0;
        long tombstoned = 0;
        long chunks = 0;
        List<String> problems = new ArrayList<>();
        for (String model : models) {
            OutputLedger.ModelOutput m = ledger.model(model);
            TreeSet<Long> versions = new TreeSet<>();
            for (Map.Entry<Long, Map<Integer, List<ModelSnapshot>>> version : m.snapshotChunks.entrySet()) {
                List<ModelSnapshot> whole = new ArrayList<>();
                for (Map.Entry<Integer, List<ModelSnapshot>> chunk : version.getValue().entrySet()) {
                    List<ModelSnapshot> written = chunk.getValue().stream().filter(Objects::nonNull).toList();
                    if (written.size() > 1) {
                        problems.add(model + "/" + version.getKey() + "/" + chunk.getKey() + " written "
                                + written.size() + "×");
                    }
                    if (!written.isEmpty()) {
                        whole.add(written.get(0));
                    }
                }
                if (whole.isEmpty()) {
                    problems.add(model + "@" + version.getKey() + " tombstoned but never written");
                    continue;
                }
                versions.add(version.getKey());
                chunks += whole.size();
                try {
                    SnapshotChunks.join(whole);
                } catch (IllegalArgumentException e) {
                    problems.add(e.getMessage());
                }
            }
            TreeSet<Long> expected = new TreeSet<>();
            for (long v = SNAPSHOT_EVERY_STEPS; v <= m.lastVersion; v += SNAPSHOT_EVERY_STEPS) {
                expected.add(v);
            }
            if (!versions.equals(expected)) {
                TreeSet<Long> missing = new TreeSet<>(expected);
                missing.removeAll(versions);
                TreeSet<Long> extra = new TreeSet<>(versions);
                extra.removeAll(expected);
                problems.add(model + " (version " + m.lastVersion + "): missing " + missing + ", unexpected " + extra);
            }
            TreeSet<Long> expectedTombstoned = new TreeSet<>(expected);
            for (int i = 0; i < SNAPSHOT_KEEP && !expectedTombstoned.isEmpty(); i++) {
                expectedTombstoned.pollLast();
            }
            if (!m.tombstonedVersions.equals(expectedTombstoned)) {
                problems.add(model + ": tombstoned " + m.tombstonedVersions + ", expected " + expectedTombstoned);
            }
            published += versions.size();
            tombstoned += m.tombstonedVersions.size();
        }
        if (ledger.unreadableSnapshotKeys() > 0) {
            problems.add(ledger.unreadableSnapshotKeys() + " records on the models topic with a key not a snapshot's");
        }
        figures.put("snapshots published (versions / chunks) and tombstoned", String.format(Locale.ROOT,
                "%,d / %,d, %,d", published, chunks, tombstoned));
        return new Check("snapshots: every " + SNAPSHOT_EVERY_STEPS + " steps, each chunk once, each version whole, all "
                + "but the last " + SNAPSHOT_KEEP + " tombstoned", "0 problems", problems.isEmpty() ? "0 problems"
                        : problems.size() + ": " + problems.stream().limit(5).toList(),
                problems.isEmpty() && published > 0);
    }

    /**
     * The predictions as a reader sees them: each keyed by the id of the model that made it, and naming it (a model
     * on several replicas too: its replicas' keys, {@code <model>#<shard>}, are the learner's, not the reader's); a
     * model on one replica leaves the replicas' fields empty.
     */
    private Check namingCheck(OutputLedger ledger, List<String> models) {
        List<String> problems = new ArrayList<>();
        Set<String> strangers = new TreeSet<>(ledger.predictionsNaming().keySet());
        strangers.removeAll(models);
        for (String stranger : strangers) {
            problems.add(String.format(Locale.ROOT, "%,d predictions name '%s'", ledger.predictionsNaming()
                    .get(stranger), stranger));
        }
        List<String> mismatches = ledger.predictionKeyMismatches();
        if (!mismatches.isEmpty()) {
            problems.add(String.format(Locale.ROOT, "%,d keyed otherwise than by the model they name, e.g. %s",
                    mismatches.size(), mismatches.stream().limit(3).toList()));
        }
        if (plan.replicas() == 1) {
            for (String model : models) {
                long odd = ledger.model(model).replicaFieldsUnexpected;
                if (odd > 0) {
                    problems.add(String.format(Locale.ROOT, "%s: %,d predictions with a globalVersion or localSteps",
                            model, odd));
                }
            }
        }
        return new Check("every prediction keyed and named by its model's id" + (plan.replicas() > 1
                ? " (not a replica's, model#r)" : ", without the fields of a replicated model's"), "0 problems",
                problems.isEmpty() ? "0 problems" : problems.size() + ": " + problems, problems.isEmpty());
    }

    /**
     * The rounds of the models trained by several replicas, as a reader sees them (read_committed):
     * <ul>
     * <li>the models topic has the model's averaged versions 1..N, each chunk written once, each version whole and
     * made by the averaging step (trigger {@code averaged}), all but the last {@link #SNAPSHOT_KEEP} tombstoned; a
     * replica publishes no snapshot of its own;
     * <li>their examplesTrained (the examples of every round so far) rises with every version, since a round in which
     * no replica trained makes no version, and the last is at most the labeled examples produced;
     * <li>every prediction of the model carries the global version its replica had adopted, at most N and never below
     * one its replica predicted with before (in commit order), and localSteps of at least 0;
     * <li>rounds went on after the SIGKILL: N is at least {@value #MIN_ROUNDS_AFTER_KILL} above the last version
     * when it was sent.
     * </ul>
     */
    private List<Check> roundChecks(OutputLedger ledger, ExampleFeeder feeder, List<String> models,
            Map<String, String> figures) {
        List<String> versionProblems = new ArrayList<>();
        List<String> countProblems = new ArrayList<>();
        List<String> predictionProblems = new ArrayList<>();
        List<String> afterKill = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        boolean roundsAfterKill = true;
        for (String model : models) {
            OutputLedger.ModelOutput m = ledger.model(model);
            TreeSet<Long> versions = new TreeSet<>();
            Map<Long, Long> trainedAt = new TreeMap<>();
            for (Map.Entry<Long, Map<Integer, List<ModelSnapshot>>> version : m.snapshotChunks.entrySet()) {
                List<ModelSnapshot> whole = new ArrayList<>();
                for (Map.Entry<Integer, List<ModelSnapshot>> chunk : version.getValue().entrySet()) {
                    List<ModelSnapshot> written = chunk.getValue().stream().filter(Objects::nonNull).toList();
                    if (written.size() > 1) {
                        versionProblems.add(model + "/" + version.getKey() + "/" + chunk.getKey() + " written "
                                + written.size() + "×");
                    }
                    if (!written.isEmpty()) {
                        whole.add(written.get(0));
                    }
                }
                if (whole.isEmpty()) {
                    versionProblems.add(model + "@" + version.getKey() + " tombstoned but never written");
                    continue;
                }
                versions.add(version.getKey());
                try {
                    SnapshotChunks.join(whole);
                } catch (IllegalArgumentException e) {
                    versionProblems.add(e.getMessage());
                }
                for (ModelSnapshot chunk : whole) {
                    if (!AVERAGED.equals(chunk.getTrigger())) {
                        versionProblems.add(model + "@" + version.getKey() + " chunk " + chunk.getChunk()
                                + " made by '" + chunk.getTrigger() + "'");
                    }
                }
                trainedAt.put(version.getKey(), whole.get(0).getExamplesTrained());
            }
            long last = versions.isEmpty() ? 0 : versions.last();
            TreeSet<Long> expectedVersions = new TreeSet<>();
            for (long v = 1; v <= last; v++) {
                expectedVersions.add(v);
            }
            if (!versions.equals(expectedVersions)) {
                TreeSet<Long> missing = new TreeSet<>(expectedVersions);
                missing.removeAll(versions);
                versionProblems.add(model + " (last version " + last + "): missing " + missing);
            }
            if (last == 0) {
                versionProblems.add(model + ": no averaged version");
            }
            TreeSet<Long> expectedTombstoned = new TreeSet<>();
            for (long v = 1; v <= last - SNAPSHOT_KEEP; v++) {
                expectedTombstoned.add(v);
            }
            if (!m.tombstonedVersions.equals(expectedTombstoned)) {
                versionProblems.add(model + ": tombstoned " + m.tombstonedVersions + ", expected "
                        + expectedTombstoned);
            }
            long labeled = 0;
            for (String unit : units) {
                if (!modelOf.get(unit).equals(model)) {
                    continue;
                }
                labeled += feeder.labeled().getOrDefault(unit, 0L);
                OutputLedger.ModelOutput replica = ledger.model(unit);
                if (!replica.snapshotChunks.isEmpty()) {
                    versionProblems.add(unit + " published versions " + replica.snapshotChunks.keySet()
                            + " of its own");
                }
                if (!replica.globalVersionRegressions.isEmpty()) {
                    predictionProblems.add(String.format(Locale.ROOT, "%s: %,d predictions with a global version "
                            + "below an earlier one's, e.g. %s", unit, replica.globalVersionRegressions.size(),
                            replica.globalVersionRegressions.stream().limit(3).toList()));
                }
            }
            long previous = 0;
            for (Map.Entry<Long, Long> v : trainedAt.entrySet()) {
                if (v.getValue() <= previous) {
                    countProblems.add(String.format(Locale.ROOT, "%s@%d: examplesTrained %,d after %,d", model,
                            v.getKey(), v.getValue(), previous));
                }
                previous = v.getValue();
            }
            if (previous > labeled) {
                countProblems.add(String.format(Locale.ROOT, "%s@%d: examplesTrained %,d, of %,d labeled examples",
                        model, last, previous, labeled));
            }
            if (m.replicaFieldsMissing > 0) {
                predictionProblems.add(String.format(Locale.ROOT, "%s: %,d predictions without a globalVersion or "
                        + "localSteps", model, m.replicaFieldsMissing));
            }
            if (m.negativeLocalSteps > 0) {
                predictionProblems.add(String.format(Locale.ROOT, "%s: %,d predictions with localSteps below 0",
                        model, m.negativeLocalSteps));
            }
            if (m.maxGlobalVersion > last) {
                predictionProblems.add(String.format(Locale.ROOT, "%s: a prediction made with global version %d, the "
                        + "last on the models topic is %d", model, m.maxGlobalVersion, last));
            }
            if (plan.kills() > 0) {
                Long atKill = versionAtKill.get(model);
                long after = atKill == null ? -1 : last - atKill;
                roundsAfterKill &= after >= MIN_ROUNDS_AFTER_KILL;
                afterKill.add(model + " " + (atKill == null ? "no kill"
                        : after + " (" + atKill + " → " + last + ")"));
            }
            seen.add(String.format(Locale.ROOT, "%s: versions 1..%d (%,d tombstoned), last examplesTrained %,d of "
                    + "%,d labeled, predictions up to global version %d", model, last, m.tombstonedVersions.size(),
                    previous, labeled, m.maxGlobalVersion));
        }
        figures.put("averaged versions on the models topic", String.join("; ", seen));
        List<Check> checks = new ArrayList<>();
        checks.add(new Check("averaged versions 1..N on the models topic, each chunk once, each version whole and "
                + "averaged, all but the last " + SNAPSHOT_KEEP + " tombstoned; no replica's own", "0 problems",
                problems(versionProblems), versionProblems.isEmpty()));
        checks.add(new Check("averaged versions' examplesTrained rises with every version, the last ≤ labeled "
                + "examples produced", "0 problems", problems(countProblems), countProblems.isEmpty()));
        checks.add(new Check("every prediction of a replicated model has its globalVersion (≤ N, never below an "
                + "earlier one of its replica) and localSteps ≥ 0", "0 problems", problems(predictionProblems),
                predictionProblems.isEmpty()));
        if (plan.kills() > 0) {
            checks.add(new Check("rounds averaged after the SIGKILL (versions since the one at the kill)",
                    "≥ " + MIN_ROUNDS_AFTER_KILL, String.join(", ", afterKill), roundsAfterKill));
        }
        return checks;
    }

    private static String problems(List<String> problems) {
        return problems.isEmpty() ? "0 problems" : problems.size() + ": " + problems.stream().limit(5).toList();
    }

    /** What the checks per model hold for: each model, or each replica of the models on several. */
    private String each() {
        return plan.replicas() > 1 ? "replica (model#r)" : "model";
    }

    /** The key of the state that the {@code n}th example trains: its model's id, or its replica's. */
    private String unitOf(List<String> models, int n) {
        String model = models.get(n % models.size());
        return ReplicaKey.of(model, ExampleFeeder.exampleId(model, n), plan.replicas());
    }

    /** The example (over all models) from which the feeder flips every label: half way through the stream. */
    private int flipAt() {
        return plan.examples() / 2;
    }

    /**
     * The events topic as a reader sees it: each model's drift detectors (on in the campaign's learners) saw the
     * labels flip half way, and each detection is there once, whatever was killed or restarted meanwhile: no model,
     * detector and example position twice. A detection before the flip is a false alarm: counted, not a failure.
     */
    private Check driftCheck(OutputLedger ledger, Map<String, String> figures) {
        List<String> problems = new ArrayList<>();
        long events = 0;
        long falseAlarms = 0;
        List<String> delays = new ArrayList<>();
        // a replica of a model on several has detectors of its own, which watch its shard of the stream
        for (String model : units) {
            // the model's examples before the flip: its position in the stream of each, from 0, as the learner counts
            long flipSeq = beforeFlip.get(model);
            Set<String> seen = new HashSet<>();
            long first = -1;
            DriftEvent firstEvent = null;
            for (DriftEvent e : ledger.model(model).drifts) {
                events++;
                if (!seen.add(e.getDetector() + "@" + e.getOffset())) {
                    problems.add(model + ": " + e.getDetector() + " at example #" + e.getOffset() + " written twice");
                }
                if (e.getOffset() < flipSeq) {
                    falseAlarms++;
                } else if (first < 0 || e.getOffset() < first) {
                    first = e.getOffset();
                    firstEvent = e;
                }
            }
            if (first < 0) {
                problems.add(model + ": no drift detected after its labels flipped at its example #" + flipSeq);
            } else {
                delays.add(model + " " + (first - flipSeq) + " (" + firstEvent.getDetector() + " after "
                        + firstEvent.getEvidence() + " values)");
            }
        }
        figures.put("drift events (detections before the flip; examples from the flip to the first after it)",
                String.format(Locale.ROOT, "%,d (%,d; %s)", events, falseAlarms, String.join(", ", delays)));
        return new Check("drift: the labels' flip half way detected for every " + each() + ", each detection written "
                + "once",
                "0 problems", problems.isEmpty() ? "0 problems" : problems.size() + ": "
                        + problems.stream().limit(5).toList(), problems.isEmpty());
    }

    /**
     * Every other model (the first, the third, ...) replays, with {@link #REPLAY_SPEC} written in {@code dir}; with
     * several replicas per model every model has a spec of its own, with the {@link #parallel} block, the others
     * the default network's.
     */
    private Map<String, String> modelSpecs(Path dir) {
        String parallel = plan.replicas() == 1 ? "" : parallel(plan.replicas());
        Path replaying = dir.resolve("replay-spec.yaml");
        Path plain = dir.resolve("parallel-spec.yaml");
        try {
            Files.createDirectories(dir);
            Files.writeString(replaying, REPLAY_SPEC + parallel);
            if (plan.replicas() > 1) {
                Files.writeString(plain, REPLAY_SPEC.replaceAll("(?m)^replay:.*\\n", "") + parallel);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the models' specs in " + dir, e);
        }
        Map<String, String> settings = new LinkedHashMap<>();
        List<String> models = plan.replicas() == 1 ? spreadModels(plan.models(), plan.partitions())
                : spreadReplicatedModels(plan.models(), plan.partitions(), plan.replicas());
        for (int k = 0; k < models.size(); k++) {
            if (k % 2 == 0) {
                settings.put(LearnerConfig.MODEL_SPEC_PREFIX + models.get(k), replaying.toString());
            } else if (plan.replicas() > 1) {
                settings.put(LearnerConfig.MODEL_SPEC_PREFIX + models.get(k), plain.toString());
            }
        }
        return settings;
    }

    /** The spec block that trains a model on {@code replicas} replicas in the campaigns. */
    static String parallel(int replicas) {
        return String.format(Locale.ROOT, "parallel: {replicas: %d, averageEverySteps: %d, maxWaitMs: %d}%n",
                replicas, AVERAGE_EVERY_STEPS, AVERAGE_MAX_WAIT_MS);
    }

    /**
     * The replaying models' samples as their last metrics window gives them: every example trained on offered once
     * (none lost to a kill, none offered twice when the batches since a checkpoint are fitted again), and as many kept
     * as the capacity allows; the other models report no replay.
     */
    private Check replayCheck(OutputLedger ledger, Map<String, String> figures) {
        List<String> problems = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        // a replica of a model on several has a sample of its own, offered what it trains on
        for (String model : units) {
            OutputLedger.ModelOutput m = ledger.model(model);
            if (modelIndexOf.get(model) % 2 != 0) {
                if (m.lastReplayKept != null || m.lastReplayOffered != null) {
                    problems.add(model + " reports a replay sample, its spec has none");
                }
                continue;
            }
            long trained = m.lastExamplesTrained;
            if (m.lastReplayOffered == null || m.lastReplayKept == null) {
                problems.add(model + ": no replay figures in its metrics");
            } else if (m.lastReplayOffered != trained || m.lastReplayKept != Math.min(trained, REPLAY_CAPACITY)) {
                problems.add(String.format(Locale.ROOT, "%s: %,d offered and %,d kept, for %,d trained", model,
                        m.lastReplayOffered, m.lastReplayKept, trained));
            } else {
                seen.add(String.format(Locale.ROOT, "%s %,d/%,d", model, m.lastReplayKept, m.lastReplayOffered));
            }
        }
        figures.put("replay samples (kept/offered, capacity " + REPLAY_CAPACITY + ")", String.join(", ", seen));
        return new Check("replay: each replaying " + each() + " offered every example it trained on once, and keeps "
                + "min(that, " + REPLAY_CAPACITY + ")", "0 problems", problems.isEmpty() ? "0 problems"
                        : problems.size() + ": " + problems.stream().limit(5).toList(), problems.isEmpty());
    }

    /**
     * The race of baselines as a reader sees it: in every model's last metrics window each contender scored one
     * labeled example per committed prediction made with its label known (those with a loss: a kill neither loses
     * their scores nor counts a batch twice), every prediction says which learner made it, and no change of lead is
     * on the champions topic twice.
     */
    private Check raceCheck(OutputLedger ledger, Map<String, String> figures) {
        List<String> problems = new ArrayList<>();
        long switches = 0;
        Map<String, Long> servedBy = new TreeMap<>();
        // a replica of a model on several races baselines of its own, on its shard's predictions
        for (String model : units) {
            OutputLedger.ModelOutput m = ledger.model(model);
            List<ContenderScore> contenders = m.lastContenders;
            long onArrival = m.predictionsScored;
            if (contenders == null || contenders.size() != RACE.size() + 1) {
                problems.add(model + ": contenders " + contenders + " in its last metrics window");
            } else {
                for (ContenderScore c : contenders) {
                    if (c.getScored() != onArrival) {
                        problems.add(String.format(Locale.ROOT, "%s: %s scored %,d, %,d predictions have a loss",
                                model, c.getName(), c.getScored(), onArrival));
                    }
                }
            }
            long served = m.servedBy.values().stream().mapToLong(Long::longValue).sum();
            if (served != m.predictions) {
                problems.add(String.format(Locale.ROOT, "%s: %,d of %,d predictions say who served them", model,
                        served, m.predictions));
            }
            m.servedBy.forEach((who, n) -> servedBy.merge(who, n, Long::sum));
            Set<Long> offsets = new HashSet<>();
            for (ChampionSwitch change : m.switches) {
                switches++;
                if (!offsets.add(change.getOffset())) {
                    problems.add(model + ": the switch at example #" + change.getOffset() + " written twice");
                }
            }
        }
        figures.put("race: predictions by the learner that served them; changes of lead", servedBy + "; "
                + switches);
        return new Check("race: every contender scored once each prediction made with its label, every prediction "
                + "says who served it, each change of lead written once", "0 problems", problems.isEmpty() ? "0 problems"
                        : problems.size() + ": " + problems.stream().limit(5).toList(), problems.isEmpty());
    }

    /** The baselines racing every model in a campaign, the predictions following the leader. */
    static final List<String> RACE = List.of("majority", "softmax-regression", "gaussian-nb");

    /** The capacity of the replaying models' samples: small, so that they fill early and then replace. */
    static final int REPLAY_CAPACITY = 400;
    /** The replaying models' spec: the default 20-64-64-2 MLP, fitting two past examples per new one. */
    static final String REPLAY_SPEC = """
            inputSize: 20
            layers:
              - {type: dense, units: 64, activation: relu}
              - {type: dense, units: 64, activation: relu}
            output: {type: classification, classes: 2}
            optimizer: {type: adam, learningRate: 1.0e-3}
            weightInit: relu
            batch: {size: 32, maxWaitMs: 100}
            replay: {ratio: 2, capacity: %d}
            """.formatted(REPLAY_CAPACITY);

    private static String recoveries(List<Disruption> disruptions) {
        if (disruptions.isEmpty()) {
            return "-";
        }
        List<String> parts = new ArrayList<>();
        for (Disruption d : disruptions) {
            parts.add(seconds(d.recoveryMs()));
        }
        return String.join(", ", parts);
    }

    /**
     * Creates every topic a learner under {@code prefix} reads or writes, as an operator would for a learner with
     * {@code streamtrain.topics.create=false}: the models and pins topics compacted. The learner reads the global
     * topic (the averaged parameters of models trained by several replicas) with the examples, so it has their
     * partition count; so has the params topic (the replicas' contributions), for no other reason than simplicity.
     */
    static void createLearnerTopics(EmbeddedKafkaBroker kafka, String prefix, int partitions) {
        for (String suffix : List.of(".examples", ".labels", ".control", ".predictions", ".metrics", ".errors",
                ".control.log", ".events", ".champions", ".params", ".global")) {
            kafka.createTopic(prefix + suffix, partitions);
        }
        for (String suffix : List.of(".models", ".pins")) {
            kafka.createTopic(prefix + suffix, partitions,
                    Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
        }
    }

    /** The replicas that train the model of {@link Plan#replicated}. */
    static final int REPLICAS = 3;
    /** Examples a second in {@link Plan#replicated}: a live stream for three learner JVMs on two cores. */
    public static final int REPLICATED_RATE = 150;
    /** Training steps of a replica between two contributions: small, so that the rounds are many. */
    static final int AVERAGE_EVERY_STEPS = 4;
    /** How long a replica waits for those steps before it contributes what it has. */
    static final long AVERAGE_MAX_WAIT_MS = 1000;
    /** Rounds that must be averaged after a SIGKILL: the rounds went on. */
    static final int MIN_ROUNDS_AFTER_KILL = 3;
    /** The trigger of a snapshot made by the averaging step. */
    static final String AVERAGED = "averaged";

    /** Training steps between two snapshots of a model in a campaign: often, so that kills fall during some. */
    static final long SNAPSHOT_EVERY_STEPS = 20;
    /** Snapshots of a model kept on the models topic in a campaign. */
    static final int SNAPSHOT_KEEP = 5;

    /** The settings of a learner under test: short group sessions so that a dead member is noticed in seconds. */
    static Map<String, String> learnerSettings(String bootstrap, String registryUrl, String prefix, Path stateDir,
            int dedupeWindow) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("bootstrap.servers", bootstrap);
        s.put("schema.registry.url", registryUrl);
        s.put("application.id", prefix + "-learner");
        s.put("state.dir", stateDir.toString());
        s.put("num.standby.replicas", "0");
        // one stream thread per JVM (the default, said here): with several instances, a task per thread per JVM
        s.put("num.stream.threads", "1");
        s.put("consumer.session.timeout.ms", "6000");
        s.put("consumer.heartbeat.interval.ms", "1000");
        s.put("streamtrain.topic.prefix", prefix);
        s.put("streamtrain.topics.create", "false");
        s.put("streamtrain.checkpoint.every.batches", "25");
        s.put("streamtrain.metrics.interval.ms", "1000");
        s.put("streamtrain.dedupe.window", Integer.toString(dedupeWindow));
        s.put("streamtrain.snapshot.every.steps", Long.toString(SNAPSHOT_EVERY_STEPS));
        s.put("streamtrain.snapshot.keep", Integer.toString(SNAPSHOT_KEEP));
        // the labels flip half way: both detectors watch, and each detection raises the rate (with a checkpoint)
        s.put("streamtrain.drift.detectors", "page-hinkley,adwin");
        s.put("streamtrain.drift.action", "raise-lr");
        // shallow baselines race every model, and the leader serves its predictions
        s.put("streamtrain.baselines", String.join(",", RACE));
        s.put("streamtrain.predictions.from", "champion");
        // records of at most 96 KiB: a snapshot of the 20-64-64-2 network (~64 KB) in two chunks, so that a kill
        // can fall between the chunks of one snapshot
        s.put("producer.max.request.size", Integer.toString(96 * 1024));
        return s;
    }

    /**
     * {@code count} model ids such that the default partitioner puts them round robin on the partitions, so that
     * every partition (and so every instance) has models.
     */
    static List<String> spreadModels(int count, int partitions) {
        List<String> models = new ArrayList<>();
        for (int k = 0; k < count; k++) {
            int target = k % partitions;
            for (int j = 0; ; j++) {
                String name = "model-" + (char) ('a' + k % 26) + (k >= 26 ? Integer.toString(k / 26) : "")
                        + (j == 0 ? "" : "-" + j);
                if (partitionOf(name, partitions) == target) {
                    models.add(name);
                    break;
                }
            }
        }
        return models;
    }

    /**
     * {@code count} model ids each of whose {@code replicas} replicas' keys ({@code <model>#<r>}) the default
     * partitioner puts on a partition of its own, so that each instance has a replica of each model to train.
     */
    static List<String> spreadReplicatedModels(int count, int partitions, int replicas) {
        List<String> models = new ArrayList<>();
        for (int k = 0; k < count; k++) {
            for (int j = 0; ; j++) {
                String name = "model-" + (char) ('a' + k % 26) + (k >= 26 ? Integer.toString(k / 26) : "")
                        + (j == 0 ? "" : "-" + j);
                Set<Integer> used = new HashSet<>();
                for (int r = 0; r < replicas; r++) {
                    used.add(partitionOf(ReplicaKey.shardKey(name, r), partitions));
                }
                if (used.size() == replicas) {
                    models.add(name);
                    break;
                }
            }
        }
        return models;
    }

    static int partitionOf(String key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    private static long sum(Map<String, Long> counts) {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

    private static String seconds(long millis) {
        return millis < 0 ? "no further output" : String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
    }

    private void log(String format, Object... args) {
        out.printf(Locale.ROOT, format + "%n", args);
        out.flush();
    }

    /** The campaign could not go on; what was committed so far is still checked. */
    static final class CampaignTimeout extends RuntimeException {
        private static final long serialVersionUID = 1L;

        CampaignTimeout(String message) {
            super(message);
        }
    }
}
