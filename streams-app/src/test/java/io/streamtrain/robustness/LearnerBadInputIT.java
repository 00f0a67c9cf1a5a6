package io.streamtrain.robustness;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.BooleanSupplier;

import io.streamtrain.app.LearnerApp;
import io.streamtrain.app.LearnerConfig;
import io.streamtrain.avro.Example;
import io.streamtrain.avro.Prediction;
import io.streamtrain.avro.RejectedRecord;
import io.streamtrain.avro.TrainingMetrics;
import io.streamtrain.registry.ConfluentAvroSerde;
import io.streamtrain.robustness.ExamplesTopicCorpus.Bad;
import io.streamtrain.robustness.Topics.Raw;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.ThreadMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Invariant 3 (docs/architecture.md) for the learner: a corpus of bad records (undecodable bytes, the wrong schema, wrong types,
 * null keys and values, bad model ids and example ids, wrong vector lengths, NaN and infinity, unknown classes, the
 * wrong label kind, bad weights, an oversized record), sent straight to the examples topic between good ones, and a
 * corpus of bad labels sent straight to the labels topic between late labels of good examples. The learner stays
 * RUNNING on its first stream thread throughout (no thread died and was replaced), writes every bad record to the
 * errors topic with the rule it broke, and predicts and trains on every good record exactly once.
 */
@ExtendWith(RobustnessStack.Resolver.class)
class LearnerBadInputIT {

    private static final String PREFIX = "badin";
    private static final int GOOD_BETWEEN = 3;

    private final RobustnessStack stack;

    LearnerBadInputIT(RobustnessStack stack) {
        this.stack = stack;
    }

    @Test
    void everyBadRecordIsRejectedWithItsRuleAndEveryGoodOneIsLearnedExactlyOnce() throws Exception {
        String examples = PREFIX + ".examples";
        // the examples topic takes records of up to 4 MB, the errors topic has the broker's default (1 MiB)
        stack.broker().createTopic(examples, 1, Map.of("max.message.bytes", Integer.toString(4 * 1024 * 1024)));
        ExamplesTopicCorpus corpus = new ExamplesTopicCorpus(stack.registryClient(), examples);
        List<Bad> bad = new ArrayList<>(corpus.all());
        bad.add(corpus.oversized());
        assertThat(bad.stream().map(Bad::name).distinct()).hasSize(bad.size());

        // good and bad interleaved: three good records, a bad one, and so on, and good ones at the end
        Random random = new Random(7);
        List<Raw> records = new ArrayList<>();
        Map<Integer, Bad> badAt = new HashMap<>();
        Set<String> goodIds = new HashSet<>();
        for (Bad b : bad) {
            for (int i = 0; i < GOOD_BETWEEN; i++) {
                records.add(good(corpus, random, goodIds));
            }
            badAt.put(records.size(), b);
            records.add(new Raw(b.key(), b.value()));
        }
        for (int i = 0; i < GOOD_BETWEEN; i++) {
            records.add(good(corpus, random, goodIds));
        }

        Map<String, Object> client = Map.of("bootstrap.servers", stack.broker().bootstrapServers());
        Map<String, Object> registry = Map.of("schema.registry.url", stack.registry().url());
        try (LearnerApp learner = LearnerApp.start(new LearnerConfig(stack.learnerSettings(PREFIX)))) {
            BooleanSupplier healthy = () -> isRunningOnItsFirstThread(learner.streams());
            List<RecordMetadata> landed = Topics.produce(client, examples, records);

            List<ConsumerRecord<String, Prediction>> predictions = Topics.readUntil(client, PREFIX + ".predictions",
                    deserializer(Prediction.class, registry), r -> r.size() >= goodIds.size(), healthy,
                    Duration.ofSeconds(90));
            List<ConsumerRecord<String, RejectedRecord>> errors = Topics.readUntil(client, PREFIX + ".errors",
                    deserializer(RejectedRecord.class, registry), r -> r.size() >= bad.size(), healthy,
                    Duration.ofSeconds(60));
            List<ConsumerRecord<String, TrainingMetrics>> metrics = Topics.readUntil(client, PREFIX + ".metrics",
                    deserializer(TrainingMetrics.class, registry),
                    r -> !r.isEmpty() && r.get(r.size() - 1).value().getExamplesTrained() >= goodIds.size(), healthy,
                    Duration.ofSeconds(30));
            assertThat(healthy.getAsBoolean()).as("the learner is RUNNING on its first stream thread").isTrue();

            // every good record predicted exactly once, and nothing else
            List<String> predicted = predictions.stream().map(r -> r.value().getExampleId()).toList();
            assertThat(predicted).as("predictions").doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(goodIds);
            // ... and trained on exactly once: all good records are labeled
            assertThat(metrics).isNotEmpty();
            assertThat(metrics.get(metrics.size() - 1).value().getExamplesTrained()).as("examples trained")
                    .isEqualTo(goodIds.size());

            assertRejected(errors, landed, badAt, bad.size(), examples);
        }
    }

    /**
     * The same for the labels topic: good examples of which every third comes unlabeled, its label later on the
     * labels topic between bad labels. Every good example is predicted once and trained on once (the late-labeled
     * ones too); every bad label is rejected with its rule, a valid label whose example never comes once the label
     * wait is over.
     */
    @Test
    void everyBadLabelIsRejectedWithItsRuleAndEveryGoodLabelJoinsItsExample() throws Exception {
        String prefix = PREFIX + "-labels";
        String examples = prefix + ".examples";
        String labels = prefix + ".labels";
        stack.broker().createTopic(examples, 1);
        stack.broker().createTopic(labels, 1);
        ExamplesTopicCorpus exampleCorpus = new ExamplesTopicCorpus(stack.registryClient(), examples);
        LabelsTopicCorpus corpus = new LabelsTopicCorpus(stack.registryClient(), labels, exampleCorpus);
        List<Bad> bad = corpus.all();
        assertThat(bad.stream().map(Bad::name).distinct()).hasSize(bad.size());

        Random random = new Random(11);
        List<Raw> exampleRecords = new ArrayList<>();
        List<Raw> lateLabels = new ArrayList<>();
        Set<String> goodIds = new HashSet<>();
        for (int i = 0; i < GOOD_BETWEEN * 3 * (bad.size() + 1); i++) {
            Example e = ExamplesTopicCorpus.good("good-" + i, random);
            goodIds.add(e.getId());
            if (i % 3 == 1) {
                lateLabels.add(new Raw(e.getModel(), corpus.bytes(LabelsTopicCorpus.label(e.getId(), e.getModel(),
                        e.getLabel()))));
                e.setLabel(null);
            }
            exampleRecords.add(new Raw(e.getModel(), exampleCorpus.bytes(e)));
        }
        List<Raw> labelRecords = new ArrayList<>();
        Map<Integer, Bad> badAt = new HashMap<>();
        int nextLate = 0;
        for (Bad b : bad) {
            for (int i = 0; i < GOOD_BETWEEN; i++) {
                labelRecords.add(lateLabels.get(nextLate++));
            }
            badAt.put(labelRecords.size(), b);
            labelRecords.add(new Raw(b.key(), b.value()));
        }
        labelRecords.addAll(lateLabels.subList(nextLate, lateLabels.size()));

        Map<String, Object> client = Map.of("bootstrap.servers", stack.broker().bootstrapServers());
        Map<String, Object> registry = Map.of("schema.registry.url", stack.registry().url());
        Map<String, String> settings = stack.learnerSettings(prefix);
        settings.put(LearnerConfig.LABELS_WAIT_MS, "15000");
        try (LearnerApp learner = LearnerApp.start(new LearnerConfig(settings))) {
            BooleanSupplier healthy = () -> isRunningOnItsFirstThread(learner.streams());
            Topics.produce(client, examples, exampleRecords);
            List<RecordMetadata> landed = Topics.produce(client, labels, labelRecords);

            List<ConsumerRecord<String, Prediction>> predictions = Topics.readUntil(client, prefix + ".predictions",
                    deserializer(Prediction.class, registry), r -> r.size() >= goodIds.size(), healthy,
                    Duration.ofSeconds(90));
            List<ConsumerRecord<String, TrainingMetrics>> metrics = Topics.readUntil(client, prefix + ".metrics",
                    deserializer(TrainingMetrics.class, registry),
                    r -> !r.isEmpty() && r.get(r.size() - 1).value().getExamplesTrained() >= goodIds.size(), healthy,
                    Duration.ofSeconds(60));
            // the unmatched labels come out once they have waited 15 s
            List<ConsumerRecord<String, RejectedRecord>> errors = Topics.readUntil(client, prefix + ".errors",
                    deserializer(RejectedRecord.class, registry), r -> r.size() >= bad.size(), healthy,
                    Duration.ofSeconds(90));
            assertThat(healthy.getAsBoolean()).as("the learner is RUNNING on its first stream thread").isTrue();

            assertThat(predictions.stream().map(r -> r.value().getExampleId()).toList()).as("predictions")
                    .doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(goodIds);
            assertThat(metrics.get(metrics.size() - 1).value().getExamplesTrained()).as("examples trained")
                    .isEqualTo(goodIds.size());
            assertThat(metrics.stream().mapToLong(r -> r.value().getLateLabels()).sum()).as("late labels joined")
                    .isEqualTo(lateLabels.size());
            assertRejected(errors, landed, badAt, bad.size(), labels);
        }
    }

    /** Each rejected record is one of the bad ones, once, with its rule, its field and its bytes. */
    private static void assertRejected(List<ConsumerRecord<String, RejectedRecord>> errors,
            List<RecordMetadata> landed, Map<Integer, Bad> badAt, int badCount, String topic) {
        assertThat(errors).as("rejected records").hasSize(badCount);
        Set<String> seen = new HashSet<>();
        for (ConsumerRecord<String, RejectedRecord> r : errors) {
            RejectedRecord rejected = r.value();
            int index = indexOf(landed, rejected.getOffset());
            Bad expected = badAt.get(index);
            assertThat(expected).as("the rejected record at offset %d is a bad one", rejected.getOffset())
                    .isNotNull();
            seen.add(expected.name());
            assertThat(rejected.getTopic()).isEqualTo(topic);
            assertThat(rejected.getRule()).as("the rule of '%s' (%s)", expected, rejected.getMessage())
                    .isEqualTo(expected.rule());
            if (expected.field() != null) {
                assertThat(rejected.getField()).as("the field of '%s' (%s)", expected, rejected.getMessage())
                        .isEqualTo(expected.field());
            }
            assertThat(rejected.getMessage()).as("the message of '%s'", expected).isNotBlank();
            int size = (expected.key() == null ? 0 : expected.key().getBytes(StandardCharsets.UTF_8).length)
                    + (expected.value() == null ? 0 : expected.value().length);
            if (size > 512 * 1024) {
                // too large to copy into the errors topic: the message says where the record is
                assertThat(rejected.getValue()).as("the bytes of '%s'", expected).isNull();
                assertThat(rejected.getKey()).as("the key of '%s'", expected).isNull();
                assertThat(rejected.getMessage()).contains("not copied here")
                        .contains(topic + "-0@" + rejected.getOffset());
            } else {
                assertThat(rejected.getValue() == null ? null : rejected.getValue().array())
                        .as("the bytes of '%s'", expected).isEqualTo(expected.value());
                assertThat(rejected.getKey() == null ? null
                        : new String(rejected.getKey().array(), StandardCharsets.UTF_8))
                        .as("the key of '%s'", expected).isEqualTo(expected.key());
            }
        }
        assertThat(seen).as("bad records rejected").hasSize(badCount);
    }

    private static Raw good(ExamplesTopicCorpus corpus, Random random, Set<String> ids) {
        Example e = ExamplesTopicCorpus.good("good-" + ids.size(), random);
        if (ids.size() % 10 == 3) {
            // decades ahead, and on the last millisecond of the range: good examples, predicted like the others
            // (a broker refuses record timestamps more than an hour ahead, so predictions must not carry it)
            ExamplesTopicCorpus.at(e, ids.size() % 20 == 3 ? 4_102_444_800_000L : 253_402_300_799_999L);
        }
        ids.add(e.getId());
        return new Raw(e.getModel(), corpus.bytes(e));
    }

    /** RUNNING, with the one stream thread it started with: a thread that died would have been replaced. */
    static boolean isRunningOnItsFirstThread(KafkaStreams streams) {
        if (streams.state() != KafkaStreams.State.RUNNING && streams.state() != KafkaStreams.State.REBALANCING) {
            return false;
        }
        Set<ThreadMetadata> threads = streams.metadataForLocalThreads();
        return threads.size() == 1 && threads.iterator().next().threadName().endsWith("-StreamThread-1");
    }

    static <T extends SpecificRecord> Deserializer<T> deserializer(Class<T> type, Map<String, Object> registry) {
        return ConfluentAvroSerde.specific(type, registry, false).deserializer();
    }

    private static int indexOf(List<RecordMetadata> landed, long offset) {
        for (int i = 0; i < landed.size(); i++) {
            if (landed.get(i).offset() == offset) {
                return i;
            }
        }
        return -1;
    }
}
