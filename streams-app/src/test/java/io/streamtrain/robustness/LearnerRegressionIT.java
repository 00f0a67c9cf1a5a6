package io.streamtrain.robustness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import io.streamtrain.app.LearnerApp;
import io.streamtrain.app.LearnerConfig;
import io.streamtrain.avro.Example;
import io.streamtrain.avro.Prediction;
import io.streamtrain.avro.RegressionTarget;
import io.streamtrain.avro.TrainingMetrics;
import io.streamtrain.robustness.Topics.Raw;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A regression model end to end on the real broker and registry: the shipped regression spec, examples with a
 * numeric target, predictions with a value (no class, no probabilities) and metrics with MAE and RMSE that agree
 * with the committed predictions' losses.
 */
@ExtendWith(RobustnessStack.Resolver.class)
class LearnerRegressionIT {

    private static final String PREFIX = "regress";
    private static final int EXAMPLES = 640;
    private static final int FEATURES = 10;

    private final RobustnessStack stack;

    LearnerRegressionIT(RobustnessStack stack) {
        this.stack = stack;
    }

    @Test
    void aRegressionModelPredictsValuesAndReportsMaeAndRmse() throws Exception {
        String examples = PREFIX + ".examples";
        stack.broker().createTopic(examples, 1, Map.of());
        ExamplesTopicCorpus corpus = new ExamplesTopicCorpus(stack.registryClient(), examples);
        Random random = new Random(5);
        Map<String, Double> targets = new HashMap<>();
        List<Raw> records = new ArrayList<>();
        for (int i = 0; i < EXAMPLES; i++) {
            List<Float> x = new ArrayList<>(FEATURES);
            double y = 0;
            for (int f = 0; f < FEATURES; f++) {
                float v = (float) random.nextGaussian();
                x.add(v);
                y += (f % 3 - 1) * v;
            }
            Example e = Example.newBuilder().setId("y" + i).setModel("price").setFeatures(x)
                    .setLabel(new RegressionTarget(y)).setEventTime(Instant.ofEpochMilli(1_700_000_000_000L)).build();
            targets.put(e.getId(), y);
            records.add(new Raw("price", corpus.bytes(e)));
        }
        Map<String, Object> client = Map.of("bootstrap.servers", stack.broker().bootstrapServers());
        Map<String, Object> registry = Map.of("schema.registry.url", stack.registry().url());
        Map<String, String> settings = stack.learnerSettings(PREFIX);
        settings.put(LearnerConfig.MODEL_SPEC, "classpath:specs/regression.yaml");
        settings.put(LearnerConfig.METRICS_EVERY_EXAMPLES, Integer.toString(EXAMPLES));
        settings.put(LearnerConfig.METRICS_INTERVAL_MS, "600000");

        try (LearnerApp learner = LearnerApp.start(new LearnerConfig(settings))) {
            Topics.produce(client, examples, records);
            List<ConsumerRecord<String, Prediction>> predictions = Topics.readUntil(client,
                    PREFIX + ".predictions", LearnerBadInputIT.deserializer(Prediction.class, registry),
                    r -> r.size() >= EXAMPLES, () -> learner.streams().state() != KafkaStreams.State.ERROR,
                    Duration.ofSeconds(60));
            List<ConsumerRecord<String, TrainingMetrics>> metrics = Topics.readUntil(client, PREFIX + ".metrics",
                    LearnerBadInputIT.deserializer(TrainingMetrics.class, registry), r -> !r.isEmpty(),
                    () -> learner.streams().state() != KafkaStreams.State.ERROR, Duration.ofSeconds(30));

            assertThat(predictions).hasSize(EXAMPLES);
            double absolute = 0;
            double squared = 0;
            for (ConsumerRecord<String, Prediction> r : predictions) {
                Prediction p = r.value();
                assertThat(p.getPredictedValue()).as("a value").isNotNull();
                assertThat(p.getPredictedClass()).isNull();
                assertThat(p.getProbabilities()).isEmpty();
                double error = p.getPredictedValue() - targets.get(p.getExampleId());
                assertThat(p.getLoss()).as("squared error").isCloseTo(error * error,
                        within(1e-4 * (1 + error * error)));
                absolute += Math.abs(error);
                squared += error * error;
            }
            TrainingMetrics window = metrics.get(0).value();
            assertThat(window.getExamples()).isEqualTo(EXAMPLES);
            assertThat(window.getExamplesTrained()).isEqualTo(EXAMPLES);
            assertThat(window.getAccuracy()).isNull();
            assertThat(window.getMae()).isCloseTo(absolute / EXAMPLES, within(1e-3 * window.getMae()));
            assertThat(window.getRmse()).isCloseTo(Math.sqrt(squared / EXAMPLES), within(1e-3 * window.getRmse()));
        }
    }
}
