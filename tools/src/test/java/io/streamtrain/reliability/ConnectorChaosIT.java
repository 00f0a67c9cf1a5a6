package io.streamtrain.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.streamtrain.avro.Example;
import io.streamtrain.chaos.CampaignOutcome;
import io.streamtrain.chaos.ChaosReport;
import io.streamtrain.chaos.ConnectorCampaign;
import io.streamtrain.chaos.Disruption;
import io.streamtrain.embedded.EmbeddedKafkaBroker;
import io.streamtrain.embedded.EmbeddedSchemaRegistry;
import io.streamtrain.registry.RestSchemaRegistryClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Invariant 2 (docs/architecture.md) and the learner's dedupe window, end to end: the packaged connector runs in a Connect worker
 * JVM of its own, which is SIGKILLed mid-stream (at a seeded random point) and replaced by a new one; every source
 * record is then in the examples topic or the DLQ, redelivered records carry their first copy's id and content, and
 * the learner behind it trained each distinct labeled id once and predicted each distinct id once.
 */
class ConnectorChaosIT {

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
    void aWorkerKilledMidStreamLosesNothingAndTheLearnerTrainsEachIdOnce() {
        long seed = ChaosSeed.pick("ConnectorChaosIT");
        // a bounded window, set explicitly: 30,000 ids per model covers the 10,000 records each model gets here
        ConnectorCampaign.Plan plan = new ConnectorCampaign.Plan("connector crashes", "it-connect", 20_000, 1, 50,
                2_000, 5_000, 30_000, seed, Duration.ofMinutes(4));

        CampaignOutcome outcome = new ConnectorCampaign(plan, kafka, registry.url(), work, out).run();

        out.println(ChaosReport.campaign(outcome));
        assertThat(outcome.failed()).as("checks that did not hold (seed %d):\n%s", seed, outcome.diagnostics())
                .isEmpty();
        assertThat(outcome.count(Disruption.Kind.WORKER_SIGKILL)).isEqualTo(1);
    }

    /**
     * What a restarted connector's tasks (or two learners) do at once on a new output topic: register the same
     * schema under a new subject. Apicurio answers all but one of them 409 "artifact already exists"; each must get
     * the schema's id all the same, or the task fails on its first record.
     */
    @Test
    void clientsRegisteringTheSameSchemaUnderANewSubjectAtOnceAllGetItsId() throws Exception {
        int clients = 4;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<RestSchemaRegistryClient> registries = new ArrayList<>();
        try {
            for (int i = 0; i < clients; i++) {
                registries.add(new RestSchemaRegistryClient(Map.of("schema.registry.url", registry.url())));
            }
            for (int round = 0; round < 10; round++) {
                String subject = "race-" + round + ".examples-value";
                CyclicBarrier start = new CyclicBarrier(clients);
                List<Future<Integer>> ids = new ArrayList<>();
                for (RestSchemaRegistryClient client : registries) {
                    ids.add(pool.submit(() -> {
                        start.await(30, TimeUnit.SECONDS);
                        return client.register(subject, Example.getClassSchema());
                    }));
                }
                Set<Integer> distinct = new HashSet<>();
                for (Future<Integer> id : ids) {
                    distinct.add(id.get(60, TimeUnit.SECONDS));
                }
                assertThat(distinct).as("ids given for %s", subject).hasSize(1);
            }
        } finally {
            registries.forEach(RestSchemaRegistryClient::close);
            pool.shutdownNow();
        }
    }
}
