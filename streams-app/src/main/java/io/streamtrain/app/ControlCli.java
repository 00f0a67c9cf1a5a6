package io.streamtrain.app;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.streamtrain.avro.ControlAnswer;
import io.streamtrain.avro.ControlCommand;
import io.streamtrain.registry.ConfluentAvroSerde;
import io.streamtrain.topology.LearnerTopics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code streamtrain control}: sends one command to the learner that owns a model, on {@code <prefix>.control}, and
 * waits for its answer on {@code <prefix>.control.log}.
 */
@Command(name = "control", mixinStandardHelpOptions = true, versionProvider = BuildVersion.class,
        description = {"Sends a command about one model to the running learner and prints its answer:",
            "  snapshot MODEL            publish the model to <prefix>.models now",
            "  pause MODEL               predict only: labeled examples are scored, not trained on",
            "  resume MODEL              train again",
            "  set-lr MODEL RATE         a fixed learning rate from now on (0 < RATE <= 10)",
            "  rollback MODEL VERSION    train on from that snapshot's parameters and optimizer state",
            "  reset MODEL               a fresh network from the model's spec",
            "  pin MODEL VERSION         the serving instances serve that snapshot (kept while pinned)",
            "  unpin MODEL               the serving instances serve the latest snapshot",
            "Exit status: 0 done, 1 refused (the answer says why; nothing changed), 2 a bad command line or",
            "configuration, 3 no answer within --timeout (is a learner running?)."},
        footer = {"", "Example:", "  bin/streamtrain control --config learner.properties rollback fraud 4000"})
final class ControlCli implements Callable<Integer> {

    /** The commands and how many arguments after the model each takes. */
    static final Map<String, Integer> COMMANDS = Map.of("snapshot", 0, "pause", 0, "resume", 0, "set-lr", 1,
            "rollback", 1, "reset", 0, "pin", 1, "unpin", 0);

    @Mixin
    ConfigOptions cluster = new ConfigOptions();

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "60",
            description = "How long to wait for the answer (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Parameters(arity = "2..3", paramLabel = "COMMAND MODEL [ARG]",
            description = "The command, the model, its argument.")
    List<String> words;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        ControlCommand command;
        LearnerConfig learnerConfig;
        try {
            command = parse(words, Instant.now(), UUID.randomUUID().toString(), issuer());
            if (timeoutSeconds < 1) {
                throw new IllegalArgumentException("--timeout must be at least 1 second, was " + timeoutSeconds);
            }
            learnerConfig = new LearnerConfig(cluster.settings());
        } catch (IllegalArgumentException | ConfigException | UncheckedIOException e) {
            err.println("control: " + e.getMessage());
            return 2;
        }
        LearnerTopics topics = LearnerApp.topics(learnerConfig);
        Duration timeout = Duration.ofSeconds(timeoutSeconds);
        try {
            ControlAnswer answer = send(learnerConfig, topics, command, timeout);
            if (answer == null) {
                err.printf(Locale.ROOT, "control: no answer to %s %s within %d s on %s: is a learner running with "
                        + "streamtrain.topic.prefix=%s?%n", command.getCommand(), command.getModel(), timeoutSeconds,
                        topics.controlLog().name(), learnerConfig.topicPrefix());
                return 3;
            }
            (answer.getOutcome().equals("done") ? out : err).printf(Locale.ROOT, "%s %s: %s: %s%s%n",
                    command.getCommand(), command.getModel(), answer.getOutcome(), answer.getMessage(),
                    answer.getModelVersion() == null ? "" : " (model version " + answer.getModelVersion() + ")");
            return answer.getOutcome().equals("done") ? 0 : 1;
        } catch (org.apache.kafka.common.KafkaException | IllegalStateException e) {
            err.println("control: " + e.getMessage());
            return 3;
        }
    }

    /**
     * A command from its words: the command, the model, and its argument.
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    static ControlCommand parse(List<String> words, Instant now, String id, String issuer) {
        String name = words.get(0).toLowerCase(Locale.ROOT);
        Integer args = COMMANDS.get(name);
        if (args == null) {
            throw new IllegalArgumentException("unknown command '" + words.get(0) + "': one of " + String.join(", ",
                    List.of("snapshot", "pause", "resume", "set-lr", "rollback", "reset", "pin", "unpin")));
        }
        if (words.size() != 2 + args) {
            throw new IllegalArgumentException(name + " takes " + (args == 0 ? "a model" : "a model and "
                    + (name.equals("set-lr") ? "a learning rate" : "a version")) + ", was given " + (words.size() - 1)
                    + " word(s)");
        }
        ControlCommand.Builder b = ControlCommand.newBuilder().setId(id).setModel(words.get(1)).setCommand(name)
                .setIssuedAt(now).setIssuedBy(issuer);
        if (name.equals("set-lr")) {
            try {
                b.setLearningRate(Double.parseDouble(words.get(2)));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("set-lr: the learning rate must be a number, was '" + words.get(2)
                        + "'");
            }
        } else if (name.equals("rollback") || name.equals("pin")) {
            try {
                b.setVersion(Long.parseLong(words.get(2)));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + ": the version must be a whole number, was '"
                        + words.get(2) + "'");
            }
        }
        return b.build();
    }

    /**
     * Sends the command and reads the control log from its end before the send, until the answer with the
     * command's id; null when none came within the timeout.
     */
    private static ControlAnswer send(LearnerConfig config, LearnerTopics topics, ControlCommand command,
            Duration timeout) {
        Map<String, Object> consumerConfig = new HashMap<>(config.consumerConfig());
        consumerConfig.remove(ConsumerConfig.GROUP_ID_CONFIG);
        consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
        Map<String, Object> producerConfig = new HashMap<>();
        config.consumerConfig().forEach((k, v) -> {
            if (ProducerConfig.configNames().contains(k)) {
                producerConfig.put(k, v);
            }
        });
        producerConfig.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
        producerConfig.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE,
                Math.max(timeout.toMillis(), 1000 + 30_000)));
        Serializer<ControlCommand> values = ConfluentAvroSerde.specific(ControlCommand.class, config.registryConfig(),
                false).serializer();
        Deserializer<ControlAnswer> answers = ConfluentAvroSerde.specific(ControlAnswer.class,
                config.registryConfig(), false).deserializer();
        long deadline = System.nanoTime() + timeout.toNanos();
        try (values; answers;
             KafkaConsumer<String, ControlAnswer> consumer = new KafkaConsumer<>(consumerConfig,
                     new StringDeserializer(), answers);
             KafkaProducer<String, ControlCommand> producer = new KafkaProducer<>(producerConfig,
                     new StringSerializer(), values)) {
            List<PartitionInfo> infos = consumer.partitionsFor(topics.controlLog().name(), timeout);
            if (infos == null || infos.isEmpty()) {
                throw new IllegalStateException("the topic " + topics.controlLog().name() + " does not exist: has a "
                        + "learner with this streamtrain.topic.prefix run?");
            }
            List<TopicPartition> partitions = infos.stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            consumer.assign(partitions);
            // from the end as it is before the command is sent: its answer comes after
            consumer.seekToEnd(partitions);
            partitions.forEach(p -> consumer.position(p, timeout));
            producer.send(new ProducerRecord<>(topics.control().name(), command.getModel(), command))
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, ControlAnswer> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.value() != null && command.getId().equals(r.value().getCommandId())) {
                        return r.value();
                    }
                }
            }
            return null;
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot send the command to " + topics.control().name() + ": "
                    + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("cannot send the command to " + topics.control().name() + " within "
                    + timeout.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static String issuer() {
        String user = System.getProperty("user.name", "?");
        try {
            return user + "@" + InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return user;
        }
    }
}
