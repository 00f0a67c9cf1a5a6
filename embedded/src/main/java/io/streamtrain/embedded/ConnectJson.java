package io.streamtrain.embedded;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The small pieces of talking to a Connect worker's REST API: path segments, request bodies, answers. */
public final class ConnectJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ConnectJson() {
    }

    /** A connector name (or any path segment) as it goes into a REST path. */
    public static String pathSegment(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** A request body: a connector configuration, for example. */
    public static String toJson(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write JSON", e);
        }
    }

    /** An answer's body; an empty body is an empty object. */
    public static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the Connect REST API answered with invalid JSON: " + body, e);
        }
    }
}
