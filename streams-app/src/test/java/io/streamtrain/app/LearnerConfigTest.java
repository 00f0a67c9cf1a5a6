package io.streamtrain.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import io.streamtrain.topology.RaceSettings;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class LearnerConfigTest {

    private static Map<String, Object> minimal() {
        Map<String, Object> m = new HashMap<>();
        m.put("bootstrap.servers", "127.0.0.1:9092");
        m.put("schema.registry.url", "http://127.0.0.1:8081");
        return m;
    }

    @Test
    void clientDefaultsApplyOnlyWhereTheUserSetNeitherThePrefixedNorThePlainKey() {
        Properties defaults = new LearnerConfig(minimal()).streamsProperties();
        assertThat(defaults).containsEntry("producer.linger.ms", "5").containsEntry("consumer.max.poll.records", "1000")
                .containsEntry("consumer.max.partition.fetch.bytes", "8388608");

        Map<String, Object> plain = minimal();
        plain.put("linger.ms", "50");
        plain.put("max.poll.records", "200");
        Properties withPlain = new LearnerConfig(plain).streamsProperties();
        // a prefixed default would win over the user's plain key in Kafka Streams: it must not be there
        assertThat(withPlain).doesNotContainKeys("producer.linger.ms", "consumer.max.poll.records")
                .containsEntry("linger.ms", "50").containsEntry("max.poll.records", "200");

        Map<String, Object> prefixed = minimal();
        prefixed.put("producer.linger.ms", "20");
        assertThat(new LearnerConfig(prefixed).streamsProperties()).containsEntry("producer.linger.ms", "20");
    }

    @Test
    void aLearnerWithReplicatedModelsFetchesLessOfAPartitionAtATimeUnlessTold() {
        // so that a round's records do not wait behind a whole fetch of examples
        assertThat(new LearnerConfig(minimal()).streamsProperties(true))
                .containsEntry("consumer.max.partition.fetch.bytes", "262144");
        assertThat(new LearnerConfig(minimal()).streamsProperties(false))
                .containsEntry("consumer.max.partition.fetch.bytes", "8388608");
        Map<String, Object> told = minimal();
        told.put("max.partition.fetch.bytes", "1048576");
        assertThat(new LearnerConfig(told).streamsProperties(true))
                .doesNotContainKey("consumer.max.partition.fetch.bytes")
                .containsEntry("max.partition.fetch.bytes", "1048576");
    }

    @Test
    void driftDetectionIsOffByDefaultAndItsSettingsAreChecked() {
        assertThat(new LearnerConfig(minimal()).drift().enabled()).isFalse();

        Map<String, Object> on = minimal();
        on.put(LearnerConfig.DRIFT_DETECTORS, "adwin, page-hinkley");
        on.put(LearnerConfig.DRIFT_ACTION, "raise-lr");
        on.put(LearnerConfig.DRIFT_SIGNAL, "loss");
        var drift = new LearnerConfig(on).drift();
        assertThat(drift.detectors()).containsExactly("adwin", "page-hinkley");
        assertThat(drift.action()).isEqualTo(io.streamtrain.learn.drift.DriftSettings.Action.RAISE_LR);
        assertThat(drift.signal()).isEqualTo(io.streamtrain.learn.drift.DriftSettings.Signal.LOSS);
        assertThat(drift.lrFactor()).isEqualTo(2.0);
        assertThat(drift.lrSteps()).isEqualTo(50);

        for (Map.Entry<String, String> bad : Map.of(LearnerConfig.DRIFT_DETECTORS, "cusum",
                LearnerConfig.DRIFT_ACTION, "roll-back", LearnerConfig.DRIFT_SIGNAL, "accuracy",
                LearnerConfig.DRIFT_LR_STEPS, "0", LearnerConfig.DRIFT_ADWIN_DELTA, "0.9").entrySet()) {
            Map<String, Object> settings = minimal();
            settings.put(bad.getKey(), bad.getValue());
            assertThatThrownBy(() -> new LearnerConfig(settings)).as(bad.toString())
                    .isInstanceOf(ConfigException.class).hasMessageContaining(bad.getKey());
        }
    }

    @Test
    void noBaselinesRaceByDefaultAndTheRaceSettingsAreChecked() {
        assertThat(new LearnerConfig(minimal()).race().enabled()).isFalse();

        Map<String, Object> on = minimal();
        on.put(LearnerConfig.BASELINES, "gaussian-nb, majority");
        on.put(LearnerConfig.PREDICTIONS_FROM, "champion");
        var race = new LearnerConfig(on).race();
        assertThat(race.baselines()).containsExactly("gaussian-nb", "majority");
        assertThat(race.champion()).isTrue();
        assertThat(race.window()).isEqualTo(1000);
        assertThat(race.margin()).isEqualTo(0.05);
        assertThat(race.patience()).isEqualTo(500);

        for (Map.Entry<String, String> bad : Map.of(LearnerConfig.BASELINES, "random-forest",
                LearnerConfig.PREDICTIONS_FROM, "best", LearnerConfig.BASELINES_WINDOW, "5",
                LearnerConfig.CHAMPION_MARGIN, "1.0", LearnerConfig.CHAMPION_PATIENCE, "-1").entrySet()) {
            Map<String, Object> settings = minimal();
            settings.put(bad.getKey(), bad.getValue());
            assertThatThrownBy(() -> new LearnerConfig(settings)).as(bad.toString())
                    .isInstanceOf(ConfigException.class).hasMessageContaining(bad.getKey());
        }
        Map<String, Object> twice = minimal();
        twice.put(LearnerConfig.BASELINES, "majority,majority");
        assertThat(new LearnerConfig(twice).race().baselines()).as("Kafka's list type drops the repeat, with a warning")
                .containsExactly("majority");
        assertThatThrownBy(() -> new RaceSettings(List.of("majority", "majority"), 1000, false, 0.05, 500))
                .hasMessageContaining("'majority' is listed twice");
        Map<String, Object> alone = minimal();
        alone.put(LearnerConfig.PREDICTIONS_FROM, "champion");
        assertThatThrownBy(() -> new LearnerConfig(alone)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(LearnerConfig.PREDICTIONS_FROM).hasMessageContaining("need baselines to race");
    }

    @Test
    void lateLabelsAreBoundedAndCanBeTurnedOff() {
        LearnerConfig defaults = new LearnerConfig(minimal());
        assertThat(defaults.labelsMaxPending()).isEqualTo(10_000);
        assertThat(defaults.labelsWait()).isEqualTo(Duration.ofHours(1));

        Map<String, Object> off = minimal();
        off.put(LearnerConfig.LABELS_MAX_PENDING, "0");
        off.put(LearnerConfig.LABELS_WAIT_MS, "60000");
        LearnerConfig config = new LearnerConfig(off);
        assertThat(config.labelsMaxPending()).isZero();
        assertThat(config.labelsWait()).isEqualTo(Duration.ofMinutes(1));
        assertThat(config.streamsProperties()).doesNotContainKey(LearnerConfig.LABELS_MAX_PENDING);

        Map<String, Object> negative = minimal();
        negative.put(LearnerConfig.LABELS_WAIT_MS, "-1");
        assertThatThrownBy(() -> new LearnerConfig(negative)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(LearnerConfig.LABELS_WAIT_MS);
    }

    @Test
    void aReaderOfTheTopicsGetsTheClientKeysAndTheConsumerPrefixedOnesWin() {
        Map<String, Object> settings = minimal();
        settings.put("security.protocol", "SASL_SSL");
        settings.put("sasl.mechanism", "PLAIN");
        settings.put("fetch.max.bytes", "1000");
        settings.put("consumer.fetch.max.bytes", "2000");
        settings.put("application.id", "my-learner");
        settings.put(LearnerConfig.TOPIC_PREFIX, "p");
        Map<String, Object> consumer = new LearnerConfig(settings).consumerConfig();
        assertThat(consumer).containsEntry("bootstrap.servers", "127.0.0.1:9092")
                .containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism", "PLAIN")
                .containsEntry("fetch.max.bytes", "2000")
                .doesNotContainKeys("application.id", "schema.registry.url", LearnerConfig.TOPIC_PREFIX,
                        "consumer.fetch.max.bytes");
    }
}
