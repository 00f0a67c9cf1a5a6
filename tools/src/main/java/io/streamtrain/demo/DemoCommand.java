package io.streamtrain.demo;

import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import io.streamtrain.app.BuildVersion;
import io.streamtrain.app.LogOutput;
import io.streamtrain.app.Main;
import io.streamtrain.app.ShutdownRequest;
import io.streamtrain.data.CsvDataset;
import io.streamtrain.data.Dataset;
import io.streamtrain.data.DatasetFormatException;
import io.streamtrain.data.FashionMnist;
import io.streamtrain.embedded.StopHooks;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code streamtrain demo}: the whole pipeline on this machine, on real data, in one command. */
@Command(name = "demo", mixinStandardHelpOptions = true, versionProvider = BuildVersion.class,
        description = {"Starts Kafka (KRaft), a schema registry, a Connect worker with the Streamtrain plugin and the",
            "learner, all on 127.0.0.1, replays a labeled dataset as JSON through the connector, and shows the",
            "learner's progress read from its metrics topic. Ctrl-C stops everything it started, in the reverse",
            "order of the start. The full log goes to a file; the terminal shows progress and what needs acting on."},
        footer = {"", "Datasets:",
            "  fashion-mnist        the 10,000 Fashion-MNIST test images shipped with Streamtrain (default)",
            "  fashion-mnist-full   the 70,000 images of Debian's dataset-fashion-mnist package",
            "  <directory>          a directory with the Fashion-MNIST IDX files",
            "  <file>.csv           a CSV file with a header row, numeric features and a label column"})
public final class DemoCommand implements Callable<Integer> {

    @Option(names = "--dataset", paramLabel = "NAME|PATH", defaultValue = FashionMnist.SLICE_NAME,
            description = "The dataset to replay (default: ${DEFAULT-VALUE}).")
    String dataset;

    @Option(names = "--label-column", paramLabel = "COLUMN", defaultValue = "label",
            description = "For a CSV dataset: the label column (default: ${DEFAULT-VALUE}).")
    String labelColumn;

    @Option(names = "--examples", paramLabel = "N", description = "Replay at most N examples (default: all).")
    long examples = Long.MAX_VALUE;

    @Option(names = "--model", paramLabel = "SPEC", defaultValue = "classpath:specs/fashion-mnist-mlp.yaml",
            description = "The network spec (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--keep-running", description = "Stay up after the replay, until Ctrl-C.")
    boolean keepRunning;

    @Option(names = "--dashboard", description = {"Also serve the live dashboard (http://127.0.0.1:9470/, or a free "
            + "port when that is taken)", "and print its address; the demo then stays up after the replay, until "
            + "Ctrl-C."})
    boolean dashboard;

    @Option(names = "--plot", paramLabel = "DIR",
            description = "At the end, write the learning curves (accuracy, loss) as SVG files in DIR.")
    Path plot;

    @Option(names = "--log-file", paramLabel = "FILE",
            defaultValue = "${env:" + LogOutput.LOG_FILE_ENV + ":-logs/streamtrain-demo.log}",
            description = {"Where the full log goes (default: ${DEFAULT-VALUE}); the terminal gets the progress,",
                "Streamtrain's warnings and every error. '-': the full log on the terminal."})
    String logFile;

    @Option(names = {"-v", "--verbose"}, description = "The full log on the terminal too.")
    boolean verbose;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        Dataset data;
        try {
            data = dataset();
        } catch (IllegalArgumentException | DatasetFormatException | UncheckedIOException e) {
            spec.commandLine().getErr().println("--dataset: " + e.getMessage());
            return 2;
        }
        if (examples < 1) {
            spec.commandLine().getErr().println("--examples must be at least 1, was " + examples);
            return 2;
        }
        try {
            LogOutput.configure(logFile, verbose).ifPresent(file -> out.println("the demo's full log: " + file
                    + (verbose ? "" : " (--verbose: on the terminal too)")));
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("--log-file: " + e.getMessage());
            return 2;
        }
        // Ctrl-C asks the demo to stop; this thread then closes what it started, in the reverse order of the start
        StopHooks.leaveToOwner();
        Demo demo = new Demo(out);
        try (ShutdownRequest shutdown = ShutdownRequest.install(demo::requestStop, Main.STOP_BOUND,
                StopHooks::runLeftovers)) {
            try {
                return demo.run(new Demo.Options(data, examples, model, keepRunning || dashboard, plot,
                        dashboard));
            } finally {
                out.println("stopping ...");
                demo.close();
            }
        }
    }

    private Dataset dataset() {
        Path path = Path.of(dataset);
        if (dataset.endsWith(".csv") && Files.isRegularFile(path)) {
            return CsvDataset.builder(path).labelColumn(labelColumn).build();
        }
        if (List.of(FashionMnist.SLICE_NAME, FashionMnist.FULL_NAME).contains(dataset) || Files.isDirectory(path)) {
            return FashionMnist.resolve(dataset);
        }
        throw new IllegalArgumentException("'" + dataset + "' is not fashion-mnist, fashion-mnist-full, a directory "
                + "of IDX files or an existing .csv file");
    }
}
