package io.streamtrain.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ToolsMainTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = ToolsMain.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void offersEveryCommandOfBinStreamtrain() {
        assertThat(ToolsMain.commandLine().getSubcommands().keySet())
                .containsExactly("run", "serve", "tail", "export", "control", "dashboard", "demo", "bench", "chaos",
                        "config");
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("run", "serve", "tail", "export", "control", "dashboard", "config", "demo",
                "bench", "chaos");
    }

    @Test
    void theLearnersCommandsAreTheLearnersOwn() {
        assertThat(run("run", "--help")).isZero();
        assertThat(out.toString()).contains("--config", "--model", "bootstrap.servers");
        assertThat(run("config")).isZero();
        assertThat(out.toString()).contains("streamtrain.topic.prefix");
    }

    @Test
    void everyCommandPrintsTheVersionOfTheBuild() {
        String expected = "Streamtrain " + System.getProperty("streamtrain.project.version");
        for (String command : new String[] {"demo", "bench", "chaos"}) {
            out.getBuffer().setLength(0);
            assertThat(run(command, "--version")).isZero();
            assertThat(out.toString().strip()).as(command).isEqualTo(expected);
        }
        out.getBuffer().setLength(0);
        assertThat(run("--version")).isZero();
        assertThat(out.toString().strip()).isEqualTo(expected);
    }

    @Test
    void theToolsRefuseBadOptionsWithExitCode2() {
        assertThat(run("demo", "--dataset", "no-such-dataset")).isEqualTo(2);
        assertThat(err.toString()).contains("--dataset");
        assertThat(run("chaos", "--help")).isZero();
        assertThat(out.toString()).contains("--kills", "--examples");
    }
}
