package io.streamtrain.registry;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A registry client shared by a serializer and a deserializer. A client passed in by the caller is
 * borrowed and never closed here; one created from configs is owned and closed when its last user
 * releases it, because Kafka closes serializers and deserializers separately.
 */
final class SharedRegistryClient {

    private final SchemaRegistryClient client;
    private final AtomicInteger users;
    private final boolean owned;

    private SharedRegistryClient(SchemaRegistryClient client, int users, boolean owned) {
        this.client = client;
        this.users = new AtomicInteger(users);
        this.owned = owned;
    }

    static SharedRegistryClient borrowed(SchemaRegistryClient client) {
        if (client == null) {
            throw new NullPointerException("client");
        }
        return new SharedRegistryClient(client, Integer.MAX_VALUE, false);
    }

    static SharedRegistryClient owned(SchemaRegistryClient client, int users) {
        return new SharedRegistryClient(client, users, true);
    }

    SchemaRegistryClient client() {
        return client;
    }

    /** Called once by each user when it closes. */
    void release() {
        if (owned && users.decrementAndGet() == 0) {
            client.close();
        }
    }
}
