package io.streamtrain.registry;

import java.util.Optional;
import java.util.OptionalInt;
import org.apache.kafka.common.errors.SerializationException;

/**
 * A request to the schema registry failed: the registry answered with an error, or did not answer
 * within the bounded retries.
 *
 * <p>Carries the HTTP status, the registry's {@code error_code} and {@code message} from the JSON
 * body and the request's method and path relative to the registry URL. It never carries
 * credentials: neither the user info of the URL nor the basic-auth header.
 */
// A SerializationException because registry calls happen inside Kafka serializers, where producers,
// Streams' exception handlers and Connect converters expect serialization failures of this type.
public class SchemaRegistryException extends SerializationException {

    private static final long serialVersionUID = 1L;

    /** The status reported when no HTTP response was received. */
    public static final int NO_RESPONSE = 0;

    private final String method;
    private final String path;
    private final int httpStatus;
    private final Integer errorCode;
    private final String registryMessage;
    private final boolean retriable;

    private SchemaRegistryException(String message, String method, String path, int httpStatus,
            Integer errorCode, String registryMessage, boolean retriable, Throwable cause) {
        super(message, cause);
        this.method = method;
        this.path = path;
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
        this.registryMessage = registryMessage;
        this.retriable = retriable;
    }

    /**
     * The registry answered {@code operation} with an error status.
     *
     * @param operation       what was attempted, e.g. {@code registering a schema under subject 'x'}
     * @param errorCode       the registry's {@code error_code}, or null when the body had none
     * @param registryMessage the registry's {@code message}, or a short excerpt of a non-JSON body
     */
    static SchemaRegistryException fromResponse(String operation, String method, String path,
            int httpStatus, Integer errorCode, String registryMessage, boolean retriable) {
        StringBuilder text = new StringBuilder(operation).append(" failed: HTTP ").append(httpStatus);
        if (errorCode != null) {
            text.append(", error_code ").append(errorCode);
        }
        if (registryMessage != null && !registryMessage.isBlank()) {
            text.append(": ").append(registryMessage);
        }
        text.append(" (").append(method).append(' ').append(path).append(')');
        return new SchemaRegistryException(text.toString(), method, path, httpStatus, errorCode,
                registryMessage, retriable, null);
    }

    /** No registry answered {@code operation} after {@code attempts} attempts. */
    static SchemaRegistryException noResponse(String operation, String method, String path,
            int attempts, Throwable cause) {
        String text = operation + " failed: no response from the schema registry after " + attempts
                + (attempts == 1 ? " attempt" : " attempts") + " (" + method + ' ' + path + "): "
                + cause;
        return new SchemaRegistryException(text, method, path, NO_RESPONSE, null, null, true, cause);
    }

    /** A response that could not be understood, e.g. JSON without the expected field. */
    static SchemaRegistryException badResponse(String operation, String method, String path,
            int httpStatus, String problem, Throwable cause) {
        String text = operation + " failed: unexpected response, HTTP " + httpStatus + ": " + problem
                + " (" + method + ' ' + path + ')';
        return new SchemaRegistryException(text, method, path, httpStatus, null, problem, false, cause);
    }

    /** The HTTP method of the failed request. */
    public String method() {
        return method;
    }

    /** The path of the failed request relative to the registry URL, with its query string. */
    public String path() {
        return path;
    }

    /** The HTTP status, or {@link #NO_RESPONSE} when no registry answered. */
    public int httpStatus() {
        return httpStatus;
    }

    /** The registry's {@code error_code}, e.g. 40401 for an unknown subject, if it sent one. */
    public OptionalInt errorCode() {
        return errorCode == null ? OptionalInt.empty() : OptionalInt.of(errorCode);
    }

    /** The registry's {@code message}, if it sent one. */
    public Optional<String> registryMessage() {
        return Optional.ofNullable(registryMessage);
    }

    /** Whether the same request may succeed later (no response, 5xx, 408, 429). */
    public boolean isRetriable() {
        return retriable;
    }

    /** Whether the registry said it does not know the requested subject, version or schema. */
    public boolean isNotFound() {
        return httpStatus == 404;
    }
}
