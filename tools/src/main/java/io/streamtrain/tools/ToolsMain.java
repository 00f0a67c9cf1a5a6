package io.streamtrain.tools;

import io.streamtrain.app.Main;
import io.streamtrain.bench.Bench;
import io.streamtrain.chaos.ChaosCommand;
import io.streamtrain.demo.DemoCommand;
import picocli.CommandLine;

/**
 * The {@code streamtrain} command line with the tools: the learner's own commands ({@code run}, {@code tail},
 * {@code config}),
 * taken as they are from its {@link Main}, plus {@code demo}, {@code bench} and {@code chaos}, which run the learner
 * beside a broker, a registry and a Connect worker on this machine. The learner's jar (and so its Docker image)
 * carries none of these, nor what they need. {@code bin/streamtrain} sends {@code run}, {@code tail} and
 * {@code config} to the learner's jar and everything else here, so that its help names every command.
 */
public final class ToolsMain {

    private ToolsMain() {
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The learner's command line with the tools' commands added. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        // the help lists the commands as it always has: the tools after run, the settings' reference last
        CommandLine config = cli.getCommandSpec().removeSubcommand("config");
        return cli.addSubcommand(new DemoCommand())
                .addSubcommand(new Bench())
                .addSubcommand(new ChaosCommand())
                .addSubcommand("config", config);
    }
}
