package io.streamtrain.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import io.streamtrain.embedded.ForkedLearner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class MainTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void helpNamesTheCommandsAndTheirOptions() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("run", "tail", "config");
        assertThat(run("run", "--help")).isZero();
        assertThat(out.toString()).contains("--config", "--model", "bootstrap.servers", "schema.registry.url",
                "<prefix>.examples");
    }

    @Test
    void theLearnerOffersItsOwnCommandsOnly() {
        // demo, bench and chaos are the tools' (tools/): the learner's jar carries no broker or Connect worker
        assertThat(new CommandLine(new Main()).getSubcommands().keySet())
                .containsExactlyInAnyOrder("run", "serve", "tail", "config", "export", "control", "dashboard");
    }

    @Test
    void exportRefusesABadVersionOrConfigurationBeforeConnecting() throws Exception {
        assertThat(run("export", "--config", "/nonexistent/learner.properties", "--model", "m", "--out", "x.zip"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("cannot read the configuration file /nonexistent/learner.properties");
        java.nio.file.Path config = java.nio.file.Files.createTempFile("learner", ".properties");
        try {
            java.nio.file.Files.writeString(config, "bootstrap.servers=127.0.0.1:1\nschema.registry.url="
                    + "http://127.0.0.1:1\n");
            assertThat(run("export", "--config", config.toString(), "--model", "m", "--version", "ten", "--out",
                    "x.zip")).isEqualTo(2);
            assertThat(err.toString()).contains("the version after '@' must be a number or 'latest', was 'ten'");
            assertThat(run("export", "--config", config.toString(), "--model", "m", "--version", "-3", "--out",
                    "x.zip")).isEqualTo(2);
            assertThat(err.toString()).contains("a snapshot version is 0 or more, was -3");
        } finally {
            java.nio.file.Files.delete(config);
        }
    }

    @Test
    void controlRefusesABadCommandLineBeforeConnecting() throws Exception {
        java.nio.file.Path config = java.nio.file.Files.createTempFile("learner", ".properties");
        try {
            java.nio.file.Files.writeString(config, "bootstrap.servers=127.0.0.1:1\nschema.registry.url="
                    + "http://127.0.0.1:1\n");
            assertThat(run("control", "--config", config.toString(), "rollback", "m")).isEqualTo(2);
            assertThat(err.toString()).contains("rollback takes a model and a version, was given 1 word(s)");
            assertThat(run("control", "--config", config.toString(), "rollback", "m", "v3")).isEqualTo(2);
            assertThat(err.toString()).contains("rollback: the version must be a whole number, was 'v3'");
            assertThat(run("control", "--config", config.toString(), "pause", "m", "now")).isEqualTo(2);
            assertThat(err.toString()).contains("pause takes a model, was given 2 word(s)");
            assertThat(run("control", "--config", config.toString(), "launch", "m")).isEqualTo(2);
            assertThat(err.toString()).contains("unknown command 'launch': one of snapshot, pause, resume, set-lr, "
                    + "rollback, reset, pin, unpin");
            assertThat(run("control", "--config", config.toString(), "pause")).isEqualTo(2);
        } finally {
            java.nio.file.Files.delete(config);
        }
    }

    @Test
    void versionIsThePomsVersion() {
        String pomVersion = System.getProperty("streamtrain.project.version");
        assertThat(pomVersion).as("the pom passes its version to the tests").isNotBlank();
        assertThat(run("--version")).isZero();
        assertThat(out.toString().strip()).isEqualTo("Streamtrain " + pomVersion);
        for (String command : new String[] {"run", "serve", "tail", "config", "control"}) {
            out.getBuffer().setLength(0);
            assertThat(run(command, "--version")).isZero();
            assertThat(out.toString().strip()).as(command).isEqualTo("Streamtrain " + pomVersion);
        }
        assertThat(BuildVersion.get()).isEqualTo(pomVersion);
    }

    @Test
    void theForkedLearnerStartsThisMain() {
        // embedded/ names the learner's entry point as a string: it is built before the learner
        assertThat(ForkedLearner.MAIN_CLASS).isEqualTo(Main.class.getName());
    }

    @Test
    void configPrintsTheReferenceOfEverySetting() {
        assertThat(run("config")).isZero();
        assertThat(out.toString()).contains(LearnerConfig.TOPIC_PREFIX, LearnerConfig.MODEL_SPEC,
                LearnerConfig.CHECKPOINT_EVERY_BATCHES, LearnerConfig.METRICS_INTERVAL_MS);
    }

    @Test
    void aMissingConfigFileIsAClearErrorAndExitCode2() {
        assertThat(run("run", "--config", dir.resolve("nope.properties").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("cannot read the configuration file").contains("nope.properties");
    }

    @Test
    void aConfigWithoutTheRegistryIsRefusedNamingTheKey() throws IOException {
        Path config = dir.resolve("learner.properties");
        Files.writeString(config, "bootstrap.servers=127.0.0.1:9092\n");
        assertThat(run("run", "--config", config.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("schema.registry.url");
    }

    @Test
    void anInvalidSpecIsRefusedNamingTheFieldAndTheRule() throws IOException {
        Path config = dir.resolve("learner.properties");
        Files.writeString(config, "bootstrap.servers=127.0.0.1:9092\nschema.registry.url=http://127.0.0.1:1\n");
        Path spec = dir.resolve("bad.yaml");
        Files.writeString(spec, """
                inputSize: 4
                layers:
                  - {type: dense, units: 8, activation: relu}
                output: {type: classification, classes: 2}
                optimizer: {type: adam, learningRate: -0.1}
                """);
        assertThat(run("run", "--config", config.toString(), "--model", spec.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("optimizer.learningRate");
    }

    @Test
    void anUnknownProcessingGuaranteeIsRefused() throws IOException {
        Path config = dir.resolve("learner.properties");
        Files.writeString(config, """
                bootstrap.servers=127.0.0.1:9092
                schema.registry.url=http://127.0.0.1:1
                processing.guarantee=exactly_once
                """);
        assertThat(run("run", "--config", config.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("processing.guarantee");
    }

    @Test
    void aLogFileThatCannotBeWrittenIsRefusedBeforeAnythingStarts() throws IOException {
        Path config = dir.resolve("learner.properties");
        Files.writeString(config, "bootstrap.servers=127.0.0.1:9092\nschema.registry.url=http://127.0.0.1:1\n"
                + "streamtrain.model.spec=classpath:specs/mlp-classifier.yaml\n");
        Path file = Files.writeString(dir.resolve("plain"), "x");
        assertThat(run("run", "--config", config.toString(), "--log-file", file.resolve("run.log").toString()))
                .isEqualTo(2);
        assertThat(err.toString()).startsWith("--log-file: cannot create the directory of " + file.resolve("run.log"));
    }
}
