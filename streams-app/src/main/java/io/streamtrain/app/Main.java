package io.streamtrain.app;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

import io.streamtrain.learn.SpecValidationException;
import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The {@code streamtrain} command line of the learner: {@code run}, {@code serve}, {@code tail}, {@code config},
 * {@code export}, {@code control} and {@code dashboard}. The tools' entry point
 * (tools/, {@code io.streamtrain.tools.ToolsMain}) adds {@code demo}, {@code bench} and {@code chaos} to this same
 * command line, so that neither they nor what they run on (an embedded broker, a Connect worker) are in the learner.
 */
@Command(name = "streamtrain", mixinStandardHelpOptions = true, versionProvider = BuildVersion.class,
        description = "Keeps a deep neural network learning from a live Kafka stream.",
        subcommands = {Main.Run.class, Main.Serve.class, TailCommand.class, Main.ConfigReference.class,
            ExportCommand.class, ControlCli.class, DashboardCommand.class})
public final class Main implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(Main.class);
    /** How long a Ctrl-C waits for the components to close in order before it stops what is left itself. */
    public static final Duration STOP_BOUND = Duration.ofSeconds(40);

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    @Command(name = "run", mixinStandardHelpOptions = true, versionProvider = BuildVersion.class,
            description = {"Runs the learner against a Kafka cluster and a schema registry.",
                "It reads <prefix>.examples and writes <prefix>.predictions, <prefix>.metrics and <prefix>.errors.",
                "Every key of the properties file that is not streamtrain.* is passed to Kafka Streams and its",
                "clients (bootstrap.servers, security.protocol, sasl.*, ssl.*, ...) or to the registry client",
                "(schema.registry.url, basic.auth.*, schema.registry.ssl.*). See 'streamtrain config'."},
            footer = {"", "Example:", "  bin/streamtrain run --config learner.properties --model specs/my-model.yaml"})
    static final class Run implements Callable<Integer> {

        @Mixin
        ConfigOptions cluster = new ConfigOptions();

        @Option(names = "--model", paramLabel = "SPEC",
                description = "Network spec (YAML or JSON) for every model; overrides streamtrain.model.spec. "
                        + "classpath:specs/<name> names a shipped spec.")
        String model;

        @Option(names = "--log-file", paramLabel = "FILE",
                defaultValue = "${env:" + LogOutput.LOG_FILE_ENV + ":-logs/streamtrain-run.log}",
                description = {"Where the full log goes (default: ${DEFAULT-VALUE}; STREAMTRAIN_LOG_FILE sets it);",
                    "the terminal gets Streamtrain's warnings and every error. '-': the full log on the terminal",
                    "only, as in the Docker image."})
        String logFile;

        @Option(names = {"-v", "--verbose"}, description = "The full log on the terminal too.")
        boolean verbose;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            return runUntilStopped(spec, cluster, model, logFile, verbose, false);
        }
    }

    @Command(name = "serve", mixinStandardHelpOptions = true, versionProvider = BuildVersion.class,
            description = {"Runs a serving replica: a Kafka Streams application of its own that predicts each request",
                "of <prefix>.requests (an unlabeled Example, keyed by model id) into <prefix>.served, with the latest",
                "(or pinned) snapshot of the model on <prefix>.models, stamped with its version. Start as many as",
                "the requests topic has partitions; they share them. The properties file is the learner's",
                "(streamtrain.serve.* for the replicas' own settings)."},
            footer = {"", "Example:", "  bin/streamtrain serve --config learner.properties"})
    static final class Serve implements Callable<Integer> {

        @Mixin
        ConfigOptions cluster = new ConfigOptions();

        @Option(names = "--log-file", paramLabel = "FILE",
                defaultValue = "${env:" + LogOutput.LOG_FILE_ENV + ":-logs/streamtrain-serve.log}",
                description = {"Where the full log goes (default: ${DEFAULT-VALUE}); '-': on the terminal only."})
        String logFile;

        @Option(names = {"-v", "--verbose"}, description = "The full log on the terminal too.")
        boolean verbose;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            return runUntilStopped(spec, cluster, null, logFile, verbose, true);
        }
    }

    /** Runs the learner, or a serving replica, until it stops or a signal stops it; returns the exit status. */
    private static int runUntilStopped(CommandSpec spec, ConfigOptions cluster, String model, String logFile,
            boolean verbose, boolean serving) throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        Map<String, Object> settings;
        try {
            settings = cluster.settings();
        } catch (UncheckedIOException e) {
            err.println(e.getMessage());
            return 2;
        }
        if (model != null) {
            settings.put(LearnerConfig.MODEL_SPEC, model);
        }
        LearnerConfig learnerConfig;
        ModelSpecs specs;
        try {
            learnerConfig = new LearnerConfig(settings);
            // loaded and checked once, before anything connects; a serving replica takes its specs from the snapshots
            specs = serving ? null : ModelSpecs.load(learnerConfig);
        } catch (ConfigException | SpecValidationException | IllegalArgumentException | IllegalStateException e) {
            err.println("invalid configuration: " + e.getMessage());
            return 2;
        }
        PrintWriter out = spec.commandLine().getOut();
        String what = serving ? "serving replica" : "learner";
        try {
            LogOutput.configure(logFile, verbose).ifPresent(logPath -> {
                out.println("the " + what + "'s full log: " + logPath
                        + (verbose ? "" : " (--verbose: on the terminal too)"));
                out.flush();
            });
        } catch (IllegalArgumentException e) {
            err.println("--log-file: " + e.getMessage());
            return 2;
        }
        LearnerApp app;
        try {
            app = serving ? LearnerApp.serve(learnerConfig) : LearnerApp.start(learnerConfig, specs);
        } catch (ConfigException e) {
            // a setting Kafka Streams refuses, or the HTTP endpoint's port in use: a setting to change, like any other
            err.println("invalid configuration: " + e.getMessage());
            return 2;
        }
        app.httpUrl().ifPresent(url -> {
            out.println("the " + what + "'s metrics: " + url + "/metrics, its health: " + url + "/health");
            out.flush();
        });
        // Ctrl-C or SIGTERM (docker stop) wakes awaitStop; this thread closes the application
        try (ShutdownRequest shutdown = ShutdownRequest.install(app::requestStop, STOP_BOUND, app::close)) {
            return awaitAndClose(app, shutdown, out, what);
        }
    }

    private static int awaitAndClose(LearnerApp app, ShutdownRequest shutdown, PrintWriter out, String what)
            throws InterruptedException {
        Optional<Throwable> failure = app.awaitStop();
        if (shutdown.requested()) {
            out.println("stopping the " + what + " ...");
            out.flush();
        }
        long start = System.nanoTime();
        // closed first, so that the status line is the last one: why, where, and what the exit status means
        app.close();
        if (shutdown.requested()) {
            out.printf(Locale.ROOT, "stopped the %s (%.1f s)%n", what, (System.nanoTime() - start) / 1e9);
            out.flush();
        }
        if (failure.isPresent()) {
            int status = LearnerApp.exitStatus(failure.get());
            log.error("the {} stopped with exit status {} ({}): {}", what, status,
                    status == LearnerApp.EXIT_OUTAGE ? "the cluster or the registry stayed out of reach; restart "
                            + "it once they answer" : "an error that is not in the input; fix its cause and "
                            + "restart it, it resumes from its last commit", LearnerApp.reason(failure.get()));
            return status;
        }
        return 0;
    }

    @Command(name = "config", mixinStandardHelpOptions = true, versionProvider = BuildVersion.class,
            description = "Prints the reference of the learner's streamtrain.* settings.")
    static final class ConfigReference implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().getOut().println(LearnerConfig.reference());
            return 0;
        }
    }
}
