package io.streamtrain.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

import io.streamtrain.avro.ClassLabel;
import io.streamtrain.avro.Example;
import io.streamtrain.avro.ModelSnapshot;
import io.streamtrain.avro.ParamsChunk;
import io.streamtrain.avro.ParamsKind;
import io.streamtrain.avro.Prediction;
import io.streamtrain.avro.RejectedRecord;
import io.streamtrain.contract.ReplicaKey;
import io.streamtrain.contract.RejectionRule;
import io.streamtrain.learn.Learner;
import io.streamtrain.learn.NetworkSpec;
import io.streamtrain.registry.ConfluentAvroSerde;
import io.streamtrain.snapshot.SnapshotKey;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data-parallel training in the learner's topology: replicas keyed by shard, their contributions summed (or averaged
 * by the examples each trained on), the average adopted with what each learned since, predictions stamped with the global
 * version, and each global version a snapshot on the models topic.
 */
class ParallelTopologyTest {

    private static final NetworkSpec SOLO = NetworkSpec.fromResource("specs/mlp-classifier.yaml");
    private static final int BATCH = SOLO.batchSize();

    @TempDir
    Path stateDir;

    /** The 20-64-64-2 classifier on {@code replicas} replicas, contributing every {@code every} steps. */
    static NetworkSpec parallel(int replicas, int every) {
        return parallel(replicas, every, "sum");
    }

    /** As above, the contributions combined as {@code combine} says (sum or average). */
    static NetworkSpec parallel(int replicas, int every, String combine) {
        return parallel(replicas, every, combine, 1.0);
    }

    /** As above, each round's change to the model times {@code serverRate}. */
    static NetworkSpec parallel(int replicas, int every, String combine, double serverRate) {
        return parallel(replicas, every, combine, serverRate, 0, 0);
    }

    /**
     * As above, with {@code serverMomentum}, and a replica taking at most {@code maxStaleSteps} steps while its round
     * is open (0: synchronous).
     */
    static NetworkSpec parallel(int replicas, int every, String combine, double serverRate, double serverMomentum,
            int maxStaleSteps) {
        String json = SOLO.json().replaceFirst("\\}$", ",\"parallel\":{\"replicas\":" + replicas
                + ",\"averageEverySteps\":" + every + ",\"maxWaitMs\":1000,\"combine\":\"" + combine
                + "\",\"serverRate\":" + serverRate + ",\"serverMomentum\":" + serverMomentum
                + ",\"maxStaleSteps\":" + maxStaleSteps + "}}");
        return NetworkSpec.parse(json, NetworkSpec.Format.JSON);
    }

    @Test
    void aReplicatedModelWhoseExamplesAllHashToOneShardLearnsBitForBitAsAModelOnOneTask() {
        NetworkSpec par = parallel(2, 2);
        try (DrivenLearner learner = new DrivenLearner("par1", stateDir,
                model -> model.equals("par") ? par : SOLO, settings -> { }, Instant.ofEpochMilli(0))) {
            TestOutputTopic<String, ParamsChunk> params = paramsTopic(learner, ".params");
            Random random = new Random(11);
            int sent = 0;
            for (int batch = 0; batch < 12; batch++) {
                for (int i = 0; i < BATCH; i++) {
                    String id = idOnShard(random, 0, 2);
                    float[] x = features(random);
                    int label = x[0] + x[1] > 0 ? 1 : 0;
                    learner.send("solo", example("solo", id, x, label));
                    learner.send(ReplicaKey.of("par", id, 2), example("par", id, x, label));
                    sent++;
                }
                // replica 1 has no shard of its own: it contributes (nothing) when its wait is up
                learner.driver.advanceWallClockTime(Duration.ofMillis(1_100));
            }
            Map<String, Prediction> solo = new HashMap<>();
            Map<String, Prediction> replicated = new HashMap<>();
            for (Prediction p : learner.predictions.readValuesToList()) {
                Map<String, Prediction> into = p.getModel().equals("solo") ? solo : replicated;
                assertThat(into.put(p.getExampleId(), p)).as("one prediction per example").isNull();
            }
            assertThat(solo).hasSize(sent);
            assertThat(replicated).hasSize(sent);
            long maxGlobal = 0;
            for (Map.Entry<String, Prediction> e : solo.entrySet()) {
                Prediction r = replicated.get(e.getKey());
                assertThat(r.getProbabilities()).as("example %s", e.getKey())
                        .isEqualTo(e.getValue().getProbabilities());
                assertThat(r.getModelVersion()).isEqualTo(e.getValue().getModelVersion());
                assertThat(e.getValue().getGlobalVersion()).isNull();
                assertThat(r.getGlobalVersion()).isNotNull();
                assertThat(r.getLocalSteps()).isBetween(0L, r.getModelVersion());
                maxGlobal = Math.max(maxGlobal, r.getGlobalVersion());
            }
            // rounds went on: the replica adopted averages while it learned exactly as alone
            assertThat(maxGlobal).isGreaterThanOrEqualTo(3);
            List<ParamsChunk> contributions = params.readValuesToList();
            assertThat(contributions).anyMatch(c -> c.getReplica() == 1 && c.getExamples() == 0
                    && c.getTotalFloats() == 0);
            assertThat(contributions).noneMatch(c -> c.getReplica() == 1 && c.getExamples() > 0);
        }
    }

    @ParameterizedTest
    @CsvSource({"sum, 1, 0", "average, 1, 0", "average, 2, 0", "average, 0.7, 0.9", "sum, 1, 0.5"})
    void eachGlobalVersionCombinesItsRoundsContributionsAndEveryExampleWeighsInOnce(String combine, double rate,
            double momentum) {
        NetworkSpec par = parallel(3, 2, combine, rate, momentum, 0);
        try (DrivenLearner learner = new DrivenLearner("par2" + combine + (int) (10 * rate) + (int) (10 * momentum),
                stateDir, model -> par,
                settings -> { },
                Instant.ofEpochMilli(0))) {
            TestOutputTopic<String, ParamsChunk> paramsOut = paramsTopic(learner, ".params");
            TestOutputTopic<String, ParamsChunk> globalOut = paramsTopic(learner, ".global");
            Random random = new Random(5);
            Set<String> ids = new HashSet<>();
            for (int i = 0; i < 40 * BATCH; i++) {
                String id = "e" + i;
                float[] x = features(random);
                learner.send(ReplicaKey.of("par", id, 3), example("par", id, x, x[0] > 0 ? 1 : 0));
                ids.add(id);
                if (i % 50 == 49) {
                    learner.driver.advanceWallClockTime(Duration.ofMillis(200));
                }
            }
            // every replica's partial mini-batch and its last examples' contribution
            for (int i = 0; i < 6; i++) {
                learner.driver.advanceWallClockTime(Duration.ofMillis(1_100));
            }
            List<Prediction> predictions = learner.predictions.readValuesToList();
            assertThat(predictions).hasSize(ids.size());
            assertThat(predictions).extracting(Prediction::getExampleId).doesNotHaveDuplicates();
            assertThat(predictions).allSatisfy(p -> {
                assertThat(p.getModel()).isEqualTo("par");
                assertThat(p.getGlobalVersion()).isNotNull();
            });
            assertThat(learner.errors.readValuesToList()).isEmpty();

            List<TestRecord<String, ParamsChunk>> contributions = paramsOut.readRecordsToList();
            assertThat(contributions).allSatisfy(r -> assertThat(r.key()).isEqualTo("par"));
            // each labeled example weighs in one contribution, once
            long weighed = 0;
            Map<Long, Map<Integer, Contribution>> byRound = new TreeMap<>();
            Map<String, List<ParamsChunk>> parts = new HashMap<>();
            for (TestRecord<String, ParamsChunk> r : contributions) {
                ParamsChunk c = r.value();
                String key = c.getRound() + "/" + c.getReplica();
                parts.computeIfAbsent(key, k -> new ArrayList<>()).add(c);
                if (c.getChunk() == c.getChunks() - 1 && c.getExamples() > 0) {
                    // (a replica that trained on nothing contributes nothing, as often as a round closes so)
                    assertThat(byRound.computeIfAbsent(c.getRound(), k -> new TreeMap<>()).put(c.getReplica(),
                            new Contribution(c.getExamples(), floats(parts.remove(key), c.getTotalFloats()))))
                            .as("one contribution per replica and round").isNull();
                    weighed += c.getExamples();
                }
            }
            assertThat(weighed).isEqualTo(ids.size());

            Map<Long, float[]> globals = new TreeMap<>();
            Map<Long, List<ParamsChunk>> globalParts = new HashMap<>();
            for (TestRecord<String, ParamsChunk> r : globalOut.readRecordsToList()) {
                ParamsChunk g = r.value();
                assertThat(r.key()).isEqualTo(ReplicaKey.shardKey("par", g.getReplica()));
                if (g.getKind() != ParamsKind.GLOBAL || g.getReplica() != 0 || g.getTotalFloats() == 0) {
                    continue;
                }
                globalParts.computeIfAbsent(g.getRound(), k -> new ArrayList<>()).add(g);
                if (g.getChunk() == g.getChunks() - 1) {
                    globals.put(g.getRound(), floats(globalParts.remove(g.getRound()), g.getTotalFloats()));
                }
            }
            assertThat(globals).hasSizeGreaterThanOrEqualTo(5);
            float[] initial;
            try (Learner fresh = Learner.create(par)) {
                initial = fresh.params();
            }
            // the server momentum's velocity, as the averaging step carries it from round to round
            float[] velocity = new float[initial.length];
            for (Map.Entry<Long, float[]> g : globals.entrySet()) {
                Map<Integer, Contribution> round = byRound.get(g.getKey() - 1);
                assertThat(round).as("round %s", g.getKey()).isNotEmpty();
                long weight = round.values().stream().mapToLong(Contribution::examples).sum();
                float[] expected = new float[g.getValue().length];
                float[] before = g.getKey() == 1 ? initial : globals.get(g.getKey() - 1);
                // average at rate 1 without momentum: the contributions weighted by examples
                boolean fromBefore = combine.equals("sum") || rate != 1.0 || momentum > 0;
                // otherwise the round's change: each replica's from the global before, weighted by examples
                // (average) or in full (sum); the global before plus the rate times that change, or with momentum
                // times the change plus the momentum times the velocity it updates (Nesterov)
                double[] sum = new double[expected.length];
                for (Contribution c : round.values()) {
                    double w = combine.equals("sum") ? 1.0 : (double) c.examples() / weight;
                    for (int j = 0; j < sum.length && c.examples() > 0; j++) {
                        sum[j] += fromBefore ? w * ((double) c.params()[j] - before[j]) : w * c.params()[j];
                    }
                }
                for (int j = 0; j < sum.length; j++) {
                    if (!fromBefore) {
                        expected[j] = (float) sum[j];
                    } else if (momentum > 0) {
                        double v = momentum * velocity[j] + sum[j];
                        velocity[j] = (float) v;
                        expected[j] = (float) (before[j] + rate * (sum[j] + momentum * v));
                    } else {
                        expected[j] = (float) (before[j] + rate * sum[j]);
                    }
                }
                assertThat(g.getValue()).as("global version %s", g.getKey()).isEqualTo(expected);
            }
            // the replicas moved: a global version is not any one replica's contribution
            float[] last = globals.get(globals.keySet().stream().mapToLong(Long::longValue).max().orElseThrow());
            for (Contribution c : byRound.get(globals.size() - 1L).values()) {
                assertThat(c.params()).isNotEqualTo(last);
            }

            // each global version a snapshot of the model itself, the older ones tombstoned beyond the ten kept
            Map<Long, String> triggers = new TreeMap<>();
            for (TestRecord<String, ModelSnapshot> r : learner.modelRecords()) {
                SnapshotKey key = SnapshotKey.parse(r.key());
                assertThat(key.model()).isEqualTo("par");
                if (r.value() != null) {
                    triggers.put(key.version(), r.value().getTrigger());
                }
            }
            assertThat(triggers.keySet()).containsAll(globals.keySet());
            assertThat(triggers.values()).containsOnly(SnapshotPublisher.AVERAGED);
        }
    }

    @Test
    void aRecordKeyedByTheModelIdAloneIsRejectedNamingTheReplicaKey() {
        NetworkSpec par = parallel(4, 2);
        try (DrivenLearner learner = new DrivenLearner("par3", stateDir, model -> par, settings -> { },
                Instant.ofEpochMilli(0))) {
            learner.send("par", example("par", "e-1", features(new Random(1)), 1));
            List<RejectedRecord> errors = learner.errors.readValuesToList();
            assertThat(errors).singleElement().satisfies(e -> {
                assertThat(e.getRule()).isEqualTo(RejectionRule.KEY_MODEL_MISMATCH.code());
                assertThat(e.getField()).isEqualTo("key");
                assertThat(e.getMessage()).contains("'" + ReplicaKey.of("par", "e-1", 4) + "'")
                        .contains("trains on 4 replicas");
            });
            assertThat(learner.predictions.readValuesToList()).isEmpty();
        }
    }

    @Test
    void recordsOfTheParamsAndGlobalTopicsThatTheLearnerDidNotWriteGoToTheErrorsTopic() {
        NetworkSpec par = parallel(2, 2);
        try (DrivenLearner learner = new DrivenLearner("par4", stateDir, model -> par, settings -> { },
                Instant.ofEpochMilli(0))) {
            TestInputTopic<String, byte[]> params = learner.driver.createInputTopic("par4.params",
                    Serdes.String().serializer(), Serdes.ByteArray().serializer());
            TestInputTopic<String, byte[]> global = learner.driver.createInputTopic("par4.global",
                    Serdes.String().serializer(), Serdes.ByteArray().serializer());
            var serializer = ConfluentAvroSerde.specific(ParamsChunk.class, learner.registry, false).serializer();
            params.pipeInput("par", new byte[] {0, 0, 0, 0, 42, 1});
            params.pipeInput("par", serializer.serialize("par4.params", chunk(ParamsKind.GLOBAL, 0, 2, 0, 1)));
            params.pipeInput("other", serializer.serialize("par4.params", chunk(ParamsKind.CONTRIBUTION, 0, 2, 0, 1)));
            params.pipeInput("par", serializer.serialize("par4.params", chunk(ParamsKind.CONTRIBUTION, 0, 3, 0, 1)));
            params.pipeInput("par", serializer.serialize("par4.params", chunk(ParamsKind.CONTRIBUTION, 2, 2, 0, 1)));
            params.pipeInput("par", serializer.serialize("par4.params", chunk(ParamsKind.CONTRIBUTION, 0, 2, 3, 1)));
            global.pipeInput("par#0", serializer.serialize("par4.global", chunk(ParamsKind.CONTRIBUTION, 0, 2, 0, 1)));
            global.pipeInput("par#0", serializer.serialize("par4.global", chunk(ParamsKind.GLOBAL, 0, 2, 3, 1)));
            global.pipeInput("par#0", serializer.serialize("par4.global", chunk(ParamsKind.GLOBAL, 1, 2, 0, 1)));
            global.pipeInput("par#5", serializer.serialize("par4.global", chunk(ParamsKind.GLOBAL, 5, 2, 0, 1)));
            List<RejectedRecord> errors = learner.errors.readValuesToList();
            assertThat(errors).extracting(RejectedRecord::getRule).containsExactly(
                    RejectionRule.UNDECODABLE.code(),
                    RejectionRule.PARAMS_RECORD.code(),
                    RejectionRule.KEY_MODEL_MISMATCH.code(),
                    RejectionRule.PARAMS_RECORD.code(),
                    RejectionRule.PARAMS_RECORD.code(),
                    RejectionRule.PARAMS_RECORD.code(),
                    RejectionRule.PARAMS_RECORD.code(),
                    RejectionRule.PARAMS_RECORD.code(),
                    RejectionRule.KEY_MODEL_MISMATCH.code(),
                    RejectionRule.UNKNOWN_MODEL.code());
            assertThat(errors.get(3).getMessage()).contains("trained by 2 replica(s) here, the contribution says 3");
            assertThat(errors.get(5).getMessage()).contains("has 5634 parameters; this contribution says 3");
            assertThat(errors.get(7).getMessage()).contains("has 5634 parameters; this global version says 3");
            assertThat(errors).allSatisfy(e -> assertThat(e.getValue()).isNotNull());

            // and the model learns on
            Random random = new Random(3);
            for (int i = 0; i < BATCH; i++) {
                String id = "e" + i;
                float[] x = features(random);
                learner.send(ReplicaKey.of("par", id, 2), example("par", id, x, 1));
            }
            learner.driver.advanceWallClockTime(Duration.ofMillis(200));
            assertThat(learner.predictions.readValuesToList()).hasSize(BATCH);
        }
    }

    @Test
    void aLearnerWhoseSpecsTrainNoModelOnReplicasNeitherReadsNorNeedsTheParamsAndGlobalTopics() {
        var registry = new io.streamtrain.registry.InMemorySchemaRegistryClient();
        LearnerTopics topics = LearnerTopics.under("solo", type -> ConfluentAvroSerde.specific(type, registry, false));
        java.util.function.Function<Boolean, Set<String>> sources = replicated -> {
            LearnerSettings settings = LearnerSettings.builder(topics,
                    () -> ConfluentAvroSerde.specific(Example.class, registry, false).deserializer(),
                    () -> ConfluentAvroSerde.specific(io.streamtrain.avro.Label.class, registry, false).deserializer(),
                    model -> SOLO)
                    .controlDeserializer(() -> ConfluentAvroSerde.specific(io.streamtrain.avro.ControlCommand.class,
                            registry, false).deserializer())
                    .replicated(replicated).build();
            org.apache.kafka.streams.StreamsBuilder builder = new org.apache.kafka.streams.StreamsBuilder();
            LearnerTopology.build(builder, settings);
            Set<String> topicsRead = new HashSet<>();
            for (var subtopology : builder.build().describe().subtopologies()) {
                for (var node : subtopology.nodes()) {
                    if (node instanceof org.apache.kafka.streams.TopologyDescription.Source source) {
                        topicsRead.addAll(source.topicSet());
                    }
                }
            }
            return topicsRead;
        };
        assertThat(sources.apply(false)).containsExactlyInAnyOrder("solo.examples", "solo.labels", "solo.control");
        assertThat(sources.apply(true)).containsExactlyInAnyOrder("solo.examples", "solo.labels", "solo.control",
                "solo.global", "solo.params");
    }

    private static ParamsChunk chunk(ParamsKind kind, int replica, int replicas, int floats, int chunks) {
        return new ParamsChunk(kind, "par", replica, replicas, 0L, floats == 0 ? 0L : 10L, 1L, floats, 0, chunks,
                ByteBuffer.allocate(4 * floats), Instant.ofEpochMilli(0));
    }

    private record Contribution(long examples, float[] params) {
    }

    private static float[] floats(List<ParamsChunk> chunks, int total) {
        List<ByteBuffer> data = new ArrayList<>();
        for (ParamsChunk c : chunks) {
            data.add(c.getData());
        }
        return ParamsCodec.join(data, total);
    }

    private static TestOutputTopic<String, ParamsChunk> paramsTopic(DrivenLearner learner, String suffix) {
        return learner.driver.createOutputTopic(learner.prefix + suffix, Serdes.String().deserializer(),
                ConfluentAvroSerde.specific(ParamsChunk.class, learner.registry, false).deserializer());
    }

    private static String idOnShard(Random random, int shard, int replicas) {
        while (true) {
            String id = "e" + random.nextLong();
            if (ReplicaKey.shard(id, replicas) == shard) {
                return id;
            }
        }
    }

    private static float[] features(Random random) {
        float[] x = new float[SOLO.inputSize()];
        for (int f = 0; f < x.length; f++) {
            x[f] = (float) random.nextGaussian();
        }
        return x;
    }

    private static Example example(String model, String id, float[] x, int label) {
        List<Float> features = new ArrayList<>(x.length);
        for (float v : x) {
            features.add(v);
        }
        return Example.newBuilder().setId(id).setModel(model).setFeatures(features)
                .setLabel(new ClassLabel(label, null)).setEventTime(Instant.ofEpochMilli(1_700_000_000_000L)).build();
    }
}
