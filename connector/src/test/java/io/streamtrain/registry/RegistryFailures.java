package io.streamtrain.registry;

/** Registry failures for tests of code that handles them; their factories are package-private. */
public final class RegistryFailures {

    private RegistryFailures() {
    }

    /** The registry did not answer: retriable. */
    public static SchemaRegistryException unreachable() {
        return SchemaRegistryException.noResponse("registering a schema", "POST", "/subjects/x-value/versions", 4,
                new java.net.ConnectException("Connection refused"));
    }

    /** The registry does not know the schema id. */
    public static SchemaRegistryException notFound(int id) {
        return SchemaRegistryException.fromResponse("fetching schema id " + id, "GET", "/schemas/ids/" + id, 404,
                40403, "Schema " + id + " not found", false);
    }

    /** The registry refused: not retriable. */
    public static SchemaRegistryException unauthorized() {
        return SchemaRegistryException.fromResponse("registering a schema", "POST", "/subjects/x-value/versions", 401,
                40101, "Unauthorized", false);
    }
}
