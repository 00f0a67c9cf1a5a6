package io.streamtrain.app;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;

import io.streamtrain.avro.ModelSnapshot;
import io.streamtrain.learn.SnapshotRef;
import io.streamtrain.snapshot.SnapshotException;
import io.streamtrain.snapshot.SnapshotReader;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code streamtrain export}: one snapshot of a model from the models topic of any cluster, written as the DL4J
 * {@code ModelSerializer} zip it is (the network with its updater state).
 */
// no mixinStandardHelpOptions: --version names the snapshot here, not the program's version
@Command(name = "export",
        description = {"Writes a model's snapshot from <prefix>.models as a DL4J ModelSerializer zip (with the",
            "updater state), which plain DL4J reads with ModelSerializer.restoreMultiLayerNetwork and a spec",
            "takes as its warmStart. Reads the cluster and registry the properties file names (the learner's",
            "file, or any with bootstrap.servers, schema.registry.url and the security settings)."},
        footer = {"", "Example:", "  bin/streamtrain export --config learner.properties --model fraud --version 4000 "
                + "--out fraud-4000.zip"})
final class ExportCommand implements Callable<Integer> {

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Mixin
    ConfigOptions cluster = new ConfigOptions();

    @Option(names = "--model", required = true, paramLabel = "MODEL", description = "The model's id.")
    String model;

    @Option(names = "--version", paramLabel = "N|latest", defaultValue = "latest",
            description = "The version (training steps) to export, or 'latest' (default: ${DEFAULT-VALUE}).")
    String version;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where the zip is written.")
    Path out;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "60",
            description = "How long reading the topic may take (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter stdout = spec.commandLine().getOut();
        SnapshotRef ref;
        LearnerConfig learnerConfig;
        try {
            ref = SnapshotRef.parse(model + "@" + version);
            if (timeoutSeconds < 1) {
                throw new IllegalArgumentException("--timeout must be at least 1 second, was " + timeoutSeconds);
            }
            learnerConfig = new LearnerConfig(cluster.settings());
        } catch (IllegalArgumentException | ConfigException | UncheckedIOException e) {
            err.println("export: " + e.getMessage());
            return 2;
        }
        String topic = LearnerApp.topics(learnerConfig).models().name();
        SnapshotReader reader = new SnapshotReader(learnerConfig.consumerConfig(), learnerConfig.registryConfig(),
                topic, Duration.ofSeconds(timeoutSeconds));
        SnapshotReader.Snapshot snapshot;
        try {
            snapshot = reader.fetch(ref.model(), ref.version());
        } catch (SnapshotException e) {
            err.println("export: " + e.getMessage());
            return 1;
        }
        try {
            write(snapshot.zip(), out);
        } catch (IOException e) {
            err.println("export: cannot write " + out + ": " + e.getMessage());
            return 1;
        }
        ModelSnapshot d = snapshot.description();
        stdout.println(String.format(Locale.ROOT, "exported model %s version %d (%,d examples trained, made %s%s) to "
                        + "%s: %,d bytes, sha256 %s", d.getModel(), d.getVersion(), d.getExamplesTrained(),
                d.getCreatedAt(), figures(d), out, snapshot.zip().length, d.getSha256()));
        stdout.flush();
        return 0;
    }

    private static String figures(ModelSnapshot d) {
        if (d.getPrequentialAccuracy() != null) {
            return String.format(Locale.ROOT, ", prequential accuracy %.2f%% over %,d labeled",
                    100 * d.getPrequentialAccuracy(), d.getLabeled());
        }
        if (d.getPrequentialRmse() != null) {
            return String.format(Locale.ROOT, ", prequential RMSE %.4g over %,d labeled", d.getPrequentialRmse(),
                    d.getLabeled());
        }
        return "";
    }

    /** Written beside the target, then moved over it: a reader never sees half a zip. */
    private static void write(byte[] zip, Path out) throws IOException {
        Path target = out.toAbsolutePath();
        Path dir = target.getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        Path partial = Files.createTempFile(dir, target.getFileName().toString(), ".partial");
        try {
            Files.write(partial, zip);
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(partial);
        }
    }
}
