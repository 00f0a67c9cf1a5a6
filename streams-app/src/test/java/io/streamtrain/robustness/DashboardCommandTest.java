package io.streamtrain.robustness;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code streamtrain dashboard} refuses what it cannot do before it starts, with exit status 2 and the reason. */
class DashboardCommandTest {

    @TempDir
    Path dir;

    @Test
    void aPortInUseIsRefusedNamingTheAddress() throws Exception {
        Path config = Files.writeString(dir.resolve("learner.properties"),
                "bootstrap.servers=127.0.0.1:9\nschema.registry.url=http://127.0.0.1:9\n");
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            CliRun run = CliRun.of("dashboard", "--config", config.toString(), "--port",
                    Integer.toString(taken.getLocalPort()));
            assertThat(run.exitCode()).isEqualTo(2);
            assertThat(run.err()).startsWith("cannot listen on 127.0.0.1:" + taken.getLocalPort() + ": ");
        }
    }

    @Test
    void badOptionsAndFilesAreRefused() throws Exception {
        Path config = Files.writeString(dir.resolve("learner.properties"),
                "bootstrap.servers=127.0.0.1:9\nschema.registry.url=http://127.0.0.1:9\n");
        assertThat(CliRun.of("dashboard", "--config", dir.resolve("missing").toString()))
                .satisfies(r -> assertThat(r.exitCode()).isEqualTo(2))
                .satisfies(r -> assertThat(r.err()).contains("cannot read the configuration file"));
        assertThat(CliRun.of("dashboard", "--config", config.toString(), "--port", "70000"))
                .satisfies(r -> assertThat(r.err()).contains("--port must be from 0 to 65535, not 70000"))
                .satisfies(r -> assertThat(r.exitCode()).isEqualTo(2));
        assertThat(CliRun.of("dashboard", "--config", config.toString(), "--history", "0"))
                .satisfies(r -> assertThat(r.err()).contains("--history must be at least 1 minute"))
                .satisfies(r -> assertThat(r.exitCode()).isEqualTo(2));
        Path bad = Files.writeString(dir.resolve("bad.properties"), "bootstrap.servers=\n");
        assertThat(CliRun.of("dashboard", "--config", bad.toString()))
                .satisfies(r -> assertThat(r.err()).contains("invalid configuration"))
                .satisfies(r -> assertThat(r.exitCode()).isEqualTo(2));
    }

    @Test
    void itsHelpSaysItListensOnLoopbackByDefault() {
        CliRun help = CliRun.of("dashboard", "--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("--host=ADDRESS", "default: 127.0.0.1", "--port=PORT", "default: 9470");
    }
}
