package io.streamtrain.connect.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/**
 * The plugin zip is a component archive as Confluent specifies it (name, top directory, manifest fields), with the
 * service files, and nothing the worker provides.
 */
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
            assertManifest(manifest);
            // Confluent's component archive: <owner>-<name>-<version>.zip, and one top directory of that name
            String archive = manifest.path("owner").path("username").asText() + "-" + manifest.path("name").asText()
                    + "-" + manifest.path("version").asText();
            assertThat(zipPath.getFileName()).hasToString(archive + ".zip")
                    .hasToString("streamtrain-streamtrain-connector-"
                            + System.getProperty("streamtrain.project.version") + ".zip");
            assertThat(top).isEqualTo(archive + "/");

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

    /** The fields of Confluent's component manifest, filled in by the build (no placeholder left). */
    private static void assertManifest(JsonNode manifest) {
        assertThat(manifest.toString()).doesNotContain("${");
        assertThat(manifest.path("name").asText()).isEqualTo("streamtrain-connector");
        assertThat(manifest.path("version").asText()).isEqualTo(System.getProperty("streamtrain.project.version"));
        for (String field : List.of("title", "description", "documentation_url", "source_url")) {
            assertThat(manifest.path(field).asText()).as(field).isNotBlank();
        }
        for (String field : List.of("username", "name", "url")) {
            assertThat(manifest.path("owner").path(field).asText()).as("owner." + field).isNotBlank();
        }
        for (String field : List.of("provider_name", "summary", "url")) {
            assertThat(manifest.path("support").path(field).asText()).as("support." + field).isNotBlank();
        }
        for (String url : List.of(manifest.path("owner").path("url").asText(), manifest.path("support")
                .path("url").asText(), manifest.path("documentation_url").asText(),
                manifest.path("source_url").asText())) {
            assertThat(URI.create(url).getScheme()).as(url).isEqualTo("https");
        }
        assertThat(manifest.path("release_date").asText()).matches("\\d{4}-\\d{2}-\\d{2}");
        assertThat(LocalDate.parse(manifest.path("release_date").asText())).isBeforeOrEqualTo(LocalDate.now()
                .plusDays(1));
        assertThat(manifest.path("license").isArray()).isTrue();
        assertThat(manifest.path("license").get(0).path("name").asText()).isEqualTo("Apache License, Version 2.0");
        assertThat(manifest.path("license").get(0).path("url").asText()).startsWith("https://");
        assertThat(manifest.path("features").path("kafka_connect_api").asBoolean()).isTrue();
        assertThat(manifest.path("features").path("supported_encodings").isArray()).isTrue();
        assertThat(manifest.path("tags").size()).isPositive();
        assertThat(manifest.path("requirements").size()).isPositive();
        assertThat(manifest.path("requirements").get(0).asText()).contains(System.getProperty(
                "streamtrain.kafka.version"));
        // the sink, and the Avro converter the zip carries too
        List<String> types = new ArrayList<>();
        manifest.path("component_types").forEach(t -> types.add(t.asText()));
        assertThat(types).containsExactly("sink", "converter");
    }

    private static String read(ZipFile zip, String name) throws IOException {
        ZipEntry entry = zip.getEntry(name);
        assertThat(entry).as(name).isNotNull();
        try (InputStream in = zip.getInputStream(entry)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
