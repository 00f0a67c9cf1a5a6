package io.streamtrain.connect.config;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/**
 * docs/reference/connector-configuration.rst is the plugin's configuration reference as the code generates it: the
 * {@code configuration.rst} that {@link ConfigReference} writes into the plugin zip's {@code doc/}. A key added,
 * removed or documented differently fails this test until the file is regenerated: run it with
 * {@code -Dstreamtrain.reference.update=true} and it writes the file instead.
 */
class ConnectorConfigReferenceTest {

    static final String UPDATE_PROPERTY = "streamtrain.reference.update";

    private static final Path FILE = Path.of(System.getProperty("basedir", "."))
            .resolve(Path.of("..", "docs", "reference", "connector-configuration.rst")).normalize();

    private static final String REGENERATE = "./mvnw -B -ntp test -pl connector -am "
            + "-Dtest=ConnectorConfigReferenceTest -Dsurefire.failIfNoSpecifiedTests=false -D" + UPDATE_PROPERTY
            + "=true";

    @Test
    void theCommittedReferenceIsTheOneTheCodeGenerates() throws IOException {
        String generated = ConfigReference.rst();
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
