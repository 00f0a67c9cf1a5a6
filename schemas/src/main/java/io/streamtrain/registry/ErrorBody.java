package io.streamtrain.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The error a registry returns, read leniently: Confluent, Karapace and Redpanda send
 * {@code {"error_code":40401,"message":"..."}}; Apicurio adds fields such as {@code detail} and
 * {@code name}, and its codes differ a little. Anything else, HTML included, yields nulls.
 *
 * @param errorCode the {@code error_code}, or null
 * @param message   the {@code message}, else Apicurio's {@code detail}, or null
 */
record ErrorBody(Integer errorCode, String message) {

    private static final ErrorBody NONE = new ErrorBody(null, null);

    static ErrorBody parse(ObjectMapper json, String body) {
        if (body == null || body.isBlank()) {
            return NONE;
        }
        JsonNode node;
        try {
            node = json.readTree(body);
        } catch (JsonProcessingException e) {
            // Not JSON (a proxy's HTML page, say): the caller shows an excerpt of the body instead.
            return NONE;
        }
        if (node == null || !node.isObject()) {
            return NONE;
        }
        JsonNode code = node.get("error_code");
        Integer errorCode = null;
        if (code != null && code.canConvertToInt()) {
            errorCode = code.intValue();
        } else if (code != null && code.isTextual() && code.asText().matches("-?\\d{1,9}")) {
            errorCode = Integer.valueOf(code.asText());
        }
        String message = text(node, "message");
        if (message == null) {
            message = text(node, "detail");
        }
        return new ErrorBody(errorCode, message);
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }
}
