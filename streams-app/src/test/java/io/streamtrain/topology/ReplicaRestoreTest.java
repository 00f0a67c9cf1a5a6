package io.streamtrain.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.streamtrain.avro.ClassLabel;
import io.streamtrain.avro.Example;
import io.streamtrain.avro.ParamsChunk;
import io.streamtrain.avro.ParamsKind;
import io.streamtrain.avro.Prediction;
import io.streamtrain.contract.ReplicaKey;
import io.streamtrain.learn.Learner;
import io.streamtrain.learn.NetworkSpec;
import io.streamtrain.learn.Target;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A replica across a restart: contributions, an adoption of the global version with what it learned since it
 * contributed, and the restore of all that from the store, bit for bit; a synchronous replica's examples held
 * through a round.
 */
class ReplicaRestoreTest {

    /** Asynchronous: a replica takes steps while its round is open, and adopts the global plus those. */
    private static final NetworkSpec PAR = ParallelTopologyTest.parallel(2, 2, "sum", 1.0, 0, 8);
    private static final int BATCH = PAR.batchSize();
    private static final String REPLICA = ReplicaKey.shardKey(ProcessorHarness.MODEL, 0);

    private final ProcessorHarness harness = new ProcessorHarness();
    private final Random random = new Random(17);

    @AfterEach
    void close() {
        harness.close();
    }

    @Test
    void aReplicaRestoredAfterAnAdoptionIsTheReplicaThatRanOnBitForBit() {
        LearnerProcessor first = harness.processor(PAR);
        MockProcessorContext<String, SpecificRecord> context = harness.contextOf(first);
        List<List<Example>> batches = new ArrayList<>();
        // two steps, then its contribution; a third step while the round is open
        for (int b = 0; b < 3; b++) {
            batches.add(batch(first, BATCH));
        }
        List<ParamsChunk> contributions = ProcessorHarness.forwarded(context, ParamsChunk.class);
        assertThat(contributions).singleElement().satisfies(c -> {
            assertThat(c.getKind()).isEqualTo(ParamsKind.CONTRIBUTION);
            assertThat(c.getReplica()).isZero();
            assertThat(c.getRound()).as("on global version 0").isZero();
            assertThat(c.getExamples()).isEqualTo(2L * BATCH);
            assertThat(c.getSteps()).isEqualTo(2);
        });
        float[] contributed = floats(contributions.get(0));

        // the round's average: the contribution moved, as another replica's would move it (some values not at all)
        float[] global = contributed.clone();
        for (int j = 0; j < global.length; j++) {
            global[j] += 0.001f * (j % 7 - 3);
        }
        harness.global(first, new ParamsChunk(ParamsKind.GLOBAL, ProcessorHarness.MODEL, 0, 2, 1L, 4L * BATCH, 4L,
                global.length, 0, 1, bytes(global), Instant.ofEpochMilli(0)));
        // a fourth step on the adopted network, then the next contribution; 10 examples wait for their batch
        batches.add(batch(first, BATCH));
        batch(first, 10);

        Learner reference = Learner.create(PAR);
        train(reference, batches.get(0));
        train(reference, batches.get(1));
        assertThat(reference.params()).as("what it contributed").isEqualTo(contributed);
        train(reference, batches.get(2));
        float[] adopted = reference.params();
        for (int j = 0; j < adopted.length; j++) {
            if (global[j] != contributed[j]) {
                adopted[j] = global[j] + (adopted[j] - contributed[j]);
            }
        }
        reference.setParams(adopted);
        train(reference, batches.get(3));

        List<ParamsChunk> all = ProcessorHarness.forwarded(context, ParamsChunk.class);
        assertThat(all).hasSize(2);
        assertThat(all.get(1).getRound()).as("on global version 1").isEqualTo(1);
        assertThat(all.get(1).getExamples()).as("the third and fourth steps'").isEqualTo(2L * BATCH);
        assertThat(floats(all.get(1))).as("the adopted network and the step after").isEqualTo(reference.params());

        List<Prediction> predictions = ProcessorHarness.forwarded(context, Prediction.class);
        assertThat(predictions).hasSize(4 * BATCH).allSatisfy(p -> assertThat(p.getModel()).isEqualTo("m"));
        assertThat(predictions.get(2 * BATCH)).satisfies(p -> {
            assertThat(p.getGlobalVersion()).isZero();
            assertThat(p.getLocalSteps()).isEqualTo(2);
        });
        assertThat(predictions.get(3 * BATCH)).satisfies(p -> {
            assertThat(p.getGlobalVersion()).isEqualTo(1);
            assertThat(p.getLocalSteps()).isZero();
            assertThat(p.getModelVersion()).isEqualTo(3);
        });

        ModelRuntime restored = harness.restore(PAR, REPLICA);
        assertThat(restored.learner.checkpoint()).as("parameters, updater state and counters")
                .isEqualTo(reference.checkpoint());
        ReplicaState r = restored.state.replica;
        assertThat(r.globalVersion).isEqualTo(1);
        assertThat(r.stepsAtAdoption).isEqualTo(3);
        assertThat(r.pending).as("its second contribution is out").isTrue();
        assertThat(r.examplesSinceContribution).isZero();
        assertThat(restored.inbox).hasSize(10);
        reference.close();
        restored.learner.close();
    }

    @Test
    void aSynchronousReplicaHoldsItsExamplesUntilTheRoundsGlobalComesThenStepsFromIt() {
        NetworkSpec sync = ParallelTopologyTest.parallel(2, 2, "sum", 1.0, 0, 0);
        LearnerProcessor first = harness.processor(sync);
        MockProcessorContext<String, SpecificRecord> context = harness.contextOf(first);
        List<List<Example>> batches = new ArrayList<>();
        for (int b = 0; b < 3; b++) {
            batches.add(batch(first, BATCH));
        }
        batch(first, 10);
        float[] contributed = floats(ProcessorHarness.forwarded(context, ParamsChunk.class).get(0));
        // two steps, the contribution; the next examples wait for the round, unpredicted
        assertThat(ProcessorHarness.forwarded(context, Prediction.class)).hasSize(2 * BATCH);
        ModelRuntime held = harness.restore(sync, REPLICA);
        assertThat(held.state.replica.pending).isTrue();
        assertThat(held.inbox).as("a restore holds them too").hasSize(BATCH + 10);
        assertThat(held.learner.params()).isEqualTo(contributed);
        held.learner.close();

        float[] global = contributed.clone();
        for (int j = 0; j < global.length; j++) {
            global[j] += 0.001f * (j % 5 - 2);
        }
        // the round comes back 250 ms after the contribution
        context.setCurrentSystemTimeMs(context.currentSystemTimeMs() + 250);
        harness.global(first, new ParamsChunk(ParamsKind.GLOBAL, ProcessorHarness.MODEL, 0, 2, 1L, 4L * BATCH, 4L,
                global.length, 0, 1, bytes(global), Instant.ofEpochMilli(0)));
        List<Prediction> predictions = ProcessorHarness.forwarded(context, Prediction.class);
        assertThat(predictions).as("the held mini-batch, predicted by the global version").hasSize(3 * BATCH);
        assertThat(context.metrics().metrics().entrySet()).filteredOn(e -> e.getKey().name().equals("round-trip-ms")
                && REPLICA.equals(e.getKey().tags().get("model"))).singleElement()
                .satisfies(e -> assertThat(e.getValue().metricValue()).isEqualTo(250.0));
        assertThat(predictions.get(2 * BATCH)).satisfies(p -> {
            assertThat(p.getGlobalVersion()).isEqualTo(1);
            assertThat(p.getLocalSteps()).isZero();
        });

        Learner reference = Learner.create(sync);
        train(reference, batches.get(0));
        train(reference, batches.get(1));
        reference.setParams(global);
        train(reference, batches.get(2));
        ModelRuntime restored = harness.restore(sync, REPLICA);
        assertThat(restored.learner.checkpoint()).as("the global, then the held step on it")
                .isEqualTo(reference.checkpoint());
        assertThat(restored.inbox).hasSize(10);
        restored.learner.close();

        // the next round's contribution after one more step; its global does not come: after maxWaitMs the
        // replica trains on, stale, rather than wait for a replica that may be gone
        batch(first, BATCH - 10);
        assertThat(ProcessorHarness.forwarded(context, ParamsChunk.class)).hasSize(2);
        batch(first, BATCH);
        assertThat(ProcessorHarness.forwarded(context, Prediction.class)).hasSize(4 * BATCH);
        context.setCurrentSystemTimeMs(context.currentSystemTimeMs() + sync.parallel().orElseThrow().maxWaitMs());
        batch(first, 1);
        assertThat(ProcessorHarness.forwarded(context, Prediction.class)).hasSize(5 * BATCH);
        reference.close();
    }

    private List<Example> batch(LearnerProcessor processor, int n) {
        List<Example> batch = new ArrayList<>(n);
        while (batch.size() < n) {
            String id = "e" + random.nextLong();
            if (ReplicaKey.shard(id, 2) != 0) {
                continue;
            }
            List<Float> x = new ArrayList<>(PAR.inputSize());
            for (int f = 0; f < PAR.inputSize(); f++) {
                x.add((float) random.nextGaussian());
            }
            Example e = Example.newBuilder().setId(id).setModel(ProcessorHarness.MODEL).setFeatures(x)
                    .setLabel(new ClassLabel(x.get(0) > 0 ? 1 : 0, null))
                    .setEventTime(Instant.ofEpochMilli(1_700_000_000_000L)).build();
            harness.process(processor, REPLICA, e);
            batch.add(e);
        }
        return batch;
    }

    private static void train(Learner learner, List<Example> batch) {
        float[][] features = new float[batch.size()][];
        Target[] targets = new Target[batch.size()];
        float[] weights = new float[batch.size()];
        for (int i = 0; i < batch.size(); i++) {
            List<Float> x = batch.get(i).getFeatures();
            features[i] = new float[x.size()];
            for (int f = 0; f < x.size(); f++) {
                features[i][f] = x.get(f);
            }
            targets[i] = Target.ofClass(((ClassLabel) batch.get(i).getLabel()).getIndex());
            weights[i] = 1f;
        }
        learner.train(features, targets, weights);
    }

    private static float[] floats(ParamsChunk chunk) {
        return ParamsCodec.join(List.of(chunk.getData()), chunk.getTotalFloats());
    }

    private static ByteBuffer bytes(float[] values) {
        return ParamsCodec.cut(values, values.length).get(0);
    }
}
