package io.streamtrain.connect.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.streamtrain.registry.SchemaRegistryClient;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/**
 * Bad records for the connector's source topics, as data: each has a name, the value bytes as they land on the
 * topic, and what the DLQ record must say. A mapping problem names the field and the rule
 * ({@code Field '<field>' breaks rule '<rule>'}, stage TASK_PUT); bytes the converter cannot read are dead-lettered at
 * stage VALUE_CONVERTER with a message that contains {@code converterSays}.
 */
final class BadInputCorpus {

    /** One bad record; either {@code rule} (and {@code field}) or {@code converterSays} is set. */
    record Bad(String name, byte[] value, String field, String rule, String converterSays) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** The {@code id.field} of the JSON and Avro connectors, and the largest output the connector may write. */
    static final int MAX_REQUEST_SIZE = 256 * 1024;

    private BadInputCorpus() {
    }

    // ---------------------------------------------------------------------------------------- JSON (examples)

    /** The event time of {@link #goodJson}, in epoch millis. */
    private static final long GOOD_TIME = 1_714_564_800_000L;

    /**
     * A good churn record with its id in the field {@code ref}, and its model id and event time in {@code meta}
     * ({@code model.id.field=meta.model}, {@code event.time.field=meta.at}).
     */
    static String goodJson(int i) {
        return ChurnSamples.json(i).replaceFirst("\\{", "{\"ref\":\"r" + i + "\",\"meta\":{\"model\":\"churn-model\","
                + "\"at\":" + (GOOD_TIME + i) + "},");
    }

    static List<Bad> json() {
        List<Bad> bad = new ArrayList<>();
        String g = goodJson(1000);
        // bytes that are no JSON
        bad.add(unreadable("not JSON", "{not json", "Converting byte[] to Kafka Connect data failed"));
        bad.add(unreadable("JSON cut short", g.substring(0, g.length() / 2), "Converting byte[]"));
        bad.add(unreadable("binary bytes", new byte[] {(byte) 0xFF, (byte) 0xFE, 0, 1, 2}, "Converting byte[]"));
        bad.add(unreadable("JSON nested 5000 deep", "[".repeat(5000) + "]".repeat(5000), "Converting byte[]"));
        // JSON, but not a record
        bad.add(mapping("a bare number", "42", "user.age", "wrong-type"));
        bad.add(mapping("a bare string", "\"hello\"", "user.age", "wrong-type"));
        bad.add(mapping("a JSON array", "[1,2,3]", "user.age", "missing-field"));
        bad.add(mapping("an empty object", "{}", "user.age", "missing-field"));
        bad.add(mapping("an empty value", "", "user.age", "null-value"));
        bad.add(new Bad("a tombstone", null, "user.age", "null-value", null));
        // the id
        bad.add(mapping("no id", edit(g, "\"ref\":\"r1000\",", ""), "ref", "missing-field"));
        bad.add(mapping("an empty id", edit(g, "\"r1000\"", "\"\""), "ref", "invalid-value"));
        bad.add(mapping("a blank id", edit(g, "\"r1000\"", "\"   \""), "ref", "invalid-value"));
        bad.add(mapping("an id of 1,001 characters", edit(g, "\"r1000\"", "\"" + "i".repeat(1001) + "\""), "ref",
                "invalid-value"));
        bad.add(mapping("a fractional id", edit(g, "\"r1000\"", "1.5"), "ref", "wrong-type"));
        bad.add(mapping("a null id", edit(g, "\"r1000\"", "null"), "ref", "null-value"));
        bad.add(mapping("an id of 300 KB", edit(g, "\"r1000\"", "\"" + "x".repeat(300 * 1024) + "\""), "ref",
                "invalid-value"));
        // the model id and the event time, which the learner takes only within RecordLimits
        String at = "\"at\":" + (GOOD_TIME + 1000);
        bad.add(mapping("an event time before 1970", edit(g, at, "\"at\":-1"), "meta.at", "invalid-value"));
        bad.add(mapping("an event time of Long.MIN_VALUE", edit(g, at, "\"at\":-9223372036854775808"), "meta.at",
                "invalid-value"));
        bad.add(mapping("a fractional event time", edit(g, at, "\"at\":1714564801000.5"), "meta.at",
                "invalid-value"));
        bad.add(mapping("an event time in the year 10000", edit(g, at, "\"at\":\"+10000-01-01T00:00:00Z\""),
                "meta.at", "invalid-value"));
        bad.add(mapping("a model id with a control character", edit(g, "\"churn-model\"", "\"churn\\u0007model\""),
                "meta.model", "invalid-value"));
        bad.add(mapping("a model id of 250 characters", edit(g, "\"churn-model\"", "\"" + "m".repeat(250) + "\""),
                "meta.model", "invalid-value"));
        // numbers
        bad.add(mapping("no age", edit(g, "\"age\":1020,", ""), "user.age", "missing-field"));
        bad.add(mapping("user null", editRegex(g, "\"user\":\\{[^}]*}", "\"user\":null"), "user.age", "null-value"));
        bad.add(mapping("user a string", editRegex(g, "\"user\":\\{[^}]*}", "\"user\":\"bob\""), "user.age",
                "wrong-type"));
        bad.add(mapping("age a string", edit(g, "\"age\":1020", "\"age\":\"21\""), "user.age", "wrong-type"));
        bad.add(mapping("age a boolean", edit(g, "\"age\":1020", "\"age\":true"), "user.age", "wrong-type"));
        bad.add(mapping("age null", edit(g, "\"age\":1020", "\"age\":null"), "user.age", "null-value"));
        bad.add(mapping("age 1e400 (infinite)", edit(g, "\"age\":1020", "\"age\":1e400"), "user.age",
                "non-finite"));
        bad.add(mapping("age 1e300 (beyond float)", edit(g, "\"age\":1020", "\"age\":1e300"), "user.age",
                "non-finite"));
        bad.add(mapping("age -1e300 (beyond float)", edit(g, "\"age\":1020", "\"age\":-1e300"), "user.age",
                "non-finite"));
        // booleans and categories
        bad.add(mapping("premium a string", edit(g, "\"premium\":true", "\"premium\":\"yes\""), "premium",
                "wrong-type"));
        bad.add(mapping("premium a number", edit(g, "\"premium\":true", "\"premium\":1"), "premium",
                "wrong-type"));
        bad.add(mapping("premium null", edit(g, "\"premium\":true", "\"premium\":null"), "premium", "null-value"));
        bad.add(mapping("an unknown device", edit(g, "\"device\":\"ios\"", "\"device\":\"fax\""), "device",
                "unknown-category"));
        bad.add(mapping("a device that is a number", edit(g, "\"device\":\"ios\"", "\"device\":3.5"), "device",
                "unknown-category"));
        bad.add(mapping("a device that is an object", edit(g, "\"device\":\"ios\"", "\"device\":{}"), "device",
                "wrong-type"));
        bad.add(mapping("country null", edit(g, "\"country\":\"fr\"", "\"country\":null"), "user.country",
                "null-value"));
        bad.add(mapping("country a list", edit(g, "\"country\":\"fr\"", "\"country\":[1]"), "user.country",
                "wrong-type"));
        // the vector
        bad.add(mapping("a vector of 2", edit(g, "[1000,0.5,-1]", "[1,2]"), "embedding", "vector-length"));
        bad.add(mapping("a vector of 4", edit(g, "[1000,0.5,-1]", "[1,2,3,4]"), "embedding", "vector-length"));
        bad.add(mapping("an empty vector", edit(g, "[1000,0.5,-1]", "[]"), "embedding", "vector-length"));
        bad.add(mapping("a string in the vector", edit(g, "[1000,0.5,-1]", "[1,\"x\",3]"), "embedding",
                "wrong-type"));
        bad.add(mapping("a null in the vector", edit(g, "[1000,0.5,-1]", "[1,null,3]"), "embedding",
                "null-value"));
        bad.add(mapping("1e400 in the vector", edit(g, "[1000,0.5,-1]", "[1,1e400,3]"), "embedding",
                "non-finite"));
        bad.add(mapping("the vector as a string", edit(g, "[1000,0.5,-1]", "\"1,2,3\""), "embedding",
                "wrong-type"));
        // the label
        bad.add(mapping("an unknown class", edit(g, "\"label\":\"stayed\"", "\"label\":\"maybe\""), "label",
                "unknown-class"));
        bad.add(mapping("a class that is a number", edit(g, "\"label\":\"stayed\"", "\"label\":3"), "label",
                "unknown-class"));
        bad.add(mapping("a class that is a boolean", edit(g, "\"label\":\"stayed\"", "\"label\":true"), "label",
                "unknown-class"));
        bad.add(mapping("a class that is an object", edit(g, "\"label\":\"stayed\"", "\"label\":{\"x\":1}"),
                "label", "wrong-type"));
        bad.add(mapping("a null label", edit(g, "\"label\":\"stayed\"", "\"label\":null"), "label",
                "null-value"));
        bad.add(mapping("no label", edit(g, ",\"label\":\"stayed\"", ""), "label", "missing-field"));
        return bad;
    }

    // ---------------------------------------------------------------------------------------- Avro (examples)

    /** Registers the schemas the Avro corpus is written with; returns the corpus. */
    static List<Bad> avro(SchemaRegistryClient registry, String topic) {
        int paymentId = registry.register(topic + "-value", AvroIngestIT.PAYMENT);
        byte[] valid = frame(paymentId, AvroIngestIT.PAYMENT, AvroIngestIT.payment(7, 100.0));
        byte[] header = Arrays.copyOf(valid, 5);
        List<Bad> bad = new ArrayList<>();
        // bytes the converter cannot read
        bad.add(unreadable("JSON on an Avro topic", "{\"id\":\"not avro\"}", "magic byte"));
        bad.add(unreadable("a header cut short", new byte[] {0, 0, 0}, "shorter than the 5-byte header"));
        bad.add(unreadable("an unknown schema id", concat(withId(0x7FFF_FFF0), body(valid)), "unknown schema id"));
        bad.add(unreadable("a truncated body", Arrays.copyOf(valid, valid.length - 3), "truncated"));
        bad.add(unreadable("trailing bytes", concat(valid, new byte[] {9, 9}), "trailing bytes"));
        bad.add(unreadable("an array claiming 2^31 items", concat(header, avro(e -> {
            e.writeString("bomb");
            e.writeString("food");
            e.writeDouble(1.0);
            e.writeArrayStart();
            e.setItemCount(Integer.MAX_VALUE - 100);
        })), "truncated"));
        bad.add(unreadable("a string claiming 2 GB", concat(header, avro(e -> e.writeLong(Integer.MAX_VALUE - 100))),
                "truncated"));
        bad.add(unreadable("a union index out of range", concat(header, avro(e -> {
            e.writeString("union");
            e.writeString("food");
            e.writeDouble(1.0);
            e.writeArrayStart();
            e.setItemCount(2);
            e.startItem();
            e.writeFloat(1);
            e.startItem();
            e.writeFloat(2);
            e.writeArrayEnd();
            e.writeLong(1_700_000_000_000L);
            e.writeIndex(5);
        })), "corrupt"));
        // readable, but not what the mapping needs
        Schema sensor = SchemaBuilder.record("Sensor").namespace("io.test.robustness").fields()
                .requiredString("name").requiredDouble("reading").endRecord();
        GenericRecord reading = new GenericData.Record(sensor);
        reading.put("name", "thermometer");
        reading.put("reading", 21.5);
        bad.add(new Bad("an unrelated Avro record", frame(registry.register("robustness-sensor-value", sensor),
                sensor, reading), "amount", "missing-field", null));
        Schema amountAsString = variant("amount", Schema.create(Schema.Type.STRING));
        GenericRecord r = copy(AvroIngestIT.payment(8, 1.0), amountAsString);
        r.put("amount", "12.5");
        bad.add(new Bad("the amount as a string (another schema)", frame(registry.register(
                "robustness-amount-string-value", amountAsString), amountAsString, r), "amount", "wrong-type", null));
        Schema atAsString = variant("at", Schema.create(Schema.Type.STRING));
        r = copy(AvroIngestIT.payment(9, 1.0), atAsString);
        r.put("at", "yesterday");
        bad.add(new Bad("the time as a string no clock reads", frame(registry.register(
                "robustness-at-string-value", atAsString), atAsString, r), "at", "invalid-value", null));
        bad.add(payment(paymentId, "a NaN amount", AvroIngestIT.payment(10, Double.NaN), "amount", "non-finite"));
        bad.add(payment(paymentId, "an infinite amount", AvroIngestIT.payment(11, Double.POSITIVE_INFINITY),
                "amount", "non-finite"));
        bad.add(payment(paymentId, "an amount of 1e300 (beyond float once scaled)",
                AvroIngestIT.payment(12, 1e300), "amount", "non-finite"));
        GenericRecord three = AvroIngestIT.payment(13, 1.0);
        three.put("scores", List.of(1f, 2f, 3f));
        bad.add(payment(paymentId, "three scores", three, "scores", "vector-length"));
        GenericRecord none = AvroIngestIT.payment(14, 1.0);
        none.put("scores", List.of());
        bad.add(payment(paymentId, "no scores", none, "scores", "vector-length"));
        GenericRecord nanScore = AvroIngestIT.payment(15, 1.0);
        nanScore.put("scores", List.of(1f, Float.NaN));
        bad.add(payment(paymentId, "a NaN score", nanScore, "scores", "non-finite"));
        GenericRecord crypto = AvroIngestIT.payment(16, 1.0);
        ((GenericRecord) crypto.get("merchant")).put("category", "crypto");
        bad.add(payment(paymentId, "an unknown category", crypto, "merchant.category", "unknown-category"));
        GenericRecord maybe = AvroIngestIT.payment(17, 1.0);
        maybe.put("label", "maybe");
        bad.add(payment(paymentId, "an unknown class", maybe, "label", "unknown-class"));
        GenericRecord emptyId = AvroIngestIT.payment(18, 1.0);
        emptyId.put("id", "");
        bad.add(payment(paymentId, "an empty id", emptyId, "id", "invalid-value"));
        bad.add(new Bad("an empty payload", new byte[0], "amount", "null-value", null));
        bad.add(new Bad("a tombstone", null, "amount", "null-value", null));
        return bad;
    }

    // ---------------------------------------------------------------------------------------- JSON (labels)

    static String goodLabel(int i) {
        return "{\"exampleId\":\"e" + i + "\",\"outcome\":\"" + (i % 2 == 0 ? "stayed" : "churned") + "\"}";
    }

    static List<Bad> labels() {
        String g = goodLabel(1000);
        List<Bad> bad = new ArrayList<>();
        bad.add(unreadable("not JSON", "exampleId=e1", "Converting byte[]"));
        bad.add(mapping("no example id", "{\"outcome\":\"stayed\"}", "exampleId", "missing-field"));
        bad.add(mapping("an empty example id", edit(g, "\"e1000\"", "\"\""), "exampleId", "invalid-value"));
        bad.add(mapping("an example id of 1,001 characters", edit(g, "\"e1000\"", "\"" + "e".repeat(1001) + "\""),
                "exampleId", "invalid-value"));
        bad.add(mapping("a fractional example id", edit(g, "\"e1000\"", "1.5"), "exampleId", "wrong-type"));
        bad.add(mapping("a null example id", edit(g, "\"e1000\"", "null"), "exampleId", "null-value"));
        bad.add(mapping("an example id of 300 KB", edit(g, "\"e1000\"", "\"" + "e".repeat(300 * 1024) + "\""),
                "exampleId", "invalid-value"));
        bad.add(mapping("no outcome", "{\"exampleId\":\"e1\"}", "outcome", "missing-field"));
        bad.add(mapping("a null outcome", edit(g, "\"stayed\"", "null"), "outcome", "null-value"));
        bad.add(mapping("an unknown outcome", edit(g, "\"stayed\"", "\"maybe\""), "outcome", "unknown-class"));
        bad.add(mapping("an outcome that is an object", edit(g, "\"stayed\"", "{}"), "outcome", "wrong-type"));
        bad.add(mapping("an infinite outcome", edit(g, "\"stayed\"", "1e400"), "outcome", "non-finite"));
        bad.add(new Bad("a tombstone", null, "outcome", "null-value", null));
        return bad;
    }

    // ---------------------------------------------------------------------------------------- helpers

    /** {@code text} with {@code from} replaced; fails when {@code from} is not there, so no case is silently good. */
    private static String edit(String text, String from, String to) {
        if (!text.contains(from)) {
            throw new IllegalArgumentException("'" + from + "' is not in " + text);
        }
        return text.replace(from, to);
    }

    private static String editRegex(String text, String regex, String to) {
        String edited = text.replaceFirst(regex, to);
        if (edited.equals(text)) {
            throw new IllegalArgumentException("'" + regex + "' matches nothing in " + text);
        }
        return edited;
    }

    private static Bad mapping(String name, String json, String field, String rule) {
        return new Bad(name, json.getBytes(StandardCharsets.UTF_8), field, rule, null);
    }

    private static Bad unreadable(String name, String text, String converterSays) {
        return unreadable(name, text.getBytes(StandardCharsets.UTF_8), converterSays);
    }

    private static Bad unreadable(String name, byte[] value, String converterSays) {
        return new Bad(name, value, null, null, converterSays);
    }

    private static Bad payment(int id, String name, GenericRecord record, String field, String rule) {
        return new Bad(name, frame(id, AvroIngestIT.PAYMENT, record), field, rule, null);
    }

    /** The Payment schema with one field of another type. */
    private static Schema variant(String field, Schema type) {
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : AvroIngestIT.PAYMENT.getFields()) {
            fields.add(f.name().equals(field) ? new Schema.Field(f.name(), type) : new Schema.Field(f, f.schema()));
        }
        return Schema.createRecord("Payment", null, "io.test.shop.variant." + field, false, fields);
    }

    private static GenericRecord copy(GenericRecord from, Schema to) {
        GenericRecord r = new GenericData.Record(to);
        for (Schema.Field f : to.getFields()) {
            r.put(f.name(), from.get(f.name()));
        }
        return r;
    }

    static byte[] frame(int schemaId, Schema schema, GenericRecord record) {
        return concat(withId(schemaId), avro(e -> new GenericDatumWriter<GenericRecord>(schema).write(record, e)));
    }

    private static byte[] withId(int schemaId) {
        return ByteBuffer.allocate(5).put((byte) 0).putInt(schemaId).array();
    }

    private static byte[] body(byte[] framed) {
        return Arrays.copyOfRange(framed, 5, framed.length);
    }

    interface AvroWrites {
        void write(BinaryEncoder encoder) throws IOException;
    }

    private static byte[] avro(AvroWrites writes) {
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

    static byte[] concat(byte[] a, byte[] b) {
        byte[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
