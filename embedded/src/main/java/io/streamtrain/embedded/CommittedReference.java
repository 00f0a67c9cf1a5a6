package io.streamtrain.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A file in the repository that the code generates (a configuration reference under docs/reference/), checked by a
 * test to be what the code generates now. With {@code -Dstreamtrain.reference.update=true} the check writes the file
 * instead, which is how it is regenerated.
 */
public final class CommittedReference {

    /** The system property that makes {@link #check} write the file. */
    public static final String UPDATE_PROPERTY = "streamtrain.reference.update";

    private CommittedReference() {
    }

    /**
     * The repository file {@code relative} (to the repository root, the parent of the module Maven runs the test
     * in), resolved from the module's {@code basedir}.
     */
    public static Path inRepository(String relative) {
        return Path.of(System.getProperty("basedir", ".")).resolve("..").resolve(relative).normalize();
    }

    /**
     * Checks that {@code file} holds {@code generated}, or writes it when {@link #UPDATE_PROPERTY} is set.
     *
     * @param regenerate the command that regenerates it, for the failure message
     * @throws AssertionError naming the first line that differs and how to regenerate the file
     */
    public static void check(Path file, String generated, String regenerate) {
        try {
            if (Boolean.getBoolean(UPDATE_PROPERTY)) {
                Files.createDirectories(file.getParent());
                Files.writeString(file, generated, StandardCharsets.UTF_8);
            }
            if (!Files.isRegularFile(file)) {
                throw new AssertionError(file + " is missing; generate it with: " + regenerate);
            }
            String committed = Files.readString(file, StandardCharsets.UTF_8).replace("\r\n", "\n");
            if (!committed.equals(generated)) {
                throw new AssertionError(file + " is not the reference the code generates ("
                        + firstDifference(committed, generated) + "); regenerate it with: " + regenerate);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The first line where the two texts differ, both versions, for the failure message. */
    static String firstDifference(String committed, String generated) {
        String[] a = committed.split("\n", -1);
        String[] b = generated.split("\n", -1);
        for (int i = 0; i < Math.max(a.length, b.length); i++) {
            String x = i < a.length ? a[i] : "<end of file>";
            String y = i < b.length ? b[i] : "<end of file>";
            if (!x.equals(y)) {
                return "line " + (i + 1) + " is \"" + x + "\" in the file but \"" + y + "\" from the code";
            }
        }
        return "they differ";
    }
}
