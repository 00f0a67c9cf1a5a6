package io.streamtrain.robustness;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.streamtrain.app.Main;
import picocli.CommandLine;

/**
 * {@code streamtrain run --config <file>} as a user runs it, in this JVM: the exit code it returns and what it wrote
 * to its error stream, or a failure when it has not returned within a bound (a hang).
 */
final class LearnerCommand {

    /** How a run ended. */
    record Outcome(int exitCode, String err, Duration took) {
    }

    private LearnerCommand() {
    }

    static Outcome run(Path dir, Map<String, String> settings, Duration bound, String... moreArgs) {
        Path config = dir.resolve("learner-" + System.nanoTime() + ".properties");
        Properties p = new Properties();
        p.putAll(settings);
        try (Writer out = Files.newBufferedWriter(config, StandardCharsets.UTF_8)) {
            p.store(out, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new Main());
        cli.setErr(new PrintWriter(err, true));
        cli.setOut(new PrintWriter(new StringWriter(), true));
        // "--log-file -": the log stays where this JVM's configuration sends it, where the tests capture it
        String[] args = new String[5 + moreArgs.length];
        args[0] = "run";
        args[1] = "--config";
        args[2] = config.toString();
        args[3] = "--log-file";
        args[4] = "-";
        System.arraycopy(moreArgs, 0, args, 5, moreArgs.length);
        ExecutorService executor = Executors.newSingleThreadExecutor();
        long started = System.nanoTime();
        try {
            Future<Integer> exit = executor.submit(() -> cli.execute(args));
            int code = exit.get(bound.toMillis(), TimeUnit.MILLISECONDS);
            return new Outcome(code, err.toString(), Duration.ofNanos(System.nanoTime() - started));
        } catch (TimeoutException e) {
            throw new AssertionError("streamtrain run did not return within " + bound.toSeconds() + " s (a hang); "
                    + "it wrote: " + err, e);
        } catch (ExecutionException e) {
            throw new AssertionError("streamtrain run threw", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } finally {
            executor.shutdownNow();
        }
    }
}
