package io.streamtrain.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

import io.streamtrain.avro.Prediction;
import io.streamtrain.registry.ConfluentAvroSerde;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * What a campaign that ended with predictions missing prints about the predictions topic, so that a failure says
 * which of two very different things happened: the records are in the log but a transaction that is still open keeps
 * them from read_committed readers (the partition's last stable offset below its end, and the producer that holds
 * it), or they were never written (absent even read_uncommitted). Read-only: it aborts nothing.
 */
public final class OpenTransactions {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private OpenTransactions() {
    }

    /** A few lines on every partition of {@code topic} and where the {@code missing} ids are, if anywhere. */
    public static String describe(String bootstrapServers, String registryUrl, String topic, Set<String> missing) {
        StringBuilder out = new StringBuilder("\n--- ").append(topic).append(" as the broker sees it:\n");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) WAIT.toMillis(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) WAIT.toMillis()));
             KafkaConsumer<String, byte[]> committed = consumer(bootstrapServers, "read_committed");
             KafkaConsumer<String, byte[]> uncommitted = consumer(bootstrapServers, "read_uncommitted")) {
            List<TopicPartition> partitions = committed.partitionsFor(topic, WAIT).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            Map<TopicPartition, Long> stable = committed.endOffsets(partitions, WAIT);
            Map<TopicPartition, Long> ends = uncommitted.endOffsets(partitions, WAIT);
            Map<TopicPartition, List<ProducerState>> producers = new TreeMap<>(
                    (a, b) -> Integer.compare(a.partition(), b.partition()));
            producers.putAll(admin.describeProducers(partitions).all().get(WAIT.toMillis(), TimeUnit.MILLISECONDS)
                    .entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey,
                            e -> e.getValue().activeProducers())));
            for (TopicPartition tp : partitions) {
                long lso = stable.getOrDefault(tp, -1L);
                long end = ends.getOrDefault(tp, -1L);
                out.append(String.format(Locale.ROOT, "%s: last stable offset %,d, end %,d%s%n", tp, lso, end,
                        lso < end ? " (read_committed readers stop at the first)" : ""));
                for (ProducerState p : producers.getOrDefault(tp, List.of())) {
                    if (p.currentTransactionStartOffset().isPresent()) {
                        out.append(String.format(Locale.ROOT, "  producer %d epoch %d has a transaction open "
                                + "since offset %,d (last write %d ms ago)%n",
                                p.producerId(), p.producerEpoch(), p.currentTransactionStartOffset().getAsLong(),
                                System.currentTimeMillis() - p.lastTimestamp()));
                    }
                }
            }
            Collection<TransactionListing> open = admin.listTransactions().all()
                    .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            for (TransactionListing t : open) {
                if (t.state() != TransactionState.COMPLETE_COMMIT && t.state() != TransactionState.COMPLETE_ABORT
                        && t.state() != TransactionState.EMPTY) {
                    out.append(String.format(Locale.ROOT, "transactional id %s: producer %d, %s%n",
                            t.transactionalId(), t.producerId(), t.state()));
                }
            }
            out.append(whereMissing(uncommitted, registryUrl, partitions, ends, missing));
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            out.append("could not be described: ").append(e)
                    .append(e.getCause() == null ? "" : ": " + e.getCause()).append('\n');
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            out.append("interrupted while describing it\n");
        }
        return out.toString();
    }

    /** Reads the whole topic read_uncommitted: at which offsets the missing ids are, or that they are nowhere. */
    private static String whereMissing(KafkaConsumer<String, byte[]> uncommitted, String registryUrl,
            List<TopicPartition> partitions, Map<TopicPartition, Long> ends, Set<String> missing) {
        if (missing.isEmpty()) {
            return "";
        }
        Deserializer<Prediction> predictions = ConfluentAvroSerde.specific(Prediction.class,
                Map.of("schema.registry.url", registryUrl), false).deserializer();
        uncommitted.assign(partitions);
        uncommitted.seekToBeginning(partitions);
        Set<String> found = new HashSet<>();
        List<String> where = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline && !reachedEnd(uncommitted, partitions, ends)) {
            for (ConsumerRecord<String, byte[]> record : uncommitted.poll(Duration.ofMillis(200))) {
                Prediction p = predictions.deserialize(record.topic(), record.headers(), record.value());
                if (p != null && missing.contains(p.getExampleId()) && found.add(p.getExampleId())
                        && where.size() < 10) {
                    where.add(p.getExampleId() + " at " + record.partition() + "@" + record.offset());
                }
            }
        }
        predictions.close();
        return String.format(Locale.ROOT, "missing ids in the log read_uncommitted: %,d of %,d%s%n", found.size(),
                missing.size(), where.isEmpty() ? "" : " (" + String.join(", ", where) + ")");
    }

    private static boolean reachedEnd(KafkaConsumer<?, ?> consumer, List<TopicPartition> partitions,
            Map<TopicPartition, Long> ends) {
        for (TopicPartition tp : partitions) {
            if (consumer.position(tp) < ends.getOrDefault(tp, 0L)) {
                return false;
            }
        }
        return true;
    }

    private static KafkaConsumer<String, byte[]> consumer(String bootstrapServers, String isolation) {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation,
                ConsumerConfig.CLIENT_ID_CONFIG, "chaos-probe-" + isolation.replace('_', '-'),
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000),
                new StringDeserializer(), new ByteArrayDeserializer());
    }
}
