package io.streamtrain.app;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/** A command's settings: a properties file, then the {@code -D KEY=VALUE} overrides given with it. */
final class ConfigFile {

    private ConfigFile() {
    }

    /**
     * The file's settings (values trimmed) with the overrides over them.
     *
     * @throws UncheckedIOException saying which file cannot be read and why
     */
    static Map<String, Object> read(Path file, Map<String, String> overrides) {
        Map<String, Object> settings = new LinkedHashMap<>();
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the configuration file " + file + ": " + e.getMessage(), e);
        }
        properties.forEach((k, v) -> settings.put(k.toString(), v.toString().trim()));
        settings.putAll(overrides);
        return settings;
    }
}
