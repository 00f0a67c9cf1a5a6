package io.streamtrain.connect.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.streamtrain.avro.Example;
import io.streamtrain.connect.it.TopicIO.Raw;
import io.streamtrain.embedded.EmbeddedConnectWorker.TaskStatus;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Bad records go to the dead-letter queue with their reason, and the good ones around them all arrive. */
@ExtendWith(ConnectStack.Resolver.class)
class DeadLetterIT {

    /** A bad record: its JSON (null for a tombstone) and the field and rule the DLQ reason must name. */
    record Bad(String json, String field, String rule) {
    }

    /** One of each kind of bad input; the last is not even JSON, so Connect's converter rejects it. */
    static final List<Bad> BAD = List.of(
            new Bad(ChurnSamples.json(1).replace("\"age\":21,", ""), "user.age", "missing-field"),
            new Bad(ChurnSamples.json(2).replace("\"premium\":true", "\"premium\":\"yes\""), "premium", "wrong-type"),
            new Bad(ChurnSamples.json(3).replace("\"age\":23", "\"age\":1e400"), "user.age", "non-finite"),
            new Bad(ChurnSamples.json(4).replace("[4,0.5,-1]", "[4,0.5]"), "embedding", "vector-length"),
            new Bad(ChurnSamples.json(5).replace("\"label\":\"stayed\"", "\"label\":\"maybe\""), "label",
                    "unknown-class"),
            new Bad(ChurnSamples.json(7).replace("\"label\":\"stayed\"", "\"label\":null"), "label", "null-value"),
            new Bad(ChurnSamples.json(8).replace("\"device\":\"web\"", "\"device\":\"fax\""), "device",
                    "unknown-category"),
            new Bad(null, "user.age", "null-value"),
            new Bad("{not json", null, null));

    private final ConnectStack stack;

    DeadLetterIT(ConnectStack stack) {
        this.stack = stack;
    }

    @Test
    void everyBadRecordIsInTheDeadLetterQueueWithItsReasonAndEveryGoodOneIsWritten() {
        stack.io().createTopics(1, "dlq-in", "dlq.examples");
        Map<String, String> config = stack.connectorConfig("dlq-sink", "dlq-in", "dlq");
        config.putAll(ChurnSamples.features());
        config.putAll(ConnectStack.deadLetterQueue("dlq-in-rejected"));
        stack.startConnector(config);
        try {
            // good and bad interleaved: 3 good records, then a bad one, and so on
            List<Raw> records = new ArrayList<>();
            Map<Integer, Bad> badAt = new HashMap<>();
            int good = 0;
            for (Bad bad : BAD) {
                for (int i = 0; i < 3; i++) {
                    records.add(Raw.json("g" + good, ChurnSamples.json(good++)));
                }
                badAt.put(records.size(), bad);
                records.add(bad.json() == null ? new Raw("tombstone", null) : Raw.json("bad", bad.json()));
            }
            records.add(Raw.json("g" + good, ChurnSamples.json(good++)));
            List<RecordMetadata> landed = stack.io().produce("dlq-in", records);

            List<ConsumerRecord<String, Example>> examples = stack.io().readExamples("dlq.examples", good);
            assertThat(examples).as("every good record, exactly once").hasSize(good);
            Set<String> goodIds = new HashSet<>();
            for (int i = 0; i < records.size(); i++) {
                if (!badAt.containsKey(i)) {
                    goodIds.add("dlq-in-0-" + landed.get(i).offset());
                }
            }
            assertThat(examples).extracting(r -> r.value().getId()).containsExactlyInAnyOrderElementsOf(goodIds);

            List<ConsumerRecord<String, byte[]>> dead = stack.io().readRaw("dlq-in-rejected", BAD.size());
            assertThat(dead).as("every bad record, exactly once").hasSize(BAD.size());
            for (ConsumerRecord<String, byte[]> record : dead) {
                long offset = Long.parseLong(header(record, "__connect.errors.offset"));
                int index = indexOf(landed, offset);
                Bad bad = badAt.get(index);
                assertThat(bad).as("the DLQ record at source offset " + offset + " is a bad one").isNotNull();
                assertThat(header(record, "__connect.errors.topic")).isEqualTo("dlq-in");
                String reason = header(record, "__connect.errors.exception.message");
                if (bad.field() != null) {
                    assertThat(reason).contains("Field '" + bad.field() + "' breaks rule '" + bad.rule() + "'");
                    assertThat(header(record, "__connect.errors.exception.class.name"))
                            .isEqualTo("io.streamtrain.connect.mapping.MappingException");
                    assertThat(header(record, "__connect.errors.stage")).isEqualTo("TASK_PUT");
                } else {
                    assertThat(header(record, "__connect.errors.stage")).isEqualTo("VALUE_CONVERTER");
                    assertThat(reason).isNotBlank();
                }
                if (bad.json() != null) {
                    assertThat(new String(record.value(), StandardCharsets.UTF_8)).isEqualTo(bad.json());
                }
            }
        } finally {
            stack.deleteConnector("dlq-sink");
        }
    }

    @Test
    void withToleranceNoneTheTaskFailsWithTheMappingMessage() {
        stack.io().createTopics(1, "strict-in", "strict.examples");
        Map<String, String> config = stack.connectorConfig("strict-sink", "strict-in", "strict");
        config.putAll(ChurnSamples.features());
        stack.startConnector(config);
        try {
            stack.io().produce("strict-in", List.of(Raw.json("a", ChurnSamples.json(0)), Raw.json("b", ChurnSamples.json(1)),
                    Raw.json("c", BAD.get(1).json())));
            TaskStatus failed = stack.connect().awaitTaskFailed("strict-sink", ConnectStack.TIMEOUT);
            assertThat(failed.trace()).contains("Field 'premium' breaks rule 'wrong-type'")
                    .contains("errors.tolerance=none");
            assertThat(stack.io().readExamples("strict.examples", 2)).hasSize(2);
        } finally {
            stack.deleteConnector("strict-sink");
        }
    }

    private static int indexOf(List<RecordMetadata> landed, long offset) {
        for (int i = 0; i < landed.size(); i++) {
            if (landed.get(i).offset() == offset) {
                return i;
            }
        }
        return -1;
    }

    private static String header(ConsumerRecord<?, ?> record, String key) {
        Header header = record.headers().lastHeader(key);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
