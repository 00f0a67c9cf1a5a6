package io.streamtrain.registry;

import io.streamtrain.avro.ClassLabel;
import io.streamtrain.avro.Example;
import io.streamtrain.avro.Origin;
import io.streamtrain.avro.RegressionTarget;
import java.time.Instant;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;

/** Records and schemas shared by the tests. */
final class SampleRecords {

    private SampleRecords() {
    }

    static Example example(String id) {
        return Example.newBuilder()
                .setId(id)
                .setModel("churn")
                .setFeatures(List.of(0.5f, -1.25f, 3.0f))
                .setLabel(ClassLabel.newBuilder().setIndex(1).setName("churned").build())
                .setEventTime(Instant.ofEpochMilli(1_700_000_000_123L))
                .setOrigin(Origin.newBuilder().setTopic("raw").setPartition(2).setOffset(42L).build())
                .setWeight(2.0f)
                .build();
    }

    static Example regressionExample(String id) {
        return Example.newBuilder()
                .setId(id)
                .setModel("price")
                .setFeatures(List.of(1.0f))
                .setLabel(RegressionTarget.newBuilder().setValue(9.75).build())
                .setEventTime(Instant.ofEpochMilli(1_700_000_001_000L))
                .build();
    }

    /** A small record schema, version 1. */
    static Schema sensorV1() {
        return SchemaBuilder.record("Sensor").namespace("io.streamtrain.test").fields()
                .requiredString("id")
                .requiredDouble("value")
                .endRecord();
    }

    /** Version 2 of {@link #sensorV1()}: adds a field with a default, so it is BACKWARD compatible. */
    static Schema sensorV2() {
        return SchemaBuilder.record("Sensor").namespace("io.streamtrain.test").fields()
                .requiredString("id")
                .requiredDouble("value")
                .name("unit").type().stringType().stringDefault("celsius")
                .endRecord();
    }

    /** Adds a required field without a default: not BACKWARD compatible with {@link #sensorV1()}. */
    static Schema sensorRequiredField() {
        return SchemaBuilder.record("Sensor").namespace("io.streamtrain.test").fields()
                .requiredString("id")
                .requiredDouble("value")
                .requiredLong("serial")
                .endRecord();
    }

    /** Changes the type of {@code value}: not BACKWARD compatible with {@link #sensorV1()}. */
    static Schema sensorValueAsString() {
        return SchemaBuilder.record("Sensor").namespace("io.streamtrain.test").fields()
                .requiredString("id")
                .requiredString("value")
                .endRecord();
    }

    /** Example's schema plus one field with a default: what a newer producer might write. */
    static Schema exampleWithExtraField() {
        Schema base = Example.getClassSchema();
        List<Schema.Field> fields = new java.util.ArrayList<>();
        for (Schema.Field field : base.getFields()) {
            fields.add(new Schema.Field(field, field.schema()));
        }
        fields.add(new Schema.Field("source", Schema.create(Schema.Type.STRING), "Added in v2", "unknown"));
        return Schema.createRecord(base.getName(), base.getDoc(), base.getNamespace(), false, fields);
    }
}
