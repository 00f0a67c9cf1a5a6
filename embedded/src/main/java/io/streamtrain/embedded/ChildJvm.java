package io.streamtrain.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * What the child JVMs of the tests and the tools (learners, Connect workers) share: log markers and stopping them.
 */
public final class ChildJvm {

    private ChildJvm() {
    }

    /** Appends {@code ==== <time> <name>: <event>} to a child's log, so that its log reads as a timeline. */
    public static void appendMarker(Path logFile, String name, String event) {
        String line = "==== " + Instant.now() + " " + name + ": " + event + System.lineSeparator();
        try {
            Files.writeString(logFile, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + logFile, e);
        }
    }

    /** Stops a child as an operator would (SIGTERM); kills it (SIGKILL) when it has not ended within the timeout. */
    public static void stop(Process process, Duration timeout, String what) {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                await(process, timeout, what + " did not stop");
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** Waits for a child to end; fails with {@code failure} when it has not within the timeout. */
    public static void await(Process process, Duration timeout, String failure) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException(failure + " within " + timeout.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a child JVM", e);
        }
    }
}
