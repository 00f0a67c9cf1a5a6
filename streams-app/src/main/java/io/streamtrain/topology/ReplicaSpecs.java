package io.streamtrain.topology;

import java.util.function.Function;

import io.streamtrain.contract.ReplicaKey;
import io.streamtrain.learn.NetworkSpec;

/**
 * Finds the spec of a model's state key: a model's own id, or {@code <model>#<shard>} for one replica of a model
 * whose spec trains it on several ({@link ReplicaKey}). A key {@code <model>#<n>} is replica {@code n}'s whenever {@code <model>}'s spec has more than
 * {@code n} replicas (a default spec that would apply to any id does not make it a model of its own). Such ids are
 * taken by the replicas.
 */
final class ReplicaSpecs implements Function<String, NetworkSpec> {

    private final Function<String, NetworkSpec> specs;

    private ReplicaSpecs(Function<String, NetworkSpec> specs) {
        this.specs = specs;
    }

    static Function<String, NetworkSpec> of(Function<String, NetworkSpec> specs) {
        return specs instanceof ReplicaSpecs ? specs : new ReplicaSpecs(specs);
    }

    @Override
    public NetworkSpec apply(String key) {
        Replica replica = replicaOf(specs, key);
        return replica != null ? replica.spec() : specs.apply(key);
    }

    /** A replica of a model: the model's id and spec, and which replica. */
    record Replica(String model, NetworkSpec spec, int index) {
    }

    /** The replica {@code key} names, or null when it names none (a model's own id, or nothing known). */
    static Replica replicaOf(Function<String, NetworkSpec> specs, String key) {
        int sep = key.lastIndexOf(ReplicaKey.SEPARATOR);
        if (sep <= 0 || sep == key.length() - 1 || key.length() - sep - 1 > 3) {
            return null;
        }
        int index = 0;
        for (int i = sep + 1; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < '0' || c > '9' || i == sep + 1 && c == '0' && key.length() - sep - 1 > 1) {
                // the digits ReplicaKey writes: no sign, no leading zero
                return null;
            }
            index = index * 10 + (c - '0');
        }
        Function<String, NetworkSpec> own = specs instanceof ReplicaSpecs r ? r.specs : specs;
        String model = key.substring(0, sep);
        NetworkSpec spec = own.apply(model);
        return spec != null && spec.replicas() > 1 && index < spec.replicas() ? new Replica(model, spec, index) : null;
    }
}
