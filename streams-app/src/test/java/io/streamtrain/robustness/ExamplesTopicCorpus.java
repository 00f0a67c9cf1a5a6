package io.streamtrain.robustness;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import io.streamtrain.avro.ClassLabel;
import io.streamtrain.avro.Example;
import io.streamtrain.avro.Label;
import io.streamtrain.avro.RegressionTarget;
import io.streamtrain.registry.SchemaRegistryClient;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * Bad records for the learner's examples topic, as data: each has a name, the key and value bytes as they land on
 * the topic, and the rule (and field) of the {@code RejectedRecord} the learner must write for it. Built against a
 * real registry, so that "an unknown schema id" or "the wrong schema" mean what they say. The model is
 * {@link #MODEL}, with the shipped {@code mlp-classifier} spec: 20 features, 2 classes.
 */
final class ExamplesTopicCorpus {

    static final String MODEL = "m";
    static final int FEATURES = 20;

    /**
     * One bad record.
     *
     * @param field the field the rejection must name, or null when any field will do
     */
    record Bad(String name, String key, byte[] value, String rule, String field) {
        @Override
        public String toString() {
            return name;
        }
    }

    private final SchemaRegistryClient registry;
    private final String topic;
    private final int exampleId;

    /** Registers the Example schema for {@code topic} (as a producer would) and the wrong schemas. */
    ExamplesTopicCorpus(SchemaRegistryClient registry, String topic) {
        this.registry = registry;
        this.topic = topic;
        this.exampleId = registry.register(topic + "-value", Example.getClassSchema());
    }

    /** A good, labeled example: features of a separable two-class stream. */
    static Example good(String id, Random random) {
        List<Float> x = new ArrayList<>(FEATURES);
        double dot = 0;
        for (int i = 0; i < FEATURES; i++) {
            float v = (float) random.nextGaussian();
            x.add(v);
            dot += (i % 2 == 0 ? 1 : -1) * v;
        }
        return example(id, MODEL, x, new ClassLabel(dot > 0 ? 1 : 0, null), 1f);
    }

    /** The bytes of an example as Streamtrain's serializer writes them. */
    byte[] bytes(Example example) {
        return frame(exampleId, example.getSchema(), example);
    }

    static Example example(String id, String model, List<Float> features, Object label, float weight) {
        return Example.newBuilder().setId(id).setModel(model).setFeatures(features).setLabel(label)
                .setEventTime(Instant.ofEpochMilli(1_700_000_000_000L)).setWeight(weight).build();
    }

    /** The example with another event time. */
    static Example at(Example example, long eventTimeMs) {
        example.setEventTime(Instant.ofEpochMilli(eventTimeMs));
        return example;
    }

    static List<Float> features(float fill) {
        return new ArrayList<>(Collections.nCopies(FEATURES, fill));
    }

    static List<Float> featuresWith(int index, float value) {
        List<Float> x = features(0.5f);
        x.set(index, value);
        return x;
    }

    /** Every bad record, in a fixed order. */
    List<Bad> all() {
        List<Bad> bad = new ArrayList<>();
        byte[] valid = bytes(example("valid", MODEL, features(0.5f), new ClassLabel(1, null), 1f));

        // bytes that are no Avro record in the registry's wire format
        bad.add(undecodable("JSON instead of Avro", utf8("{\"id\":\"j1\",\"model\":\"m\",\"features\":[1,2]}")));
        bad.add(undecodable("plain text", utf8("hello, learner")));
        bad.add(undecodable("a single zero byte", new byte[] {0}));
        bad.add(undecodable("a header cut short", new byte[] {0, 0, 0}));
        bad.add(undecodable("magic byte 1", withByte(valid, 0, (byte) 1)));
        bad.add(undecodable("magic byte 0xFF", withByte(valid, 0, (byte) 0xFF)));
        bad.add(undecodable("an unknown schema id", withHeader(0x7FFF_FFF0, body(valid))));
        bad.add(undecodable("the header only", Arrays.copyOf(valid, 5)));
        bad.add(undecodable("a truncated body", Arrays.copyOf(valid, valid.length - 4)));
        bad.add(undecodable("cut inside the id string", Arrays.copyOf(valid, 8)));
        bad.add(undecodable("trailing bytes", concat(valid, new byte[] {1, 2, 3})));
        bad.add(undecodable("a body of 0xFF bytes", concat(Arrays.copyOf(valid, 5), filled(40, (byte) 0xFF))));
        bad.add(undecodable("an array claiming 2^31 items", concat(Arrays.copyOf(valid, 5),
                avro(e -> {
                    e.writeString("bomb");
                    e.writeString(MODEL);
                    e.writeArrayStart();
                    e.setItemCount(Integer.MAX_VALUE - 100);
                }))));
        bad.add(undecodable("a string claiming 2 GB", concat(Arrays.copyOf(valid, 5),
                avro(e -> e.writeLong(Integer.MAX_VALUE - 100)))));
        bad.add(undecodable("a negative string length", concat(Arrays.copyOf(valid, 5), avro(e -> e.writeLong(-5)))));
        bad.add(undecodable("a union index out of range", concat(Arrays.copyOf(valid, 5), avro(e -> {
            e.writeString("union");
            e.writeString(MODEL);
            e.writeArrayStart();
            e.setItemCount(FEATURES);
            for (int i = 0; i < FEATURES; i++) {
                e.startItem();
                e.writeFloat(0.5f);
            }
            e.writeArrayEnd();
            e.writeIndex(7);
        }))));

        // the wrong schema: records the registry knows, which are no Example
        Schema sensor = SchemaBuilder.record("Sensor").namespace("io.test.robustness").fields()
                .requiredString("name").requiredDouble("reading").endRecord();
        GenericRecord reading = new GenericData.Record(sensor);
        reading.put("name", "thermometer");
        reading.put("reading", 21.5);
        bad.add(undecodable("an unrelated Avro record", register("robustness-sensor-value", reading)));
        Label label = Label.newBuilder().setExampleId("e1").setModel(MODEL).setLabel(new ClassLabel(0, null))
                .setTime(Instant.ofEpochMilli(1_700_000_000_000L)).build();
        bad.add(undecodable("a Label instead of an Example", register("robustness-label-value", label)));
        bad.add(undecodable("features as doubles (the wrong type)", register("robustness-doubles-value",
                exampleVariant("doubles", SchemaBuilder.array().items().doubleType(), doubles(FEATURES), "string"))));
        bad.add(undecodable("the model id as an int (the wrong type)", register("robustness-intmodel-value",
                exampleVariant("intmodel", SchemaBuilder.array().items().floatType(), features(0.5f), "int"))));

        // decodable, and still unusable
        bad.add(new Bad("a tombstone", MODEL, null, "null-value", "value"));
        bad.add(new Bad("an empty value", MODEL, new byte[0], "null-value", "value"));
        bad.add(new Bad("a blank model id", " ", bytes(example("b1", " ", features(0.5f), null, 1f)), "model-id",
                "model"));
        bad.add(new Bad("a model id with a control character", "m\u0001",
                bytes(example("b2", "m\u0001", features(0.5f), null, 1f)), "model-id", "model"));
        String longModel = "m".repeat(250);
        bad.add(new Bad("a model id of 250 characters", longModel,
                bytes(example("b3", longModel, features(0.5f), null, 1f)), "model-id", "model"));
        bad.add(new Bad("a null key", null, bytes(example("k1", MODEL, features(0.5f), null, 1f)),
                "key-model-mismatch", "key"));
        bad.add(new Bad("an empty key", "", bytes(example("k2", MODEL, features(0.5f), null, 1f)),
                "key-model-mismatch", "key"));
        bad.add(new Bad("the key of another model", "other",
                bytes(example("k3", MODEL, features(0.5f), null, 1f)), "key-model-mismatch", "key"));
        String hugeKey = "k".repeat(900_000);
        bad.add(new Bad("a key of 900 KB", hugeKey, bytes(example("k4", MODEL, features(0.5f), null, 1f)),
                "key-model-mismatch", "key"));
        bad.add(rejected("an empty id", example("", MODEL, features(0.5f), new ClassLabel(0, null), 1f),
                "id-length", "id"));
        bad.add(rejected("an id of 100,000 characters", example("i".repeat(100_000), MODEL, features(0.5f),
                new ClassLabel(0, null), 1f), "id-length", "id"));
        bad.add(rejected("no features", example("f0", MODEL, List.of(), null, 1f), "feature-count", "features"));
        bad.add(rejected("19 features (one missing)", example("f19", MODEL, features(0.5f).subList(0, 19),
                new ClassLabel(0, null), 1f), "feature-count", "features"));
        List<Float> longer = features(0.5f);
        longer.add(0.5f);
        bad.add(rejected("21 features (one too many)", example("f21", MODEL, longer, new ClassLabel(0, null), 1f),
                "feature-count", "features"));
        bad.add(rejected("10,000 features", example("f10k", MODEL, new ArrayList<>(Collections.nCopies(10_000, 1f)),
                null, 1f), "feature-count", "features"));
        bad.add(rejected("NaN in the first feature", example("n1", MODEL, featuresWith(0, Float.NaN),
                new ClassLabel(0, null), 1f), "non-finite", "features[0]"));
        bad.add(rejected("+infinity in a feature", example("n2", MODEL, featuresWith(5, Float.POSITIVE_INFINITY),
                new ClassLabel(0, null), 1f), "non-finite", "features[5]"));
        bad.add(rejected("-infinity in the last feature", example("n3", MODEL,
                featuresWith(19, Float.NEGATIVE_INFINITY), null, 1f), "non-finite", "features[19]"));
        bad.add(rejected("every feature NaN", example("n4", MODEL, features(Float.NaN), new ClassLabel(1, null), 1f),
                "non-finite", "features[0]"));
        bad.add(rejected("class index 2 of 2 classes", example("c1", MODEL, features(0.5f), new ClassLabel(2, null),
                1f), "unknown-class", "label"));
        bad.add(rejected("class index -1", example("c2", MODEL, features(0.5f), new ClassLabel(-1, null), 1f),
                "unknown-class", "label"));
        bad.add(rejected("class index 2^31-1", example("c3", MODEL, features(0.5f),
                new ClassLabel(Integer.MAX_VALUE, null), 1f), "unknown-class", "label"));
        bad.add(rejected("a regression label for a classifier", example("r1", MODEL, features(0.5f),
                new RegressionTarget(0.5), 1f), "label-kind", "label"));
        bad.add(rejected("a NaN regression label for a classifier", example("r2", MODEL, features(0.5f),
                new RegressionTarget(Double.NaN), 1f), "label-kind", "label"));
        bad.add(rejected("a NaN weight", example("w1", MODEL, features(0.5f), new ClassLabel(0, null), Float.NaN),
                "non-finite", "weight"));
        bad.add(rejected("an infinite weight", example("w2", MODEL, features(0.5f), new ClassLabel(0, null),
                Float.POSITIVE_INFINITY), "non-finite", "weight"));
        bad.add(rejected("a negative weight", example("w3", MODEL, features(0.5f), new ClassLabel(1, null), -1f),
                "negative-weight", "weight"));
        bad.add(rejected("an event time of -1 ms", at(example("t1", MODEL, features(0.5f), new ClassLabel(1, null),
                1f), -1L), "event-time-range", "eventTime"));
        bad.add(rejected("an event time of Long.MIN_VALUE ms", at(example("t2", MODEL, features(0.5f),
                new ClassLabel(0, null), 1f), Long.MIN_VALUE), "event-time-range", "eventTime"));
        bad.add(rejected("an event time in the year 10000", at(example("t3", MODEL, features(0.5f), null, 1f),
                253_402_300_800_000L), "event-time-range", "eventTime"));
        bad.add(rejected("a class name of 1,001 characters", example("cn", MODEL, features(0.5f),
                new ClassLabel(1, "n".repeat(1001)), 1f), "class-name-length", "label.name"));
        return bad;
    }

    /**
     * A record larger than the errors topic takes (1 MiB by default): 400,000 features, about 1.6 MB, on an
     * examples topic that accepts 4 MB. The learner must still reject it, and say where it is.
     */
    Bad oversized() {
        return rejected("an oversized record (1.6 MB)", example("big", MODEL,
                new ArrayList<>(Collections.nCopies(400_000, 1f)), new ClassLabel(0, null), 1f),
                "feature-count", "features");
    }

    private Bad rejected(String name, Example example, String rule, String field) {
        return new Bad(name, example.getModel(), bytes(example), rule, field);
    }

    private static Bad undecodable(String name, byte[] value) {
        return new Bad(name, MODEL, value, "undecodable", "value");
    }

    byte[] register(String subject, IndexedRecord record) {
        return frame(registry.register(subject, record.getSchema()), record.getSchema(), record);
    }

    /** An Example look-alike whose features or model id have another type. */
    private static GenericRecord exampleVariant(String name, Schema featuresSchema, List<?> features,
            String modelType) {
        Schema schema = SchemaBuilder.record("Example").namespace("io.streamtrain.avro." + name).fields()
                .requiredString("id")
                .name("model").type(Schema.create(Schema.Type.valueOf(modelType.toUpperCase()))).noDefault()
                .name("features").type(featuresSchema).noDefault()
                .name("eventTime").type().longType().noDefault()
                .endRecord();
        GenericRecord r = new GenericData.Record(schema);
        r.put("id", name);
        r.put("model", modelType.equals("int") ? (Object) 7 : MODEL);
        r.put("features", features);
        r.put("eventTime", 1_700_000_000_000L);
        return r;
    }

    private static List<Double> doubles(int n) {
        return new ArrayList<>(Collections.nCopies(n, 0.5));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    static byte[] frame(int schemaId, Schema schema, Object datum) {
        DatumWriter writer = datum instanceof SpecificRecord ? new SpecificDatumWriter<>(schema)
                : new GenericDatumWriter<>(schema);
        return withHeader(schemaId, avro(e -> writer.write(datum, e)));
    }

    /** The 5-byte header with {@code schemaId}, then {@code body}. */
    static byte[] withHeader(int schemaId, byte[] body) {
        return ByteBuffer.allocate(5 + body.length).put((byte) 0).putInt(schemaId).put(body).array();
    }

    /** The Avro body of a framed payload. */
    static byte[] body(byte[] framed) {
        return Arrays.copyOfRange(framed, 5, framed.length);
    }

    interface AvroWrites {
        void write(BinaryEncoder encoder) throws IOException;
    }

    static byte[] avro(AvroWrites writes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        try {
            writes.write(encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    static byte[] withByte(byte[] bytes, int index, byte value) {
        byte[] copy = bytes.clone();
        copy[index] = value;
        return copy;
    }

    static byte[] filled(int n, byte value) {
        byte[] b = new byte[n];
        Arrays.fill(b, value);
        return b;
    }
}
