package io.streamtrain.topology;

import java.util.Set;
import java.util.function.Function;

import io.streamtrain.avro.Prediction;
import io.streamtrain.avro.RejectedRecord;
import io.streamtrain.snapshot.SnapshotKey;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The serving topology, a Kafka Streams application of its own: every instance holds the models topic and the pins
 * topic in global stores (the chunks as they are on the topics), and the instances share the requests topic by
 * partition; each request gets one prediction from the version its task serves at that moment, stamped with it.
 */
public final class ServeTopology {

    private ServeTopology() {
    }

    /** Adds the serving replica to {@code builder}. */
    public static void build(StreamsBuilder builder, ServeSettings settings) {
        StoreChanges changes = new StoreChanges();
        builder.addGlobalStore(rawStore(ServeSettings.MODELS_STORE), settings.models(),
                Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("read-models"),
                () -> new RawCopy(ServeSettings.MODELS_STORE, changes, key -> {
                    SnapshotKey parsed = SnapshotKey.parse(key);
                    return parsed == null ? null : parsed.model();
                }));
        builder.addGlobalStore(rawStore(ServeSettings.PINS_STORE), settings.pins(),
                Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("read-pins"),
                () -> new RawCopy(ServeSettings.PINS_STORE, changes, key -> key));
        builder.stream(settings.requests().name(), Consumed.with(settings.requests().keySerde(),
                        settings.requests().valueSerde()).withName("read-requests"))
                .process(new ServeSupplier(settings, changes), Named.as("serve"))
                .split(Named.as("served-"))
                .branch((model, value) -> value instanceof Prediction, Branched.withConsumer(s -> s
                        .mapValues(v -> (Prediction) v, Named.as("as-served"))
                        .to(settings.served().name(), settings.served().produced()), "predictions"))
                .branch((model, value) -> value instanceof RejectedRecord, Branched.withConsumer(s -> s
                        .mapValues(v -> (RejectedRecord) v, Named.as("as-rejected"))
                        .to(settings.errors().name(), settings.errors().produced()), "errors"))
                .noDefaultBranch();
    }

    /** A global store is restored by copying the topic: it must hold the records as they are on it. */
    private static StoreBuilder<KeyValueStore<String, byte[]>> rawStore(String name) {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), Serdes.ByteArray())
                .withLoggingDisabled();
    }

    /** Keeps each record of a global store's topic as it is (a tombstone deletes), and says whose it was. */
    private static final class RawCopy implements Processor<String, byte[], Void, Void> {
        private final String storeName;
        private final StoreChanges changes;
        private final Function<String, String> modelOf;
        private KeyValueStore<String, byte[]> store;

        RawCopy(String storeName, StoreChanges changes, Function<String, String> modelOf) {
            this.storeName = storeName;
            this.changes = changes;
            this.modelOf = modelOf;
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            store = context.getStateStore(storeName);
        }

        @Override
        public void process(Record<String, byte[]> record) {
            if (record.key() == null) {
                return;
            }
            if (record.value() == null) {
                store.delete(record.key());
            } else {
                store.put(record.key(), record.value());
            }
            String model = modelOf.apply(record.key());
            if (model != null) {
                changes.changed(model);
            }
        }
    }

    private record ServeSupplier(ServeSettings settings, StoreChanges changes)
            implements ProcessorSupplier<String, byte[], String, SpecificRecord> {
        @Override
        public Processor<String, byte[], String, SpecificRecord> get() {
            return new ServeProcessor(settings, changes);
        }

        @Override
        public Set<StoreBuilder<?>> stores() {
            if (settings.batchMax() == 1) {
                return Set.of();
            }
            // requests waiting for their micro-batch: few, so in memory, and changelogged to survive a commit
            return Set.of(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(ServeSettings.PENDING_STORE),
                    Serdes.String(), Serdes.ByteArray()).withCachingDisabled().withLoggingEnabled(java.util.Map.of()));
        }
    }
}
