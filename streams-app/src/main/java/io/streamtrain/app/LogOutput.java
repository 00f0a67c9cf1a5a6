package io.streamtrain.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.appender.ConsoleAppender;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.builder.api.AppenderRefComponentBuilder;
import org.apache.logging.log4j.core.config.builder.api.ConfigurationBuilder;
import org.apache.logging.log4j.core.config.builder.api.ConfigurationBuilderFactory;
import org.apache.logging.log4j.core.config.builder.api.LoggerComponentBuilder;
import org.apache.logging.log4j.core.config.builder.impl.BuiltConfiguration;

/**
 * Where the commands that run for a while ({@code run}, {@code demo}) send their log. The full log (the levels
 * below) goes to a file, rolled over at 100 MB with 5 kept; the terminal gets only what a user must act on:
 * Streamtrain's own warnings and every error of the clients, Kafka Streams, Connect and DL4J. Their warnings (a
 * client that reconnects), the warning per rejected record (each one is on the errors topic) and the log of a broker
 * running in the same JVM (the demo's) are in the file only. {@code --verbose} puts the full log on the terminal
 * too. A log file of {@value #TERMINAL} leaves the packaged {@code log4j2.xml}, which puts the full log on the
 * terminal (standard error) only: what a container wants ({@code docker compose logs}).
 *
 * <p>Levels of the full log: {@code io.streamtrain} at INFO (or {@code STREAMTRAIN_LOG_LEVEL}), Kafka Streams'
 * state changes at INFO, everything else at WARN.
 */
public final class LogOutput {

    /** The log file that means "no file: the full log on the terminal (standard error)". */
    public static final String TERMINAL = "-";
    /** The environment variable that gives the default log file ({@value #TERMINAL} in the Docker image). */
    public static final String LOG_FILE_ENV = "STREAMTRAIN_LOG_FILE";

    private static final String OWN = "io.streamtrain";
    /** One warning per rejected record: the errors topic has each of them, with its rule and field. */
    private static final String PER_RECORD = "io.streamtrain.topology.Rejections";
    /**
     * The loggers of a broker in this JVM (the demo's): its errors are about its clients' requests (a retried
     * append, say) and are handled by them; they are in the file only.
     */
    private static final List<String> EMBEDDED_BROKER = List.of("kafka", "state.change.logger",
            "org.apache.kafka.server", "org.apache.kafka.storage", "org.apache.kafka.controller",
            "org.apache.kafka.raft", "org.apache.kafka.coordinator", "org.apache.kafka.metadata",
            "org.apache.kafka.image");
    private static final String FULL_PATTERN = "%d{ISO8601} %-5level [%t] %c{1} - %msg%n";
    private static final String SHORT_PATTERN = "%d{HH:mm:ss} %-5level %c{1} - %msg%n";

    private LogOutput() {
    }

    /**
     * Sends the log where {@code target} says, for the rest of this JVM.
     *
     * @param target  a file path, or {@value #TERMINAL}
     * @param verbose whether the terminal gets the full log too
     * @return the absolute path of the log file, or empty when the full log is on the terminal only
     * @throws IllegalArgumentException if the file cannot be written (the message says why)
     */
    public static Optional<Path> configure(String target, boolean verbose) {
        if (TERMINAL.equals(target)) {
            // the packaged log4j2.xml is that already: the full log, at the levels above, on standard error; left as
            // it is, so that whoever runs the command in-process (a test capturing lines) keeps its configuration
            return Optional.empty();
        }
        return Optional.of(toFile(writable(target), verbose));
    }

    /** The full log to {@code file}; the terminal gets what needs acting on, or everything when verbose. */
    private static Path toFile(Path file, boolean verbose) {
        boolean quiet = !verbose;
        ConfigurationBuilder<BuiltConfiguration> b = ConfigurationBuilderFactory.newConfigurationBuilder();
        b.setStatusLevel(Level.WARN);
        b.setConfigurationName("streamtrain-file");
        b.add(b.newAppender("terminal", "Console")
                .addAttribute("target", ConsoleAppender.Target.SYSTEM_ERR)
                // follows System.setErr, so that what a test captures is what a user would see
                .addAttribute("follow", true)
                .add(b.newLayout("PatternLayout").addAttribute("pattern", quiet ? SHORT_PATTERN : FULL_PATTERN)));
        b.add(b.newAppender("file", "RollingFile")
                .addAttribute("fileName", file.toString())
                .addAttribute("filePattern", file + ".%i.gz")
                .addAttribute("append", true)
                .add(b.newLayout("PatternLayout").addAttribute("pattern", FULL_PATTERN))
                .addComponent(b.newComponent("SizeBasedTriggeringPolicy").addAttribute("size", "100MB"))
                .addComponent(b.newComponent("DefaultRolloverStrategy").addAttribute("max", 5)));

        Level own = Level.toLevel(System.getenv().getOrDefault("STREAMTRAIN_LOG_LEVEL", "INFO")
                .toUpperCase(Locale.ROOT), Level.INFO);
        b.add(logger(b, OWN, own, quiet ? Level.WARN : null));
        b.add(logger(b, PER_RECORD, own, quiet ? Level.OFF : null));
        b.add(b.newLogger("org.apache.kafka", Level.WARN));
        b.add(b.newLogger("org.apache.kafka.streams.KafkaStreams", Level.INFO));
        for (String broker : EMBEDDED_BROKER) {
            b.add(logger(b, broker, Level.WARN, quiet ? Level.OFF : null));
        }
        b.add(b.newLogger("org.nd4j", Level.WARN));
        b.add(b.newLogger("org.deeplearning4j", Level.WARN));
        b.add(b.newRootLogger(Level.WARN).add(terminalRef(b, quiet ? Level.ERROR : null))
                .add(b.newAppenderRef("file")));
        Configurator.reconfigure(b.build());
        return file;
    }

    private static Path writable(String target) {
        Path file;
        try {
            file = Path.of(target).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("'" + target + "' is not a path: " + e.getMessage(), e);
        }
        try {
            Files.createDirectories(file.getParent());
            if (Files.isDirectory(file)) {
                throw new IllegalArgumentException(file + " is a directory; give a file in it");
            }
            if (Files.exists(file) ? !Files.isWritable(file) : !Files.isWritable(file.getParent())) {
                throw new IllegalArgumentException("cannot write " + file + " (permission denied)");
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot create the directory of " + file + ": " + e, e);
        }
        return file;
    }

    /** A logger of its own appenders: the file, and the terminal from {@code terminalLevel} (null: all of it). */
    private static LoggerComponentBuilder logger(ConfigurationBuilder<BuiltConfiguration> b, String name, Level level,
            Level terminalLevel) {
        return b.newLogger(name, level).addAttribute("additivity", false)
                .add(terminalRef(b, terminalLevel)).add(b.newAppenderRef("file"));
    }

    private static AppenderRefComponentBuilder terminalRef(ConfigurationBuilder<BuiltConfiguration> b, Level level) {
        AppenderRefComponentBuilder ref = b.newAppenderRef("terminal");
        return level == null ? ref : ref.addAttribute("level", level);
    }
}
