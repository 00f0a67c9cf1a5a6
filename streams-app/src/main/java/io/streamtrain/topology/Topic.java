package io.streamtrain.topology;

import java.util.Objects;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

/**
 * A topic with the serdes of its keys and values: built once from configuration and passed where it is read or
 * written, so that a topic's name and format cannot drift apart.
 */
public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde) {

    public Topic {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(keySerde, "keySerde");
        Objects.requireNonNull(valueSerde, "valueSerde");
        if (name.isBlank()) {
            throw new IllegalArgumentException("a topic name must not be blank");
        }
    }

    /** How Kafka Streams reads this topic. */
    public Consumed<K, V> consumed() {
        return Consumed.with(keySerde, valueSerde).withName("read-" + name);
    }

    /** How Kafka Streams writes this topic. */
    public Produced<K, V> produced() {
        return Produced.with(keySerde, valueSerde).withName("write-" + name);
    }

    @Override
    public String toString() {
        return name;
    }
}
