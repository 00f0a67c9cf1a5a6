package io.streamtrain.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamtrain.avro.ClassLabel;
import io.streamtrain.avro.Prediction;
import io.streamtrain.avro.RejectedRecord;
import io.streamtrain.avro.TrainingMetrics;
import io.streamtrain.registry.ConfluentAvroDeserializer;
import io.streamtrain.registry.ConfluentAvroSerializer;
import io.streamtrain.registry.InMemorySchemaRegistryClient;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

class PlainJsonTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();

    /** Written as the learner writes it, read back as tail reads it: generically, with the writer's schema. */
    private String throughTheWire(SpecificRecord record) {
        byte[] bytes = new ConfluentAvroSerializer<SpecificRecord>(registry, false).serialize("t", record);
        GenericRecord read = ConfluentAvroDeserializer.generic(registry).deserialize("t", bytes);
        return PlainJson.line(read, read.getSchema());
    }

    private static Prediction prediction() {
        return Prediction.newBuilder()
                .setExampleId("e1")
                .setModel("events")
                .setModelVersion(42)
                .setPredictedClass(1)
                .setPredictedClassName("yes")
                .setProbabilities(List.of(0.25f, 0.75f))
                .setLabel(ClassLabel.newBuilder().setIndex(1).setName("yes").build())
                .setLoss(0.2876820724517809)
                .setEventTime(Instant.parse("2026-12-04T23:36:50.123Z"))
                .setPredictedAt(Instant.parse("2026-12-04T23:36:51Z"))
                .build();
    }

    @Test
    void aPredictionIsPlainJsonWithBareUnionsAndIsoTimes() throws Exception {
        String line = throughTheWire(prediction());
        assertThat(line).doesNotContain("\n");
        JsonNode json = JSON.readTree(line);
        assertThat(json.get("exampleId").asText()).isEqualTo("e1");
        assertThat(json.get("modelVersion").isIntegralNumber()).isTrue();
        assertThat(json.get("modelVersion").asLong()).isEqualTo(42);
        // unions: the value itself, not Avro's {"double": ...}
        assertThat(json.get("loss").isNumber()).isTrue();
        assertThat(json.get("loss").asDouble()).isEqualTo(0.2876820724517809);
        assertThat(json.get("predictedClass").asInt()).isEqualTo(1);
        assertThat(json.get("predictedClassName").asText()).isEqualTo("yes");
        assertThat(json.get("predictedValue").isNull()).isTrue();
        assertThat(json.get("label").get("index").asInt()).isEqualTo(1);
        assertThat(json.get("label").get("name").asText()).isEqualTo("yes");
        assertThat(json.get("probabilities").toString()).isEqualTo("[0.25,0.75]");
        // timestamps: ISO-8601 in UTC, always with milliseconds
        assertThat(json.get("eventTime").asText()).isEqualTo("2026-12-04T23:36:50.123Z");
        assertThat(json.get("predictedAt").asText()).isEqualTo("2026-12-04T23:36:51.000Z");
        assertThat(json.fieldNames()).toIterable().containsExactly("exampleId", "model", "modelVersion",
                "predictedClass", "predictedClassName", "predictedValue", "probabilities", "label", "loss",
                "eventTime", "predictedAt", "servedBy", "globalVersion", "localSteps");
        assertThat(json.get("servedBy").isNull()).as("no race").isTrue();
        assertThat(json.get("globalVersion").isNull()).as("one replica").isTrue();
    }

    @Test
    void theGeneratedClassPrintsTheSameAsTheGenericRead() {
        Prediction prediction = prediction();
        assertThat(PlainJson.line(prediction, prediction.getSchema())).isEqualTo(throughTheWire(prediction));
    }

    @Test
    void trainingMetricsWithoutLabelsHaveNullAccuracies() throws Exception {
        TrainingMetrics metrics = TrainingMetrics.newBuilder()
                .setModel("events")
                .setWindowStart(Instant.ofEpochMilli(0))
                .setWindowEnd(Instant.ofEpochMilli(5000))
                .setModelVersion(3).setExamples(10).setLabeled(0).setTrained(0).setExamplesTrained(24)
                .setExamplesPerSecond(Double.NaN)
                .setBackend("CPU")
                .build();
        JsonNode json = JSON.readTree(throughTheWire(metrics));
        assertThat(json.get("windowStart").asText()).isEqualTo("1970-01-01T00:00:00.000Z");
        assertThat(json.get("windowEnd").asText()).isEqualTo("1970-01-01T00:00:05.000Z");
        assertThat(json.get("meanLoss").isNull()).isTrue();
        assertThat(json.get("accuracy").isNull()).isTrue();
        assertThat(json.get("backend").asText()).isEqualTo("CPU");
        // JSON has no NaN: the string, as for the infinities
        assertThat(json.get("examplesPerSecond").asText()).isEqualTo("NaN");
    }

    @Test
    void bytesAreBase64() throws Exception {
        byte[] value = {0, 1, 2, (byte) 0xFF, 'x'};
        RejectedRecord rejected = RejectedRecord.newBuilder()
                .setTopic("streamtrain.examples").setPartition(0).setOffset(7)
                .setTimestamp(Instant.ofEpochMilli(1)).setRule("undecodable").setMessage("bad magic byte")
                .setKey(ByteBuffer.wrap("events".getBytes(StandardCharsets.UTF_8)))
                .setValue(ByteBuffer.wrap(value))
                .setRejectedAt(Instant.ofEpochMilli(2))
                .build();
        JsonNode json = JSON.readTree(throughTheWire(rejected));
        assertThat(json.get("key").binaryValue()).isEqualTo("events".getBytes(StandardCharsets.UTF_8));
        assertThat(json.get("value").asText()).isEqualTo("AAEC/3g=");
        assertThat(json.get("field").isNull()).isTrue();
    }

    @Test
    void nonAsciiIsEscapedAndReadsBack() throws Exception {
        Prediction p = prediction();
        p.setPredictedClassName("T-shirt \u00e9t\u00e9 \uD83D\uDC55 \u0007");
        String line = throughTheWire(p);
        assertThat(line.chars()).allMatch(c -> c >= 0x20 && c < 0x80);
        assertThat(JSON.readTree(line).get("predictedClassName").asText()).isEqualTo(p.getPredictedClassName());
    }

    @Test
    void logicalTypesOfFutureSchemasPrintAsDocumented() throws Exception {
        Schema decimal = LogicalTypes.decimal(9, 2).addToSchema(Schema.create(Schema.Type.BYTES));
        Schema schema = SchemaBuilder.record("Served").namespace("io.streamtrain.avro").fields()
                .name("day").type(LogicalTypes.date().addToSchema(Schema.create(Schema.Type.INT))).noDefault()
                .name("at").type(LogicalTypes.timeMillis().addToSchema(Schema.create(Schema.Type.INT))).noDefault()
                .name("atMicros").type(LogicalTypes.timeMicros().addToSchema(Schema.create(Schema.Type.LONG)))
                .noDefault()
                .name("micros").type(LogicalTypes.timestampMicros().addToSchema(Schema.create(Schema.Type.LONG)))
                .noDefault()
                .name("local").type(LogicalTypes.localTimestampMillis()
                        .addToSchema(Schema.create(Schema.Type.LONG))).noDefault()
                .name("price").type(decimal).noDefault()
                .name("kind").type(SchemaBuilder.enumeration("Kind").symbols("A", "B")).noDefault()
                .name("tags").type().map().values().longType().noDefault()
                .name("far").type(LogicalTypes.timestampMillis().addToSchema(Schema.create(Schema.Type.LONG)))
                .noDefault()
                .endRecord();
        GenericRecord r = new GenericData.Record(schema);
        r.put("day", 20_426);
        r.put("at", 85_010_123);
        r.put("atMicros", 85_010_123_456L);
        r.put("micros", 1_780_616_210_123_456L);
        r.put("local", 0L);
        r.put("price", new Conversions.DecimalConversion().toBytes(new BigDecimal("-12.34"), decimal,
                decimal.getLogicalType()));
        r.put("kind", new GenericData.EnumSymbol(schema.getField("kind").schema(), "B"));
        r.put("tags", java.util.Map.of("a", 1L));
        r.put("far", Long.MAX_VALUE);
        JsonNode json = JSON.readTree(PlainJson.line(r, schema));
        assertThat(json.get("day").asText()).isEqualTo("2025-12-04");
        assertThat(json.get("at").asText()).isEqualTo("23:36:50.123");
        assertThat(json.get("atMicros").asText()).isEqualTo("23:36:50.123456");
        assertThat(json.get("micros").asText()).isEqualTo("2026-06-04T23:36:50.123456Z");
        assertThat(json.get("local").asText()).isEqualTo("1970-01-01T00:00:00.000");
        assertThat(json.get("price").asText()).isEqualTo("-12.34");
        assertThat(json.get("kind").asText()).isEqualTo("B");
        assertThat(json.get("tags").get("a").asLong()).isEqualTo(1);
        assertThat(json.get("far").asText()).isEqualTo("+292278994-08-17T07:12:55.807Z");
    }

    @Test
    void aTimeOutsideTheDayStaysANumber() throws Exception {
        Schema schema = SchemaBuilder.record("R").fields()
                .name("t").type(LogicalTypes.timeMillis().addToSchema(Schema.create(Schema.Type.INT))).noDefault()
                .endRecord();
        GenericRecord r = new GenericData.Record(schema);
        r.put("t", -1);
        assertThat(PlainJson.line(r, schema)).isEqualTo("{\"t\":-1}");
    }
}
