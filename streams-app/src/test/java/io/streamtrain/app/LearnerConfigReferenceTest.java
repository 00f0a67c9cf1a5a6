package io.streamtrain.app;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/**
 * docs/reference/learner-configuration.rst is the learner's configuration reference as the code generates it
 * ({@link LearnerConfig#reference()}, which {@code bin/streamtrain config} prints), under a title. A key added,
 * removed or documented differently fails this test until the file is regenerated: run it with
 * {@code -Dstreamtrain.reference.update=true} and it writes the file instead.
 */
class LearnerConfigReferenceTest {

    static final String UPDATE_PROPERTY = "streamtrain.reference.update";

    private static final Path FILE = Path.of(System.getProperty("basedir", "."))
            .resolve(Path.of("..", "docs", "reference", "learner-configuration.rst")).normalize();

    private static final String REGENERATE = "./mvnw -B -ntp test -pl streams-app -am "
            + "-Dtest=LearnerConfigReferenceTest -Dsurefire.failIfNoSpecifiedTests=false -D" + UPDATE_PROPERTY
            + "=true";

    static String generated() {
        String title = "Streamtrain learner configuration";
        return title + "\n" + "=".repeat(title.length()) + "\n\n"
                + "The ``streamtrain.*`` keys of the learner's properties file, as ``bin/streamtrain config`` prints "
                + "them. Every other key goes to Kafka Streams and its clients, or to the schema registry client.\n\n"
                + LearnerConfig.reference();
    }

    @Test
    void theCommittedReferenceIsTheOneTheCodeGenerates() throws IOException {
        String generated = generated();
        if (Boolean.getBoolean(UPDATE_PROPERTY)) {
            Files.createDirectories(FILE.getParent());
            Files.writeString(FILE, generated, StandardCharsets.UTF_8);
        }
        if (!Files.isRegularFile(FILE)) {
            fail(FILE + " is missing; generate it with: " + REGENERATE);
        }
        String committed = Files.readString(FILE, StandardCharsets.UTF_8).replace("\r\n", "\n");
        if (!committed.equals(generated)) {
            fail(FILE + " is not the reference the code generates (" + firstDifference(committed, generated)
                    + "); regenerate it with: " + REGENERATE);
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
