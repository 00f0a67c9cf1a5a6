package io.streamtrain.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import io.streamtrain.learn.NetworkSpec;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * When the learner asks Kafka Streams to commit before the commit interval: after a mini-batch step while it keeps up
 * with its input (so that its predictions are readable sooner), never under a backlog, never when turned off, and
 * never more often than every 25 ms.
 */
class EarlyCommitTest {

    private static final NetworkSpec SPEC = NetworkSpec.fromResource("specs/mlp-classifier.yaml");
    private static final int BATCH = SPEC.batchSize();
    /** The processors' wall clock (MockProcessorContext's). */
    private static final long NOW = 1_000_000;

    private final ProcessorHarness harness = new ProcessorHarness();

    @AfterEach
    void close() {
        harness.close();
    }

    @Test
    void aStepOfRecentRecordsAsksForACommit() {
        LearnerProcessor processor = harness.processor(SPEC);
        MockProcessorContext<String, SpecificRecord> context = harness.contextOf(processor);
        sendBatch(processor, NOW - 5, BATCH - 1);
        assertThat(context.committed()).as("no step yet").isFalse();
        sendBatch(processor, NOW - 5, 1);
        assertThat(context.committed()).as("after the step of a batch written 5 ms ago").isTrue();
    }

    @Test
    void aBacklogKeepsTheCommitInterval() {
        LearnerProcessor processor = harness.processor(SPEC);
        MockProcessorContext<String, SpecificRecord> context = harness.contextOf(processor);
        sendBatch(processor, NOW - 10_000, BATCH);
        assertThat(context.committed()).as("records written 10 s ago: a backlog").isFalse();
        sendBatch(processor, NOW + 60_000, BATCH);
        assertThat(context.committed()).as("records from a clock a minute ahead").isFalse();
    }

    @Test
    void turnedOffItNeverAsks() {
        harness.tune(settings -> settings.commitEarlyMaxLag(Duration.ZERO));
        LearnerProcessor processor = harness.processor(SPEC);
        sendBatch(processor, NOW, BATCH);
        assertThat(harness.contextOf(processor).committed()).isFalse();
    }

    @Test
    void requestsAreAtLeastTheMinimumSpacingApart() {
        LearnerProcessor processor = harness.processor(SPEC);
        MockProcessorContext<String, SpecificRecord> context = harness.contextOf(processor);
        sendBatch(processor, NOW, BATCH);
        assertThat(context.committed()).isTrue();
        context.resetCommit();
        sendBatch(processor, NOW, BATCH);
        assertThat(context.committed()).as("a second step in the same millisecond").isFalse();
        context.setCurrentSystemTimeMs(NOW + LearnerSettings.MIN_EARLY_COMMIT_SPACING.toMillis());
        sendBatch(processor, NOW, BATCH);
        assertThat(context.committed()).as("25 ms later").isTrue();
    }

    private void sendBatch(LearnerProcessor processor, long timestamp, int examples) {
        for (int i = 0; i < examples; i++) {
            harness.process(processor, harness.example("x" + timestamp + "-" + i + "-" + System.nanoTime(),
                    harness.random().nextInt(2), SPEC.inputSize()), timestamp);
        }
    }
}
