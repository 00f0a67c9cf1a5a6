package io.streamtrain.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import io.streamtrain.avro.ModelSnapshot;
import io.streamtrain.embedded.Tries;
import org.junit.jupiter.api.Test;

/**
 * Snapshot keys and chunks over generated inputs with extreme values: any model id round-trips through its key and
 * lands in one partition; any zip cut into any chunk size joins back to itself in any order; a missing, repeated,
 * foreign or altered chunk is refused with what is wrong.
 */
class SnapshotChunksProperties {

    @Test
    void everyKeyRoundTripsAndAModelHasOnePartition() {
        Map<String, Integer> tally = Tries.run("snapshot keys", random -> new SnapshotKey(modelId(random),
                extremeLong(random), (int) Math.min(Integer.MAX_VALUE, extremeLong(random))), key -> {
            assertThat(SnapshotKey.parse(key.text())).isEqualTo(key);
            int partitions = 1 + (int) (Math.abs(key.version()) % 64);
            int partition = SnapshotKey.partitionOf(key.model(), partitions);
            assertThat(partition).isBetween(0, partitions - 1);
            assertThat(SnapshotKey.partitioner().partitions("t", key.text(), null, partitions))
                    .contains(java.util.Set.of(partition));
            return key.model().contains("/") ? "model with a slash" : "plain model";
        });
        assertThat(tally).containsKeys("model with a slash", "plain model");
    }

    @Test
    void keysThatAreNotSnapshotKeysAreNotRead() {
        for (String key : new String[] {null, "", "m", "m/1", "/1/2", "m/x/2", "m/1/y", "m/-1/0", "m/1/-2",
                "m/99999999999999999999/0", "m/1/3000000000", "m//1/", "m/1/"}) {
            assertThat(SnapshotKey.parse(key)).as("%s", key).isNull();
        }
    }

    @Test
    void anyZipCutInAnyChunkSizeJoinsBackInAnyOrder() {
        Map<String, Integer> tally = Tries.run("cut and join", 300, random -> {
            byte[] zip = new byte[random.nextInt(4) == 0 ? random.nextInt(3) : random.nextInt(200_000)];
            random.nextBytes(zip);
            int chunkBytes = random.nextInt(3) == 0 ? 1 + random.nextInt(16) : 1 + random.nextInt(300_000);
            return new Object[] {zip, chunkBytes, random.nextLong()};
        }, input -> {
            byte[] zip = (byte[]) input[0];
            int chunkBytes = (int) input[1];
            List<ModelSnapshot> chunks = new ArrayList<>(SnapshotChunks.cut(description(), zip, chunkBytes));
            assertThat(chunks).hasSize(Math.max(1, (zip.length + chunkBytes - 1) / chunkBytes));
            assertThat(chunks).allSatisfy(c -> assertThat(c.getData().remaining()).isLessThanOrEqualTo(chunkBytes));
            Collections.shuffle(chunks, new java.util.Random((long) input[2]));
            assertThat(SnapshotChunks.join(chunks)).isEqualTo(zip);
            return chunks.size() == 1 ? "one chunk" : "several chunks";
        });
        assertThat(tally).containsKeys("one chunk", "several chunks");
    }

    @Test
    void aMissingRepeatedForeignOrAlteredChunkIsRefused() {
        byte[] zip = new byte[10_000];
        new SplittableRandom(3).nextBytes(zip);
        List<ModelSnapshot> chunks = SnapshotChunks.cut(description(), zip, 3000);
        assertThat(chunks).hasSize(4);

        assertThatThrownBy(() -> SnapshotChunks.join(chunks.subList(0, 3)))
                .hasMessage("snapshot m@7: chunk 3 of 4 is missing");
        ModelSnapshot altered = ModelSnapshot.newBuilder(chunks.get(2))
                .setData(ByteBuffer.wrap(new byte[3000])).build();
        assertThatThrownBy(() -> SnapshotChunks.join(List.of(chunks.get(0), chunks.get(1), altered, chunks.get(3))))
                .hasMessageStartingWith("snapshot m@7: SHA-256 ").hasMessageContaining("does not match");
        ModelSnapshot foreign = ModelSnapshot.newBuilder(chunks.get(1)).setVersion(8).build();
        assertThatThrownBy(() -> SnapshotChunks.join(List.of(chunks.get(0), foreign, chunks.get(2), chunks.get(3))))
                .hasMessage("snapshot m@7: chunk 1 describes another snapshot than chunk 0");
        ModelSnapshot longer = ModelSnapshot.newBuilder(chunks.get(3)).setData(ByteBuffer.wrap(new byte[1001]))
                .build();
        assertThatThrownBy(() -> SnapshotChunks.join(List.of(chunks.get(0), chunks.get(1), chunks.get(2), longer)))
                .hasMessage("snapshot m@7: its chunks hold more than its 10000 bytes");
        assertThatThrownBy(() -> SnapshotChunks.join(List.of())).hasMessage("no chunks");
        assertThatThrownBy(() -> SnapshotChunks.cut(description(), zip, 0))
                .hasMessage("chunkBytes must be positive, was 0");
    }

    private static SnapshotChunks.Description description() {
        return new SnapshotChunks.Description("m", 7, 224, Instant.ofEpochMilli(1_700_000_000_000L), "every-steps",
                "{}", 224, 0.4, 0.9, null, null);
    }

    /** Model ids at the edges of what the learner takes: long, with slashes and digits, any Unicode. */
    private static String modelId(SplittableRandom random) {
        int length = random.nextInt(5) == 0 ? 250 + random.nextInt(6) : 1 + random.nextInt(20);
        StringBuilder id = new StringBuilder();
        while (id.length() < length) {
            switch (random.nextInt(5)) {
                case 0 -> id.append('/');
                case 1 -> id.append((char) ('0' + random.nextInt(10)));
                case 2 -> id.appendCodePoint(0x1F600 + random.nextInt(50));
                case 3 -> id.append('@');
                default -> id.append((char) ('a' + random.nextInt(26)));
            }
        }
        String s = id.toString();
        // a key is read from the right: an id may end in "/<digits>" and still come back whole
        return s.isBlank() ? "m" : s;
    }

    private static long extremeLong(SplittableRandom random) {
        return switch (random.nextInt(4)) {
            case 0 -> 0;
            case 1 -> Long.MAX_VALUE - random.nextInt(3);
            case 2 -> random.nextInt(10);
            default -> random.nextLong(Long.MAX_VALUE);
        };
    }
}
