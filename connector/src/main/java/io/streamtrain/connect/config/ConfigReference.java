package io.streamtrain.connect.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import io.streamtrain.connect.StreamtrainSinkConfig;
import io.streamtrain.registry.SchemaRegistryClientConfig;
import org.apache.kafka.common.config.ConfigDef;

/**
 * Writes the configuration reference of the plugin, generated from its {@link ConfigDef}s so it cannot drift from
 * the code: {@code configuration.rst} and {@code configuration.html}. The build runs it into the plugin's
 * {@code doc/} directory.
 */
public final class ConfigReference {

    /** The feature name shown in the per-feature keys. */
    static final String FEATURE_PLACEHOLDER = "<name>";

    private ConfigReference() {
    }

    /** @param args the output directory */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: ConfigReference <output directory>");
        }
        Path dir = Path.of(args[0]);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("configuration.rst"), rst(), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("configuration.html"), html(), StandardCharsets.UTF_8);
    }

    static String rst() {
        return title("Streamtrain sink connector configuration", '=')
                + "Connector class: ``io.streamtrain.connect.StreamtrainSinkConnector``\n\n"
                + StreamtrainSinkConfig.configDef().toEnrichedRst() + "\n"
                + title("Per-feature keys", '-')
                + "Each name listed in ``features`` has these keys, with the name in place of ``"
                + FEATURE_PLACEHOLDER + "``.\n\n"
                + FeatureConfig.configDef(FEATURE_PLACEHOLDER).toRst() + "\n"
                + title("Avro converter configuration", '=')
                + "Converter class: ``io.streamtrain.connect.avro.ConfluentAvroConverter``. Prefix each key with"
                + " ``key.converter.`` or ``value.converter.``.\n\n"
                + SchemaRegistryClientConfig.configDef().toRst();
    }

    static String html() {
        return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Streamtrain sink connector configuration"
                + "</title></head><body>\n"
                + "<h1>Streamtrain sink connector configuration</h1>\n"
                + "<p>Connector class: <code>io.streamtrain.connect.StreamtrainSinkConnector</code></p>\n"
                + StreamtrainSinkConfig.configDef().toHtml() + "\n"
                + "<h2>Per-feature keys</h2>\n<p>Each name listed in <code>features</code> has these keys, with the"
                + " name in place of <code>&lt;name&gt;</code>.</p>\n"
                + FeatureConfig.configDef("&lt;name&gt;").toHtml() + "\n"
                + "<h1>Avro converter configuration</h1>\n<p>Converter class: <code>"
                + "io.streamtrain.connect.avro.ConfluentAvroConverter</code>. Prefix each key with"
                + " <code>key.converter.</code> or <code>value.converter.</code>.</p>\n"
                + SchemaRegistryClientConfig.configDef().toHtml() + "\n</body></html>\n";
    }

    private static String title(String text, char underline) {
        return text + "\n" + String.valueOf(underline).repeat(text.length()) + "\n\n";
    }
}
