package io.streamtrain.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import io.streamtrain.connect.config.ConfigReference;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;

class StreamtrainSinkConnectorTest {

    @Test
    void givesEveryTaskTheWholeConfiguration() {
        StreamtrainSinkConnector connector = new StreamtrainSinkConnector();
        connector.start(StreamtrainSinkConfigTest.valid());
        List<Map<String, String>> tasks = connector.taskConfigs(3);
        assertThat(tasks).hasSize(3).allSatisfy(t -> assertThat(t).isEqualTo(StreamtrainSinkConfigTest.valid()));
        assertThat(connector.taskClass()).isEqualTo(StreamtrainSinkTask.class);
        assertThat(connector.version()).isNotBlank().isNotEqualTo("unknown");
        connector.stop();
    }

    @Test
    void refusesToStartWithAContradiction() {
        Map<String, String> props = StreamtrainSinkConfigTest.valid();
        props.put("label.type", "regression");
        assertThatThrownBy(() -> new StreamtrainSinkConnector().start(props)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("label.classes");
    }

    @Test
    void validationReportsPerFeatureKeysToo() {
        Map<String, String> props = StreamtrainSinkConfigTest.valid();
        props.put("feature.channel.type", "colour");
        List<ConfigValue> values = new StreamtrainSinkConnector().validate(props).configValues();
        assertThat(values).filteredOn(v -> v.name().equals("feature.channel.type")).singleElement()
                .satisfies(v -> assertThat(v.errorMessages()).isNotEmpty());
        assertThat(new StreamtrainSinkConnector().config().names()).contains("features", "model.id",
                "producer.bootstrap.servers", "schema.registry.url");
    }

    @Test
    void theConfigurationReferenceIsGeneratedFromTheDefinitions() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("doc");
        try {
            ConfigReference.main(new String[] {dir.toString()});
            String rst = java.nio.file.Files.readString(dir.resolve("configuration.rst"));
            assertThat(rst).contains("``label.classes``", "``feature.<name>.vocabulary``", "``producer.sasl.jaas.config``",
                    "ConfluentAvroConverter", "``schema.registry.url``");
            assertThat(java.nio.file.Files.readString(dir.resolve("configuration.html")))
                    .contains("feature.&lt;name&gt;.hash.buckets");
        } finally {
            try (var files = java.nio.file.Files.list(dir)) {
                files.forEach(f -> f.toFile().delete());
            }
            java.nio.file.Files.delete(dir);
        }
    }
}
