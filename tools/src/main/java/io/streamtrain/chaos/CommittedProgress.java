package io.streamtrain.chaos;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;

/**
 * How far a topic has got, as a read_committed reader sees it: the sum of its partitions' last stable offsets. Cheap
 * enough to poll; it counts transaction markers too, so it measures progress, not records. While the broker is
 * down it answers what it answered last.
 */
final class CommittedProgress implements AutoCloseable {

    private final Admin admin;
    private final Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
    private final ListOffsetsOptions options = new ListOffsetsOptions(IsolationLevel.READ_COMMITTED);
    private long last;

    CommittedProgress(String bootstrapServers, String topic, int partitionCount) {
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 4000));
        for (int p = 0; p < partitionCount; p++) {
            partitions.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
    }

    /** The sum of the last stable offsets, or the last known sum when the cluster does not answer now. */
    long now() {
        try {
            long sum = 0;
            for (var info : admin.listOffsets(partitions, options).all().get(5, TimeUnit.SECONDS).values()) {
                sum += info.offset();
            }
            last = Math.max(last, sum);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof RetriableException)) {
                throw new IllegalStateException("cannot read the offsets of " + partitions.keySet() + ": "
                        + e.getCause().getMessage(), e.getCause());
            }
        } catch (TimeoutException e) {
            // the broker is restarting: progress is what it was
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        return last;
    }

    @Override
    public void close() {
        admin.close();
    }
}
