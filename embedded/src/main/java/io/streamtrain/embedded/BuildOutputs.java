package io.streamtrain.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds what the build made (the registry server jar, the connector plugin zip) for the components that run it:
 * from a system property, else an environment variable, else by looking for it under the working directory and
 * its parents, so that tests, the demo and the benchmarks find it from any module of a checkout.
 */
public final class BuildOutputs {

    private BuildOutputs() {
    }

    /**
     * @param property a system property that may name the file
     * @param env an environment variable that may name the file
     * @param relative the file's path relative to the project root; its file name may hold a {@code *}
     * @param buildHint how to build it, for the error message
     */
    public static Path locate(String property, String env, String relative, String buildHint) {
        String fromProperty = System.getProperty(property);
        if (fromProperty != null && !fromProperty.isBlank()) {
            return require(Path.of(fromProperty), "system property " + property, buildHint);
        }
        String fromEnv = System.getenv(env);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return require(Path.of(fromEnv), "environment variable " + env, buildHint);
        }
        Path start = Path.of("").toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            List<Path> found = matches(dir.resolve(relative));
            if (found.size() == 1) {
                return found.get(0);
            }
            if (found.size() > 1) {
                throw new IllegalStateException("several files match " + dir.resolve(relative) + ": " + found
                        + "; name one with the system property " + property + " or " + env);
            }
        }
        throw new IllegalStateException(relative + " not found: neither the system property " + property
                + " nor the environment variable " + env + " is set, and it is not under " + start
                + " or its parents. " + buildHint);
    }

    private static List<Path> matches(Path pattern) {
        Path dir = pattern.getParent();
        String name = pattern.getFileName().toString();
        List<Path> found = new ArrayList<>();
        if (!name.contains("*")) {
            if (Files.isRegularFile(pattern)) {
                found.add(pattern);
            }
            return found;
        }
        if (dir == null || !Files.isDirectory(dir)) {
            return found;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, name)) {
            files.forEach(p -> {
                if (Files.isRegularFile(p)) {
                    found.add(p);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        return found;
    }

    private static Path require(Path file, String source, String buildHint) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException(file.toAbsolutePath() + " (from " + source + ") does not exist. "
                    + buildHint);
        }
        return file;
    }
}
