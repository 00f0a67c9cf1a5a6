package io.streamtrain.connect.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.IntFunction;

import io.streamtrain.connect.it.BadInputCorpus.Bad;
import io.streamtrain.connect.it.TopicIO.Raw;
import io.streamtrain.embedded.EmbeddedConnectWorker.ConnectorStatus;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Invariants 2 and 3 (docs/architecture.md) at the connector, for a corpus of bad records per source: schemaless JSON, Avro in the
 * Confluent wire format (through the plugin's converter) and JSON late labels ({@code mode=labels}). Each corpus is
 * sent between good records. The connector and its task stay RUNNING throughout; each bad record is in the DLQ once,
 * with a reason that names the field and the rule (or, for bytes no converter reads, the converter's problem); every
 * good record is written exactly once.
 */
@ExtendWith(ConnectStack.Resolver.class)
class ConnectorBadInputIT {

    private static final int GOOD_BETWEEN = 2;

    private final ConnectStack stack;

    ConnectorBadInputIT(ConnectStack stack) {
        this.stack = stack;
    }

    @Test
    void jsonSourceTopic() {
        String source = "corpus-json";
        Map<String, String> config = stack.connectorConfig("corpus-json-sink", source, "cjson");
        config.putAll(ChurnSamples.features());
        config.remove("model.id");
        config.put("model.id.field", "meta.model");
        config.put("event.time.field", "meta.at");
        config.put("id.field", "ref");
        List<Raw> goods = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < BadInputCorpus.json().size() * GOOD_BETWEEN + GOOD_BETWEEN; i++) {
            goods.add(Raw.json("good", BadInputCorpus.goodJson(i)));
            ids.add("r" + i);
        }
        // large, but valid: what matters is the size of what is written, not of what is read
        goods.set(1, Raw.json("good", BadInputCorpus.goodJson(1).replaceFirst("\\{",
                "{\"padding\":\"" + "p".repeat(500 * 1024) + "\",")));
        run(config, source, "cjson.examples", BadInputCorpus.json(), goods, ids,
                n -> stack.io().readExamples("cjson.examples", n), r -> r.getId().toString());
    }

    @Test
    void avroSourceTopic() {
        String source = "corpus-avro";
        Map<String, String> config = AvroIngestIT.avroConfig(stack, "corpus-avro-sink", source, "cavro");
        List<Bad> bad = BadInputCorpus.avro(stack.registryClient(), source);
        int paymentId = stack.registryClient().register(source + "-value", AvroIngestIT.PAYMENT);
        List<Raw> goods = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < bad.size() * GOOD_BETWEEN + GOOD_BETWEEN; i++) {
            goods.add(new Raw("good", BadInputCorpus.frame(paymentId, AvroIngestIT.PAYMENT,
                    AvroIngestIT.payment(i, 10.0 * (i % 100)))));
            ids.add("pay-" + i);
        }
        run(config, source, "cavro.examples", bad, goods, ids, n -> stack.io().readExamples("cavro.examples", n),
                r -> r.getId().toString());
    }

    @Test
    void labelsMode() {
        String source = "corpus-labels";
        Map<String, String> config = stack.connectorConfig("corpus-labels-sink", source, "clabels");
        config.put("mode", "labels");
        config.put("model.id", "churn-model");
        config.put("id.field", "exampleId");
        config.put("label.field", "outcome");
        config.put("label.classes", "stayed,churned");
        List<Raw> goods = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < BadInputCorpus.labels().size() * GOOD_BETWEEN + GOOD_BETWEEN; i++) {
            goods.add(Raw.json("good", BadInputCorpus.goodLabel(i)));
            ids.add("e" + i);
        }
        run(config, source, "clabels.labels", BadInputCorpus.labels(), goods, ids,
                n -> stack.io().readLabels("clabels.labels", n), r -> r.getExampleId().toString());
    }

    private <V> void run(Map<String, String> config, String source, String output, List<Bad> bad, List<Raw> goods,
            List<String> goodIds, IntFunction<List<ConsumerRecord<String, V>>> readOutput, Function<V, String> id) {
        assertThat(bad.stream().map(Bad::name).distinct()).as("distinct case names").hasSize(bad.size());
        String dlq = source + "-rejected";
        String name = config.get("name");
        stack.io().createTopics(1, source, output);
        config.putAll(ConnectStack.deadLetterQueue(dlq));
        config.put("producer.max.request.size", Integer.toString(BadInputCorpus.MAX_REQUEST_SIZE));
        stack.startConnector(config);
        StatusWatch watch = new StatusWatch(name);
        try {
            // good and bad interleaved: GOOD_BETWEEN good records, a bad one, and so on, and good ones at the end
            List<Raw> records = new ArrayList<>();
            Map<Integer, Bad> badAt = new HashMap<>();
            int next = 0;
            for (Bad b : bad) {
                for (int i = 0; i < GOOD_BETWEEN; i++) {
                    records.add(goods.get(next++));
                }
                badAt.put(records.size(), b);
                records.add(new Raw("bad", b.value()));
            }
            while (next < goods.size()) {
                records.add(goods.get(next++));
            }
            List<RecordMetadata> landed = stack.io().produce(source, records);

            List<ConsumerRecord<String, V>> written = readOutput.apply(goods.size());
            assertThat(written).extracting(r -> id.apply(r.value())).as("every good record, exactly once")
                    .containsExactlyInAnyOrderElementsOf(goodIds);

            List<ConsumerRecord<String, byte[]>> dead = stack.io().readRaw(dlq, bad.size());
            Set<String> seen = new HashSet<>();
            SoftAssertions each = new SoftAssertions();
            for (ConsumerRecord<String, byte[]> record : dead) {
                long offset = Long.parseLong(header(record, "__connect.errors.offset"));
                Bad expected = badAt.get(indexOf(landed, offset));
                assertThat(expected).as("the DLQ record of source offset %d is a bad one", offset).isNotNull();
                assertThat(seen.add(expected.name())).as("'%s' is in the DLQ once", expected).isTrue();
                each.assertThat(header(record, "__connect.errors.topic")).isEqualTo(source);
                String reason = header(record, "__connect.errors.exception.message");
                if (expected.rule() != null) {
                    each.assertThat(reason).as("the reason of '%s'", expected)
                            .contains("Field '" + expected.field() + "' breaks rule '" + expected.rule() + "'");
                    each.assertThat(header(record, "__connect.errors.stage")).as("the stage of '%s'", expected)
                            .isEqualTo("TASK_PUT");
                } else {
                    each.assertThat(header(record, "__connect.errors.stage")).as("the stage of '%s' (%s)", expected,
                            reason).isEqualTo("VALUE_CONVERTER");
                    each.assertThat(reason).as("the reason of '%s'", expected).contains(expected.converterSays());
                }
                if (expected.value() != null) {
                    each.assertThat(record.value()).as("the bytes of '%s'", expected).isEqualTo(expected.value());
                }
            }
            each.assertAll();
            assertThat(seen).as("bad records in the DLQ").hasSize(bad.size());
            watch.stop();
            assertThat(watch.notRunning).as("states other than RUNNING seen").isEmpty();
            assertThat(stack.connect().status(name).isRunning(1)).isTrue();
        } finally {
            watch.stop();
            stack.deleteConnector(name);
        }
    }

    /** Polls the connector's status through the REST API and remembers every state that is not RUNNING. */
    private final class StatusWatch {
        final ConcurrentLinkedQueue<String> notRunning = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean stopped = new AtomicBoolean();
        private final Thread thread;

        StatusWatch(String name) {
            thread = new Thread(() -> {
                while (!stopped.get()) {
                    ConnectorStatus status = stack.connect().status(name);
                    if (!status.isRunning(1)) {
                        notRunning.add(status.toString());
                    }
                    try {
                        Thread.sleep(250);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "status-watch-" + name);
            thread.setDaemon(true);
            thread.start();
        }

        void stop() {
            stopped.set(true);
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
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
