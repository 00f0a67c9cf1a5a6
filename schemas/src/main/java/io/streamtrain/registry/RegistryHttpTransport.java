package io.streamtrain.registry;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.errors.InterruptException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one registry request: fails over between the registry URLs when one cannot be reached and
 * retries retriable failures with bounded backoff. Knows HTTP, not the registry's resources.
 *
 * <p>One attempt tries every URL once, starting from the one that answered last; a URL that cannot
 * be reached hands over to the next at once. Between attempts it waits per {@link RetryPolicy}.
 */
final class RegistryHttpTransport {

    /** The media type of the Confluent Schema Registry API, version 1. */
    static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    /** Prefer the registry's media type, accept plain JSON (Confluent's own client sends the same). */
    static final String ACCEPT = "application/vnd.schemaregistry.v1+json,"
            + " application/vnd.schemaregistry+json; qs=0.9, application/json; qs=0.5";

    private static final Logger LOG = LoggerFactory.getLogger(RegistryHttpTransport.class);

    /** Waits between retries; a parameter so that tests need not sleep. */
    @FunctionalInterface
    interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    /** A registry's answer. */
    record Response(int status, String body, Optional<Duration> retryAfter) {
    }

    private final List<RegistryEndpoint> endpoints;
    private final HttpClient http;
    private final Duration requestTimeout;
    private final RetryPolicy retryPolicy;
    private final Sleeper sleeper;
    // The URL that answered last: failover sticks until that one fails too.
    private final AtomicInteger preferred = new AtomicInteger();

    RegistryHttpTransport(List<RegistryEndpoint> endpoints, HttpClient http, Duration requestTimeout,
            RetryPolicy retryPolicy, Sleeper sleeper) {
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("at least one registry URL is needed");
        }
        this.endpoints = List.copyOf(endpoints);
        this.http = http;
        this.requestTimeout = requestTimeout;
        this.retryPolicy = retryPolicy;
        this.sleeper = sleeper;
    }

    /**
     * Sends the request until it gets a final answer or the retries run out, and returns the last
     * answer whatever its status: interpreting it is the caller's business.
     *
     * @param operation what the request is for, for messages
     * @param path      path and query relative to the base URL, starting with a slash, already encoded
     * @param jsonBody  the request body, or null for none
     * @throws SchemaRegistryException when no registry answered any attempt
     */
    Response send(String operation, String method, String path, String jsonBody) {
        int attempts = retryPolicy.maxRetries() + 1;
        IOException lastFailure = null;
        for (int attempt = 1; ; attempt++) {
            Response response = null;
            int start = preferred.get();
            for (int i = 0; i < endpoints.size() && response == null; i++) {
                int index = (start + i) % endpoints.size();
                RegistryEndpoint endpoint = endpoints.get(index);
                try {
                    response = exchange(endpoint, method, path, jsonBody);
                    preferred.set(index);
                    LOG.debug("{} {}{} -> HTTP {}", method, endpoint, path, response.status());
                } catch (IOException e) {
                    lastFailure = e;
                    LOG.debug("{} {}{} got no response: {}", method, endpoint, path, e.toString());
                }
            }
            boolean retriable = response == null || RetryPolicy.isRetriable(response.status());
            if (!retriable || attempt == attempts) {
                if (response == null) {
                    throw SchemaRegistryException.noResponse(operation, method, path, attempts, lastFailure);
                }
                return response;
            }
            Duration delay = retryPolicy.delayBefore(attempt,
                    response == null ? Optional.empty() : response.retryAfter());
            LOG.warn("Schema registry {} {} failed ({}); retry {}/{} in {} ms", method, path,
                    response == null ? String.valueOf(lastFailure) : "HTTP " + response.status(),
                    attempt, retryPolicy.maxRetries(), delay.toMillis());
            pause(delay);
        }
    }

    private Response exchange(RegistryEndpoint endpoint, String method, String path, String jsonBody)
            throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint.resolve(path))
                .timeout(requestTimeout)
                .header("Accept", ACCEPT)
                .method(method, jsonBody == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(jsonBody));
        if (jsonBody != null) {
            request.header("Content-Type", CONTENT_TYPE);
        }
        endpoint.authorization().ifPresent(value -> request.header("Authorization", value));
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.body(), retryAfter(response));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptException("Interrupted during a schema registry request", e);
        }
    }

    private static Optional<Duration> retryAfter(HttpResponse<?> response) {
        // Only the delay-seconds form; an HTTP date falls back to the computed backoff.
        return response.headers().firstValue("Retry-After")
                .filter(value -> value.strip().matches("\\d{1,9}"))
                .map(value -> Duration.ofSeconds(Long.parseLong(value.strip())));
    }

    private void pause(Duration delay) {
        try {
            sleeper.sleep(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptException("Interrupted while waiting to retry a schema registry request", e);
        }
    }
}
