package io.streamtrain.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamtrain.avro.ControlAnswer;
import io.streamtrain.avro.ModelSnapshot;
import io.streamtrain.avro.TrainingMetrics;
import io.streamtrain.embedded.Tries;
import io.streamtrain.registry.ConfluentAvroSerde;
import io.streamtrain.registry.InMemorySchemaRegistryClient;
import io.streamtrain.snapshot.SnapshotKey;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the dashboard makes of anything on its topics, generated: metrics, snapshots, events and answers with extreme
 * values (NaN and infinite losses, the largest counts, model ids of any Unicode, quotes and line breaks), tombstones,
 * keys that are not a snapshot's, and damaged bytes (random, cut short, a flipped byte, an unknown schema id). It
 * never throws; every item it passes on is one line of valid JSON about the record's own model; and every record it
 * cannot show is counted in its status, none silently dropped.
 */
class DashboardFeedProperties {

    private static final String PREFIX = "p";
    private static final Schema DRIFT = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"DriftEvent\","
            + "\"fields\":[{\"name\":\"model\",\"type\":\"string\"},{\"name\":\"detector\",\"type\":\"string\"},"
            + "{\"name\":\"statistic\",\"type\":\"double\"},{\"name\":\"offset\",\"type\":\"long\"}]}");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
    private final FeedHistory history = new FeedHistory(1_000_000, 1);
    private final DashboardFeed feed = new DashboardFeed(Map.of("bootstrap.servers", "127.0.0.1:9"), registry,
            PREFIX, Duration.ofHours(1), history, System::currentTimeMillis);

    @AfterEach
    void close() {
        registry.close();
    }

    /** A record on one of the topics, and what the dashboard should make of it. */
    record Input(String topic, byte[] key, byte[] value, String model, Expect expect) {
        @Override
        public String toString() {
            return topic + " key=" + (key == null ? null : new String(key, StandardCharsets.UTF_8)) + " value="
                    + (value == null ? null : value.length + " bytes") + " → " + expect;
        }
    }

    enum Expect { SHOWN, SKIPPED, IGNORED, EITHER }

    @Test
    void anythingOnItsTopicsIsShownOrCountedAndNeverStopsIt() {
        long[] skipped = {0};
        Map<String, Integer> tally = Tries.run("dashboard feed", this::input, in -> {
            int before = history.snapshot().size();
            long seqBefore = lastSeq();
            feed.take(new ConsumerRecord<>(in.topic(), 0, 0, in.key(), in.value()));
            // as the feed does after each poll
            feed.publishSkips();
            List<FeedItem> added = history.snapshot().stream().filter(i -> i.seq() > seqBefore).toList();
            List<FeedItem> shown = added.stream().filter(i -> !i.kind().equals(FeedItem.STATUS)).toList();
            boolean counted = added.stream().anyMatch(i -> i.kind().equals(FeedItem.STATUS));
            for (FeedItem item : added) {
                JsonNode json = parse(item.json());
                if (!item.kind().equals(FeedItem.STATUS)) {
                    assertThat(json.path("model").asText()).as("the item's model").isEqualTo(item.model());
                } else {
                    skipped[0]++;
                    assertThat(json.path("skipped").asLong()).as("records skipped so far").isEqualTo(skipped[0]);
                    assertThat(json.path("lastSkipped").asText()).startsWith(in.topic() + "-0@0: ");
                }
            }
            switch (in.expect()) {
                case SHOWN -> {
                    assertThat(shown).as("shown").hasSize(1);
                    assertThat(shown.get(0).model()).isEqualTo(in.model());
                    assertThat(counted).isFalse();
                }
                case SKIPPED -> assertThat(shown.isEmpty() && counted).as("skipped and counted").isTrue();
                case IGNORED -> assertThat(added).as("a later chunk: its first one tells").isEmpty();
                case EITHER -> assertThat(shown.size() + (counted ? 1 : 0)).as("shown or counted").isEqualTo(1);
            }
            assertThat(history.snapshot().size()).isGreaterThanOrEqualTo(before);
            return in.expect() + " " + (shown.isEmpty() ? counted ? "skipped" : "ignored" : shown.get(0).kind());
        });
        assertThat(tally.keySet()).contains("SHOWN metrics", "SHOWN snapshot", "SHOWN snapshot-removed",
                "SHOWN event", "SHOWN control", "SKIPPED skipped", "IGNORED ignored");
    }

    @Test
    void aBurstOfSkippedRecordsMakesOneStatusItemPerPollNotOnePerRecord() {
        long seqBefore = lastSeq();
        for (int i = 0; i < 1_000; i++) {
            feed.take(new ConsumerRecord<>(PREFIX + ".metrics", 0, i, utf8("m"), new byte[] {1, 2, 3}));
        }
        assertThat(history.snapshot().stream().filter(i -> i.seq() > seqBefore)).as("nothing before the poll ends")
                .isEmpty();
        feed.publishSkips();
        feed.publishSkips();
        List<FeedItem> added = history.snapshot().stream().filter(i -> i.seq() > seqBefore).toList();
        assertThat(added).singleElement().satisfies(item -> {
            assertThat(item.kind()).isEqualTo(FeedItem.STATUS);
            JsonNode json = parse(item.json());
            assertThat(json.path("skipped").asLong()).isEqualTo(1_000);
            assertThat(json.path("lastSkipped").asText()).startsWith(PREFIX + ".metrics-0@999: ");
        });
    }

    private long lastSeq() {
        List<FeedItem> all = history.snapshot();
        return all.stream().mapToLong(FeedItem::seq).max().orElse(0);
    }

    private static JsonNode parse(String line) {
        assertThat(line).doesNotContain("\n", "\r");
        try {
            return JSON.readTree(line);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + line, e);
        }
    }

    private Input input(SplittableRandom r) {
        String model = modelId(r);
        return switch (r.nextInt(9)) {
            case 0, 1 -> new Input(PREFIX + ".metrics", utf8(model), bytes(PREFIX + ".metrics", metrics(r, model)),
                    model, Expect.SHOWN);
            case 2 -> {
                long version = r.nextInt(3) == 0 ? Long.MAX_VALUE : r.nextLong(0, 1_000_000);
                int chunk = r.nextInt(3) == 0 ? r.nextInt(1, 50) : 0;
                String key = model + "/" + version + "/" + chunk;
                ModelSnapshot s = snapshot(r, model, version, chunk);
                // a model id the key cannot carry (a '/' in it, say) makes the key unreadable: skipped
                SnapshotKey parsed = SnapshotKey.parse(key);
                yield new Input(PREFIX + ".models", utf8(key), bytes(PREFIX + ".models", s),
                        parsed == null ? model : parsed.model(),
                        parsed == null ? Expect.SKIPPED : parsed.chunk() == 0 ? Expect.SHOWN : Expect.IGNORED);
            }
            case 3 -> {
                String key = model + "/" + r.nextInt(1000) + "/0";
                SnapshotKey parsed = SnapshotKey.parse(key);
                yield new Input(PREFIX + ".models", utf8(key), null, parsed == null ? model : parsed.model(),
                        parsed == null ? Expect.SKIPPED : Expect.SHOWN);
            }
            case 4 -> new Input(PREFIX + ".models", utf8(junk(r)), null, model, Expect.EITHER);
            case 5 -> {
                GenericRecord e = new GenericData.Record(DRIFT);
                e.put("model", model);
                e.put("detector", r.nextBoolean() ? "page-hinkley" : "adwin");
                e.put("statistic", extreme(r));
                e.put("offset", r.nextLong());
                yield new Input(PREFIX + ".events", utf8(model), genericBytes(PREFIX + ".events", e), model,
                        Expect.SHOWN);
            }
            case 6 -> new Input(PREFIX + ".control.log", utf8(model), bytes(PREFIX + ".control.log",
                    ControlAnswer.newBuilder().setCommandId(junk(r)).setModel(model).setCommand(r.nextBoolean()
                            ? "rollback" : null).setOutcome(r.nextBoolean() ? "done" : "refused")
                            .setMessage(junk(r)).setModelVersion(r.nextBoolean() ? r.nextLong() : null)
                            .setSource(junk(r)).setAnsweredAt(Instant.ofEpochMilli(r.nextLong(0, 1L << 42)))
                            .build()), model, Expect.SHOWN);
            case 7 -> new Input(PREFIX + ".metrics", utf8(model), damaged(r, bytes(PREFIX + ".metrics",
                    metrics(r, model))), model, Expect.EITHER);
            default -> {
                byte[] value = r.nextInt(4) == 0 ? null : randomBytes(r);
                // random bytes that happen to start as the wire format does may even decode
                yield new Input(pick(r, PREFIX + ".metrics", PREFIX + ".events", PREFIX + ".control.log"),
                        r.nextBoolean() ? null : utf8(model), value, model,
                        value != null && value.length > 0 && value[0] == 0 ? Expect.EITHER : Expect.SKIPPED);
            }
        };
    }

    private static TrainingMetrics metrics(SplittableRandom r, String model) {
        boolean classification = r.nextBoolean();
        long start = r.nextLong(0, 1L << 43);
        return TrainingMetrics.newBuilder().setModel(model)
                .setWindowStart(Instant.ofEpochMilli(start)).setWindowEnd(Instant.ofEpochMilli(start + r.nextInt(1 << 20)))
                .setModelVersion(count(r)).setExamples(count(r)).setLabeled(count(r)).setTrained(count(r))
                .setExamplesTrained(count(r))
                .setMeanLoss(r.nextInt(5) == 0 ? null : extreme(r))
                .setAccuracy(classification ? (Double) r.nextDouble() : null)
                .setPrequentialAccuracy(classification ? (Double) r.nextDouble() : null)
                .setMae(classification ? null : extreme(r)).setRmse(classification ? null : extreme(r))
                .setExamplesPerSecond(extreme(r)).setBackend(r.nextBoolean() ? "CPU" : null)
                .setPrequentialLoss(r.nextBoolean() ? extreme(r) : null)
                .build();
    }

    private static ModelSnapshot snapshot(SplittableRandom r, String model, long version, int chunk) {
        return ModelSnapshot.newBuilder().setModel(model).setVersion(version).setExamplesTrained(count(r))
                .setCreatedAt(Instant.ofEpochMilli(r.nextLong(0, 1L << 43))).setTrigger(junk(r)).setSpec("{}")
                .setTotalBytes(count(r)).setSha256("00").setChunk(chunk).setChunks(chunk + 1)
                .setData(ByteBuffer.wrap(randomBytes(r))).setLabeled(count(r))
                .setPrequentialLoss(r.nextBoolean() ? extreme(r) : null)
                .setPrequentialAccuracy(r.nextBoolean() ? extreme(r) : null).build();
    }

    private byte[] bytes(String topic, SpecificRecord value) {
        @SuppressWarnings("unchecked")
        Class<SpecificRecord> type = (Class<SpecificRecord>) value.getClass();
        try (ConfluentAvroSerde<SpecificRecord> serde = ConfluentAvroSerde.specific(type, registry, false)) {
            return serde.serializer().serialize(topic, value);
        }
    }

    private byte[] genericBytes(String topic, GenericRecord value) {
        try (ConfluentAvroSerde<GenericRecord> serde = ConfluentAvroSerde.generic(registry, false)) {
            return serde.serializer().serialize(topic, value);
        }
    }

    private static byte[] damaged(SplittableRandom r, byte[] good) {
        return switch (r.nextInt(4)) {
            case 0 -> Arrays.copyOf(good, r.nextInt(good.length));
            case 1 -> {
                byte[] b = good.clone();
                b[r.nextInt(b.length)] ^= (byte) r.nextInt(1, 256);
                yield b;
            }
            case 2 -> {
                byte[] b = good.clone();
                // a schema id this registry never gave
                ByteBuffer.wrap(b, 1, 4).putInt(r.nextInt(10_000, Integer.MAX_VALUE));
                yield b;
            }
            default -> {
                byte[] b = good.clone();
                b[0] = (byte) r.nextInt(1, 256);
                yield b;
            }
        };
    }

    private static long count(SplittableRandom r) {
        return switch (r.nextInt(4)) {
            case 0 -> Long.MAX_VALUE;
            case 1 -> 0;
            default -> r.nextLong(0, 1L << 40);
        };
    }

    private static double extreme(SplittableRandom r) {
        return switch (r.nextInt(8)) {
            case 0 -> Double.NaN;
            case 1 -> Double.POSITIVE_INFINITY;
            case 2 -> Double.NEGATIVE_INFINITY;
            case 3 -> Double.MAX_VALUE;
            case 4 -> Double.MIN_VALUE;
            case 5 -> -0.0;
            default -> r.nextDouble() * 10;
        };
    }

    private static String modelId(SplittableRandom r) {
        return switch (r.nextInt(4)) {
            case 0 -> "m";
            case 1 -> "model-" + r.nextInt(1000);
            case 2 -> "a\"b\\c\n</script>é😀";
            default -> junk(r);
        };
    }

    private static String junk(SplittableRandom r) {
        StringBuilder s = new StringBuilder();
        int n = r.nextInt(0, 40);
        for (int i = 0; i < n; i++) {
            int c = r.nextInt(4) == 0 ? r.nextInt(0x20, 0x7f) : r.nextInt(0, 0x2FFFF);
            // any code point but a lone surrogate, which no UTF-8 string carries
            s.appendCodePoint(c >= 0xD800 && c <= 0xDFFF ? '?' : c);
        }
        return s.toString();
    }

    private static byte[] randomBytes(SplittableRandom r) {
        byte[] b = new byte[r.nextInt(0, 64)];
        r.nextBytes(b);
        return b;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @SafeVarargs
    private static <T> T pick(SplittableRandom r, T... options) {
        return options[r.nextInt(options.length)];
    }
}
