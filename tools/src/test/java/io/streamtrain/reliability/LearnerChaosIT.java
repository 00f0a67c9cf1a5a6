package io.streamtrain.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;

import io.streamtrain.chaos.CampaignOutcome;
import io.streamtrain.chaos.ChaosReport;
import io.streamtrain.chaos.Disruption;
import io.streamtrain.chaos.LearnerCampaign;
import io.streamtrain.embedded.EmbeddedKafkaBroker;
import io.streamtrain.embedded.EmbeddedSchemaRegistry;
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
}
