package io.streamtrain.connect.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.streamtrain.avro.ClassLabel;
import io.streamtrain.avro.Label;
import io.streamtrain.connect.it.TopicIO.Raw;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** mode=labels: records with only an example id and an outcome become Labels on {@code <prefix>.labels}. */
@ExtendWith(ConnectStack.Resolver.class)
class LateLabelsIT {

    private final ConnectStack stack;

    LateLabelsIT(ConnectStack stack) {
        this.stack = stack;
    }

    @Test
    void outcomesKnownLaterBecomeLabels() {
        stack.io().createTopics(1, "outcomes", "late.labels");
        Map<String, String> config = stack.connectorConfig("labels-sink", "outcomes", "late");
        config.put("mode", "labels");
        config.put("model.id", "churn-model");
        config.put("id.field", "exampleId");
        config.put("event.time.field", "knownAt");
        config.put("label.field", "outcome");
        config.put("label.classes", "stayed,churned");
        config.putAll(ConnectStack.deadLetterQueue("outcomes-rejected"));
        stack.startConnector(config);
        try {
            List<Raw> records = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                records.add(Raw.json(null, "{\"exampleId\":\"json-in-0-" + i + "\",\"outcome\":\""
                        + (i % 2 == 0 ? "stayed" : "churned") + "\",\"knownAt\":" + (1000L * i) + "}"));
            }
            records.add(Raw.json(null, "{\"outcome\":\"stayed\",\"knownAt\":1}"));
            stack.io().produce("outcomes", records);

            List<ConsumerRecord<String, Label>> labels = stack.io().readLabels("late.labels", 10);
            assertThat(labels).hasSize(10);
            for (ConsumerRecord<String, Label> record : labels) {
                Label label = record.value();
                int i = Integer.parseInt(label.getExampleId().substring("json-in-0-".length()));
                assertThat(record.key()).isEqualTo("churn-model");
                assertThat(label.getModel()).isEqualTo("churn-model");
                assertThat(label.getLabel()).isEqualTo(i % 2 == 0 ? new ClassLabel(0, "stayed")
                        : new ClassLabel(1, "churned"));
                assertThat(label.getTime()).isEqualTo(Instant.ofEpochMilli(1000L * i));
                assertThat(label.getOrigin().getTopic()).isEqualTo("outcomes");
            }
            assertThat(stack.io().readRaw("outcomes-rejected", 1)).singleElement().satisfies(r -> assertThat(
                    new String(r.headers().lastHeader("__connect.errors.exception.message").value()))
                    .contains("Field 'exampleId' breaks rule 'missing-field'"));
        } finally {
            stack.deleteConnector("labels-sink");
        }
    }
}
