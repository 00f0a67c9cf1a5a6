package io.streamtrain.connect.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamtrain.avro.Example;
import io.streamtrain.connect.it.TopicIO.Raw;
import io.streamtrain.contract.ReplicaKey;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Schemaless JSON and JSON with schemas, through a real worker, land as correct Examples, keyed by model id or, for a
 * model listed in {@code model.replicas}, by model and shard.
 */
@ExtendWith(ConnectStack.Resolver.class)
class JsonIngestIT {

    private final ConnectStack stack;

    JsonIngestIT(ConnectStack stack) {
        this.stack = stack;
    }

    @Test
    void thePluginIsLoadedFromThePluginPathOnly() {
        assertThatThrownBy(() -> Class.forName(ConnectStack.CONNECTOR_CLASS))
                .as("the connector must not be on the test class path, or plugin.path would prove nothing")
                .isInstanceOf(ClassNotFoundException.class);
        JsonNode plugins = stack.connect().connectorPlugins();
        List<String> found = new ArrayList<>();
        plugins.forEach(p -> found.add(p.path("class").asText() + " " + p.path("type").asText() + " "
                + p.path("version").asText()));
        // the version the build wrote, for the connector and for the converter (Versioned)
        String version = System.getProperty("streamtrain.project.version");
        assertThat(found).contains(ConnectStack.CONNECTOR_CLASS + " sink " + version,
                ConnectStack.AVRO_CONVERTER + " converter " + version);
    }

    @Test
    void schemalessJsonBecomesExamples() {
        JsonIngestScenario.run(stack, "json");
    }

    @Test
    void jsonWithSchemasBecomesExamples() {
        stack.io().createTopics(1, "json-schema-in", "jsonschema.examples");
        Map<String, String> config = stack.connectorConfig("json-schema-sink", "json-schema-in", "jsonschema");
        config.put("value.converter.schemas.enable", "true");
        config.put("model.id.field", "model");
        config.put("model.replicas", "m1=4");
        config.put("id.field", "id");
        config.put("features", "x,flag");
        config.put("feature.flag.type", "boolean");
        config.put("label.field", "y");
        config.put("label.type", "regression");
        stack.startConnector(config);
        try {
            String schema = "{\"type\":\"struct\",\"name\":\"Point\",\"fields\":["
                    + "{\"field\":\"id\",\"type\":\"string\"},{\"field\":\"model\",\"type\":\"string\"},"
                    + "{\"field\":\"x\",\"type\":\"int32\"},{\"field\":\"flag\",\"type\":\"boolean\"},"
                    + "{\"field\":\"y\",\"type\":\"double\"}]}";
            List<Raw> records = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                records.add(Raw.json(null, "{\"schema\":" + schema + ",\"payload\":{\"id\":\"p" + i
                        + "\",\"model\":\"m" + (i % 2) + "\",\"x\":" + i + ",\"flag\":" + (i % 2 == 0)
                        + ",\"y\":" + (i * 0.5) + "}}"));
            }
            stack.io().produce("json-schema-in", records);
            List<ConsumerRecord<String, Example>> examples = stack.io().readExamples("jsonschema.examples", 8);
            assertThat(examples).hasSize(8);
            for (ConsumerRecord<String, Example> record : examples) {
                Example example = record.value();
                int i = Integer.parseInt(example.getId().substring(1));
                // m0 is not listed in model.replicas: its id; m1 has 4 replicas: m1#<shard of the example id>
                assertThat(record.key()).as("the key of %s", example.getId()).isEqualTo(i % 2 == 0 ? "m0"
                        : ReplicaKey.shardKey("m1", ReplicaKey.shard(example.getId(), 4)));
                assertThat(example.getModel()).isEqualTo("m" + (i % 2));
                assertThat(example.getFeatures()).containsExactly((float) i, i % 2 == 0 ? 1f : 0f);
                assertThat(example.getLabel()).isEqualTo(new io.streamtrain.avro.RegressionTarget(i * 0.5));
            }
        } finally {
            stack.deleteConnector("json-schema-sink");
        }
    }

    @Test
    void contradictorySettingsAreRejectedAtValidationOnTheirKey() {
        Map<String, String> config = stack.connectorConfig("bad", "json-in", "json");
        config.putAll(ChurnSamples.features());
        config.put("errors.deadletterqueue.topic.name", "dlq");
        config.put("label.type", "regression");
        JsonNode result = stack.connect().validate(ConnectStack.CONNECTOR_CLASS, config);
        Map<String, String> errors = new HashMap<>();
        result.path("configs").forEach(c -> {
            JsonNode errorList = c.path("value").path("errors");
            if (errorList.size() > 0) {
                errors.put(c.path("value").path("name").asText(), errorList.get(0).asText());
            }
        });
        assertThat(errors).containsKeys("errors.deadletterqueue.topic.name", "label.classes");
        assertThat(errors.get("errors.deadletterqueue.topic.name")).contains("errors.tolerance");
        assertThat(result.path("error_count").asInt()).isEqualTo(2);
        assertThatThrownBy(() -> stack.connect().createConnector("bad", config))
                .hasMessageContaining("400");
    }
}
