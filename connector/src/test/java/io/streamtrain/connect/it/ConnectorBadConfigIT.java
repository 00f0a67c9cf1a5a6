package io.streamtrain.connect.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamtrain.avro.Example;
import io.streamtrain.connect.it.TopicIO.Raw;
import io.streamtrain.embedded.EmbeddedConnectWorker.RestException;
import io.streamtrain.embedded.EmbeddedConnectWorker.TaskStatus;
import io.streamtrain.embedded.FreePorts;
import io.streamtrain.embedded.TcpGate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Bad configuration and missing dependencies at the connector: each ends in a clear message on the key to change, or
 * in a bounded number of retries and then a FAILED task with a trace that names the problem, never in a task that
 * hangs. Validation runs through the worker's REST API, as a user (or a deployment tool) meets it.
 */
@ExtendWith(ConnectStack.Resolver.class)
class ConnectorBadConfigIT {

    /** Retries that end in seconds: a record that cannot be written fails the task after 2 retries. */
    private static final Map<String, String> QUICK_GIVE_UP = Map.of(
            "send.max.retries", "2",
            "send.retry.backoff.ms", "200",
            "send.retry.backoff.max.ms", "400",
            "producer.max.block.ms", "2000",
            "producer.delivery.timeout.ms", "3000",
            "producer.request.timeout.ms", "2000");

    private final ConnectStack stack;

    ConnectorBadConfigIT(ConnectStack stack) {
        this.stack = stack;
    }

    /** A configuration and the key its error must be on, with a part of the message. */
    record BadSetting(String key, String value, String errorOn, String says) {
    }

    @Test
    void validationNamesTheKeyToChangeAndCreationIsRefused() {
        List<BadSetting> cases = List.of(
                new BadSetting("feature.age.type", "text", "feature.age.type", "text"),
                new BadSetting("label.classes", "stayed,stayed", "label.classes", "stayed"),
                new BadSetting("send.max.retries", "-1", "send.max.retries", "-1"),
                new BadSetting("producer.acks", "1", "producer.acks", "acks"),
                new BadSetting("producer.bootstrap.servers", "localhost", "producer.bootstrap.servers", "localhost"),
                new BadSetting("schema.registry.url", "not a url", "schema.registry.url", "schema.registry.url"),
                new BadSetting("errors.tolerance", "none", "errors.deadletterqueue.topic.name", "errors.tolerance"),
                new BadSetting("feature.embedding.length", "0", "feature.embedding.length", "at least 1"),
                new BadSetting("mode", "sideways", "mode", "sideways"),
                new BadSetting("model.replicas", "churn-model=4,churn-model=2", "model.replicas", "listed twice"),
                new BadSetting("examples.topic", "bad-in", "examples.topic", "also an input topic"));
        for (BadSetting bad : cases) {
            Map<String, String> config = stack.connectorConfig("bad-config", "bad-in", "badcfg");
            config.putAll(ChurnSamples.features());
            config.putAll(ConnectStack.deadLetterQueue("bad-in-rejected"));
            config.put(bad.key(), bad.value());
            JsonNode result = stack.connect().validate(ConnectStack.CONNECTOR_CLASS, config);
            assertThat(result.path("error_count").asInt()).as("errors for %s", bad).isPositive();
            List<String> errors = errorsOn(result, bad.errorOn());
            assertThat(errors).as("errors on %s for %s; all: %s", bad.errorOn(), bad, result).isNotEmpty();
            assertThat(String.join(" ", errors)).as("the message for %s", bad).contains(bad.says());
        }
        Map<String, String> config = stack.connectorConfig("bad-config", "bad-in", "badcfg");
        config.putAll(ChurnSamples.features());
        config.put("send.max.retries", "-1");
        assertThatThrownBy(() -> stack.connect().createConnector("bad-config", config))
                .isInstanceOf(RestException.class).hasMessageContaining("send.max.retries");
        assertThat(stack.connect().connectors()).doesNotContain("bad-config");
    }

    @Test
    void aMissingOutputTopicFailsTheTaskAfterBoundedRetriesNamingIt() {
        stack.io().createTopics(1, "nout-in");
        Map<String, String> config = stack.connectorConfig("no-output", "nout-in", "nout");
        config.putAll(ChurnSamples.features());
        config.putAll(QUICK_GIVE_UP);
        TaskStatus failed = failsOn(config, "nout-in");
        assertThat(failed.trace()).contains("Giving up after 2 retries (send.max.retries)", "nout.examples");
    }

    @Test
    void anUnreachableClusterFailsTheTaskAfterBoundedRetries() {
        stack.io().createTopics(1, "nobroker-in");
        Map<String, String> config = stack.connectorConfig("no-broker", "nobroker-in", "nobroker");
        config.putAll(ChurnSamples.features());
        config.putAll(QUICK_GIVE_UP);
        config.put("producer.bootstrap.servers", "127.0.0.1:" + FreePorts.pick());
        TaskStatus failed = failsOn(config, "nobroker-in");
        assertThat(failed.trace()).contains("Giving up after 2 retries (send.max.retries)", "nobroker.examples");
    }

    @Test
    void aRegistryDownAtStartIsRetriedAndRecoveredFromOrFailsTheTaskAfterBoundedRetries() throws Exception {
        URI registry = URI.create(stack.registryUrl());
        stack.io().createTopics(1, "noreg-in", "noreg.examples", "noreg2-in", "noreg2.examples");
        try (TcpGate gate = new TcpGate(registry.getPort())) {
            String gated = stack.registryUrl().replace(":" + registry.getPort(), ":" + gate.port());

            // down at start, back within the retries: everything is written, once
            Map<String, String> config = stack.connectorConfig("no-registry", "noreg-in", "noreg");
            config.putAll(ChurnSamples.features());
            config.putAll(QUICK_GIVE_UP);
            config.put("send.max.retries", "20");
            config.put("schema.registry.url", gated);
            config.put("schema.registry.max.retries", "0");
            stack.startConnector(config);
            try {
                stack.io().produce("noreg-in", records(10));
                Thread.sleep(1500);
                assertThat(stack.connect().status("no-registry").isRunning(1)).isTrue();
                gate.open();
                List<ConsumerRecord<String, Example>> written = stack.io().readExamples("noreg.examples", 10);
                assertThat(written).hasSize(10);
            } finally {
                stack.deleteConnector("no-registry");
            }

            // down for good: the task fails after its retries, saying why
            gate.close();
            Map<String, String> config2 = stack.connectorConfig("no-registry2", "noreg2-in", "noreg2");
            config2.putAll(ChurnSamples.features());
            config2.putAll(QUICK_GIVE_UP);
            config2.put("schema.registry.url", gated);
            config2.put("schema.registry.max.retries", "0");
            // a schema the registry has not seen yet through this client: the writer schema must be registered
            TaskStatus failed = failsOn(config2, "noreg2-in");
            assertThat(failed.trace()).contains("Giving up after 2 retries (send.max.retries)",
                    "the schema registry is unavailable");
        }
    }

    /** Starts the connector, sends it records and waits for its task to fail (a hang fails the test). */
    private TaskStatus failsOn(Map<String, String> config, String source) {
        String name = config.get("name");
        stack.startConnector(config);
        try {
            stack.io().produce(source, records(30));
            return stack.connect().awaitTaskFailed(name, Duration.ofSeconds(60));
        } finally {
            stack.deleteConnector(name);
        }
    }

    private static List<Raw> records(int n) {
        List<Raw> records = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            records.add(Raw.json("k" + i, ChurnSamples.json(i)));
        }
        return records;
    }

    private static List<String> errorsOn(JsonNode validation, String key) {
        Map<String, List<String>> byKey = new HashMap<>();
        validation.path("configs").forEach(c -> {
            List<String> errors = new ArrayList<>();
            c.path("value").path("errors").forEach(e -> errors.add(e.asText()));
            byKey.put(c.path("value").path("name").asText(), errors);
        });
        return byKey.getOrDefault(key, List.of());
    }
}
