package io.streamtrain.registry;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * One registry base URL, stripped of user info, with the basic-auth header to send to it.
 *
 * @param base          the base URL without user info or trailing slash; paths are appended to it
 * @param authorization the {@code Authorization} header value, if any; never shown
 */
record RegistryEndpoint(URI base, Optional<String> authorization) {

    /** The endpoints of {@code config}, in the order they are tried. */
    static List<RegistryEndpoint> of(SchemaRegistryClientConfig config) {
        List<RegistryEndpoint> endpoints = new ArrayList<>();
        for (URI url : config.urls()) {
            Optional<String> credentials = switch (config.credentialsSource()) {
                case USER_INFO -> config.userInfo().map(password -> password.value());
                case URL -> Optional.ofNullable(url.getUserInfo());
                case NONE -> Optional.empty();
            };
            endpoints.add(new RegistryEndpoint(URI.create(redact(url)), credentials.map(RegistryEndpoint::basic)));
        }
        return List.copyOf(endpoints);
    }

    /** Resolves {@code pathAndQuery}, which starts with a slash, against this base URL. */
    URI resolve(String pathAndQuery) {
        return URI.create(base + pathAndQuery);
    }

    /** The URL without user info, safe to log and to put in messages. */
    static String redact(URI url) {
        String authority = url.getRawAuthority() == null ? "" : url.getRawAuthority();
        int at = authority.lastIndexOf('@');
        String hostPort = at < 0 ? authority : authority.substring(at + 1);
        String path = url.getRawPath() == null ? "" : url.getRawPath();
        return url.getScheme() + "://" + hostPort + path;
    }

    private static String basic(String userColonPassword) {
        return "Basic " + Base64.getEncoder().encodeToString(userColonPassword.getBytes(StandardCharsets.UTF_8));
    }

    /** The base URL only: the record's default would print the credentials. */
    @Override
    public String toString() {
        return base.toString();
    }
}
