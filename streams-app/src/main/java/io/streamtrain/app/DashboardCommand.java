package io.streamtrain.app;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import io.streamtrain.dashboard.Dashboard;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code streamtrain dashboard}: serves a live web page of every model's learning curves, throughput, versions,
 * snapshots and events, read from the learner's topics ({@link Dashboard}), until Ctrl-C.
 */
@Command(name = "dashboard", mixinStandardHelpOptions = true, versionProvider = BuildVersion.class,
        sortOptions = false,
        description = {"Serves a live web page of the learner's models: loss and accuracy curves",
            "(each window and prequential), throughput, version, snapshots, the race of",
            "baselines, drift events, changes of champion and control answers. It follows",
            "<prefix>.metrics, .models, .events, .champions and .control.log",
            "read_committed, across the whole cluster, without a consumer group, and",
            "writes nothing. Kafka and the registry are set as for 'run'."},
        footer = {"", "Exit status: 0 after Ctrl-C; 2 for a bad option or configuration, or an",
            "address it cannot listen on.", "", "Example:",
            "  bin/streamtrain dashboard --config learner.properties",
            "  # then open http://127.0.0.1:9470/"})
final class DashboardCommand implements Callable<Integer> {

    static final int EXIT_BAD_INPUT = 2;

    @Mixin
    ConfigOptions cluster = new ConfigOptions();

    @Option(names = "--host", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "Address to listen on (default: ${DEFAULT-VALUE}, this machine only; 0.0.0.0: every "
                    + "interface, for a container).")
    String host;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "" + Dashboard.DEFAULT_PORT,
            description = "Port to listen on (default: ${DEFAULT-VALUE}; 0: any free port).")
    int port;

    @Option(names = "--history", paramLabel = "MINUTES", defaultValue = "60",
            description = "How far back the curves start, in minutes (default: ${DEFAULT-VALUE}); the models "
                    + "topic is read whole.")
    long historyMinutes;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        if (port < 0 || port > 65_535) {
            err.println("--port must be from 0 to 65535, not " + port);
            return EXIT_BAD_INPUT;
        }
        if (historyMinutes < 1) {
            err.println("--history must be at least 1 minute, not " + historyMinutes);
            return EXIT_BAD_INPUT;
        }
        LearnerConfig config;
        try {
            Map<String, Object> settings = cluster.settings();
            config = new LearnerConfig(settings);
        } catch (UncheckedIOException e) {
            err.println(e.getMessage());
            return EXIT_BAD_INPUT;
        } catch (ConfigException | IllegalArgumentException e) {
            err.println("invalid configuration: " + e.getMessage());
            return EXIT_BAD_INPUT;
        }
        Dashboard dashboard;
        try {
            dashboard = Dashboard.start(config.consumerConfig(), config.registryConfig(), config.topicPrefix(),
                    Duration.ofMinutes(historyMinutes), host, port);
        } catch (IOException e) {
            err.println("cannot listen on " + host + ":" + port + ": " + e.getMessage());
            return EXIT_BAD_INPUT;
        } catch (KafkaException | IllegalArgumentException e) {
            err.println("invalid configuration: " + e.getMessage()
                    + (e.getCause() == null ? "" : ": " + e.getCause().getMessage()));
            return EXIT_BAD_INPUT;
        }
        CountDownLatch stop = new CountDownLatch(1);
        try (ShutdownRequest shutdown = ShutdownRequest.install(stop::countDown, Main.STOP_BOUND, () -> { });
             dashboard) {
            out.println("the dashboard: " + dashboard.url() + " (following " + config.topicPrefix()
                    + ".metrics, .models, .events, .champions and .control.log; Ctrl-C stops it)");
            out.flush();
            stop.await();
            out.println("stopping the dashboard ...");
            out.flush();
        }
        return 0;
    }
}
