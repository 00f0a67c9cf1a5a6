package io.streamtrain.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import io.streamtrain.embedded.Tries;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;

class ReplicaKeyTest {

    @Test
    void aModelOnOneReplicaIsKeyedByItsId() {
        assertThat(ReplicaKey.of("churn", "e-1", 1)).isEqualTo("churn");
        assertThat(ReplicaKey.of("churn", "", 1)).isEqualTo("churn");
    }

    @Test
    void aReplicatedModelIsKeyedByItsIdAndTheShardOfTheExampleId() {
        int expected = Utils.toPositive(Utils.murmur2("e-1".getBytes(StandardCharsets.UTF_8))) % 4;
        assertThat(ReplicaKey.of("churn", "e-1", 4)).isEqualTo("churn#" + expected);
        // a label names the example id, so it gets the example's key
        assertThat(ReplicaKey.of("churn", "e-1", 4)).isEqualTo(ReplicaKey.shardKey("churn", expected));
    }

    @Test
    void replicaCountsOutsideOneTo256AreRefusedWithTheRule() {
        assertThat(ReplicaKey.replicasProblem(1)).isNull();
        assertThat(ReplicaKey.replicasProblem(256)).isNull();
        assertThat(ReplicaKey.replicasProblem(0)).contains("from 1 to 256, was 0");
        assertThat(ReplicaKey.replicasProblem(257)).contains("was 257");
        assertThatThrownBy(() -> ReplicaKey.shard("e", 0)).hasMessageContaining("1 to 256");
        assertThatThrownBy(() -> ReplicaKey.shard("e", Integer.MIN_VALUE)).hasMessageContaining("1 to 256");
    }

    @Test
    void everyIdLandsOnAShardInRangeAndIdsSpreadEvenly() {
        Tries.run("replica-key", 200, ReplicaKeyTest::ids, sample -> {
            int[] counts = new int[sample.replicas()];
            for (String id : sample.ids()) {
                int shard = ReplicaKey.shard(id, sample.replicas());
                assertThat(shard).isBetween(0, sample.replicas() - 1);
                assertThat(ReplicaKey.shard(id, sample.replicas())).isEqualTo(shard);
                counts[shard]++;
            }
            if (sample.distinct()) {
                // 4,000 distinct ids over at most 8 shards: each within 25% of its share
                double share = sample.ids().length / (double) sample.replicas();
                for (int c : counts) {
                    assertThat((double) c).isBetween(share * 0.75, share * 1.25);
                }
                return "distinct ids · " + sample.replicas() + " replicas";
            }
            return "any characters";
        });
    }

    private record Ids(String[] ids, int replicas, boolean distinct) {
    }

    private static Ids ids(SplittableRandom random) {
        boolean distinct = random.nextBoolean();
        int replicas = distinct ? 1 + random.nextInt(8) : 1 + random.nextInt(ReplicaKey.MAX_REPLICAS);
        String[] ids = new String[distinct ? 4000 : 50];
        for (int i = 0; i < ids.length; i++) {
            if (distinct) {
                ids[i] = "ex-" + random.nextLong() + "-" + i;
            } else {
                // anything a producer may send: surrogates, controls, long ids
                StringBuilder s = new StringBuilder();
                int length = random.nextInt(4) == 0 ? RecordLimits.MAX_ID_CHARS : random.nextInt(20);
                for (int c = 0; c < length; c++) {
                    s.append((char) random.nextInt(Character.MAX_VALUE + 1));
                }
                ids[i] = s.toString();
            }
        }
        return new Ids(ids, replicas, distinct);
    }
}
