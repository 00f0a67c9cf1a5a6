package io.streamtrain.app;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import io.streamtrain.learn.baseline.Baseline;
import io.streamtrain.learn.drift.DriftSettings;
import io.streamtrain.topology.RaceSettings;
import io.streamtrain.registry.SchemaRegistryClientConfig;
import io.streamtrain.topology.LearnerSettings;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The learner's configuration: its own {@code streamtrain.*} keys, parsed once into typed fields; every other key
 * is a Kafka Streams or Kafka client setting (security included) or a schema registry setting, passed through.
 */
public final class LearnerConfig extends AbstractConfig {

    private static final String GROUP_TOPICS = "Topics";
    private static final String GROUP_MODEL = "Model";
    private static final String GROUP_STATE = "State";
    private static final String GROUP_SNAPSHOTS = "Snapshots";
    private static final String GROUP_DRIFT = "Drift";
    private static final String GROUP_RACE = "Baselines";
    private static final String GROUP_SERVE = "Serving";
    private static final String GROUP_HTTP = "HTTP endpoint";

    public static final String TOPIC_PREFIX = "streamtrain.topic.prefix";
    public static final String TOPICS_CREATE = "streamtrain.topics.create";
    public static final String TOPICS_PARTITIONS = "streamtrain.topics.partitions";
    public static final String TOPICS_REPLICATION = "streamtrain.topics.replication.factor";
    public static final String MODEL_SPEC = "streamtrain.model.spec";
    /** The prefix of the keys that give one model its own spec: {@code streamtrain.model.spec.<model>}. */
    public static final String MODEL_SPEC_PREFIX = "streamtrain.model.spec.";
    public static final String MODEL_SPECS_DIR = "streamtrain.model.specs.dir";
    public static final String MODEL_UNLISTED = "streamtrain.model.unlisted";
    public static final String CHECKPOINT_EVERY_BATCHES = "streamtrain.checkpoint.every.batches";
    public static final String METRICS_INTERVAL_MS = "streamtrain.metrics.interval.ms";
    public static final String METRICS_EVERY_EXAMPLES = "streamtrain.metrics.every.examples";
    public static final String PUNCTUATE_INTERVAL_MS = "streamtrain.punctuate.interval.ms";
    public static final String COMMIT_EARLY_MAX_LAG_MS = "streamtrain.commit.early.max.lag.ms";
    public static final String DEDUPE_WINDOW = "streamtrain.dedupe.window";
    public static final String LABELS_MAX_PENDING = "streamtrain.labels.max.pending";
    public static final String LABELS_WAIT_MS = "streamtrain.labels.wait.ms";
    public static final String SNAPSHOT_EVERY_STEPS = "streamtrain.snapshot.every.steps";
    public static final String SNAPSHOT_KEEP = "streamtrain.snapshot.keep";
    public static final String DRIFT_DETECTORS = "streamtrain.drift.detectors";
    public static final String DRIFT_SIGNAL = "streamtrain.drift.signal";
    public static final String DRIFT_ACTION = "streamtrain.drift.action";
    public static final String DRIFT_LR_FACTOR = "streamtrain.drift.lr.factor";
    public static final String DRIFT_LR_STEPS = "streamtrain.drift.lr.steps";
    public static final String DRIFT_PAGE_HINKLEY_LAMBDA = "streamtrain.drift.page-hinkley.lambda";
    public static final String DRIFT_ADWIN_DELTA = "streamtrain.drift.adwin.delta";
    public static final String BASELINES = "streamtrain.baselines";
    public static final String BASELINES_WINDOW = "streamtrain.baselines.window";
    public static final String PREDICTIONS_FROM = "streamtrain.predictions.from";
    public static final String CHAMPION_MARGIN = "streamtrain.champion.margin";
    public static final String CHAMPION_PATIENCE = "streamtrain.champion.patience";
    public static final String SERVE_APPLICATION_ID = "streamtrain.serve.application.id";
    public static final String SERVE_REFRESH_MS = "streamtrain.serve.refresh.ms";
    public static final String SERVE_BATCH_MAX = "streamtrain.serve.batch.max";
    public static final String SERVE_BATCH_WAIT_MS = "streamtrain.serve.batch.wait.ms";
    public static final String HTTP_HOST = "streamtrain.http.host";
    public static final String HTTP_PORT = "streamtrain.http.port";
    /** The default port of /metrics and /health: the one Prometheus' list of exporter ports gives to any exporter. */
    public static final int DEFAULT_HTTP_PORT = 9464;

    /** Prefixes of the keys handed to the registry client and serdes. */
    private static final String[] REGISTRY_PREFIXES = {"schema.registry.", "basic.auth.", "auto.register.schemas",
        "use.latest.version", "specific.avro.reader"};

    static final ConfigDef CONFIG = new ConfigDef()
            .define(TOPIC_PREFIX, Type.STRING, "streamtrain", new TopicPrefixValidator(), Importance.HIGH,
                    "Prefix of the topics: <prefix>.examples, <prefix>.labels and <prefix>.control are read; "
                            + "<prefix>.predictions, <prefix>.metrics, <prefix>.errors, <prefix>.models, "
                            + "<prefix>.control.log and <prefix>.pins are written. Serving replicas (streamtrain "
                            + "serve) read <prefix>.requests, <prefix>.models and <prefix>.pins and write "
                            + "<prefix>.served.",
                    GROUP_TOPICS, 1, Width.MEDIUM, "Topic prefix")
            .define(TOPICS_CREATE, Type.BOOLEAN, true, Importance.MEDIUM,
                    "Create the topics at start when they are missing.",
                    GROUP_TOPICS, 2, Width.SHORT, "Create topics")
            .define(TOPICS_PARTITIONS, Type.INT, 1, Range.atLeast(1), Importance.LOW,
                    "Partitions of topics created at start. A model lives in one partition; more partitions spread "
                            + "more models over more instances.",
                    GROUP_TOPICS, 3, Width.SHORT, "Partitions")
            .define(TOPICS_REPLICATION, Type.SHORT, (short) -1, Range.atLeast(-1), Importance.LOW,
                    "Replication factor of topics created at start; -1 takes the broker's default.",
                    GROUP_TOPICS, 4, Width.SHORT, "Replication factor")
            .define(MODEL_SPEC, Type.STRING, "classpath:specs/mlp-classifier.yaml", Importance.HIGH,
                    "The network spec (YAML or JSON) every model is built from: a file path, or classpath:<name> "
                            + "for a spec shipped with Streamtrain.",
                    GROUP_MODEL, 1, Width.LONG, "Model spec")
            .define(MODEL_SPECS_DIR, Type.STRING, null, Importance.MEDIUM,
                    "A directory of network specs named by model id: <model>.yaml, <model>.yml or <model>.json. A "
                            + "model with a file there (or a " + MODEL_SPEC_PREFIX + "<model> key, which wins) is "
                            + "built from it; the others get " + MODEL_UNLISTED + ".",
                    GROUP_MODEL, 2, Width.LONG, "Model specs directory")
            .define(MODEL_UNLISTED, Type.STRING, "default", ConfigDef.ValidString.in("default", "reject"),
                    Importance.MEDIUM,
                    "What a model without a spec of its own (" + MODEL_SPEC_PREFIX + "<model>, or a file in "
                            + MODEL_SPECS_DIR + ") gets: default builds it from " + MODEL_SPEC + "; reject sends "
                            + "its records to the errors topic with the rule unknown-model.",
                    GROUP_MODEL, 3, Width.SHORT, "Models without a spec")
            .define(CHECKPOINT_EVERY_BATCHES, Type.INT, 100, Range.between(1, 100_000), Importance.MEDIUM,
                    "Mini-batches a model trains between two checkpoints of its network into the state store. "
                            + "A restart fits again at most this many mini-batches.",
                    GROUP_STATE, 1, Width.SHORT, "Checkpoint every (batches)")
            .define(METRICS_INTERVAL_MS, Type.LONG, 5000L, Range.atLeast(10), Importance.MEDIUM,
                    "How often each model's TrainingMetrics are written.",
                    GROUP_STATE, 2, Width.SHORT, "Metrics interval (ms)")
            .define(METRICS_EVERY_EXAMPLES, Type.LONG, 10_000L, Range.atLeast(1), Importance.LOW,
                    "A model's TrainingMetrics are also written after this many examples, whichever comes first.",
                    GROUP_STATE, 3, Width.SHORT, "Metrics every (examples)")
            .define(PUNCTUATE_INTERVAL_MS, Type.LONG, 20L, Range.between(1, 60_000), Importance.LOW,
                    "How often the learner looks for partial mini-batches that have waited their spec's batch "
                            + "maxWaitMs.",
                    GROUP_STATE, 4, Width.SHORT, "Punctuate interval (ms)")
            .define(COMMIT_EARLY_MAX_LAG_MS, Type.LONG, 50L, Range.between(0, 60_000), Importance.LOW,
                    "When the learner keeps up with its input (the newest record of a mini-batch step was written "
                            + "at most this long ago), or steps a partial mini-batch on its maxWaitMs, it asks Kafka "
                            + "Streams to commit at once instead of at the next commit.interval.ms, at most every "
                            + "25 ms: under exactly_once_v2 its predictions become readable sooner. Under a backlog "
                            + "the records are older and commit.interval.ms paces commits as before. 0 turns this "
                            + "off.",
                    GROUP_STATE, 5, Width.SHORT, "Commit early below lag (ms)")
            .define(DEDUPE_WINDOW, Type.INT, 100_000, Range.between(0, 10_000_000), Importance.MEDIUM,
                    "How many of each model's most recent example ids are remembered: an example whose id is among "
                            + "them is a redelivery and is skipped (not predicted, not trained on again). 0 turns "
                            + "this off. Memory: about 100 bytes per id and model.",
                    GROUP_STATE, 6, Width.SHORT, "Dedupe window (ids)")
            .define(LABELS_MAX_PENDING, Type.INT, 10_000, Range.between(0, 10_000_000), Importance.MEDIUM,
                    "Late labels (<prefix>.labels, joined to their example by id): per model, how many predicted "
                            + "unlabeled examples wait for their label, and how many labels wait for an example that "
                            + "has not come yet; the oldest beyond it are evicted (a label then goes to the errors "
                            + "topic as unmatched-label). Each waiting example is kept in the state store with its "
                            + "features. 0 turns late labels off.",
                    GROUP_STATE, 7, Width.SHORT, "Late labels: most waiting")
            .define(LABELS_WAIT_MS, Type.LONG, 3_600_000L, Range.atLeast(0), Importance.MEDIUM,
                    "Late labels: how long (the learner's wall clock) a predicted unlabeled example waits for its "
                            + "label, and a label for its example.",
                    GROUP_STATE, 8, Width.SHORT, "Late labels: wait (ms)")
            .define(SNAPSHOT_EVERY_STEPS, Type.LONG, LearnerSettings.DEFAULT_SNAPSHOT_EVERY_STEPS,
                    Range.between(0, Long.MAX_VALUE), Importance.MEDIUM,
                    "A model publishes a snapshot (its network with the optimizer state, as a DL4J ModelSerializer "
                            + "zip, with its spec and prequential figures) to the compacted <prefix>.models topic "
                            + "whenever its version (training steps) reaches a multiple of this, in the transaction "
                            + "of that training step. 0 turns periodic snapshots off.",
                    GROUP_SNAPSHOTS, 1, Width.SHORT, "Snapshot every (steps)")
            .define(SNAPSHOT_KEEP, Type.INT, LearnerSettings.DEFAULT_SNAPSHOT_KEEP, Range.between(1, 100_000),
                    Importance.LOW,
                    "How many of each model's most recent snapshots stay on <prefix>.models: the learner tombstones "
                            + "older versions (compaction then removes them). Only versions kept can be exported, "
                            + "pinned or rolled back to.",
                    GROUP_SNAPSHOTS, 2, Width.SHORT, "Snapshots kept")
            .define(DRIFT_DETECTORS, Type.LIST, "", ConfigDef.ValidList.in(true, "page-hinkley", "adwin"),
                    Importance.MEDIUM,
                    "Drift detectors that watch each model's stream of labeled examples (scored when they come): "
                            + "page-hinkley, adwin, or both. Each detection is written to <prefix>.events as a "
                            + "DriftEvent, once, in the transaction of the mini-batch that tipped it. Empty: no "
                            + "detection.",
                    GROUP_DRIFT, 1, Width.MEDIUM, "Drift detectors")
            .define(DRIFT_SIGNAL, Type.STRING, "error", ConfigDef.ValidString.in("error", "loss"), Importance.LOW,
                    "What the drift detectors watch: error (1 for a wrong class, else 0) or loss (each prediction's "
                            + "loss). A regression model's detectors watch its loss.",
                    GROUP_DRIFT, 2, Width.SHORT, "Drift signal")
            .define(DRIFT_ACTION, Type.STRING, "none", ConfigDef.ValidString.in("none", "raise-lr",
                    "reset-optimizer", "rollback", "clear-replay"), Importance.MEDIUM,
                    "What the learner does on a drift: none (the event only), raise-lr (the learning rate times "
                            + DRIFT_LR_FACTOR + " for " + DRIFT_LR_STEPS + " training steps, then back), "
                            + "reset-optimizer (the optimizer's state zeroed: Adam's moments, momentum), or rollback "
                            + "(the parameters and optimizer state of the newest kept snapshot at least "
                            + DriftSettings.ROLLBACK_LOOKBACK + " examples' worth of steps before the detection, "
                            + "read from <prefix>.models), or clear-replay (the model's replay reservoir emptied, "
                            + "when its spec replays). Each change is followed by a checkpoint, so a restart "
                            + "replays no step under the wrong rate or parameters.",
                    GROUP_DRIFT, 3, Width.SHORT, "Drift action")
            .define(DRIFT_LR_FACTOR, Type.DOUBLE, 2.0, Range.between(1e-6, 1e6), Importance.LOW,
                    "raise-lr: what the learning rate is multiplied by after a drift.",
                    GROUP_DRIFT, 4, Width.SHORT, "Drift learning-rate factor")
            .define(DRIFT_LR_STEPS, Type.INT, 50, Range.between(1, 100_000_000), Importance.LOW,
                    "raise-lr: for how many training steps after the last drift the raised rate lasts.",
                    GROUP_DRIFT, 5, Width.SHORT, "Drift learning-rate steps")
            .define(DRIFT_PAGE_HINKLEY_LAMBDA, Type.DOUBLE, 50.0, Range.between(1e-6, 1e9), Importance.LOW,
                    "Page-Hinkley's threshold: how far the cumulative deviation of the signal above its mean may "
                            + "rise over its minimum before it is a drift. Higher: fewer false alarms, later "
                            + "detections.",
                    GROUP_DRIFT, 6, Width.SHORT, "Page-Hinkley lambda")
            .define(DRIFT_ADWIN_DELTA, Type.DOUBLE, 0.002, Range.between(1e-12, 0.5), Importance.LOW,
                    "ADWIN's confidence: the chance it may take of cutting its window for no change. Lower: fewer "
                            + "false alarms, later detections.",
                    GROUP_DRIFT, 7, Width.SHORT, "ADWIN delta")
            .define(BASELINES, Type.LIST, "", ConfigDef.ValidList.in(true, Baseline.NAMES.toArray(new String[0])),
                    Importance.MEDIUM,
                    "Shallow learners that race every classification model's network on the same examples, "
                            + "test-then-train: majority (the most frequent class so far), softmax-regression "
                            + "(multinomial logistic regression, SGD), gaussian-nb (Gaussian naive Bayes). Their "
                            + "windowed loss and accuracy are on <prefix>.metrics (contenders), the lead on "
                            + "<prefix>.champions. Empty (the default): no race. Regression models do not race.",
                    GROUP_RACE, 1, Width.MEDIUM, "Baselines")
            .define(BASELINES_WINDOW, Type.INT, 1000, Range.between(10, 10_000_000), Importance.LOW,
                    "About how many of the last labeled examples the race's windowed loss and accuracy weigh "
                            + "(exponentially weighted, 1/window per example).",
                    GROUP_RACE, 2, Width.SHORT, "Race window")
            .define(PREDICTIONS_FROM, Type.STRING, "network", ConfigDef.ValidString.in("network", "champion"),
                    Importance.MEDIUM,
                    "Which learner's prediction <prefix>.predictions carries: network (always the network), or "
                            + "champion (whichever learner of the race leads on windowed prequential loss, with "
                            + "hysteresis; servedBy names it). champion needs " + BASELINES + ".",
                    GROUP_RACE, 3, Width.SHORT, "Predictions from")
            .define(CHAMPION_MARGIN, Type.DOUBLE, 0.05, Range.between(0.0, 0.99), Importance.LOW,
                    "Hysteresis: a challenger takes the lead when its windowed loss is below the champion's times "
                            + "(1 - margin).",
                    GROUP_RACE, 4, Width.SHORT, "Champion margin")
            .define(CHAMPION_PATIENCE, Type.INT, 500, Range.between(0, 100_000_000), Importance.LOW,
                    "Hysteresis: for how many labeled examples in a row the challenger must beat the champion by "
                            + "the margin before it takes the lead.",
                    GROUP_RACE, 5, Width.SHORT, "Champion patience")
            .define(SERVE_APPLICATION_ID, Type.STRING, null, Importance.MEDIUM,
                    "streamtrain serve: the application.id of the serving replicas (their consumer group); by "
                            + "default the learner's application.id followed by -serve. Every replica of one "
                            + "deployment has the same.",
                    GROUP_SERVE, 1, Width.MEDIUM, "Serving application id")
            .define(SERVE_REFRESH_MS, Type.LONG, 100L, Range.between(1, 3_600_000), Importance.LOW,
                    "streamtrain serve: how often each replica looks for a newer (or newly pinned) snapshot of the "
                            + "models it serves, and swaps it in between two requests.",
                    GROUP_SERVE, 2, Width.SHORT, "Serving refresh (ms)")
            .define(SERVE_BATCH_MAX, Type.INT, 32, Range.between(1, 4096), Importance.MEDIUM,
                    "streamtrain serve: the most requests of a model predicted in one call. Above 1, a model's "
                            + "requests wait for a micro-batch (or streamtrain.serve.batch.wait.ms), kept in a "
                            + "changelogged store so that a commit between a request and its prediction loses "
                            + "nothing (two more records per request); 1 predicts each request at once, with no "
                            + "store.",
                    GROUP_SERVE, 3, Width.SHORT, "Serving micro-batch")
            .define(SERVE_BATCH_WAIT_MS, Type.LONG, 5L, Range.between(0, 60_000), Importance.LOW,
                    "streamtrain serve, with streamtrain.serve.batch.max above 1: the longest the first request of "
                            + "a micro-batch waits for it to fill.",
                    GROUP_SERVE, 4, Width.SHORT, "Serving micro-batch wait (ms)")
            .define(HTTP_HOST, Type.STRING, "127.0.0.1",
                    ConfigDef.NonEmptyStringWithoutControlChars.nonEmptyStringWithoutControlChars(),
                    Importance.MEDIUM,
                    "The address the HTTP endpoint (/metrics in the Prometheus text format, /health) of the learner "
                            + "and of a serving replica listens on. Loopback by default; 0.0.0.0 for every "
                            + "interface (as in a container, whose port is then published or not).",
                    GROUP_HTTP, 1, Width.MEDIUM, "HTTP host")
            .define(HTTP_PORT, Type.INT, DEFAULT_HTTP_PORT, Range.between(-1, 65_535), Importance.MEDIUM,
                    "The port of the HTTP endpoint (/metrics, /health). 0 takes any free port (the start log and "
                            + "the terminal say which); -1 opens no endpoint. A port in use stops the start. A "
                            + "learner and a serving replica on one host each need a port of their own.",
                    GROUP_HTTP, 2, Width.SHORT, "HTTP port");

    private final String topicPrefix;
    private final boolean createTopics;
    private final int partitions;
    private final short replicationFactor;
    private final String modelSpec;
    private final String modelSpecsDir;
    private final boolean rejectUnlisted;
    private final int maxRecordBytes;
    private final int checkpointEveryBatches;
    private final Duration metricsInterval;
    private final long metricsEveryExamples;
    private final Duration punctuateInterval;
    private final Duration commitEarlyMaxLag;
    private final int dedupeWindow;
    private final int labelsMaxPending;
    private final Duration labelsWait;
    private final long snapshotEverySteps;
    private final int snapshotKeep;
    private final DriftSettings drift;
    private final RaceSettings race;

    public LearnerConfig(Map<?, ?> originals) {
        super(CONFIG, originals, false);
        topicPrefix = getString(TOPIC_PREFIX);
        createTopics = getBoolean(TOPICS_CREATE);
        partitions = getInt(TOPICS_PARTITIONS);
        replicationFactor = getShort(TOPICS_REPLICATION);
        modelSpec = getString(MODEL_SPEC);
        modelSpecsDir = getString(MODEL_SPECS_DIR);
        rejectUnlisted = "reject".equals(getString(MODEL_UNLISTED));
        checkpointEveryBatches = getInt(CHECKPOINT_EVERY_BATCHES);
        metricsInterval = Duration.ofMillis(getLong(METRICS_INTERVAL_MS));
        metricsEveryExamples = getLong(METRICS_EVERY_EXAMPLES);
        punctuateInterval = Duration.ofMillis(getLong(PUNCTUATE_INTERVAL_MS));
        commitEarlyMaxLag = Duration.ofMillis(getLong(COMMIT_EARLY_MAX_LAG_MS));
        dedupeWindow = getInt(DEDUPE_WINDOW);
        labelsMaxPending = getInt(LABELS_MAX_PENDING);
        labelsWait = Duration.ofMillis(getLong(LABELS_WAIT_MS));
        snapshotEverySteps = getLong(SNAPSHOT_EVERY_STEPS);
        snapshotKeep = getInt(SNAPSHOT_KEEP);
        try {
            drift = new DriftSettings(getList(DRIFT_DETECTORS), DriftSettings.Signal.valueOf(
                    getString(DRIFT_SIGNAL).toUpperCase(Locale.ROOT)),
                    DriftSettings.Action.of(getString(DRIFT_ACTION)), getDouble(DRIFT_LR_FACTOR),
                    getInt(DRIFT_LR_STEPS), getDouble(DRIFT_PAGE_HINKLEY_LAMBDA), getDouble(DRIFT_ADWIN_DELTA));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(DRIFT_DETECTORS, getList(DRIFT_DETECTORS), e.getMessage());
        }
        boolean champion = "champion".equals(getString(PREDICTIONS_FROM));
        if (champion && getList(BASELINES).isEmpty()) {
            throw new ConfigException(PREDICTIONS_FROM, "champion", "predictions from the champion need baselines "
                    + "to race: set " + BASELINES + " (for example majority,softmax-regression,gaussian-nb)");
        }
        try {
            race = new RaceSettings(getList(BASELINES), getInt(BASELINES_WINDOW), champion,
                    getDouble(CHAMPION_MARGIN), getInt(CHAMPION_PATIENCE));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(BASELINES, getList(BASELINES), e.getMessage());
        }
        validate();
        maxRecordBytes = parseMaxRecordBytes();
    }

    private void validate() {
        Object bootstrap = originals().get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
        if (bootstrap == null || bootstrap.toString().isBlank()) {
            throw new ConfigException(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    "is required: the Kafka cluster to read examples from");
        }
        Object registry = originals().get("schema.registry.url");
        if (registry == null || registry.toString().isBlank()) {
            throw new ConfigException("schema.registry.url", registry,
                    "is required: the Confluent-compatible schema registry of the Avro topics");
        }
        // the registry keys are checked now (a malformed URL, a bad store type), not when the first record comes
        new SchemaRegistryClientConfig(registryConfig());
        Object guarantee = originals().get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG);
        if (guarantee != null && !StreamsConfig.EXACTLY_ONCE_V2.equals(guarantee)
                && !StreamsConfig.AT_LEAST_ONCE.equals(guarantee)) {
            throw new ConfigException(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, guarantee,
                    "must be exactly_once_v2 (the default) or at_least_once");
        }
    }

    /**
     * The producer's {@code max.request.size} ({@code producer.max.request.size} wins over the plain key), the bound
     * the learner keeps every record it writes under.
     */
    public int maxRecordBytes() {
        return maxRecordBytes;
    }

    private int parseMaxRecordBytes() {
        String prefixed = StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
        String key = originals().containsKey(prefixed) ? prefixed : ProducerConfig.MAX_REQUEST_SIZE_CONFIG;
        Object value = originals().get(key);
        if (value == null) {
            return LearnerSettings.DEFAULT_MAX_RECORD_BYTES;
        }
        int bytes;
        try {
            bytes = Integer.parseInt(value.toString().trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(key, value, "must be a whole number of bytes");
        }
        if (bytes < LearnerSettings.MIN_MAX_RECORD_BYTES) {
            throw new ConfigException(key, value, "must be at least " + LearnerSettings.MIN_MAX_RECORD_BYTES
                    + " bytes: the learner copies rejected records into the errors topic");
        }
        return bytes;
    }

    public String topicPrefix() {
        return topicPrefix;
    }

    public boolean createTopics() {
        return createTopics;
    }

    public int partitions() {
        return partitions;
    }

    public short replicationFactor() {
        return replicationFactor;
    }

    public String modelSpec() {
        return modelSpec;
    }

    /** The directory of specs named by model id, or null. */
    public String modelSpecsDir() {
        return modelSpecsDir;
    }

    /** The specs given to single models by {@code streamtrain.model.spec.<model>}: model id → location. */
    public Map<String, String> modelSpecKeys() {
        Map<String, String> specs = new java.util.TreeMap<>();
        originals().forEach((k, v) -> {
            if (k.startsWith(MODEL_SPEC_PREFIX) && k.length() > MODEL_SPEC_PREFIX.length() && v != null) {
                specs.put(k.substring(MODEL_SPEC_PREFIX.length()), v.toString().trim());
            }
        });
        return specs;
    }

    /** Whether a model without a spec of its own is rejected rather than built from the default spec. */
    public boolean rejectUnlistedModels() {
        return rejectUnlisted;
    }

    public int checkpointEveryBatches() {
        return checkpointEveryBatches;
    }

    public Duration metricsInterval() {
        return metricsInterval;
    }

    public long metricsEveryExamples() {
        return metricsEveryExamples;
    }

    public Duration punctuateInterval() {
        return punctuateInterval;
    }

    public Duration commitEarlyMaxLag() {
        return commitEarlyMaxLag;
    }

    public int dedupeWindow() {
        return dedupeWindow;
    }

    public int labelsMaxPending() {
        return labelsMaxPending;
    }

    public Duration labelsWait() {
        return labelsWait;
    }

    public long snapshotEverySteps() {
        return snapshotEverySteps;
    }

    public int snapshotKeep() {
        return snapshotKeep;
    }

    /**
     * Settings for a reader of the learner's topics that leaves nothing behind ({@code tail}, the dashboard): no
     * group, no commits, only what was committed, no topic created by asking for it.
     */
    public static Map<String, Object> readerConfig(Map<String, Object> consumerConfig, String clientId) {
        Map<String, Object> reader = new LinkedHashMap<>(consumerConfig);
        reader.remove(ConsumerConfig.GROUP_ID_CONFIG);
        reader.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        reader.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        reader.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        reader.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        reader.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        return reader;
    }

    /** The shallow baselines racing each classification model's network, and whether predictions follow the lead. */
    public RaceSettings race() {
        return race;
    }

    /** How each model's stream is watched for drift, and what is done on a detection. */
    public DriftSettings drift() {
        return drift;
    }

    public int serveBatchMax() {
        return getInt(SERVE_BATCH_MAX);
    }

    public Duration serveBatchWait() {
        return Duration.ofMillis(getLong(SERVE_BATCH_WAIT_MS));
    }

    /** The address of the HTTP endpoint. */
    public String httpHost() {
        return getString(HTTP_HOST).trim();
    }

    /** The port of the HTTP endpoint: 0 for any free one, -1 for none. */
    public int httpPort() {
        return getInt(HTTP_PORT);
    }

    public Duration serveRefreshInterval() {
        return Duration.ofMillis(getLong(SERVE_REFRESH_MS));
    }

    /**
     * The Kafka Streams properties of a serving replica: the learner's, under the serving application id, with a
     * state directory of its own (the global stores of the models and pins topics).
     */
    public Properties serveStreamsProperties() {
        Properties p = streamsProperties();
        String id = getString(SERVE_APPLICATION_ID);
        p.put(StreamsConfig.APPLICATION_ID_CONFIG,
                id != null ? id : p.get(StreamsConfig.APPLICATION_ID_CONFIG) + "-serve");
        return p;
    }

    /**
     * The Kafka Streams properties: every key that is not Streamtrain's own, with Streamtrain's defaults where the
     * user set nothing: exactly-once, a bounded commit interval, the learner's application id, larger polls and
     * fetches, and a producer {@code linger.ms} of 5 ms instead of Kafka Streams' 100 ms, which held predictions back
     * under at_least_once (exactly-once flushes at each commit anyway).
     */
    public Properties streamsProperties() {
        return streamsProperties(false);
    }

    /** The bytes a fetch takes of one partition, by default, when some model trains on several replicas. */
    public static final int REPLICATED_FETCH_BYTES = 256 * 1024;

    /**
     * As {@link #streamsProperties()}, for a learner whose specs train some model on several replicas when
     * {@code replicatedModels}: a fetch then takes at most {@value #REPLICATED_FETCH_BYTES} bytes of a partition
     * unless the user set it. A consumer hands out each fetched partition's records before those of partitions
     * fetched after it, so a round's records on the params and global topics wait behind a whole fetch of examples;
     * behind a backlog, 8 MiB of them (50,000 examples of 20 features) held every round until the backlog was gone.
     */
    public Properties streamsProperties(boolean replicatedModels) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "streamtrain-learner");
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "100");
        p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, "0");
        // a client default goes in with its prefix, which wins over the plain key: only when the user set neither
        clientDefault(p, StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), "1000");
        // 8 MiB per partition and fetch (Kafka's default is 1 MiB): ~2,600 examples of 784 features instead of
        // ~330, so that the stream thread waits less often for the next fetch (bench pipeline: +4-8%)
        clientDefault(p, StreamsConfig.consumerPrefix(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG),
                Integer.toString(replicatedModels ? REPLICATED_FETCH_BYTES : 8 << 20));
        clientDefault(p, StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), "5");
        originals().forEach((k, v) -> {
            if (!k.startsWith("streamtrain.")) {
                p.put(k, v);
            }
        });
        return p;
    }

    private void clientDefault(Properties p, String prefixedKey, String value) {
        String plainKey = prefixedKey.substring(prefixedKey.indexOf('.') + 1);
        if (!originals().containsKey(prefixedKey) && !originals().containsKey(plainKey)) {
            p.put(prefixedKey, value);
        }
    }

    /** The keys for the registry client and the Avro serdes. */
    public Map<String, Object> registryConfig() {
        Map<String, Object> registry = new HashMap<>();
        originals().forEach((k, v) -> {
            for (String prefix : REGISTRY_PREFIXES) {
                if (k.startsWith(prefix)) {
                    registry.put(k, v);
                }
            }
        });
        return registry;
    }

    /** Kafka client properties for the admin client that checks and creates topics. */
    public Map<String, Object> adminConfig() {
        return clientConfig(org.apache.kafka.clients.admin.AdminClientConfig.configNames(),
                StreamsConfig.ADMIN_CLIENT_PREFIX);
    }

    /**
     * Kafka consumer properties for a reader of the learner's topics ({@code tail}, {@code export}, {@code control},
     * warm starts and rollbacks from the models topic): the client keys of
     * the Kafka Streams properties (servers, security) and the {@code consumer.}-prefixed ones, which win.
     */
    public Map<String, Object> consumerConfig() {
        return clientConfig(ConsumerConfig.configNames(), StreamsConfig.CONSUMER_PREFIX);
    }

    /** A client's keys of the Kafka Streams properties, then its {@code prefix}ed ones, which win. */
    private Map<String, Object> clientConfig(Set<String> names, String prefix) {
        Map<String, Object> client = new HashMap<>();
        Properties streams = streamsProperties();
        for (String key : names) {
            if (streams.containsKey(key)) {
                client.put(key, streams.get(key));
            }
        }
        streams.forEach((k, v) -> {
            String key = k.toString();
            if (key.startsWith(prefix)) {
                client.put(key.substring(prefix.length()), v);
            }
        });
        return client;
    }

    /** The configuration reference, for {@code --help} and the documentation. */
    public static String reference() {
        return CONFIG.toRst();
    }

    /** Topic prefixes are topic names themselves: legal characters only, and short enough for the suffixes. */
    static final class TopicPrefixValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            String s = (String) value;
            if (s == null || s.isEmpty() || s.length() > 200 || !s.matches("[a-zA-Z0-9._-]+")) {
                throw new ConfigException(name, value,
                        "must be 1 to 200 characters of a-z, A-Z, 0-9, '.', '_' and '-'");
            }
        }

        @Override
        public String toString() {
            return "1 to 200 characters of [a-zA-Z0-9._-]";
        }
    }
}
