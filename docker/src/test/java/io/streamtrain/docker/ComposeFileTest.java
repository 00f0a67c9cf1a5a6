package io.streamtrain.docker;

import static io.streamtrain.docker.StackFiles.DOCKER_DIR;
import static io.streamtrain.docker.StackFiles.REPOSITORY_ROOT;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The structure of docker/docker-compose.yml and of the files it builds from and mounts, checked without Docker, so
 * that the stack cannot rot where nobody runs it: services, images and pinned tags, ports bound to 127.0.0.1, health
 * checks and start order, volumes, the gpu profile, the Dockerfiles and what they copy, and the settings that must
 * agree across files (service names, ports, topics, paths). {@link ComposeStackIT} runs the stack where Docker is.
 */
class ComposeFileTest {

    private static final String CONNECTOR_CLASS = "io.streamtrain.connect.StreamtrainSinkConnector";
    private static final List<String> SERVICES =
            List.of("kafka", "registry", "registry-setup", "topics", "connect", "connector-setup", "learner",
                    "learner-gpu", "serve", "dashboard");
    private static final Set<String> ONE_SHOTS = Set.of("registry-setup", "topics", "connector-setup");
    private static final Set<String> BUILT_SERVICES = Set.of("connect", "learner", "learner-gpu");
    private static final Set<String> LEARNERS = Set.of("learner", "learner-gpu");

    private static JsonNode compose;
    private static JsonNode services;
    private static Properties learner;
    private static Map<String, String> connector;

    @BeforeAll
    static void readFiles() {
        compose = StackFiles.compose();
        services = compose.path("services");
        learner = StackFiles.properties(DOCKER_DIR.resolve("learner.properties"));
        connector = StackFiles.connectorConfig(DOCKER_DIR.resolve("connectors/events-json.json"));
    }

    @Test
    void definesTheServicesOfTheStack() {
        assertThat(StackFiles.fieldNames(services)).containsExactlyInAnyOrderElementsOf(SERVICES);
        assertThat(service("kafka").path("image").asText()).startsWith("apache/kafka:");
        assertThat(service("topics").path("image").asText()).isEqualTo(service("kafka").path("image").asText());
        assertThat(service("registry").path("image").asText()).startsWith("apicurio/apicurio-registry-");
        for (String name : BUILT_SERVICES) {
            assertThat(service(name).path("build").path("context").asText()).as(name + " build context")
                    .isEqualTo("..");
            assertThat(service(name).path("pull_policy").asText()).as(name + " pull_policy").isEqualTo("build");
        }
        // the setup one-shots run curl from the image the connect service builds, and must never pull it
        for (String setup : List.of("connector-setup", "registry-setup")) {
            assertThat(service(setup).path("image").asText()).as(setup)
                    .isEqualTo(service("connect").path("image").asText());
            assertThat(service(setup).path("pull_policy").asText()).as(setup).isEqualTo("never");
        }
    }

    @Test
    void pinsEveryImageTag() {
        List<String> images = new ArrayList<>();
        services.forEach(service -> images.add(service.path("image").asText()));
        for (String name : BUILT_SERVICES) {
            images.addAll(dockerfile(name).baseImages());
        }
        assertThat(images).isNotEmpty().allSatisfy(image -> {
            assertThat(image).as("an image").isNotBlank();
            String tag = tagOf(image);
            assertThat(tag).as("the tag of " + image).isNotEmpty().isNotEqualToIgnoringCase("latest")
                    .doesNotContain("$");
        });
    }

    @Test
    void runsTheKafkaVersionOfTheBuild() {
        String kafka = "apache/kafka:" + System.getProperty("streamtrain.kafka.version");
        assertThat(service("kafka").path("image").asText()).isEqualTo(kafka);
        assertThat(dockerfile("connect").finalBaseImage()).isEqualTo(kafka);
    }

    @Test
    void tagsTheImagesItBuildsWithTheProjectVersion() {
        String version = System.getProperty("streamtrain.version");
        for (String name : BUILT_SERVICES) {
            assertThat(service(name).path("image").asText()).as(name)
                    .matches("streamtrain/[a-z-]+:" + Pattern.quote(version));
        }
        // and the build commands in the Dockerfiles' comments name the same tags
        for (String name : BUILT_SERVICES) {
            assertThat(StackFiles.text(dockerfile(name).path()))
                    .contains("-t " + service(name).path("image").asText());
        }
    }

    @Test
    void publishesPortsOnLoopbackOnly() {
        List<String> published = new ArrayList<>();
        services.forEach(service -> service.path("ports").forEach(port -> {
            if (port.isObject()) {
                published.add(port.path("host_ip").asText() + ":" + port.path("published").asText() + ":"
                        + port.path("target").asText());
            } else {
                published.add(port.asText());
            }
        }));
        assertThat(published).containsExactlyInAnyOrder("127.0.0.1:9092:9092", "127.0.0.1:8081:8080",
                "127.0.0.1:8083:8083", "127.0.0.1:9470:9470");
        assertThat(published).allSatisfy(port -> assertThat(port).startsWith("127.0.0.1:"));
    }

    @Test
    void checksTheHealthOfKafkaTheRegistryAndConnect() {
        for (String name : List.of("kafka", "registry", "connect")) {
            JsonNode test = service(name).path("healthcheck").path("test");
            assertThat(test.isArray()).as(name + " healthcheck.test is a list").isTrue();
            assertThat(test.get(0).asText()).as(name).isIn("CMD", "CMD-SHELL");
            assertThat(service(name).path("healthcheck").path("disable").asBoolean(false)).isFalse();
        }
        assertThat(healthCheck("kafka")).contains("kafka-broker-api-versions.sh").contains(internalBootstrap());
        assertThat(healthCheck("registry")).contains("/health/ready").contains(String.valueOf(registryPort()));
        assertThat(healthCheck("connect")).contains(":8083/").contains(CONNECTOR_CLASS);
    }

    @Test
    void checksTheHealthOfTheLearnersAndReplicasOnTheirUnpublishedEndpoint() {
        // inside the container the endpoint listens on every interface, so that the healthcheck and a Prometheus on
        // the Compose network reach it; it is published on no host port (publishesPortsOnLoopbackOnly)
        assertThat(learner.getProperty("streamtrain.http.host")).isEqualTo("0.0.0.0");
        String port = learner.getProperty("streamtrain.http.port");
        assertThat(port).matches("[1-9][0-9]*");
        for (String name : List.of("learner", "learner-gpu", "serve")) {
            JsonNode test = service(name).path("healthcheck").path("test");
            assertThat(test.isArray()).as(name + " healthcheck.test is a list").isTrue();
            assertThat(test.get(0).asText()).as(name).isIn("CMD", "CMD-SHELL");
            assertThat(healthCheck(name)).as(name).contains("/dev/tcp/127.0.0.1/" + port + " ")
                    .contains("GET /health ").contains(" 200 ");
            assertThat(service(name).path("healthcheck").path("start_period").asText()).as(name).isNotEmpty();
            assertThat(service(name).path("ports").isMissingNode()).as(name + " publishes no port").isTrue();
        }
    }

    @Test
    void startsEachServiceWhenWhatItNeedsIsReady() {
        assertThat(dependsOn("registry")).containsExactlyInAnyOrderEntriesOf(Map.of("kafka", "service_healthy"));
        assertThat(dependsOn("topics")).containsExactlyInAnyOrderEntriesOf(Map.of("kafka", "service_healthy"));
        assertThat(dependsOn("registry-setup")).containsExactlyInAnyOrderEntriesOf(
                Map.of("registry", "service_healthy"));
        // what registers schemas starts once the registry checks them under BACKWARD
        assertThat(dependsOn("connect")).containsExactlyInAnyOrderEntriesOf(Map.of("kafka", "service_healthy",
                "registry", "service_healthy", "registry-setup", "service_completed_successfully",
                "topics", "service_completed_successfully"));
        assertThat(dependsOn("connector-setup")).containsExactlyInAnyOrderEntriesOf(
                Map.of("connect", "service_healthy"));
        for (String name : LEARNERS) {
            assertThat(dependsOn(name)).as(name).containsExactlyInAnyOrderEntriesOf(Map.of(
                    "topics", "service_completed_successfully", "registry", "service_healthy",
                    "registry-setup", "service_completed_successfully"));
        }
    }

    @Test
    void restartsWhatRunsOnFailureABoundedNumberOfTimesAndNeverTheOneShots() {
        services.fields().forEachRemaining(entry -> {
            String restart = entry.getValue().path("restart").asText();
            if (ONE_SHOTS.contains(entry.getKey())) {
                assertThat(restart).as(entry.getKey()).isEqualTo("no");
            } else {
                // a learner that exits 1 on every start stops after 5 tries, for someone to read its last line
                assertThat(restart).as(entry.getKey()).isEqualTo("on-failure:5");
            }
        });
    }

    @Test
    void setsTheRegistrysCompatibilityToBackwardAsTheTestsRegistryIs() {
        String setup = String.join(" ", texts(service("registry-setup").path("command")));
        assertThat(texts(service("registry-setup").path("entrypoint"))).containsExactly("curl");
        assertThat(setup).contains("-fsS", "-X PUT", "Content-Type: application/json",
                "{\"compatibility\":\"BACKWARD\"}", registryUrl() + "/config");
        assertThat(registryUrl()).isEqualTo(learner.getProperty("schema.registry.url"));
        // the integration tests' registry gets the same request at its start
        String embedded = StackFiles.text(REPOSITORY_ROOT.resolve(
                "embedded/src/main/java/io/streamtrain/embedded/EmbeddedSchemaRegistry.java"));
        assertThat(embedded).contains("setGlobalCompatibility(\"BACKWARD\")", "url() + \"/config\"",
                "request(\"PUT\", config, \"{\\\"compatibility\\\":\\\"\" + level + \"\\\"}\")");
        // one way of setting it: not an Apicurio-only rule beside it
        assertThat(environment("registry").has("REGISTRY_RULES_GLOBAL_COMPATIBILITY")).isFalse();
    }

    @Test
    void createsEveryTopicTheStackReadsOrWrites() {
        String script = String.join("\n", texts(service("topics").path("command")));
        Matcher loop = Pattern.compile("for topic in ([^;]+);").matcher(script);
        assertThat(loop.find()).as("a 'for topic in ...;' loop in the topics command").isTrue();
        List<String> created = Arrays.asList(loop.group(1).trim().split("\\s+"));
        assertThat(script).contains("--create", "--if-not-exists", "--bootstrap-server " + internalBootstrap());

        String prefix = learner.getProperty("streamtrain.topic.prefix");
        assertThat(prefix).isEqualTo(connector.get("streamtrain.topic.prefix"));
        assertThat(created).containsExactlyInAnyOrder(connector.get("topics"),
                connector.get("errors.deadletterqueue.topic.name"), prefix + ".examples", prefix + ".labels",
                prefix + ".control", prefix + ".predictions", prefix + ".metrics", prefix + ".errors",
                prefix + ".control.log", prefix + ".events", prefix + ".champions", prefix + ".requests",
                prefix + ".served");
        // the models and pins topics in a loop of their own: compacted, so that every kept snapshot stays until the
        // learner tombstones it, and each model's last pin stays
        Matcher compacted = Pattern.compile("for topic in ([^;]+);\\s+do\\s+\\S+kafka-topics\\.sh [^\\n]*--create "
                + "--if-not-exists \\\\\\s+--topic \"\\$\\$topic\" --partitions 1 --replication-factor 1 --config "
                + "cleanup\\.policy=compact").matcher(script);
        assertThat(compacted.find()).as("a loop creating compacted topics in:%n%s", script).isTrue();
        assertThat(compacted.group(1).trim().split("\\s+")).containsExactlyInAnyOrder(prefix + ".models",
                prefix + ".pins");
        // the learner does not create them itself here: the broker has automatic creation off
        assertThat(learner.getProperty("streamtrain.topics.create")).isEqualTo("false");
        assertThat(environment("kafka").path("KAFKA_AUTO_CREATE_TOPICS_ENABLE").asText()).isEqualTo("false");
    }

    @Test
    void theDashboardRunsFromTheLearnerImagePublishedOnLoopbackAndCheckedOnItsHealth() {
        JsonNode dashboard = service("dashboard");
        assertThat(dashboard.path("image").asText()).isEqualTo(service("learner").path("image").asText());
        assertThat(dashboard.path("profiles").isMissingNode()).as("it starts with the stack").isTrue();
        assertThat(texts(dashboard.path("command"))).containsExactly("dashboard", "--config",
                learnerConfigTarget("dashboard"), "--host", "0.0.0.0", "--port", "9470");
        assertThat(learnerConfigTarget("dashboard")).isEqualTo(learnerConfigTarget("learner"));
        assertThat(texts(dashboard.path("ports"))).containsExactly("127.0.0.1:9470:9470");
        assertThat(healthCheck("dashboard")).contains("/dev/tcp/127.0.0.1/9470 ", "GET /health ", " 200 ");
        assertThat(dependsOn("dashboard")).containsExactlyInAnyOrderEntriesOf(Map.of(
                "topics", "service_completed_successfully", "registry", "service_healthy",
                "learner", "service_started"));
    }

    @Test
    void aServingReplicaRunsFromTheLearnerImageOnAProfileOfItsOwn() {
        JsonNode serve = service("serve");
        assertThat(serve.path("image").asText()).isEqualTo(service("learner").path("image").asText());
        assertThat(texts(serve.path("profiles"))).containsExactly("serve");
        assertThat(texts(serve.path("command"))).containsExactly("serve", "--config", learnerConfigTarget("serve"));
        assertThat(learnerConfigTarget("serve")).isEqualTo(learnerConfigTarget("learner"));
        assertThat(serve.path("restart").asText()).isEqualTo("on-failure:5");
    }

    @Test
    void keepsStateOnDeclaredNamedVolumes() {
        List<String> declared = StackFiles.fieldNames(compose.path("volumes"));
        assertThat(declared).containsExactlyInAnyOrder("kafka-data", "learner-state", "learner-gpu-state",
                "serve-state");

        assertThat(StackFiles.mounts(service("kafka")))
                .containsEntry("kafka-data", environment("kafka").path("KAFKA_LOG_DIRS").asText());
        String stateDir = learner.getProperty("state.dir");
        assertThat(StackFiles.mounts(service("learner"))).containsEntry("learner-state", stateDir);
        assertThat(StackFiles.mounts(service("learner-gpu"))).containsEntry("learner-gpu-state", stateDir);
        // a serving replica's global stores and waiting requests, apart from the learner's state
        assertThat(StackFiles.mounts(service("serve"))).containsEntry("serve-state", stateDir);
        for (String name : LEARNERS) {
            assertThat(dockerfile(name).last("VOLUME")).as(name).contains(stateDir);
        }

        // every mount is a declared named volume or a file of this directory
        services.forEach(service -> StackFiles.mounts(service).keySet().forEach(source -> {
            if (source.startsWith(".")) {
                assertThat(StackFiles.composeRelative(source)).as("bind mount " + source).exists();
            } else {
                assertThat(declared).as("named volume " + source).contains(source);
            }
        }));
    }

    @Test
    void runsTheCudaLearnerInTheGpuProfileAndServingInItsOwnOnly() {
        services.fields().forEachRemaining(entry -> {
            List<String> profiles = texts(entry.getValue().path("profiles"));
            if (entry.getKey().equals("learner-gpu")) {
                assertThat(profiles).containsExactly("gpu");
            } else if (entry.getKey().equals("serve")) {
                assertThat(profiles).containsExactly("serve");
            } else {
                assertThat(profiles).as(entry.getKey() + " starts by default").isEmpty();
            }
        });
        JsonNode devices = service("learner-gpu").path("deploy").path("resources").path("reservations")
                .path("devices");
        assertThat(devices.size()).isEqualTo(1);
        JsonNode device = devices.get(0);
        assertThat(device.path("driver").asText()).isEqualTo("nvidia");
        assertThat(device.path("count").asText()).isIn("1", "all");
        assertThat(texts(device.path("capabilities"))).contains("gpu");

        Dockerfile cuda = dockerfile("learner-gpu");
        assertThat(cuda.path().getFileName()).hasToString("learner-cuda.Dockerfile");
        // the last CUDA 11 runtime, which runs nd4j-cuda-11.6's natives (minor-version compatibility), with cuDNN 8
        assertThat(cuda.finalBaseImage()).isEqualTo("nvidia/cuda:11.8.0-cudnn8-runtime-ubuntu22.04");
        assertThat(StackFiles.text(REPOSITORY_ROOT.resolve("streams-app/pom.xml")))
                .contains("<artifactId>nd4j-cuda-11.6</artifactId>", "<cuda.presets.version>11.6-");
        // the CUDA base sets no locale: without one the JVM would not read and write UTF-8
        assertThat(cuda.all("ENV")).anyMatch(env -> env.matches("(?s).*\\bLANG=C\\.UTF-8\\b.*"));
        assertThat(cuda.copies()).filteredOn(c -> c.fromStage().isEmpty())
                .allSatisfy(c -> assertThat(c.sources()).allMatch(s -> s.startsWith("streams-app/target/cuda/")));
        assertThat(StackFiles.text(REPOSITORY_ROOT.resolve("streams-app/pom.xml")))
                .contains("<id>cuda</id>", "<artifactId>nd4j-cuda-11.6</artifactId>",
                        "<directory>${project.basedir}/target/cuda</directory>");

        // the GPU learner is the CPU learner on other hardware: same settings, its own local state
        assertThat(environment("learner-gpu")).isEqualTo(environment("learner"));
        Map<String, String> cpuMounts = StackFiles.mounts(service("learner"));
        Map<String, String> gpuMounts = StackFiles.mounts(service("learner-gpu"));
        cpuMounts.remove("learner-state");
        gpuMounts.remove("learner-gpu-state");
        assertThat(gpuMounts).isEqualTo(cpuMounts);
    }

    @Test
    void buildsFromDockerfilesThatCopyOnlyRepositoryFilesOrDocumentedBuildOutputs() {
        String guide = StackFiles.text(DOCKER_DIR.getParent().resolve("README.md"));
        String dockerignore = StackFiles.text(REPOSITORY_ROOT.resolve(".dockerignore"));
        for (String name : BUILT_SERVICES) {
            Dockerfile dockerfile = dockerfile(name);
            assertThat(dockerfile.copies()).as(name + " copies something").isNotEmpty();
            for (Dockerfile.Copy copy : dockerfile.copies()) {
                if (copy.fromStage().isPresent()) {
                    assertThat(dockerfile.all("FROM")).as(name).anyMatch(f -> f.endsWith(" AS " + copy.fromStage()
                            .get()));
                    continue;
                }
                for (String source : copy.sources()) {
                    String path = strip(source);
                    if (path.contains("/target/")) {
                        assertThat(guide).as("README.md names the build output " + path).contains(path);
                    } else {
                        assertThat(REPOSITORY_ROOT.resolve(path)).as(name + " copies " + path).exists();
                    }
                    assertThat(reIncluded(dockerignore, path)).as(".dockerignore lets " + path + " through")
                            .isTrue();
                }
            }
        }
        // the build outputs are named as the modules' poms name them
        assertThat(StackFiles.text(REPOSITORY_ROOT.resolve("streams-app/pom.xml")))
                .contains("<finalName>streamtrain-streams-app</finalName>")
                .contains("<outputDirectory>${project.build.directory}/lib</outputDirectory>");
        assertThat(StackFiles.text(REPOSITORY_ROOT.resolve("connector/pom.xml")))
                .contains("<plugin.name>${plugin.owner}-${plugin.component}-${project.version}</plugin.name>",
                        "<plugin.owner>streamtrain</plugin.owner>",
                        "<plugin.component>${project.artifactId}</plugin.component>",
                        "<artifactId>streamtrain-connector</artifactId>");
    }

    @Test
    void runsTheLearnersAsAnUnprivilegedUserWithTheJvmSettingsTheyNeed() {
        for (String name : LEARNERS) {
            Dockerfile dockerfile = dockerfile(name);
            assertThat(dockerfile.user()).as(name).isNotIn("root", "0");
            assertThat(dockerfile.last("ENV")).as(name).contains("OMP_NUM_THREADS=1", "STREAMTRAIN_HEAP=-Xmx");
            assertThat(dockerfile.last("ENTRYPOINT")).as(name)
                    .contains("exec java $STREAMTRAIN_HEAP", "-XX:+UseParallelGC",
                            "-Dorg.bytedeco.javacpp.maxPhysicalBytes=0",
                            "-jar /opt/streamtrain/streamtrain-streams-app.jar")
                    .doesNotContain("nopointergc");
            assertThat(dockerfile.last("CMD")).as(name)
                    .isEqualTo("[\"run\", \"--config\", \"" + learnerConfigTarget(name) + "\"]");
            assertThat(environment(name).path("OMP_NUM_THREADS").asText()).isEqualTo("1");
            assertThat(environment(name).path("STREAMTRAIN_HEAP").asText()).startsWith("-Xmx");
        }
        assertThat(dockerfile("connect").user()).isEqualTo("appuser");
    }

    @Test
    void pointsTheLearnerAtTheComposeServices() {
        assertThat(learner.getProperty("bootstrap.servers")).isEqualTo(internalBootstrap());
        assertThat(learner.getProperty("schema.registry.url")).isEqualTo(registryUrl());
        assertThat(learner.getProperty("application.id")).isNotBlank();

        // the spec the learner loads is in the directory mounted into both learners
        String spec = learner.getProperty("streamtrain.model.spec");
        Map.Entry<String, String> specMount = StackFiles.mounts(service("learner")).entrySet().stream()
                .filter(m -> spec.startsWith(m.getValue() + "/")).findFirst().orElseThrow(
                        () -> new AssertionError("no mount of the learner holds " + spec));
        Path specFile = StackFiles.composeRelative(specMount.getKey())
                .resolve(spec.substring(specMount.getValue().length() + 1));
        assertThat(specFile).exists();
    }

    @Test
    void mapsTheEventsToTheModelTheLearnerTrains() {
        assertThat(connector.get("connector.class")).isEqualTo(CONNECTOR_CLASS);
        assertThat(connector.get("producer.bootstrap.servers")).isEqualTo(internalBootstrap());
        assertThat(connector.get("schema.registry.url")).isEqualTo(learner.getProperty("schema.registry.url"));
        assertThat(connector.get("errors.tolerance")).isEqualTo("all");

        String specPath = learner.getProperty("streamtrain.model.spec");
        JsonNode spec = StackFiles.readYaml(DOCKER_DIR.resolve("specs")
                .resolve(Path.of(specPath).getFileName()));
        List<String> features = List.of(connector.get("features").split("\\s*,\\s*"));
        assertThat(connector.keySet()).as("the features are plain numeric fields")
                .noneMatch(key -> key.startsWith("feature."));
        assertThat(features).hasSize(spec.path("inputSize").asInt());
        assertThat(connector.get("label.classes").split("\\s*,\\s*"))
                .hasSize(spec.path("output").path("classes").asInt());

        // connector-setup registers exactly this file, under the name the guide uses
        String setup = String.join(" ", texts(service("connector-setup").path("command")));
        assertThat(setup).contains("-X PUT", "@/etc/streamtrain/connectors/events-json.json",
                "http://connect:8083/connectors/events-json/config");
        assertThat(StackFiles.mounts(service("connector-setup")))
                .containsEntry("./connectors", "/etc/streamtrain/connectors");
    }

    @Test
    void installsThePluginWhereTheConnectWorkerLooks() {
        Dockerfile dockerfile = dockerfile("connect");
        Properties worker = StackFiles.properties(DOCKER_DIR.resolve("connect/connect-distributed.properties"));
        assertThat(worker.getProperty("bootstrap.servers")).isEqualTo(internalBootstrap());
        Matcher unzip = Pattern.compile("unzip\\s+(?:-\\w+\\s+)*\\S+\\s+-d\\s+(\\S+?);").matcher(
                String.join(" ", dockerfile.all("RUN")));
        assertThat(unzip.find()).as("connect.Dockerfile unzips the plugin with -d <dir>").isTrue();
        assertThat(worker.getProperty("plugin.path")).isEqualTo(unzip.group(1));
        assertThat(URI.create(worker.getProperty("listeners")).getPort()).isEqualTo(8083);
        assertThat(dockerfile.copies()).anySatisfy(copy -> {
            assertThat(copy.sources()).containsExactly("docker/connect/connect-distributed.properties");
            assertThat(dockerfile.last("CMD")).contains(copy.destination());
        });
        for (String key : List.of("config", "offset", "status")) {
            assertThat(worker.getProperty(key + ".storage.replication.factor")).isEqualTo("1");
        }
    }

    @Test
    void guideWalksFromComposeUpToReadingPredictions() {
        String guide = StackFiles.text(DOCKER_DIR.getParent().resolve("README.md"));
        String prefix = learner.getProperty("streamtrain.topic.prefix");
        assertThat(guide).contains("./mvnw -B -DskipTests package", "docker compose -f docker/docker-compose.yml up",
                "-Pcuda", "--profile gpu", "kafka-console-producer.sh", prefix + ".predictions",
                prefix + ".metrics", "down -v");
        // the predictions are read decoded, with the learner's own reader and its mounted configuration
        String tail = "run --rm --no-deps -T learner \\\n  tail predictions --config " + learnerConfigTarget("learner");
        assertThat(guide).contains(tail).doesNotContain("kafka-console-consumer.sh", "cat -v");
        String walkThrough = StackFiles.text(DOCKER_DIR.getParent().resolve("docs/compose.md"));
        assertThat(walkThrough).contains(tail, "tail metrics --config " + learnerConfigTarget("learner"))
                .doesNotContain("cat -v");
        // tail runs in the learner image: the launcher sends it to the learner's jar, which the image holds
        assertThat(StackFiles.text(REPOSITORY_ROOT.resolve("bin/streamtrain")).lines()
                .filter(line -> line.contains("jar=\"$learner_jar\"")).findFirst().orElse(""))
                .matches("\\s*[a-z|]*\\btail\\b[a-z|]*\\) jar=\"\\$learner_jar\".*");
        assertThat(dockerfile("learner").last("ENTRYPOINT"))
                .contains("-jar /opt/streamtrain/streamtrain-streams-app.jar \\\"$@\\\"");
    }

    // --- helpers

    private static JsonNode service(String name) {
        JsonNode service = services.path(name);
        assertThat(service.isObject()).as("service " + name).isTrue();
        return service;
    }

    private static JsonNode environment(String name) {
        return service(name).path("environment");
    }

    private static Dockerfile dockerfile(String service) {
        Path context = DOCKER_DIR.resolve(service(service).path("build").path("context").asText()).normalize();
        assertThat(context).as("the build context of " + service + " is the repository root")
                .isEqualTo(REPOSITORY_ROOT);
        Path path = context.resolve(service(service).path("build").path("dockerfile").asText()).normalize();
        assertThat(path).as("the Dockerfile of " + service).exists();
        return Dockerfile.read(path);
    }

    private static Map<String, String> dependsOn(String name) {
        JsonNode dependsOn = service(name).path("depends_on");
        assertThat(dependsOn.isObject()).as(name + ".depends_on names conditions").isTrue();
        return StackFiles.fieldNames(dependsOn).stream()
                .collect(Collectors.toMap(d -> d, d -> dependsOn.path(d).path("condition").asText()));
    }

    private static String healthCheck(String name) {
        return String.join(" ", texts(service(name).path("healthcheck").path("test")));
    }

    private static List<String> texts(JsonNode node) {
        List<String> texts = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(n -> texts.add(n.asText()));
        } else if (!node.isMissingNode() && !node.isNull()) {
            texts.add(node.asText());
        }
        return texts;
    }

    /** The listener Kafka advertises to the Compose network: the one whose host is the kafka service. */
    private static String internalBootstrap() {
        String advertised = environment("kafka").path("KAFKA_ADVERTISED_LISTENERS").asText();
        return Arrays.stream(advertised.split(","))
                .map(listener -> listener.substring(listener.indexOf("://") + 3))
                .filter(address -> address.startsWith("kafka:"))
                .findFirst().orElseThrow(() -> new AssertionError("no listener advertised as kafka:<port>"));
    }

    /** The port the registry listens on in its container: the target of its published port. */
    private static int registryPort() {
        String[] port = service("registry").path("ports").get(0).asText().split(":");
        return Integer.parseInt(port[port.length - 1]);
    }

    /** The Confluent API of the registry service; Apicurio serves it under /apis/ccompat/v7. */
    private static String registryUrl() {
        String path = service("registry").path("image").asText().startsWith("apicurio/") ? "/apis/ccompat/v7" : "";
        return "http://registry:" + registryPort() + path;
    }

    private static String learnerConfigTarget(String service) {
        return StackFiles.mounts(service(service)).get("./learner.properties");
    }

    private static String tagOf(String image) {
        String name = image.contains("@") ? image.substring(0, image.indexOf('@')) : image;
        int slash = name.lastIndexOf('/');
        int colon = name.lastIndexOf(':');
        return colon > slash ? name.substring(colon + 1) : image.contains("@") ? "digest" : "";
    }

    private static String strip(String source) {
        return source.endsWith("/") ? source.substring(0, source.length() - 1) : source;
    }

    /**
     * Whether the root .dockerignore, which leaves out everything, takes this COPY source back in: an exception
     * ({@code !pattern}) equal to it, matching it, or naming a directory above it.
     */
    private static boolean reIncluded(String dockerignore, String source) {
        for (String line : dockerignore.lines().map(String::strip).toList()) {
            if (!line.startsWith("!")) {
                continue;
            }
            String pattern = strip(line.substring(1));
            String regex = Arrays.stream(pattern.split("\\*", -1)).map(Pattern::quote)
                    .collect(Collectors.joining("[^/]*"));
            String sample = source.replace("*", "x");
            if (pattern.equals(source) || sample.matches(regex) || source.startsWith(pattern + "/")) {
                return true;
            }
        }
        return false;
    }

    @Test
    void theDockerignoreMatcherOfThisTestWorks() {
        String ignore = "*\n!a/target/lib\n!b/target/x-*.zip\n";
        assertThat(reIncluded(ignore, "a/target/lib")).isTrue();
        assertThat(reIncluded(ignore, "a/target/lib/y.jar")).isTrue();
        assertThat(reIncluded(ignore, "b/target/x-*.zip")).isTrue();
        assertThat(reIncluded(ignore, "b/target/x-1.zip")).isTrue();
        assertThat(reIncluded(ignore, "a/target/other.jar")).isFalse();
        assertThat(Files.exists(REPOSITORY_ROOT.resolve("pom.xml"))).as("the repository root").isTrue();
    }
}
