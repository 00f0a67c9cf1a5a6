package io.streamtrain.robustness;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import io.streamtrain.app.Main;
import picocli.CommandLine;

/**
 * A command of {@code streamtrain} as a user runs it, in this JVM, with what it printed; and the properties file it
 * takes.
 *
 * @param exitCode what it returned
 * @param out what it wrote to its output
 * @param err what it wrote to its error stream
 */
record CliRun(int exitCode, String out, String err) {

    static CliRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new CliRun(code, out.toString(), err.toString());
    }

    /** Writes {@code settings} as the properties file {@code --config} takes. */
    static Path propertiesFile(Path file, Map<String, String> settings) {
        Properties p = new Properties();
        p.putAll(settings);
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            p.store(out, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }
}
