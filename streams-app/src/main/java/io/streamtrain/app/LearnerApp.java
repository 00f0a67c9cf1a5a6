package io.streamtrain.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import io.streamtrain.avro.ControlCommand;
import io.streamtrain.avro.Example;
import io.streamtrain.avro.Label;
import io.streamtrain.avro.ModelSnapshot;
import io.streamtrain.avro.Prediction;
import io.streamtrain.avro.ServingPin;
import io.streamtrain.learn.NetworkSpec;
import io.streamtrain.learn.SnapshotRef;
import io.streamtrain.snapshot.SnapshotException;
import io.streamtrain.snapshot.SnapshotReader;
import io.streamtrain.registry.ConfluentAvroSerde;
import io.streamtrain.registry.ExampleDeserializer;
import io.streamtrain.registry.SchemaRegistryException;
import io.streamtrain.topology.LearnerSettings;
import io.streamtrain.topology.LearnerTopics;
import io.streamtrain.topology.LearnerStoppedException;
import io.streamtrain.topology.LearnerTopology;
import io.streamtrain.topology.ServeSettings;
import io.streamtrain.topology.ServeTopology;
import io.streamtrain.topology.Topic;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.factory.Nd4jBackend;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The learner as a running application: checks or creates its topics, builds the topology from the configuration,
 * runs Kafka Streams and stops it cleanly.
 */
public final class LearnerApp implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LearnerApp.class);

    private final LearnerConfig config;
    private final KafkaStreams streams;
    /** The exit status after an error that is not an outage: fix the cause (the log says it) and restart. */
    public static final int EXIT_FATAL = 1;
    /** The exit status after an outage of the cluster or the registry outlasted every retry: restart once it is over. */
    public static final int EXIT_OUTAGE = 3;
    /** Thread replacements allowed for transient failures before the learner gives up and exits. */
    static final int MAX_THREAD_REPLACEMENTS = 10;

    /**
     * How long a rollback may read the models topic, on the stream thread: well within the consumer's
     * max.poll.interval.ms (5 min by default).
     */
    static final Duration SNAPSHOT_READ_TIMEOUT = Duration.ofSeconds(30);

    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicInteger transientFailures = new AtomicInteger();
    private volatile Throwable failure;
    /** /metrics and /health, or null with streamtrain.http.port=-1. */
    private volatile HttpEndpoint endpoint;

    private LearnerApp(LearnerConfig config, Topology topology, Properties properties) {
        this.config = config;
        this.streams = new KafkaStreams(topology, properties);
        streams.setUncaughtExceptionHandler(e -> {
            boolean transientError = isTransient(e);
            if (transientError && transientFailures.incrementAndGet() <= MAX_THREAD_REPLACEMENTS) {
                // the registry or the cluster was out of reach past the clients' own retries: under exactly-once
                // the task's transaction is aborted and a new thread takes it up from the last commit
                log.warn("a stream thread failed on a transient error (replacement {} of at most {}): {}",
                        transientFailures.get(), MAX_THREAD_REPLACEMENTS, transientCause(e));
                return StreamThreadExceptionResponse.REPLACE_THREAD;
            }
            if (transientError) {
                // the outage outlasted every replacement: say so, and what it was, not "Exception caught in process"
                failure = new IllegalStateException("gave up after " + MAX_THREAD_REPLACEMENTS
                        + " stream thread replacements on transient errors; the last: " + transientCause(e), e);
                log.error("the learner stopped: {}", failure.getMessage(), e);
            } else {
                failure = e;
                log.error("the learner stopped on an error it cannot recover from; fix the cause and restart it", e);
            }
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        streams.setStateListener((now, before) -> {
            log.info("learner state {} -> {}", before, now);
            if (now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.ERROR) {
                stopped.countDown();
            }
        });
    }

    /** Builds the learner from its configuration and starts it. */
    public static LearnerApp start(LearnerConfig config) {
        return start(config, ModelSpecs.load(config));
    }

    /** Starts the learner with the specs already loaded and checked from its configuration. */
    public static LearnerApp start(LearnerConfig config, ModelSpecs specs) {
        LearnerTopics topics = topics(config);
        logBackend();
        // also the bound on an unreachable cluster: Kafka clients would otherwise retry without end
        // the events and champions topics only when something writes to them: a learner without drift detection or
        // without baselines racing does not need them
        boolean replicated = specs.fallback() != null && specs.fallback().replicas() > 1
                || specs.byModel().values().stream().anyMatch(spec -> spec.replicas() > 1);
        // the params and global topics, like the events and champions topics, only when something uses them
        List<String> optional = replicated ? List.of() : List.of(topics.params().name(), topics.global().name());
        List<String> needed = topics.names().stream()
                .filter(name -> config.drift().enabled() || !name.equals(topics.events().name()))
                .filter(name -> config.race().enabled() || !name.equals(topics.champions().name()))
                .filter(name -> !optional.contains(name)).toList();
        prepareTopics(config, needed, topics.compacted(), topics.coPartitioned().stream()
                .filter(name -> !optional.contains(name)).toList());
        specs = fetchWarmStarts(config, topics, specs);
        LearnerSettings settings = LearnerSettings.builder(topics,
                // examples written with the Example schema itself are read straight into their feature arrays
                () -> ExampleDeserializer.create(config.registryConfig()),
                () -> ConfluentAvroSerde.specific(Label.class, config.registryConfig(), false).deserializer(),
                specs)
                .checkpointEveryBatches(config.checkpointEveryBatches())
                .metricsInterval(config.metricsInterval())
                .metricsEveryExamples(config.metricsEveryExamples())
                .punctuateInterval(config.punctuateInterval())
                .commitEarlyMaxLag(config.commitEarlyMaxLag())
                .dedupeWindow(config.dedupeWindow())
                .maxPendingLabels(config.labelsMaxPending())
                .labelWait(config.labelsWait())
                .maxRecordBytes(config.maxRecordBytes())
                .snapshotEverySteps(config.snapshotEverySteps())
                .snapshotKeep(config.snapshotKeep())
                .drift(config.drift())
                .race(config.race())
                .replicated(replicated)
                .controlDeserializer(() -> ConfluentAvroSerde.specific(ControlCommand.class, config.registryConfig(),
                        false).deserializer())
                .snapshotSource((model, version) -> new SnapshotReader(config.consumerConfig(),
                        config.registryConfig(), topics.models().name(), SNAPSHOT_READ_TIMEOUT)
                        .fetch(model, OptionalLong.of(version)).zip())
                .build();
        StreamsBuilder builder = new StreamsBuilder();
        LearnerTopology.build(builder, settings);
        Properties streamsProperties = config.streamsProperties(replicated);
        Topology topology = builder.build(streamsProperties);
        log.debug("learner topology:\n{}", topology.describe());
        LearnerApp app = new LearnerApp(config, topology, streamsProperties);
        log.info("starting the learner: reading {} and {}, writing {}, {}, {}; model spec {}{}{}; processing "
                + "guarantee {}", topics.examples(), topics.labels(), topics.predictions(), topics.metrics(),
                topics.errors(), specs.fallback() == null ? "(none: models without their own are rejected)"
                        : config.modelSpec(),
                specs.byModel().isEmpty() ? "" : ", own specs for models " + specs.byModel().keySet(),
                config.modelSpecsDir() == null ? "" : " (from " + config.modelSpecsDir() + ")",
                streamsProperties.get("processing.guarantee"));
        app.openEndpoint("the learner");
        app.streams.start();
        return app;
    }

    /**
     * Logs the ND4J backend the networks compute on (the metrics report it too, as {@code backend}). Loading it here,
     * before Kafka Streams starts, also makes a build without a usable backend (a CUDA build without a GPU) fail at
     * once rather than at the first example.
     */
    private static void logBackend() {
        Nd4jBackend backend;
        try {
            backend = Nd4j.getBackend();
        } catch (ExceptionInInitializerError e) {
            // ND4J loads its backend in a static initializer; the warnings it logged before say why each one failed
            throw new IllegalStateException("no usable ND4J backend: a CUDA build (-Pcuda) needs an NVIDIA GPU, its "
                    + "driver and the CUDA 11.6 libraries; the CPU build needs nd4j-native for this platform", e);
        }
        Properties environment = Nd4j.getExecutioner().getEnvironmentInformation();
        log.info("ND4J backend {} ({}): blas {}, omp threads {}, cores {}{}", backend.getClass().getSimpleName(),
                Nd4j.getEnvironment().isCPU() ? "CPU" : "CUDA", environment.get("blas.vendor"),
                environment.get("omp.threads"), environment.get("cores"),
                environment.containsKey("cuda.availableDevices")
                        ? ", devices " + environment.get("cuda.availableDevices") : "");
    }

    /**
     * Starts a serving replica ({@code streamtrain serve}): a Kafka Streams application of its own (the learner's
     * {@code application.id} + {@code -serve}, or {@code streamtrain.serve.application.id}) that predicts
     * {@code <prefix>.requests} into {@code <prefix>.served} with the snapshots of {@code <prefix>.models}.
     */
    public static LearnerApp serve(LearnerConfig config) {
        LearnerTopics topics = topics(config);
        Map<String, Object> registry = config.registryConfig();
        ServeSettings settings = new ServeSettings(
                new Topic<>(config.topicPrefix() + ".requests", Serdes.String(), Serdes.ByteArray()),
                new Topic<>(config.topicPrefix() + ".served", Serdes.String(),
                        ConfluentAvroSerde.specific(Prediction.class, registry, false)),
                topics.errors(), topics.models().name(), topics.pins().name(),
                () -> ExampleDeserializer.create(registry),
                () -> ConfluentAvroSerde.specific(ModelSnapshot.class, registry, false).deserializer(),
                () -> ConfluentAvroSerde.specific(ServingPin.class, registry, false).deserializer(),
                config.serveRefreshInterval(), config.maxRecordBytes(), config.commitEarlyMaxLag(),
                config.serveBatchMax(), config.serveBatchWait());
        logBackend();
        prepareTopics(config, List.of(settings.requests().name(), settings.served().name(), topics.errors().name(),
                topics.models().name(), topics.pins().name()), topics.compacted(), List.of(settings.requests().name()));
        Properties properties = config.serveStreamsProperties();
        StreamsBuilder builder = new StreamsBuilder();
        ServeTopology.build(builder, settings);
        Topology topology = builder.build(properties);
        LearnerApp app = new LearnerApp(config, topology, properties);
        log.info("starting a serving replica ({}): reading {}, writing {}, models from {} and {}",
                properties.get(StreamsConfig.APPLICATION_ID_CONFIG), settings.requests(), settings.served(),
                settings.models(), settings.pins());
        app.openEndpoint("the serving replica");
        app.streams.start();
        return app;
    }

    /**
     * Opens /metrics and /health before Kafka Streams starts, so that a port in use stops the start at once, with
     * the key to change, rather than leaving a learner that runs unwatched.
     */
    private void openEndpoint(String what) {
        int port = config.httpPort();
        if (port < 0) {
            log.info("{} opens no HTTP endpoint ({}=-1)", what, LearnerConfig.HTTP_PORT);
            return;
        }
        String host = config.httpHost();
        try {
            endpoint = HttpEndpoint.open(host, port, streams);
        } catch (IOException | RuntimeException e) {
            streams.close(Duration.ZERO);
            throw new ConfigException(LearnerConfig.HTTP_PORT, port, "cannot listen on " + host + ":" + port
                    + " for /metrics and /health (" + e.getMessage() + "); set " + LearnerConfig.HTTP_PORT
                    + " to a free port, 0 for any free one or -1 for no endpoint, or " + LearnerConfig.HTTP_HOST
                    + " to an address of this host");
        }
        log.info("{}'s metrics at {}{}, its health at {}{}", what, endpoint.url(), HttpEndpoint.METRICS_PATH,
                endpoint.url(), HttpEndpoint.HEALTH_PATH);
    }

    /**
     * The specs with each snapshot a {@code warmStart: topic:M@N} names fetched from the models topic into a file,
     * once, before any model is made: a spec whose snapshot is not there stops the start, saying which versions are.
     */
    static ModelSpecs fetchWarmStarts(LearnerConfig config, LearnerTopics topics, ModelSpecs specs) {
        Map<SnapshotRef, Path> fetched = new HashMap<>();
        return specs.map(spec -> spec.warmStartSnapshot().map(ref -> spec.withWarmStartFile(fetched.computeIfAbsent(
                ref, r -> fetchWarmStart(config, topics, r)))).orElse(spec));
    }

    private static Path fetchWarmStart(LearnerConfig config, LearnerTopics topics, SnapshotRef ref) {
        SnapshotReader reader = new SnapshotReader(config.consumerConfig(), config.registryConfig(),
                topics.models().name(), Duration.ofMinutes(2));
        SnapshotReader.Snapshot snapshot;
        try {
            snapshot = reader.fetch(ref.model(), ref.version());
        } catch (SnapshotException e) {
            throw new IllegalStateException("warmStart " + ref + ": " + e.getMessage(), e);
        }
        try {
            Path zip = Files.createTempFile("streamtrain-warm-start-", ".zip");
            zip.toFile().deleteOnExit();
            Files.write(zip, snapshot.zip());
            log.info("warm start {}: version {} of model {} ({} bytes, {} examples trained)", ref,
                    snapshot.description().getVersion(), ref.model(), snapshot.zip().length,
                    snapshot.description().getExamplesTrained());
            return zip;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the warm start " + ref + " to a temporary file", e);
        }
    }

    /** The typed topics of the learner under the configured prefix. */
    public static LearnerTopics topics(LearnerConfig config) {
        Map<String, Object> registry = config.registryConfig();
        return LearnerTopics.under(config.topicPrefix(), type -> ConfluentAvroSerde.specific(type, registry, false));
    }

    /** Loads a spec from a path, or from the specs shipped with Streamtrain with {@code classpath:<name>}. */
    public static NetworkSpec loadSpec(String location) {
        if (location.startsWith("classpath:")) {
            return NetworkSpec.fromResource(location.substring("classpath:".length()));
        }
        try {
            return NetworkSpec.parse(Path.of(location));
        } catch (UncheckedIOException e) {
            // a configuration error like any other, not a crash: the message names the file and why
            throw new IllegalArgumentException(e.getMessage() + ": " + e.getCause(), e);
        }
    }

    /**
     * Creates the missing topics, or with {@code streamtrain.topics.create=false} fails naming them, within the
     * admin client's {@code default.api.timeout.ms} when set, else 30 s; the {@code compacted} ones compacted. The
     * {@code coPartitioned} topics that exist must have the same number of partitions, and topics created get that
     * number (the first one's, the examples or requests topic, when it exists).
     */
    private static void prepareTopics(LearnerConfig config, List<String> names, List<String> compacted,
            List<String> coPartitioned) {
        Map<String, Object> adminConfig = config.adminConfig();
        Object timeoutSetting = adminConfig.get(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG);
        int timeoutMs = timeoutSetting == null ? 30_000 : Integer.parseInt(timeoutSetting.toString().trim());
        String cluster = String.valueOf(adminConfig.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG));
        try (Admin admin = Admin.create(adminConfig)) {
            Set<String> existing = admin.listTopics(new ListTopicsOptions().timeoutMs(timeoutMs)).names()
                    .get(timeoutMs, TimeUnit.MILLISECONDS);
            String examples = coPartitioned.get(0);
            List<String> joined = coPartitioned.stream().filter(existing::contains).toList();
            Map<String, Integer> partitions = new HashMap<>();
            admin.describeTopics(joined).allTopicNames().get(timeoutMs, TimeUnit.MILLISECONDS)
                    .forEach((name, description) -> partitions.put(name, description.partitions().size()));
            if (partitions.values().stream().distinct().count() > 1) {
                throw new IllegalStateException("the topics " + partitions + " (topic=partitions) have different "
                        + "numbers of partitions: a model's labels and commands are taken in the partition of its "
                        + "examples, so " + coPartitioned + " need the same number of partitions");
            }
            int newPartitions = partitions.getOrDefault(examples,
                    partitions.values().stream().findFirst().orElse(config.partitions()));
            List<NewTopic> missing = new ArrayList<>();
            for (String name : names) {
                if (!existing.contains(name)) {
                    NewTopic topic = new NewTopic(name, Optional.of(newPartitions),
                            Optional.of(config.replicationFactor()));
                    if (compacted.contains(name)) {
                        // every kept version of every model, each chunk under a key of its own
                        topic.configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
                    }
                    missing.add(topic);
                }
            }
            if (missing.isEmpty()) {
                return;
            }
            List<String> missingNames = missing.stream().map(NewTopic::name).toList();
            if (!config.createTopics()) {
                throw new IllegalStateException("the learner's topics " + missingNames + " do not exist on " + cluster
                        + ": create them, or set " + LearnerConfig.TOPICS_CREATE + "=true");
            }
            try {
                admin.createTopics(missing, new CreateTopicsOptions().timeoutMs(timeoutMs)).all()
                        .get(timeoutMs, TimeUnit.MILLISECONDS);
                log.info("created topics {}", missingNames);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
                throw unanswered(cluster, timeoutMs, e.getCause());
            }
            throw new IllegalStateException("cannot check or create the learner's topics on " + cluster + ": "
                    + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw unanswered(cluster, timeoutMs, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking the learner's topics", e);
        }
    }

    private static IllegalStateException unanswered(String cluster, int timeoutMs, Throwable cause) {
        return new IllegalStateException("the Kafka cluster at " + cluster + " did not answer within " + timeoutMs
                + " ms while checking the learner's topics; is bootstrap.servers right and the cluster up?", cause);
    }

    /** Whether an error is an outage that may pass: a registry that could not be reached or answered 5xx. */
    static boolean isTransient(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SchemaRegistryException r) {
                return r.isRetriable();
            }
            if (t instanceof org.apache.kafka.common.errors.RetriableException) {
                return true;
            }
        }
        return false;
    }

    /** The exit status of a learner stopped by an error: 3 for an outage that outlasted the retries, else 1. */
    public static int exitStatus(Throwable failure) {
        return isTransient(failure) ? EXIT_OUTAGE : EXIT_FATAL;
    }

    /**
     * One line on why the learner stopped: the learner's own account (which says the record, by topic, partition and
     * offset, or the model's timed step) when there is one, else Kafka Streams' message without its stack trace, and
     * the root cause.
     */
    public static String reason(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof LearnerStoppedException) {
                return t.getMessage();
            }
        }
        String message = String.valueOf(failure.getMessage());
        int trace = message.indexOf(", stacktrace=");
        if (trace >= 0) {
            message = message.substring(0, trace);
        }
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == failure ? message : message + "; caused by " + root;
    }

    /** The message of the outage in an error's causes (the registry's or the client's), else the error's own. */
    private static String transientCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SchemaRegistryException
                    || t instanceof org.apache.kafka.common.errors.RetriableException) {
                return t.getMessage();
            }
        }
        return e.getMessage();
    }

    /** The running Kafka Streams instance, for its state and metrics. */
    public KafkaStreams streams() {
        return streams;
    }

    public LearnerConfig config() {
        return config;
    }

    /** The port of /metrics and /health (the one taken, for {@code streamtrain.http.port=0}); empty when off. */
    public OptionalInt httpPort() {
        return endpoint == null ? OptionalInt.empty() : OptionalInt.of(endpoint.port());
    }

    /** Where /metrics and /health are, e.g. {@code http://127.0.0.1:9464}; empty when off. */
    public Optional<String> httpUrl() {
        return endpoint == null ? Optional.empty() : Optional.of(endpoint.url());
    }

    /** Waits until the learner has stopped; returns the error that stopped it, if any. */
    public Optional<Throwable> awaitStop() throws InterruptedException {
        stopped.await();
        return Optional.ofNullable(failure);
    }

    /**
     * Makes {@link #awaitStop()} return (with no error) without closing anything, so that the thread that waits
     * there closes the learner itself: what a Ctrl-C asks for. Returns at once.
     */
    public void requestStop() {
        stopped.countDown();
    }

    @Override
    public void close() {
        try {
            streams.close(Duration.ofSeconds(30));
        } finally {
            // after Kafka Streams, so that /health says the learner is stopping rather than nothing at all
            if (endpoint != null) {
                endpoint.close();
            }
            stopped.countDown();
        }
    }
}
