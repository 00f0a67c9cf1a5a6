package io.streamtrain.connect;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The version of the plugin, as the build wrote it; Connect shows it in {@code GET /connector-plugins}. */
public final class Version {

    private static final String VERSION = load();

    private Version() {
    }

    /** The plugin version, e.g. {@code 0.1.0}. */
    public static String get() {
        return VERSION;
    }

    private static String load() {
        Properties properties = new Properties();
        try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "unknown";
            }
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the plugin version", e);
        }
        return properties.getProperty("version", "unknown");
    }
}
