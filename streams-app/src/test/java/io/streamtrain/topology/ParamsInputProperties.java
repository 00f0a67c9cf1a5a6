package io.streamtrain.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;

import io.streamtrain.avro.ClassLabel;
import io.streamtrain.avro.Example;
import io.streamtrain.avro.ParamsChunk;
import io.streamtrain.avro.ParamsKind;
import io.streamtrain.avro.Prediction;
import io.streamtrain.avro.RejectedRecord;
import io.streamtrain.contract.RejectionRule;
import io.streamtrain.contract.ReplicaKey;
import io.streamtrain.embedded.Tries;
import io.streamtrain.learn.NetworkSpec;
import io.streamtrain.registry.ConfluentAvroSerde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.TestInputTopic;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Generated records on the params and global topics, which only the learner should write: any kind, key, replica,
 * round, chunking, length and float values (NaN, infinities, the float range's ends), and bytes that are not a
 * record at all. Whatever comes, the learner goes on, a record that breaks a rule of those topics is rejected to the
 * errors topic exactly once with that rule, any other at most once, and the model's replicas still predict every
 * example that comes after.
 */
class ParamsInputProperties {

    private static final NetworkSpec PAR = ParallelTopologyTest.parallel(2, 2);
    private static final int PARAMS = 5_634;
    private static final int BATCH = PAR.batchSize();
    private static final Set<String> RULES = Set.of(RejectionRule.UNDECODABLE.code(),
            RejectionRule.NULL_VALUE.code(), RejectionRule.PARAMS_RECORD.code(),
            RejectionRule.KEY_MODEL_MISMATCH.code(), RejectionRule.UNKNOWN_MODEL.code());

    private Path stateDir;
    private DrivenLearner learner;
    private TestInputTopic<String, byte[]> params;
    private TestInputTopic<String, byte[]> global;
    private Serializer<ParamsChunk> serializer;
    private int tryNumber;
    private long unique;
    private final Map<String, Long> rules = new TreeMap<>();

    @BeforeEach
    void start() throws Exception {
        stateDir = Files.createTempDirectory("params-properties");
        learner = new DrivenLearner("q", stateDir, model -> PAR, settings -> { }, Instant.ofEpochMilli(0));
        params = learner.driver.createInputTopic("q.params", Serdes.String().serializer(),
                Serdes.ByteArray().serializer());
        global = learner.driver.createInputTopic("q.global", Serdes.String().serializer(),
                Serdes.ByteArray().serializer());
        serializer = ConfluentAvroSerde.specific(ParamsChunk.class, learner.registry, false).serializer();
    }

    @AfterEach
    void stop() throws Exception {
        learner.close();
        try (var paths = Files.walk(stateDir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** A generated record: where it goes, its key, its value (null: a tombstone), and whether a rule forbids it. */
    private record Sent(boolean toParams, String key, ParamsChunk chunk, byte[] garbage) {
    }

    @Test
    void everyRecordOfTheParamsAndGlobalTopicsIsUsedOrRejectedOnceAndTheReplicasGoOn() {
        Tries.run("the learner, generated records of the params and global topics", 60, ParamsInputProperties::records,
                this::check);
        System.out.println("rejected by rule: " + rules);
        assertThat(rules.keySet()).as("every rule met").containsAll(RULES);
    }

    private String check(List<Sent> records) {
        tryNumber++;
        String model = "q" + tryNumber;
        Map<ByteBuffer, Boolean> forbidden = new HashMap<>();
        int tombstones = 0;
        int refused = 0;
        for (Sent s : records) {
            String key = s.key() == null ? null : s.key().replace("$", model);
            byte[] value;
            boolean bad;
            if (s.garbage() != null) {
                value = s.garbage();
                bad = true;
            } else if (s.chunk() == null) {
                value = null;
                bad = true;
                tombstones++;
            } else {
                ParamsChunk c = ParamsChunk.newBuilder(s.chunk()).setModel(s.chunk().getModel().replace("$", model))
                        .setSentAt(Instant.ofEpochMilli(unique++)).build();
                value = serializer.serialize(s.toParams() ? "q.params" : "q.global", c);
                bad = s.toParams() ? forbiddenContribution(key, c) : forbiddenGlobal(key, c);
            }
            if (value != null) {
                forbidden.put(ByteBuffer.wrap(value), bad);
            }
            refused += bad ? 1 : 0;
            (s.toParams() ? params : global).pipeInput(key, value);
        }
        // the replicas go on: a mini-batch for each, then past every wait
        SplittableRandom random = new SplittableRandom(tryNumber);
        int sent = 0;
        for (int shard = 0; shard < 2; shard++) {
            int n = 0;
            while (n < BATCH) {
                String id = "e" + random.nextLong();
                if (ReplicaKey.shard(id, 2) != shard) {
                    continue;
                }
                List<Float> x = new ArrayList<>();
                for (int f = 0; f < PAR.inputSize(); f++) {
                    x.add((float) random.nextGaussian());
                }
                learner.send(ReplicaKey.of(model, id, 2), Example.newBuilder().setId(id).setModel(model).setFeatures(x)
                        .setLabel(new ClassLabel(x.get(0) > 0 ? 1 : 0, null))
                        .setEventTime(Instant.ofEpochMilli(1_700_000_000_000L)).build());
                n++;
                sent++;
            }
        }
        learner.driver.advanceWallClockTime(Duration.ofSeconds(2));
        List<Prediction> predictions = learner.predictions.readValuesToList();
        assertThat(predictions).hasSize(sent).allSatisfy(p -> assertThat(p.getModel()).isEqualTo(model));

        Map<ByteBuffer, Integer> errorsOf = new HashMap<>();
        int tombstoneErrors = 0;
        for (RejectedRecord e : learner.errors.readValuesToList()) {
            assertThat(e.getRule()).isIn(RULES);
            assertThat(e.getField()).isNotBlank();
            assertThat(e.getMessage()).isNotBlank();
            rules.merge(e.getRule(), 1L, Long::sum);
            if (e.getValue() == null) {
                assertThat(e.getRule()).isEqualTo(RejectionRule.NULL_VALUE.code());
                tombstoneErrors++;
            } else {
                errorsOf.merge(e.getValue(), 1, Integer::sum);
            }
        }
        assertThat(tombstoneErrors).isEqualTo(tombstones);
        for (Map.Entry<ByteBuffer, Boolean> r : forbidden.entrySet()) {
            int n = errorsOf.getOrDefault(r.getKey(), 0);
            if (r.getValue()) {
                assertThat(n).as("a record a rule forbids is rejected once").isEqualTo(1);
            } else {
                assertThat(n).as("any other record at most once").isLessThanOrEqualTo(1);
            }
        }
        return refused == records.size() ? "all forbidden" : "some allowed by the rules";
    }

    /** Whether a rule of the params topic forbids this contribution, whatever the averaging step's state. */
    private static boolean forbiddenContribution(String key, ParamsChunk c) {
        return c.getKind() != ParamsKind.CONTRIBUTION || !c.getModel().equals(key) || c.getReplicas() != 2
                || c.getReplica() < 0 || c.getReplica() >= 2 || c.getChunk() < 0 || c.getChunk() >= c.getChunks()
                || c.getTotalFloats() < 0 || c.getExamples() < 0 || c.getExamples() > Integer.MAX_VALUE
                || c.getSteps() < 0 || shapeForbidden(c);
    }

    /** Whether a rule of the global topic forbids this record, whatever the replica's state. */
    private static boolean forbiddenGlobal(String key, ParamsChunk c) {
        return c.getKind() == ParamsKind.CONTRIBUTION || c.getChunk() < 0 || c.getChunk() >= c.getChunks()
                || c.getTotalFloats() < 0 || c.getReplica() < 0 || c.getReplica() >= 2
                || !ReplicaKey.shardKey(c.getModel(), c.getReplica()).equals(key) || shapeForbidden(c);
    }

    private static boolean shapeForbidden(ParamsChunk c) {
        int bytes = c.getData().remaining();
        if (c.getTotalFloats() != 0 && c.getTotalFloats() != PARAMS || bytes / 4 > c.getTotalFloats()
                || (c.getTotalFloats() == 0 ? c.getChunks() != 1 : c.getChunks() > c.getTotalFloats())) {
            return true;
        }
        return ParamsCodec.firstNonFinite(c.getData()) >= 0;
    }

    private static List<Sent> records(SplittableRandom random) {
        int n = 1 + random.nextInt(30);
        List<Sent> records = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            boolean toParams = random.nextBoolean();
            String key = pick(random, "$", "$#0", "$#1", "$#2", "$#-1", "$#01", "other", null, "$\u0000");
            int roll = random.nextInt(20);
            if (roll == 0) {
                byte[] garbage = new byte[1 + random.nextInt(40)];
                random.nextBytes(garbage);
                garbage[0] = (byte) (random.nextBoolean() ? 0 : garbage[0]);
                records.add(new Sent(toParams, key, null, garbage));
            } else if (roll == 1) {
                records.add(new Sent(toParams, key, null, null));
            } else {
                records.add(new Sent(toParams, key, chunk(random), null));
            }
        }
        return records;
    }

    private static ParamsChunk chunk(SplittableRandom random) {
        ParamsKind kind = ParamsKind.values()[random.nextInt(ParamsKind.values().length)];
        int total = random.nextInt(4) > 0 ? PARAMS : pick(random, 0, 3, -1, PARAMS + 1, Integer.MAX_VALUE,
                Integer.MIN_VALUE);
        int chunks = random.nextInt(3) > 0 ? 1 : pick(random, 2, 0, -1, Integer.MAX_VALUE);
        int chunk = random.nextInt(3) > 0 ? 0 : pick(random, 1, -1, chunks, Integer.MAX_VALUE);
        int floats = total > 0 && total <= PARAMS && random.nextInt(4) > 0 ? (chunks == 2 ? total / 2 : total)
                : random.nextInt(8);
        ByteBuffer data = ByteBuffer.allocate(4 * floats).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        boolean extreme = random.nextInt(5) == 0;
        for (int f = 0; f < floats; f++) {
            data.putFloat(!extreme || random.nextInt(50) > 0 ? (float) (random.nextGaussian() * 0.1)
                    : pick(random, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MAX_VALUE,
                            -Float.MAX_VALUE, Float.MIN_VALUE));
        }
        data.flip();
        return new ParamsChunk(kind, random.nextInt(6) > 0 ? "$" : "other", pick(random, 0, 1, 0, 1, 2, -1,
                Integer.MIN_VALUE), random.nextInt(5) > 0 ? 2 : pick(random, 1, 3, 0, -5, 257),
                random.nextInt(3) > 0 ? pick(random, 0L, 1L) : pick(random, -1L, 7L, Long.MAX_VALUE, Long.MIN_VALUE),
                random.nextInt(4) > 0 ? pick(random, 0L, 5L, 64L) : pick(random, -1L, Long.MAX_VALUE),
                random.nextInt(4) > 0 ? 2L : pick(random, -1L, 0L, Long.MAX_VALUE), total, chunk, chunks, data,
                Instant.ofEpochMilli(0));
    }

    @SafeVarargs
    private static <T> T pick(SplittableRandom random, T... values) {
        return values[random.nextInt(values.length)];
    }
}
