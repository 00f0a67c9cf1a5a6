package io.streamtrain.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.streamtrain.avro.Prediction;
import io.streamtrain.chaos.CampaignOutcome;
import io.streamtrain.chaos.ChaosReport;
import io.streamtrain.chaos.Disruption;
import io.streamtrain.chaos.LearnerCampaign;
import io.streamtrain.chaos.OpenTransactions;
import io.streamtrain.embedded.EmbeddedKafkaBroker;
import io.streamtrain.embedded.EmbeddedSchemaRegistry;
import io.streamtrain.registry.ConfluentAvroSerde;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Invariant 1 (docs/architecture.md) under crash campaigns on the real broker and registry, with the learner in JVMs of its own
 * (the campaigns of {@code streamtrain chaos}, on a smaller stream): SIGKILLs at random points (seeded; the seed is
 * printed) and a broker restart; then every labeled example was trained on once, there is one committed prediction
 * per example id, the TrainingMetrics windows add up to the models' counters, and every redelivered copy was
 * skipped by the dedupe window.
 */
class LearnerChaosIT {

    private static EmbeddedKafkaBroker kafka;
    private static EmbeddedSchemaRegistry registry;
    private final PrintWriter out = new PrintWriter(System.out, true);

    @TempDir
    Path work;

    @BeforeAll
    static void startComponents() {
        kafka = EmbeddedKafkaBroker.start();
        registry = EmbeddedSchemaRegistry.start();
    }

    @AfterAll
    static void stopComponents() {
        if (registry != null) {
            registry.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void threeSigkillsAndABrokerRestartLoseNothingAndTrainNothingTwice() {
        long seed = ChaosSeed.pick("LearnerChaosIT crashes");
        LearnerCampaign.Plan plan = LearnerCampaign.Plan.crashes("it-crash", 40_000, 3, 1, seed)
                .withTimeout(Duration.ofMinutes(4));

        CampaignOutcome outcome = new LearnerCampaign(plan, kafka, registry.url(), work, out).run();

        out.println(ChaosReport.campaign(outcome));
        assertThat(outcome.failed()).as("checks that did not hold (seed %d):\n%s", seed, outcome.diagnostics())
                .isEmpty();
        assertThat(outcome.count(Disruption.Kind.LEARNER_SIGKILL)).isEqualTo(3);
        assertThat(outcome.count(Disruption.Kind.BROKER_RESTART)).isEqualTo(1);
    }

    @Test
    void killingOneOfTwoInstancesMovesItsModelsToTheOtherWithoutLoss() {
        long seed = ChaosSeed.pick("LearnerChaosIT failover");
        LearnerCampaign.Plan plan = LearnerCampaign.Plan.failover("it-failover", 16_000, seed)
                .withTimeout(Duration.ofMinutes(4));

        CampaignOutcome outcome = new LearnerCampaign(plan, kafka, registry.url(), work, out).run();

        out.println(ChaosReport.campaign(outcome));
        assertThat(outcome.failed()).as("checks that did not hold (seed %d):\n%s", seed, outcome.diagnostics())
                .isEmpty();
        // the check list includes "the killed instance's models restored on a survivor from the changelog"
        assertThat(outcome.checks()).anySatisfy(c -> assertThat(c.invariant()).contains("restored on a survivor"));
    }

    /**
     * Data-parallel training under faults: one model on three replicas (averaged every few steps) on three learner
     * JVMs; one JVM SIGKILLed while the rounds go on and started again after a while, and the broker restarted. The
     * checks of the other campaigns hold per replica, and the rounds' own: averaged versions 1..N once each, their
     * examplesTrained rising, every prediction stamped with a global version it could have, rounds after the kill.
     */
    @Test
    void killingOneOfThreeReplicasInstancesMidRoundLosesNoRoundAndTrainsNothingTwice() {
        long seed = ChaosSeed.pick("LearnerChaosIT replicas");
        LearnerCampaign.Plan plan = LearnerCampaign.Plan.replicated("it-replicas", 12_000, seed)
                .withTimeout(Duration.ofMinutes(4));

        CampaignOutcome outcome = new LearnerCampaign(plan, kafka, registry.url(), work, out).run();

        out.println(ChaosReport.campaign(outcome));
        assertThat(outcome.failed()).as("checks that did not hold (seed %d):\n%s", seed, outcome.diagnostics())
                .isEmpty();
        assertThat(outcome.count(Disruption.Kind.LEARNER_SIGKILL)).isEqualTo(1);
        assertThat(outcome.count(Disruption.Kind.BROKER_RESTART)).isEqualTo(1);
        assertThat(outcome.checks()).anySatisfy(c -> assertThat(c.invariant()).startsWith("rounds averaged after"));
    }

    /**
     * What a campaign prints when predictions are missing: a transaction left open shows as the partition's last
     * stable offset below its end, with the producer that holds it, and its records as in the log; an id never
     * written shows as absent.
     */
    @Test
    void anOpenTransactionIsNamedAndItsRecordsFoundInTheLog() {
        String topic = "probe.predictions";
        kafka.createTopic(topic, 2);
        Serializer<Prediction> values = ConfluentAvroSerde.specific(Prediction.class,
                Map.of("schema.registry.url", registry.url()), false).serializer();
        try (KafkaProducer<String, Prediction> committed = producer("probe-committed", values);
             KafkaProducer<String, Prediction> open = producer("probe-open", values)) {
            committed.initTransactions();
            committed.beginTransaction();
            committed.send(new ProducerRecord<>(topic, 0, "m", prediction("seen-1")));
            committed.commitTransaction();
            open.initTransactions();
            open.beginTransaction();
            open.send(new ProducerRecord<>(topic, 0, "m", prediction("held-1")));
            open.send(new ProducerRecord<>(topic, 0, "m", prediction("held-2")));
            open.flush();

            String report = OpenTransactions.describe(kafka.bootstrapServers(), registry.url(), topic,
                    Set.of("held-1", "held-2", "never-written"));

            assertThat(report)
                    .contains("probe.predictions-0: last stable offset 2, end 4 (read_committed readers stop at the "
                            + "first)")
                    .contains("probe.predictions-1: last stable offset 0, end 0\n")
                    .containsPattern("producer \\d+ epoch \\d+ has a transaction open since offset 2 ")
                    .containsPattern("transactional id probe-open: producer \\d+, Ongoing")
                    .contains("missing ids in the log read_uncommitted: 2 of 3 (")
                    .contains("held-1 at 0@2", "held-2 at 0@3")
                    .doesNotContain("could not be described");
            open.abortTransaction();
        }
    }

    private static KafkaProducer<String, Prediction> producer(String transactionalId, Serializer<Prediction> values) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId),
                new StringSerializer(), values);
    }

    private static Prediction prediction(String id) {
        return Prediction.newBuilder().setExampleId(id).setModel("m").setModelVersion(1).setPredictedClass(0)
                .setPredictedClassName("a").setProbabilities(List.of(1f)).setPredictedAt(Instant.EPOCH)
                .setEventTime(Instant.EPOCH).build();
    }
}
