package io.streamtrain.connect.delivery;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

import io.streamtrain.connect.mapping.MappingException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where records that cannot be mapped go, by Connect's {@code errors.tolerance}:
 * <ul>
 *   <li>none: the task fails with the mapping message;</li>
 *   <li>all, with a reporter (a dead-letter queue or error log configured): to Connect's
 *       {@link ErrantRecordReporter}, whose write is awaited before the offset is committed;</li>
 *   <li>all, without one (no DLQ, or a worker older than Kafka 2.6): logged and counted.</li>
 * </ul>
 */
public final class RejectedRecords {

    private static final Logger log = LoggerFactory.getLogger(RejectedRecords.class);
    private static final int LOGGED_IN_FULL = 10;

    /** A report in flight: the future of the DLQ write and the record it concerns. */
    private record Pending(Future<Void> future, TopicPartition source, long offset) {
    }

    private final ErrantRecordReporter reporter;
    private final boolean tolerateAll;
    private final Deque<Pending> pending = new ArrayDeque<>();
    private long rejected;

    /**
     * @param reporter    Connect's reporter, or null when the worker has none for this connector
     * @param tolerateAll whether {@code errors.tolerance=all}
     */
    public RejectedRecords(ErrantRecordReporter reporter, boolean tolerateAll) {
        this.reporter = reporter;
        this.tolerateAll = tolerateAll;
    }

    /**
     * Rejects a record.
     *
     * @throws ConnectException with {@code errors.tolerance=none}, carrying the mapping message, to fail the task
     */
    public void reject(SinkRecord record, MappingException problem) {
        String where = record.originalTopic() + "-" + record.originalKafkaPartition() + "@"
                + record.originalKafkaOffset();
        if (!tolerateAll) {
            throw new ConnectException("Record " + where + " cannot be mapped, and errors.tolerance=none: "
                    + problem.getMessage(), problem);
        }
        rejected++;
        if (reporter != null) {
            log.debug("Record {} goes to the dead-letter queue: {}", where, problem.getMessage());
            pending.add(new Pending(reporter.report(record, problem),
                    new TopicPartition(record.originalTopic(), record.originalKafkaPartition()),
                    record.originalKafkaOffset()));
            return;
        }
        if (rejected <= LOGGED_IN_FULL || rejected % 1000 == 0) {
            log.warn("Skipping record {} ({} skipped so far; configure errors.deadletterqueue.topic.name to keep"
                    + " them): {}", where, rejected, problem.getMessage());
        } else {
            log.debug("Skipping record {}: {}", where, problem.getMessage());
        }
    }

    /**
     * Forgets the reports already written, so memory stays bounded between commits.
     *
     * @return the first failed report among them, or null
     */
    public SendFailure prune() {
        while (!pending.isEmpty() && pending.peekFirst().future().isDone()) {
            SendFailure failure = outcome(pending.pollFirst());
            if (failure != null) {
                return failure;
            }
        }
        return null;
    }

    /**
     * Waits until every report is written.
     *
     * @return the first failed report, or null when all were written
     */
    public SendFailure awaitAll() {
        SendFailure first = null;
        while (!pending.isEmpty()) {
            SendFailure failure = outcome(pending.pollFirst());
            if (first == null) {
                first = failure;
            }
        }
        return first;
    }

    /** How many records were rejected so far. */
    public long rejected() {
        return rejected;
    }

    private static SendFailure outcome(Pending report) {
        try {
            report.future().get();
            return null;
        } catch (ExecutionException e) {
            return new SendFailure(report.source(), report.offset(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectException("interrupted while waiting for the dead-letter queue", e);
        }
    }
}
