package io.streamtrain.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import io.streamtrain.avro.ClassLabel;
import io.streamtrain.avro.Example;
import io.streamtrain.avro.Origin;
import io.streamtrain.avro.RegressionTarget;
import io.streamtrain.embedded.Tries;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

/**
 * The direct reader of examples against Avro's: on generated examples with extreme values, and on those bytes cut,
 * extended and flipped, {@link ExampleDeserializer} gives what the general deserializer gives, the same example or
 * the same refusal with the same message; and it takes the direct path whenever the writer schema is Example's.
 */
class ExampleDeserializerProperties {

    private static final String TOPIC = "streamtrain.examples";
    private static final float[] EXTREME_FLOATS = {0f, -0f, 1f, -1f, Float.MIN_VALUE, -Float.MIN_VALUE,
        Float.MAX_VALUE, -Float.MAX_VALUE, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1e-30f,
        3.4e38f};
    private static final long[] EXTREME_LONGS = {0L, -1L, 1L, Long.MIN_VALUE, Long.MAX_VALUE, Integer.MIN_VALUE,
        Integer.MAX_VALUE, 253402300799999L, 1714564800000L};

    private final InMemorySchemaRegistryClient client = new InMemorySchemaRegistryClient();
    private final ConfluentAvroSerializer<Example> serializer = new ConfluentAvroSerializer<>(client, false);
    private final ConfluentAvroDeserializer<Example> general = new ConfluentAvroDeserializer<>(client, Example.class);
    private final ExampleDeserializer direct = new ExampleDeserializer(client, general);

    @Test
    void readsEveryExampleAsAvroDoesAndDirectly() {
        Map<String, Integer> tally = Tries.run("direct example reads", 2000, this::example, example -> {
            byte[] bytes = serializer.serialize(TOPIC, example);
            Example read = direct.deserialize(TOPIC, bytes);
            // Avro's equals has NaN unequal to itself; the JSON form writes every float and double exactly
            assertThat(read.toString()).isEqualTo(general.deserialize(TOPIC, bytes).toString())
                    .isEqualTo(example.toString());
            assertThat(read.getFeatures()).as("read straight into an array").isInstanceOf(FloatVector.class);
            return read.getFeatures().size() > 1000 ? "over 1000 features" : "up to 1000 features";
        });
        assertThat(tally).hasSize(2);
    }

    @Test
    void damagedBytesGetTheSameValueOrTheSameRefusal() {
        Map<String, Integer> tally = Tries.run("damaged example bytes", 3000, random -> damaged(random),
                bytes -> {
                    Outcome expected = outcome(() -> general.deserialize(TOPIC, bytes));
                    Outcome actual = outcome(() -> direct.deserialize(TOPIC, bytes));
                    assertThat(actual).isEqualTo(expected);
                    return expected.refusal() == null ? "read" : "refused: " + expected.refusal().split(":")[0];
                });
        assertThat(tally.keySet()).anyMatch(k -> k.startsWith("refused")).contains("read");
    }

    @Test
    void examplesWrittenWithAnotherSchemaGoToTheGeneralReader() {
        Schema older = SchemaBuilder.record("Example").namespace("io.streamtrain.avro").fields()
                .requiredString("id").requiredString("model")
                .name("features").type().array().items().floatType().noDefault()
                .name("eventTime").type(Example.getClassSchema().getField("eventTime").schema()).noDefault()
                .endRecord();
        GenericRecord record = new GenericData.Record(older);
        record.put("id", "e-1");
        record.put("model", "m");
        record.put("features", List.of(1f, 2f));
        record.put("eventTime", 1714564800000L);
        byte[] bytes = ConfluentAvroSerde.generic(client, false).serializer().serialize(TOPIC, record);

        Example read = direct.deserialize(TOPIC, bytes);
        assertThat(read).isEqualTo(general.deserialize(TOPIC, bytes));
        assertThat(read.getFeatures()).containsExactly(1f, 2f).isNotInstanceOf(FloatVector.class);
        byte[] current = serializer.serialize(TOPIC, new Example("e-2", "m", List.of(3f), null, Instant.EPOCH, null,
                1f));
        assertThat(direct.deserialize(TOPIC, current).getFeatures()).as("the Example schema itself")
                .isInstanceOf(FloatVector.class);
        assertThat(read.getWeight()).isEqualTo(1f);
        assertThat(direct.deserialize(TOPIC, null)).isNull();
    }

    private Example example(SplittableRandom r) {
        int size = r.nextInt(5) == 0 ? r.nextInt(1000, 3000) : r.nextInt(0, 40);
        List<Float> features = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            features.add(r.nextBoolean() ? EXTREME_FLOATS[r.nextInt(EXTREME_FLOATS.length)]
                    : (float) r.nextGaussian());
        }
        Object label = switch (r.nextInt(4)) {
            case 0 -> null;
            case 1 -> new ClassLabel(r.nextInt(), r.nextBoolean() ? null : text(r));
            case 2 -> new ClassLabel(r.nextInt(10), text(r));
            default -> new RegressionTarget(r.nextBoolean() ? Double.longBitsToDouble(r.nextLong())
                    : r.nextGaussian());
        };
        Origin origin = r.nextBoolean() ? null : new Origin(text(r), r.nextInt(), extremeLong(r),
                r.nextBoolean() ? null : text(r));
        return new Example(text(r), text(r), features, label, Instant.ofEpochMilli(extremeLong(r)), origin,
                EXTREME_FLOATS[r.nextInt(EXTREME_FLOATS.length)]);
    }

    private byte[] damaged(SplittableRandom r) {
        byte[] bytes = serializer.serialize(TOPIC, example(r));
        return switch (r.nextInt(4)) {
            case 0 -> Arrays.copyOf(bytes, r.nextInt(bytes.length));
            case 1 -> {
                byte[] longer = Arrays.copyOf(bytes, bytes.length + 1 + r.nextInt(8));
                longer[bytes.length] = (byte) r.nextInt(256);
                yield longer;
            }
            default -> {
                byte[] flipped = bytes.clone();
                for (int i = 0, n = 1 + r.nextInt(3); i < n; i++) {
                    // past the header mostly: a wrong schema id is the registry's business, tested elsewhere
                    int at = bytes.length > WireFormat.HEADER_SIZE && r.nextInt(10) > 0
                            ? r.nextInt(WireFormat.HEADER_SIZE, bytes.length) : r.nextInt(bytes.length);
                    flipped[at] = (byte) r.nextInt(256);
                }
                yield flipped;
            }
        };
    }

    private static long extremeLong(SplittableRandom r) {
        return r.nextBoolean() ? EXTREME_LONGS[r.nextInt(EXTREME_LONGS.length)] : r.nextLong();
    }

    private static String text(SplittableRandom r) {
        StringBuilder s = new StringBuilder();
        for (int i = 0, n = r.nextInt(0, 12); i < n; i++) {
            s.appendCodePoint(switch (r.nextInt(4)) {
                case 0 -> r.nextInt(0x20, 0x7f);
                case 1 -> r.nextInt(0, 0x20);
                case 2 -> r.nextInt(0x80, 0xd800);
                default -> r.nextInt(0x10000, 0x10ffff);
            });
        }
        return s.toString();
    }

    /** What a read gives: the value (as JSON: Avro's equals has NaN unequal to itself), or the refusal. */
    private record Outcome(String value, String refusal) {
    }

    private static Outcome outcome(java.util.function.Supplier<Example> read) {
        try {
            return new Outcome(String.valueOf(read.get()), null);
        } catch (RuntimeException e) {
            return new Outcome(null, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }
}
