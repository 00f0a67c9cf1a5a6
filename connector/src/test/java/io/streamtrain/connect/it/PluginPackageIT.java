package io.streamtrain.connect.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** The plugin zip has the Confluent Hub layout, the service files, and nothing the worker provides. */
class PluginPackageIT {

    @Test
    void theZipIsAnInstallablePlugin() throws IOException {
        Path zipPath = ConnectStack.pluginZip();
        String top = zipPath.getFileName().toString().replaceFirst("\\.zip$", "") + "/";
        try (ZipFile zip = new ZipFile(zipPath.toFile())) {
            List<String> names = new ArrayList<>();
            zip.stream().forEach(e -> names.add(e.getName()));
            assertThat(names).allSatisfy(name -> assertThat(name).startsWith(top));

            JsonNode manifest = new ObjectMapper().readTree(read(zip, top + "manifest.json"));
            assertThat(manifest.path("name").asText()).isEqualTo("streamtrain-connector");
            assertThat(top).contains(manifest.path("version").asText());
            assertThat(manifest.path("component_types").toString()).contains("sink", "converter");
            assertThat(manifest.path("owner").path("username").asText()).isNotBlank();

            assertThat(names).contains(top + "doc/configuration.rst", top + "doc/configuration.html",
                    top + "doc/README.md", top + "doc/connector.md", top + "doc/registry.md");
            assertThat(read(zip, top + "doc/connector.md")).contains("dead-letter");
            assertThat(read(zip, top + "doc/configuration.rst")).contains("feature.<name>.type", "producer.bootstrap.servers");

            List<String> jars = names.stream().filter(n -> n.startsWith(top + "lib/") && n.endsWith(".jar"))
                    .map(n -> n.substring((top + "lib/").length())).toList();
            assertThat(jars).anyMatch(j -> j.startsWith("streamtrain-connector-"))
                    .anyMatch(j -> j.startsWith("streamtrain-schemas-"))
                    .anyMatch(j -> j.startsWith("avro-"));
            assertThat(jars).as("the worker provides Kafka, Connect and SLF4J").noneMatch(j -> j.startsWith("kafka")
                    || j.startsWith("connect-") || j.startsWith("slf4j") || j.startsWith("zstd")
                    || j.startsWith("lz4") || j.startsWith("snappy") || j.startsWith("log4j"));

            String connectorJar = top + "lib/" + jars.stream().filter(j -> j.startsWith("streamtrain-connector-"))
                    .findFirst().orElseThrow();
            List<String> inner = new ArrayList<>();
            String sinkService = null;
            String converterService = null;
            try (InputStream in = zip.getInputStream(zip.getEntry(connectorJar));
                 ZipInputStream jar = new ZipInputStream(in)) {
                for (ZipEntry e = jar.getNextEntry(); e != null; e = jar.getNextEntry()) {
                    inner.add(e.getName());
                    if (e.getName().equals("META-INF/services/org.apache.kafka.connect.sink.SinkConnector")) {
                        sinkService = new String(jar.readAllBytes(), StandardCharsets.UTF_8);
                    } else if (e.getName().equals("META-INF/services/org.apache.kafka.connect.storage.Converter")) {
                        converterService = new String(jar.readAllBytes(), StandardCharsets.UTF_8);
                    }
                }
            }
            assertThat(sinkService).contains(ConnectStack.CONNECTOR_CLASS);
            assertThat(converterService).contains(ConnectStack.AVRO_CONVERTER);
            assertThat(inner).noneMatch(n -> n.startsWith("org/apache/kafka/"));
        }
    }

    private static String read(ZipFile zip, String name) throws IOException {
        ZipEntry entry = zip.getEntry(name);
        assertThat(entry).as(name).isNotNull();
        try (InputStream in = zip.getInputStream(entry)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
