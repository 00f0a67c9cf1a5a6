package io.streamtrain.connect.config;

/**
 * A contradiction between settings, reported on the key to change.
 *
 * @param key     the configuration key the message belongs to
 * @param message what is wrong and how to fix it
 */
public record ConfigProblem(String key, String message) {
}
