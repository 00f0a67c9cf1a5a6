package io.streamtrain.app;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;

import io.streamtrain.registry.ConfluentAvroDeserializer;
import io.streamtrain.registry.RestSchemaRegistryClient;
import io.streamtrain.registry.SchemaRegistryClient;
import io.streamtrain.registry.SchemaRegistryException;
import io.streamtrain.registry.WireFormatException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code streamtrain tail}: prints the records of one of the learner's topics (or any topic of Avro records in the
 * Confluent wire format) as JSON lines, decoded through the schema registry with each record's own writer schema, so
 * that records of schemas it was not built with print too. Reads read_committed, without a consumer group, from the
 * end (or the beginning) of every partition. Records go to stdout, one JSON object a line ({@link PlainJson});
 * everything else to stderr.
 */
@Command(name = "tail", mixinStandardHelpOptions = true, versionProvider = BuildVersion.class, sortOptions = false,
        description = {"Prints a topic's records as JSON lines, decoded via the registry.",
            "It reads read_committed and prints one JSON object a line on stdout, for jq;",
            "diagnostics go to stderr. TOPIC is a topic's name, or a short name of the",
            "learner's topics, mapped to <prefix>.<name>: examples, labels, predictions,",
            "metrics, errors, events, champions, served, control.log. Kafka and the",
            "registry are set as for 'run' (--config) and by the options below, which win",
            "over the file."},
        footer = {"", "Timestamps print as ISO-8601 strings in UTC, unions as their bare value, bytes",
            "as base64. Exit status: 0 after --max records, or when the reader of its",
            "output goes away; 2 for a bad option or configuration, or an unknown topic;",
            "3 when Kafka or the registry does not answer; 130 on Ctrl-C.",
            "", "Examples:",
            "  bin/streamtrain tail predictions --config learner.properties \\",
            "      --from-beginning --max 5",
            "  bin/streamtrain tail metrics --bootstrap-server 127.0.0.1:9092 \\",
            "      --registry-url http://127.0.0.1:8081/apis/ccompat/v7 | jq .meanLoss"})
final class TailCommand implements Callable<Integer> {

    /** The learner's topics by their name after the prefix (served is written by the serving replicas). */
    static final List<String> SHORT_NAMES = List.of("examples", "labels", "predictions", "metrics", "errors",
            "events", "champions", "served", "control.log");
    static final int EXIT_BAD_INPUT = 2;
    static final int EXIT_OUTAGE = LearnerApp.EXIT_OUTAGE;
    static final int EXIT_INTERRUPTED = 130;
    /**
     * How long tail waits for Kafka to name the topic's partitions before it says that Kafka does not answer, unless
     * {@code default.api.timeout.ms} is set: shorter than the consumer's default of 60 s, for a command at a prompt.
     */
    static final Duration METADATA_WAIT = Duration.ofSeconds(30);
    private static final Duration POLL = Duration.ofMillis(500);
    /** How long a Ctrl-C waits for the consumer to close before the JVM ends anyway. */
    private static final Duration STOP_WAIT = Duration.ofSeconds(10);

    @Parameters(index = "0", paramLabel = "TOPIC",
            description = "A topic, or a short name of the learner's (mapped to <prefix>.<name>).")
    String topic;

    @Option(names = "--config", paramLabel = "FILE",
            description = "The learner's properties file: bootstrap.servers, schema.registry.url, security "
                    + "settings, streamtrain.topic.prefix.")
    Path config;

    @Option(names = "--bootstrap-server", paramLabel = "HOST:PORT",
            description = "Kafka; overrides bootstrap.servers.")
    String bootstrapServers;

    @Option(names = "--registry-url", paramLabel = "URL",
            description = "The Confluent-compatible schema registry; overrides schema.registry.url.")
    String registryUrl;

    @Option(names = "--prefix", paramLabel = "PREFIX",
            description = "The learner's topic prefix; overrides " + LearnerConfig.TOPIC_PREFIX
                    + " (default streamtrain).")
    String prefix;

    @Option(names = {"-D", "--set"}, paramLabel = "KEY=VALUE",
            description = "A setting that overrides the properties file; may be repeated.")
    Map<String, String> overrides = new LinkedHashMap<>();

    @Option(names = "--model", paramLabel = "MODEL",
            description = "Only records of this model: its id as the record key or in the record's model field.")
    String model;

    @Option(names = "--from-beginning", description = "Start at the beginning of the topic, not at its end.")
    boolean fromBeginning;

    @Option(names = "--max", paramLabel = "N", description = "Stop after printing N records.")
    Long max;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        if (max != null && max < 1) {
            err.println("--max must be at least 1, not " + max);
            return EXIT_BAD_INPUT;
        }
        Map<String, Object> settings = new LinkedHashMap<>();
        if (config != null) {
            Properties file = new Properties();
            try (Reader reader = Files.newBufferedReader(config)) {
                file.load(reader);
            } catch (IOException e) {
                err.println("cannot read the configuration file " + config + ": " + e.getMessage());
                return EXIT_BAD_INPUT;
            }
            file.forEach((k, v) -> settings.put(k.toString(), v.toString().trim()));
        }
        settings.putAll(overrides);
        putIfSet(settings, CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        putIfSet(settings, "schema.registry.url", registryUrl);
        putIfSet(settings, LearnerConfig.TOPIC_PREFIX, prefix);
        if (isBlank(settings.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG))) {
            err.println("no Kafka to read from: give --bootstrap-server, or bootstrap.servers in --config");
            return EXIT_BAD_INPUT;
        }
        if (isBlank(settings.get("schema.registry.url"))) {
            err.println("no schema registry to decode with: give --registry-url, or schema.registry.url in --config");
            return EXIT_BAD_INPUT;
        }
        LearnerConfig learnerConfig;
        try {
            learnerConfig = new LearnerConfig(settings);
        } catch (ConfigException | IllegalArgumentException e) {
            err.println("invalid configuration: " + e.getMessage());
            return EXIT_BAD_INPUT;
        }
        String topicName = topicName(topic, learnerConfig.topicPrefix());
        KafkaConsumer<byte[], byte[]> consumer;
        try {
            consumer = new KafkaConsumer<>(consumerConfig(learnerConfig), new ByteArrayDeserializer(),
                    new ByteArrayDeserializer());
        } catch (KafkaException e) {
            err.println("invalid Kafka client configuration: " + e.getMessage()
                    + (e.getCause() == null ? "" : ": " + e.getCause().getMessage()));
            return EXIT_BAD_INPUT;
        }
        // Ctrl-C or SIGTERM wakes the consumer wherever it waits; this thread closes it, then lets the JVM end
        try (ShutdownRequest shutdown = ShutdownRequest.install(consumer::wakeup, STOP_WAIT, () -> { })) {
            int status;
            try (SchemaRegistryClient registry = new RestSchemaRegistryClient(learnerConfig.registryConfig());
                 consumer) {
                status = tail(topicName, registry, consumer, learnerConfig, err);
            } catch (WakeupException e) {
                status = EXIT_INTERRUPTED;
            } finally {
                spec.commandLine().getOut().flush();
            }
            return shutdown.requested() ? EXIT_INTERRUPTED : status;
        }
    }

    private int tail(String topicName, SchemaRegistryClient registry, KafkaConsumer<byte[], byte[]> consumer,
            LearnerConfig learnerConfig, PrintWriter err) {
        String registryUrls = String.valueOf(learnerConfig.originals().get("schema.registry.url"));
        String kafka = String.valueOf(learnerConfig.originals().get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG));
        try {
            // asked once up front: without it, a tail at the end of a quiet topic would wait on a registry that is down
            registry.subjects();
        } catch (SchemaRegistryException e) {
            err.println("the schema registry at " + registryUrls + " cannot be used: " + e.getMessage());
            return EXIT_OUTAGE;
        }
        Object apiTimeout = learnerConfig.consumerConfig().get(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG);
        Duration wait = apiTimeout == null ? METADATA_WAIT : Duration.ofMillis(Long.parseLong(apiTimeout.toString()));
        List<PartitionInfo> partitions;
        try {
            partitions = consumer.partitionsFor(topicName, wait);
        } catch (TimeoutException e) {
            err.println("Kafka at " + kafka + " did not answer within " + wait.toMillis() + " ms: "
                    + e.getMessage());
            return EXIT_OUTAGE;
        } catch (WakeupException e) {
            throw e;
        } catch (KafkaException e) {
            err.println("cannot read the topic " + topicName + " from Kafka at " + kafka + ": " + e.getMessage());
            return EXIT_BAD_INPUT;
        }
        if (partitions == null || partitions.isEmpty()) {
            err.println("unknown topic " + topicName + (topicName.equals(topic) ? "" : " ('" + topic
                    + "' with the prefix " + learnerConfig.topicPrefix() + ")") + ": Kafka at " + kafka
                    + " has no such topic");
            return EXIT_BAD_INPUT;
        }
        List<TopicPartition> assigned = partitions.stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(assigned);
        if (fromBeginning) {
            consumer.seekToBeginning(assigned);
        } else {
            consumer.seekToEnd(assigned);
        }
        // where "the end" is, fixed now: records written from here on are printed
        assigned.forEach(consumer::position);
        return read(consumer, ConfluentAvroDeserializer.generic(registry), registry, err);
    }

    private int read(KafkaConsumer<byte[], byte[]> consumer,
            ConfluentAvroDeserializer<GenericRecord> values, SchemaRegistryClient registry, PrintWriter err) {
        PrintWriter out = spec.commandLine().getOut();
        long printed = 0;
        while (true) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                String where = record.topic() + "-" + record.partition() + "@" + record.offset();
                if (record.value() == null || record.value().length == 0) {
                    err.println("skipped " + where + ": it has no value");
                    continue;
                }
                String line;
                try {
                    Object datum = values.deserialize(record.topic(), record.value());
                    if (!isOfModel(record.key(), datum)) {
                        continue;
                    }
                    Schema schema = datum instanceof GenericContainer container ? container.getSchema()
                            : registry.getById(ConfluentAvroDeserializer.schemaId(record.topic(), record.value()));
                    line = PlainJson.line(datum, schema);
                } catch (WireFormatException e) {
                    err.println("skipped " + where + ": " + e.getMessage());
                    continue;
                } catch (SchemaRegistryException e) {
                    err.println("the schema registry cannot be used to decode " + where + ": " + e.getMessage());
                    return EXIT_OUTAGE;
                }
                out.println(line);
                printed++;
                if (max != null && printed >= max) {
                    out.flush();
                    return 0;
                }
            }
            out.flush();
            // the reader went away (| head): nothing more to print to. picocli's writer wraps System.out, a
            // PrintStream, which keeps a failed write to itself: ask it too
            if (out.checkError() || System.out.checkError()) {
                return 0;
            }
        }
    }

    /** Whether a record belongs to {@code --model}: by its key, or by its value's {@code model} field. */
    private boolean isOfModel(byte[] key, Object datum) {
        if (model == null) {
            return true;
        }
        if (key != null && model.equals(new String(key, StandardCharsets.UTF_8))) {
            return true;
        }
        if (datum instanceof GenericRecord record && record.getSchema().getField("model") != null) {
            Object value = record.get("model");
            return value != null && model.equals(value.toString());
        }
        return false;
    }

    /** The topic a name on the command line means: a short name with the prefix, anything else as it is. */
    static String topicName(String name, String prefix) {
        return SHORT_NAMES.contains(name) ? prefix + "." + name : name;
    }

    private static Map<String, Object> consumerConfig(LearnerConfig learnerConfig) {
        return LearnerConfig.readerConfig(learnerConfig.consumerConfig(), "streamtrain-tail");
    }

    private static void putIfSet(Map<String, Object> settings, String key, String value) {
        if (value != null) {
            settings.put(key, value);
        }
    }

    private static boolean isBlank(Object value) {
        return value == null || value.toString().isBlank();
    }
}
