package io.streamtrain.robustness;

import io.streamtrain.embedded.CapturedLogs;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import io.streamtrain.app.LearnerApp;
import io.streamtrain.app.LearnerConfig;
import io.streamtrain.avro.Example;
import io.streamtrain.avro.Prediction;
import io.streamtrain.embedded.TcpGate;
import io.streamtrain.registry.SchemaRegistryException;
import io.streamtrain.robustness.Topics.Raw;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The schema registry out of reach, through a gate in front of the real one. Down when the learner starts: the
 * learner starts all the same (it needs the registry only to read the first record), retries within bounds (each
 * lookup a few times, then the stream thread is replaced, at most {@code MAX_THREAD_REPLACEMENTS} times), and
 * recovers when the registry is back, with every example predicted once. Down again mid-stream, when a record with
 * a writer schema it has not seen arrives: the learner uses up its replacements and stops with the registry error,
 * which {@code streamtrain run} turns into exit code 1. Never a hang, never a good record sent to the errors topic.
 */
@ExtendWith(RobustnessStack.Resolver.class)
class LearnerRegistryOutageIT {

    private static final String PREFIX = "outage";

    private final RobustnessStack stack;

    LearnerRegistryOutageIT(RobustnessStack stack) {
        this.stack = stack;
    }

    @Test
    void aRegistryOutageIsRetriedWithinBoundsRecoveredFromOrEndsTheLearner() throws Exception {
        String examples = PREFIX + ".examples";
        stack.broker().createTopic(examples, 1);
        ExamplesTopicCorpus corpus = new ExamplesTopicCorpus(stack.registryClient(), examples);
        Map<String, Object> client = Map.of("bootstrap.servers", stack.broker().bootstrapServers());
        Map<String, Object> registry = Map.of("schema.registry.url", stack.registry().url());

        try (TcpGate gate = new TcpGate(stack.registry().port())) {
            Map<String, String> settings = stack.learnerSettings(PREFIX);
            settings.put("schema.registry.url", stack.registry().url().replace(":" + stack.registry().port(),
                    ":" + gate.port()));
            settings.put("schema.registry.max.retries", "1");
            settings.put("schema.registry.retry.backoff.ms", "50");
            // a new stream thread joins once the session of the one it replaces has expired (45 s by default)
            settings.put("session.timeout.ms", "2000");
            settings.put("heartbeat.interval.ms", "500");
            try (CapturedLogs logs = new CapturedLogs();
                    LearnerApp learner = LearnerApp.start(new LearnerConfig(settings))) {
                BooleanSupplier alive = () -> learner.streams().state().isRunningOrRebalancing();
                assertThat(Topics.await(() -> learner.streams().state() == KafkaStreams.State.RUNNING,
                        Duration.ofSeconds(30))).as("the learner runs without its registry").isTrue();

                // down at start: the first records cannot be read; bounded retries, a thread or two replaced
                Random random = new Random(3);
                List<Raw> first = new ArrayList<>();
                List<String> ids = new ArrayList<>();
                for (int i = 0; i < 40; i++) {
                    Example e = ExamplesTopicCorpus.good("first-" + i, random);
                    ids.add(e.getId());
                    first.add(new Raw(e.getModel(), corpus.bytes(e)));
                }
                Topics.produce(client, examples, first);
                assertThat(Topics.await(() -> !logs.linesWith("(replacement 1 of at most").isEmpty(),
                        Duration.ofSeconds(60))).as("a stream thread replaced while the registry is down").isTrue();
                assertThat(logs.linesWith("no response from the schema registry")).isNotEmpty();

                // back: every example is predicted exactly once
                gate.open();
                List<ConsumerRecord<String, Prediction>> predictions = Topics.readUntil(client,
                        PREFIX + ".predictions", LearnerBadInputIT.deserializer(Prediction.class, registry),
                        r -> r.size() >= ids.size(), alive, Duration.ofSeconds(60));
                assertThat(predictions).extracting(r -> r.value().getExampleId())
                        .containsExactlyInAnyOrderElementsOf(ids);

                // down mid-stream, as records written with a schema the learner has not seen arrive
                Schema v2 = exampleWithNote();
                int v2Id = stack.registryClient().register(examples + "-value", v2);
                gate.close();
                List<Raw> second = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    second.add(new Raw(ExamplesTopicCorpus.MODEL,
                            ExamplesTopicCorpus.frame(v2Id, v2, noted("second-" + i, v2))));
                }
                Topics.produce(client, examples, second);
                CompletableFuture<Optional<Throwable>> stopped = CompletableFuture.supplyAsync(() -> {
                    try {
                        return learner.awaitStop();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(e);
                    }
                });
                Optional<Throwable> failure = stopped.get(120, TimeUnit.SECONDS);
                assertThat(failure).as("the error that stopped the learner").isPresent();
                // what streamtrain run logs before it exits with code 1
                assertThat(failure.get()).hasMessageStartingWith("gave up after 10 stream thread replacements")
                        .hasMessageContaining("no response from the schema registry");
                assertThat(causes(failure.get())).anySatisfy(c -> assertThat(c)
                        .isInstanceOf(SchemaRegistryException.class)
                        .hasMessageContaining("no response from the schema registry"));
                assertThat(logs.linesWith("(replacement 10 of at most 10)")).hasSize(1);
                assertThat(logs.linesWith("the learner stopped: gave up after 10")).hasSize(1);
                assertThat(logs.linesWith("rejected the record")).as("good records rejected").isEmpty();
            }
        }
    }

    /** The Example schema with one more field, with a default: a compatible new version. */
    private static Schema exampleWithNote() {
        Schema example = Example.getClassSchema();
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : example.getFields()) {
            fields.add(new Schema.Field(f, f.schema()));
        }
        fields.add(new Schema.Field("note", Schema.create(Schema.Type.STRING), "a note", ""));
        return Schema.createRecord(example.getName(), example.getDoc(), example.getNamespace(), false, fields);
    }

    private static GenericRecord noted(String id, Schema v2) {
        GenericRecord r = new GenericData.Record(v2);
        r.put("id", id);
        r.put("model", ExamplesTopicCorpus.MODEL);
        r.put("features", ExamplesTopicCorpus.features(0.5f));
        r.put("label", null);
        r.put("eventTime", 1_700_000_000_000L);
        r.put("origin", null);
        r.put("weight", 1f);
        r.put("note", "written by a newer producer");
        return r;
    }

    private static List<Throwable> causes(Throwable t) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable c = t; c != null && !chain.contains(c); c = c.getCause()) {
            chain.add(c);
        }
        return chain;
    }
}
