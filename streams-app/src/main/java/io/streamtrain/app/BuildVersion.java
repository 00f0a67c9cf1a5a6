package io.streamtrain.app;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

import picocli.CommandLine.IVersionProvider;

/**
 * The version of Streamtrain as the build wrote it ({@code version.properties} beside this class, filled in from the
 * pom), for {@code streamtrain --version}: the command line never states a version of its own.
 */
public final class BuildVersion implements IVersionProvider {

    /** Read when first asked for, not when picocli creates the provider with the command line. */
    private static final class Loaded {
        static final String VERSION = load();
    }

    /** The project's version, e.g. {@code 0.1.0}. */
    public static String get() {
        return Loaded.VERSION;
    }

    @Override
    public String[] getVersion() {
        return new String[] {"Streamtrain " + get()};
    }

    private static String load() {
        Properties properties = new Properties();
        try (InputStream in = BuildVersion.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                throw new IllegalStateException("version.properties is missing beside " + BuildVersion.class.getName()
                        + ": the learner's jar was not built by its pom");
            }
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the build's version", e);
        }
        String version = properties.getProperty("version");
        if (version == null || version.isBlank() || version.startsWith("${")) {
            throw new IllegalStateException("version.properties holds no version filled in by the build: " + version);
        }
        return version;
    }
}
