package io.streamtrain.connect.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.streamtrain.avro.ClassLabel;
import io.streamtrain.avro.Example;
import io.streamtrain.connect.it.TopicIO.Raw;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Avro input, written by Streamtrain's Confluent-format serializer and read through the plugin's own
 * ConfluentAvroConverter, lands as correct Examples; undecodable bytes and NaN go to the DLQ.
 */
@ExtendWith(ConnectStack.Resolver.class)
class AvroIngestIT {

    static final Schema PAYMENT = SchemaBuilder.record("Payment").namespace("io.test.shop").fields()
            .requiredString("id")
            .name("merchant").type().record("Merchant").fields().requiredString("category").endRecord().noDefault()
            .requiredDouble("amount")
            .name("scores").type().array().items().floatType().noDefault()
            .name("at").type(LogicalTypes.timestampMillis().addToSchema(Schema.create(Schema.Type.LONG))).noDefault()
            .name("label").type().optional().stringType()
            .endRecord();
    private static final String[] CATEGORIES = {"food", "travel", "tech"};

    private final ConnectStack stack;

    AvroIngestIT(ConnectStack stack) {
        this.stack = stack;
    }

    static GenericRecord payment(int i, double amount) {
        GenericData.Record merchant = new GenericData.Record(PAYMENT.getField("merchant").schema());
        merchant.put("category", CATEGORIES[i % CATEGORIES.length]);
        GenericData.Record r = new GenericData.Record(PAYMENT);
        r.put("id", "pay-" + i);
        r.put("merchant", merchant);
        r.put("amount", amount);
        r.put("scores", List.of((float) i, 0.25f));
        r.put("at", 1_700_000_000_000L + i);
        r.put("label", i % 4 == 3 ? null : i % 2 == 0 ? "legit" : "fraud");
        return r;
    }

    static Map<String, String> avroConfig(ConnectStack stack, String name, String topic, String prefix) {
        Map<String, String> config = stack.connectorConfig(name, topic, prefix);
        config.put("value.converter", ConnectStack.AVRO_CONVERTER);
        config.put("value.converter.schema.registry.url", stack.registryUrl());
        config.remove("value.converter.schemas.enable");
        config.put("model.id", "fraud-model");
        config.put("id.field", "id");
        config.put("event.time.field", "at");
        config.put("features", "amount,category,scores");
        config.put("feature.amount.scale", "minmax");
        config.put("feature.amount.scale.min", "0");
        config.put("feature.amount.scale.max", "1000");
        config.put("feature.category.path", "merchant.category");
        config.put("feature.category.type", "categorical");
        config.put("feature.category.vocabulary", String.join(",", CATEGORIES));
        config.put("feature.scores.type", "vector");
        config.put("feature.scores.length", "2");
        config.put("label.field", "label");
        config.put("label.classes", "legit,fraud");
        config.put("label.optional", "true");
        return config;
    }

    @Test
    void avroThroughThePluginsConverterBecomesExamples() {
        stack.io().createTopics(1, "avro-in", "avro.examples");
        Map<String, String> config = avroConfig(stack, "avro-sink", "avro-in", "avro");
        config.putAll(ConnectStack.deadLetterQueue("avro-in-rejected"));
        stack.startConnector(config);
        try {
            List<GenericRecord> good = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                good.add(payment(i, 100.0 * i));
            }
            stack.io().produceAvro("avro-in", good.subList(0, 6));
            stack.io().produceAvro("avro-in", List.of(payment(99, Double.NaN)));
            stack.io().produce("avro-in", List.of(Raw.json("garbage", "{\"id\":\"not avro\"}")));
            stack.io().produceAvro("avro-in", good.subList(6, 12));

            List<ConsumerRecord<String, Example>> examples = stack.io().readExamples("avro.examples", 12);
            assertThat(examples).hasSize(12);
            Map<String, Example> byId = new HashMap<>();
            examples.forEach(r -> byId.put(r.value().getId(), r.value()));
            for (int i = 0; i < 12; i++) {
                Example example = byId.get("pay-" + i);
                assertThat(example).as("example pay-" + i).isNotNull();
                assertThat(example.getModel()).isEqualTo("fraud-model");
                float[] category = new float[3];
                category[i % 3] = 1f;
                assertThat(example.getFeatures()).containsExactly((float) (100.0 * i / 1000.0), category[0],
                        category[1], category[2], (float) i, 0.25f);
                assertThat(example.getEventTime()).isEqualTo(Instant.ofEpochMilli(1_700_000_000_000L + i));
                if (i % 4 == 3) {
                    assertThat(example.getLabel()).as("a null label gives an unlabeled example").isNull();
                } else {
                    assertThat(example.getLabel()).isEqualTo(i % 2 == 0 ? new ClassLabel(0, "legit")
                            : new ClassLabel(1, "fraud"));
                }
            }

            List<ConsumerRecord<String, byte[]>> dead = stack.io().readRaw("avro-in-rejected", 2);
            assertThat(dead).hasSize(2);
            List<String> reasons = new ArrayList<>();
            dead.forEach(r -> reasons.add(new String(r.headers().lastHeader("__connect.errors.exception.message")
                    .value(), StandardCharsets.UTF_8)));
            assertThat(reasons).anySatisfy(reason -> assertThat(reason)
                    .contains("Field 'amount' breaks rule 'non-finite'"));
            assertThat(reasons).anySatisfy(reason -> assertThat(reason)
                    .contains("topic 'avro-in'").contains("magic byte"));
        } finally {
            stack.deleteConnector("avro-sink");
        }
    }
}
