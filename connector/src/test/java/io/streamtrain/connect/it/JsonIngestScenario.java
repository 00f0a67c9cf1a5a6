package io.streamtrain.connect.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.streamtrain.avro.ClassLabel;
import io.streamtrain.avro.Example;
import io.streamtrain.connect.it.TopicIO.Raw;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Schemaless JSON (plain JSON through JsonConverter) lands as correct Examples: features encoded (a scaled number, a
 * boolean, a one-hot vocabulary, a hashed category, a vector), the label index from its class name, the id from the
 * source topic-partition-offset and the event time from a field. Run against any {@link ConnectTarget}.
 */
final class JsonIngestScenario {

    private static final int RECORDS = 40;

    private JsonIngestScenario() {
    }

    /** Runs the scenario with topics and a connector named after {@code name}. */
    static void run(ConnectTarget target, String name) {
        String input = name + "-in";
        String output = name + ".examples";
        String connector = name + "-sink";
        target.io().createTopics(2, input);
        target.io().createTopics(1, output);
        Map<String, String> config = target.connectorConfig(connector, input, name);
        config.putAll(ChurnSamples.features());
        config.put("event.time.field", "ts");
        target.startConnector(config);
        try {
            List<Raw> records = new ArrayList<>();
            for (int i = 0; i < RECORDS; i++) {
                records.add(Raw.json("user-" + i, ChurnSamples.json(i)));
            }
            List<RecordMetadata> landed = target.io().produce(input, records);

            List<ConsumerRecord<String, Example>> examples = target.io().readExamples(output, RECORDS);
            assertThat(examples).as("one example per record, no more").hasSize(RECORDS);
            Map<String, Example> byId = new HashMap<>();
            examples.forEach(r -> {
                assertThat(r.key()).isEqualTo("churn-model");
                byId.put(r.value().getId(), r.value());
            });
            for (int i = 0; i < RECORDS; i++) {
                RecordMetadata where = landed.get(i);
                String id = input + "-" + where.partition() + "-" + where.offset();
                assertThat(byId).containsKey(id);
                Example example = byId.get(id);
                assertThat(example.getFeatures()).as("features of record " + i)
                        .containsExactly(ChurnSamples.expectedFeatures(i));
                assertThat(example.getLabel()).isEqualTo(new ClassLabel(i % 3 == 0 ? 1 : 0,
                        i % 3 == 0 ? "churned" : "stayed"));
                assertThat(example.getEventTime()).isEqualTo(Instant.parse("2024-05-01T12:00:00Z").plusSeconds(i));
                assertThat(example.getOrigin().getTopic()).isEqualTo(input);
                assertThat(example.getOrigin().getOffset()).isEqualTo(where.offset());
                assertThat(example.getOrigin().getMappedBy()).isEqualTo(connector);
            }
        } finally {
            target.deleteConnector(connector);
        }
    }
}
