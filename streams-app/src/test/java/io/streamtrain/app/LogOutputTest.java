package io.streamtrain.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.Configurator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Where {@code run} and {@code demo} send each kind of log line: the file, the terminal, or both. */
class LogOutputTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream terminal = new ByteArrayOutputStream();
    private PrintStream savedErr;

    @BeforeEach
    void captureTheTerminal() {
        savedErr = System.err;
        System.setErr(new PrintStream(terminal, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setErr(savedErr);
        // back to the tests' own configuration
        Configurator.reconfigure();
    }

    @Test
    void theFileHasTheFullLogAndTheTerminalOnlyWhatNeedsActingOn() throws IOException {
        Path file = dir.resolve("logs/run.log");
        assertThat(LogOutput.configure(file.toString(), false)).contains(file);
        logOneOfEach();

        String logged = Files.readString(file);
        assertThat(logged).contains("own info", "own warning", "client warning", "client error", "per record",
                "streams state", "broker error");
        assertThat(logged).doesNotContain("client info");
        assertThat(terminal()).contains("own warning", "client error")
                .doesNotContain("own info", "client warning", "per record", "streams state", "broker error");
    }

    @Test
    void verbosePutsTheFullLogOnTheTerminalToo() throws IOException {
        Path file = dir.resolve("run.log");
        LogOutput.configure(file.toString(), true);
        logOneOfEach();

        assertThat(terminal()).contains("own info", "own warning", "client warning", "client error", "per record",
                "streams state", "broker error").doesNotContain("client info");
        assertThat(Files.readString(file)).contains("own info", "broker error");
    }

    @Test
    void aDashLeavesThePackagedConfigurationWhichLogsEverythingToTheTerminal() throws IOException {
        Configuration before = LoggerContext.getContext(false).getConfiguration();
        assertThat(LogOutput.configure(LogOutput.TERMINAL, false)).isEqualTo(Optional.empty());
        assertThat(LoggerContext.getContext(false).getConfiguration()).isSameAs(before);

        // what the jar ships: the full log, at the levels of a log file, on standard error
        String packaged;
        try (var in = LogOutput.class.getResourceAsStream("/log4j2.xml")) {
            packaged = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(packaged).contains("target=\"SYSTEM_ERR\"", "<Logger name=\"io.streamtrain\"",
                "<Logger name=\"org.apache.kafka.streams.KafkaStreams\" level=\"INFO\"/>");
    }

    @Test
    void aFileThatCannotBeWrittenIsRefusedWithTheReason() throws IOException {
        Path notADirectory = Files.writeString(dir.resolve("plain"), "x");
        assertThatThrownBy(() -> LogOutput.configure(notADirectory.resolve("run.log").toString(), false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot create the directory of " + notADirectory.resolve("run.log"));
        assertThatThrownBy(() -> LogOutput.configure(dir.toString(), false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(dir + " is a directory");
        assertThatThrownBy(() -> LogOutput.configure("bad\0name", false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not a path");
    }

    private static void logOneOfEach() {
        Logger own = LoggerFactory.getLogger("io.streamtrain.app.LearnerApp");
        own.info("own info");
        own.warn("own warning");
        LoggerFactory.getLogger("io.streamtrain.topology.Rejections").warn("per record");
        Logger client = LoggerFactory.getLogger("org.apache.kafka.clients.NetworkClient");
        client.info("client info");
        client.warn("client warning");
        client.error("client error");
        LoggerFactory.getLogger("org.apache.kafka.streams.KafkaStreams").info("streams state");
        LoggerFactory.getLogger("kafka.server.ReplicaManager").error("broker error");
    }

    private String terminal() {
        return terminal.toString(StandardCharsets.UTF_8);
    }
}
