package io.streamtrain.connect.delivery;

import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.common.TopicPartition;

/**
 * Collects the outcome of the sends of one task. The producer reports each send through the callback this hands
 * out, on its I/O thread; the task reads the first failure after {@code flush()}, which returns only once every
 * callback of the records sent before it has run.
 *
 * <p>It keeps counters and the first failure, not one entry per record, so memory does not grow with traffic
 * between two commits.
 */
public final class DeliveryTracker {

    private final AtomicReference<SendFailure> firstFailure = new AtomicReference<>();
    private final LongAdder sent = new LongAdder();
    private final LongAdder written = new LongAdder();

    /** The callback of the send of the source record at {@code source}@{@code offset}. */
    public Callback callback(TopicPartition source, long offset) {
        sent.increment();
        return (metadata, exception) -> {
            if (exception == null) {
                written.increment();
            } else {
                firstFailure.compareAndSet(null, new SendFailure(source, offset, exception));
            }
        };
    }

    /**
     * Records a failure seen elsewhere, e.g. a dead-letter write, so that the next commit fails and rewinds as for
     * a failed send.
     */
    public void fail(SendFailure failure) {
        firstFailure.compareAndSet(null, failure);
    }

    /** The first failed send since the last {@link #clear()}, or null. */
    public SendFailure failure() {
        return firstFailure.get();
    }

    /** Forgets the failure, once the records it concerns are to be redelivered. */
    public void clear() {
        firstFailure.set(null);
    }

    /** Records handed to the producer so far. */
    public long sent() {
        return sent.sum();
    }

    /** Records the producer confirmed as written so far. */
    public long written() {
        return written.sum();
    }
}
