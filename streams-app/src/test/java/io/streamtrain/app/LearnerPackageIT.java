package io.streamtrain.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The learner's package (its jar and lib/, which the Docker images copy) holds the learner and what it runs on, and
 * none of what the tools (tools/) and the tests add: no Kafka broker, Connect runtime or Scala, no registry server,
 * no embedded components or test certificates, no MOA, no datasets.
 */
class LearnerPackageIT {

    /** The build directory: target/, or target/cuda/ in the CUDA build (the pom passes it). */
    private static final Path BUILD = Path.of(System.getProperty("streamtrain.learner.build", "target"));

    @Test
    void libHoldsTheLearnersDependenciesAndNoBrokerConnectScalaOrTools() throws IOException {
        List<String> jars;
        try (Stream<Path> files = Files.list(BUILD.resolve("lib"))) {
            jars = files.map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertThat(jars).anyMatch(j -> j.startsWith("kafka-streams-"))
                .anyMatch(j -> j.startsWith("kafka-clients-"))
                .anyMatch(j -> j.startsWith("deeplearning4j-nn-"))
                .anyMatch(j -> j.startsWith("streamtrain-schemas-"));
        assertThat(jars).as("only the clients and Kafka Streams of Kafka")
                .filteredOn(j -> j.startsWith("kafka")).allMatch(j -> j.startsWith("kafka-clients-")
                        || j.startsWith("kafka-streams-"));
        assertThat(jars).as("no Connect runtime, Scala, registry server, embedded components, MOA or BouncyCastle")
                .noneMatch(j -> j.startsWith("connect-") || j.startsWith("scala-") || j.contains("_2.1")
                        || j.startsWith("registry-server") || j.startsWith("apicurio-registry-app")
                        || j.startsWith("streamtrain-embedded") || j.startsWith("streamtrain-tools")
                        || j.startsWith("moa-") || j.startsWith("bcprov") || j.startsWith("bcpkix")
                        || j.startsWith("jetty-") || j.startsWith("jersey-"));
    }

    @Test
    void theJarIsTheLearnerAloneAndNamesOnlyLibOnItsClassPath() throws IOException {
        try (JarFile jar = new JarFile(BUILD.resolve("streamtrain-streams-app.jar").toFile())) {
            Manifest manifest = jar.getManifest();
            assertThat(manifest.getMainAttributes().getValue("Main-Class")).isEqualTo(Main.class.getName());
            assertThat(manifest.getMainAttributes().getValue("Class-Path")).contains("lib/kafka-streams-")
                    .doesNotContain("streamtrain-embedded", "kafka_2.13", "connect-runtime", "moa-");
            List<String> entries = jar.stream().map(e -> e.getName()).toList();
            assertThat(entries).contains("io/streamtrain/app/Main.class", "specs/mlp-classifier.yaml")
                    .noneMatch(e -> e.startsWith("io/streamtrain/bench/") || e.startsWith("io/streamtrain/chaos/")
                            || e.startsWith("io/streamtrain/demo/") || e.startsWith("io/streamtrain/data/")
                            || e.startsWith("io/streamtrain/tools/") || e.startsWith("datasets/"));
        }
    }
}
