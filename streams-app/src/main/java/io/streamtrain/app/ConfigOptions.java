package io.streamtrain.app;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import picocli.CommandLine.Option;

/** The options of every command that talks to the cluster: the properties file and the settings over it. */
final class ConfigOptions {

    @Option(names = "--config", required = true, paramLabel = "FILE",
            description = "Properties file: Kafka (bootstrap.servers, security), the registry (schema.registry.url) "
                    + "and streamtrain.* settings; the learner's own file does.")
    Path config;

    @Option(names = {"-D", "--set"}, paramLabel = "KEY=VALUE",
            description = "A setting that overrides the properties file; may be repeated.")
    Map<String, String> overrides = new LinkedHashMap<>();

    /**
     * The file's settings with the overrides over them.
     *
     * @throws java.io.UncheckedIOException saying which file cannot be read and why
     */
    Map<String, Object> settings() {
        return ConfigFile.read(config, overrides);
    }
}
