package io.streamtrain.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.streamtrain.connect.mapping.ExampleMapper;
import io.streamtrain.connect.mapping.FeatureSpec;
import io.streamtrain.connect.mapping.LabelMapper;
import io.streamtrain.connect.mapping.MappingSpec;
import io.streamtrain.connect.mapping.Scaling;
import io.streamtrain.contract.ReplicaKey;
import io.streamtrain.registry.WriterSchemaPolicy;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

class StreamtrainSinkConfigTest {

    /** A minimal valid configuration: one numeric feature, a class label, a fixed model. */
    static Map<String, String> valid() {
        Map<String, String> props = new HashMap<>();
        props.put("name", "fraud-sink");
        props.put("topics", "payments");
        props.put("model.id", "fraud");
        props.put("features", "amount,channel");
        props.put("feature.amount.path", "payment.amount");
        props.put("feature.channel.type", "categorical");
        props.put("feature.channel.vocabulary", "web,app");
        props.put("label.field", "label");
        props.put("label.classes", "ok,fraud");
        props.put("producer.bootstrap.servers", "127.0.0.1:9092");
        props.put("schema.registry.url", "http://127.0.0.1:8081");
        return props;
    }

    private static Map<String, String> with(String... keysAndValues) {
        Map<String, String> props = valid();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            if (keysAndValues[i + 1] == null) {
                props.remove(keysAndValues[i]);
            } else {
                props.put(keysAndValues[i], keysAndValues[i + 1]);
            }
        }
        return props;
    }

    /** The errors Connect's validation reports per key, only keys with errors. */
    private static Map<String, List<String>> errors(Map<String, String> props) {
        Config config = StreamtrainSinkConfig.validate(props);
        Map<String, List<String>> errors = new HashMap<>();
        for (ConfigValue value : config.configValues()) {
            if (!value.errorMessages().isEmpty()) {
                errors.put(value.name(), value.errorMessages());
            }
        }
        return errors;
    }

    private static void assertRejectedOn(Map<String, String> props, String key, String messagePart) {
        assertThat(errors(props)).containsOnlyKeys(key);
        assertThat(errors(props).get(key).get(0)).contains(messagePart);
        assertThatThrownBy(() -> new StreamtrainSinkConfig(props)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(key);
    }

    @Test
    void parsesAValidConfiguration() {
        assertThat(errors(valid())).isEmpty();
        StreamtrainSinkConfig config = new StreamtrainSinkConfig(valid());
        assertThat(config.mode()).isEqualTo(StreamtrainSinkConfig.Mode.EXAMPLES);
        assertThat(config.outputTopic()).isEqualTo("streamtrain.examples");
        assertThat(config.errorTolerance()).isEqualTo(StreamtrainSinkConfig.ErrorTolerance.NONE);
        MappingSpec spec = config.mappingSpec();
        assertThat(spec.modelId()).contains("fraud");
        assertThat(spec.idField()).isEmpty();
        assertThat(spec.features()).hasSize(2);
        assertThat(spec.features().get(0).path().text()).isEqualTo("payment.amount");
        assertThat(spec.features().get(1).type()).isEqualTo(FeatureSpec.FeatureType.CATEGORICAL);
        assertThat(spec.features().get(1).vocabulary()).containsExactly("web", "app");
        assertThat(spec.mappedBy()).isEqualTo("fraud-sink");
        assertThat(config.writerSchemaPolicy()).isEqualTo(WriterSchemaPolicy.AUTO_REGISTER);
    }

    @Test
    void aFeatureWithoutKeysIsANumericFieldOfItsName() {
        StreamtrainSinkConfig config = new StreamtrainSinkConfig(with("features", "age"));
        FeatureSpec age = config.mappingSpec().features().get(0);
        assertThat(age.path().text()).isEqualTo("age");
        assertThat(age.type()).isEqualTo(FeatureSpec.FeatureType.NUMERIC);
        assertThat(age.scaling()).isEqualTo(Scaling.NONE);
    }

    @Test
    void everyFeatureTypeAndScaling() {
        StreamtrainSinkConfig config = new StreamtrainSinkConfig(with(
                "features", "a,b,c,d,e",
                "feature.a.scale", "standard", "feature.a.scale.mean", "5", "feature.a.scale.std", "2",
                "feature.b.type", "boolean",
                "feature.c.type", "categorical", "feature.c.hash.buckets", "16",
                "feature.d.type", "vector", "feature.d.length", "3", "feature.d.scale", "minmax",
                "feature.d.scale.min", "-1", "feature.d.scale.max", "1",
                "feature.e.type", "CATEGORICAL", "feature.e.vocabulary", "x,y", "feature.e.unknown.category", "zeros"));
        List<FeatureSpec> features = config.mappingSpec().features();
        assertThat(features.get(0).scaling()).isEqualTo(new Scaling.Standard(5, 2));
        assertThat(features.get(1).type()).isEqualTo(FeatureSpec.FeatureType.BOOLEAN);
        assertThat(features.get(2).hashBuckets()).isEqualTo(16);
        assertThat(features.get(3).length()).isEqualTo(3);
        assertThat(features.get(3).scaling()).isEqualTo(new Scaling.MinMax(-1, 1));
        assertThat(features.get(4).unknownCategory()).isEqualTo(FeatureSpec.UnknownCategory.ZEROS);
    }

    @Test
    void singleKeyErrorsAreReportedOnTheirKey() {
        assertThat(errors(with("feature.amount.type", "text"))).containsOnlyKeys("feature.amount.type");
        assertThat(errors(with("feature.amount.type", "text")).get("feature.amount.type").get(0))
                .contains("numeric, boolean, categorical, vector");
        assertThat(errors(with("features", "amount,amount"))).containsKey("features");
        assertThat(errors(with("features", "a.b"))).containsKey("features");
        assertThat(errors(with("label.classes", "ok,ok"))).containsKey("label.classes");
        assertThat(errors(with("feature.amount.path", "a..b"))).containsKey("feature.amount.path");
        assertThat(errors(with("streamtrain.topic.prefix", "bad prefix"))).containsKey("streamtrain.topic.prefix");
        assertThat(errors(with("producer.bootstrap.servers", "localhost"))).containsKey("producer.bootstrap.servers");
        assertThat(errors(with("producer.bootstrap.servers", null))).containsKey("producer.bootstrap.servers");
        assertThat(errors(with("schema.registry.url", "ftp://x"))).containsKey("schema.registry.url");
        assertThat(errors(with("feature.amount.scale.std", "0"))).containsKey("feature.amount.scale.std");
        assertThat(errors(with("mode", "both"))).containsKey("mode");
    }

    @Test
    void theModelIdIsFixedOrFromAFieldNotBoth() {
        assertRejectedOn(with("model.id.field", "model"), "model.id.field", "not both");
        assertRejectedOn(with("model.id", null), "model.id", "model.id.field");
    }

    @Test
    void aFixedModelIdMustBeOneTheLearnerTakes() {
        assertRejectedOn(with("model.id", "   "), "model.id", "the model id is blank");
        assertRejectedOn(with("model.id", "m".repeat(250)), "model.id", "250 characters long; it must be 1 to 249");
        assertRejectedOn(with("model.id", "fr\u0007aud"), "model.id", "the control character U+0007 at 2");
        assertRejectedOn(with("model.id", "fr\u0085aud"), "model.id", "the control character U+0085 at 2");
        assertThat(errors(with("model.id", "m".repeat(249)))).isEmpty();
        // Connect trims a string setting, so a control character at either end is dropped, not refused
        assertThat(new StreamtrainSinkConfig(with("model.id", "fraud\n")).mappingSpec().modelId()).contains("fraud");
        assertThat(new StreamtrainSinkConfig(with("model.id", "fraud-v2 (EU)")).mappingSpec().modelId())
                .contains("fraud-v2 (EU)");
        assertThat(StreamtrainSinkConfig.configDef().configKeys().get("model.id").validator)
                .hasToString("unset, or 1 to 249 characters, not blank, without control characters");
    }

    @Test
    void modelReplicasGivesTheReplicaCountOfEachListedModel() {
        MappingSpec spec = new StreamtrainSinkConfig(with("model.id", null, "model.id.field", "model",
                "model.replicas", "churn=4, fraud = 2,eu=west=3,solo=1,big=256")).mappingSpec();
        // the model id ends at the last =, and spaces around it are dropped
        assertThat(spec.modelReplicas()).containsOnly(entry("churn", 4), entry("fraud", 2), entry("eu=west", 3),
                entry("solo", 1), entry("big", 256));
        assertThat(new StreamtrainSinkConfig(valid()).mappingSpec().modelReplicas()).isEmpty();
        assertThat(new StreamtrainSinkConfig(with("model.replicas", "")).mappingSpec().modelReplicas()).isEmpty();
        assertThat(StreamtrainSinkConfig.configDef().configKeys().get("model.replicas").validator).hasToString(
                "a list of model=R entries, each model listed once, R an integer from 1 to 256; a model not listed"
                        + " has 1 replica");
    }

    @Test
    void theConfiguredReplicasKeyTheExamplesAndTheLabelsOfAModel() {
        Map<String, Object> value = new HashMap<>(Map.of("payment", Map.of("amount", 1.0), "channel", "web",
                "label", "ok", "event", "tx-7"));
        SinkRecord record = new SinkRecord("payments", 0, null, "k", null, value, 42, 1_000L,
                TimestampType.CREATE_TIME);
        ExampleMapper examples = new ExampleMapper(new StreamtrainSinkConfig(with("model.replicas", "fraud=8"))
                .mappingSpec());
        assertThat(examples.map(record).key()).isEqualTo("fraud#" + ReplicaKey.shard("payments-0-42", 8));
        Map<String, String> labelsConfig = with("mode", "labels", "id.field", "event", "features", null,
                "feature.amount.path", null, "feature.channel.type", null, "feature.channel.vocabulary", null,
                "model.replicas", "fraud=8");
        LabelMapper labels = new LabelMapper(new StreamtrainSinkConfig(labelsConfig).mappingSpec());
        assertThat(labels.map(record).key()).isEqualTo("fraud#" + ReplicaKey.shard("tx-7", 8));
        // another model's count does not apply
        assertThat(new ExampleMapper(new StreamtrainSinkConfig(with("model.replicas", "churn=8")).mappingSpec())
                .map(record).key()).isEqualTo("fraud");
    }

    @Test
    void aModelReplicasEntryThatBreaksARuleIsRejectedNamingTheSettingAndTheRule() {
        assertReplicasRejected("churn", "entry 1 'churn': not model=R");
        assertReplicasRejected("churn=4,fraud", "entry 2 'fraud': not model=R");
        assertReplicasRejected("churn=", "entry 1 'churn=': not model=R");
        assertReplicasRejected("churn=4,,fraud=2", "entry 2 '': not model=R");
        assertReplicasRejected("=4", "entry 1 '=4': the model id is blank");
        assertReplicasRejected("churn=4, =2", "entry 2 '=2': the model id is blank");
        assertReplicasRejected("ch\u0007urn=4", "entry 1 'ch\\u0007urn=4': the model id has the control character"
                + " U+0007 at 2");
        assertReplicasRejected("churn=0", "entry 1 'churn=0': the replica count must be an integer from 1 to 256,"
                + " was 0");
        assertReplicasRejected("churn=257", "the replica count must be an integer from 1 to 256, was 257");
        assertReplicasRejected("churn=-3", "the replica count must be an integer from 1 to 256, was -3");
        assertReplicasRejected("churn=four", "entry 1 'churn=four': the replica count is 'four'; it must be an"
                + " integer from 1 to 256");
        assertReplicasRejected("churn=2.5", "the replica count is '2.5'; it must be an integer from 1 to 256");
        assertReplicasRejected("churn=99999999999999999999", "the replica count is '99999999999999999999'");
        assertReplicasRejected("churn=4,fraud=2,churn=8", "entry 3 'churn=8': the model 'churn' is listed twice,"
                + " in entries 1 and 3");
        assertReplicasRejected("churn=4, churn = 4", "the model 'churn' is listed twice, in entries 1 and 2");
    }

    @Test
    void aModelIdOverTheLimitInModelReplicasIsNotRepeatedInTheMessage() {
        String tooLong = "m".repeat(250);
        assertReplicasRejected(tooLong + "=4", "the model id is 250 characters long; it must be 1 to 249");
        assertThat(errors(with("model.replicas", tooLong + "=4")).get("model.replicas").get(0))
                .doesNotContain(tooLong).contains("(252 characters)").hasSizeLessThan(400);
        assertThat(errors(with("model.replicas", "m".repeat(249) + "=4"))).isEmpty();
    }

    /** A {@code model.replicas} value rejected on that key, naming the setting and the rule the entry breaks. */
    private static void assertReplicasRejected(String value, String rule) {
        Map<String, String> props = with("model.replicas", value);
        assertRejectedOn(props, "model.replicas", rule);
        assertThat(errors(props).get("model.replicas")).singleElement().asString()
                .startsWith("Invalid value for configuration model.replicas: entry ")
                .contains(rule).endsWith("; must be " + StreamtrainSinkConfig.configDef().configKeys()
                        .get("model.replicas").validator);
        assertThatThrownBy(() -> new StreamtrainSinkConfig(props)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("model.replicas").hasMessageContaining(rule);
    }

    @Test
    void aClassNameIsAtMostAThousandCharacters() {
        String tooLong = "c".repeat(1001);
        assertRejectedOn(with("label.classes", "ok," + tooLong), "label.classes",
                "entry 2: the class name is 1001 characters long; at most 1000 are taken");
        // the message does not repeat the list, which holds the long name
        assertThat(errors(with("label.classes", "ok," + tooLong)).get("label.classes").get(0))
                .doesNotContain(tooLong).hasSizeLessThan(300);
        assertThat(errors(with("label.classes", "ok," + "c".repeat(1000)))).isEmpty();
        // vocabularies are not class names
        assertThat(errors(with("feature.channel.vocabulary", "web," + tooLong))).isEmpty();
    }

    @Test
    void examplesNeedFeaturesAndLabelsModeNeedsNone() {
        assertRejectedOn(with("features", ""), "features", "at least one feature");
        assertRejectedOn(with("mode", "labels", "id.field", "event"), "features", "mode=labels");
    }

    @Test
    void labelsModeNeedsALabelAndAnExampleId() {
        Map<String, String> labels = with("mode", "labels", "features", null, "feature.amount.path", null,
                "feature.channel.type", null, "feature.channel.vocabulary", null);
        assertRejectedOn(labels, "id.field", "id of the example");
        labels.put("id.field", "event");
        assertThat(errors(labels)).isEmpty();
        assertThat(new StreamtrainSinkConfig(labels).outputTopic()).isEqualTo("streamtrain.labels");
        labels.remove("label.field");
        labels.remove("label.classes");
        assertRejectedOn(labels, "label.field", "mode=labels");
        labels.put("label.field", "y");
        labels.put("label.type", "regression");
        labels.put("label.optional", "true");
        assertRejectedOn(labels, "label.optional", "mode=labels");
    }

    @Test
    void classesAndRegressionContradict() {
        assertRejectedOn(with("label.type", "regression"), "label.classes", "regression label has no classes");
        assertRejectedOn(with("label.classes", ""), "label.classes", "class names");
        assertRejectedOn(with("label.field", null), "label.classes", "label.field");
        assertRejectedOn(with("label.field", null, "label.classes", "", "label.optional", "true"), "label.optional",
                "label.field");
        assertThat(errors(with("label.type", "regression", "label.classes", ""))).isEmpty();
    }

    @Test
    void aDeadLetterQueueNeedsToleranceAll() {
        assertRejectedOn(with("errors.deadletterqueue.topic.name", "dlq"), "errors.deadletterqueue.topic.name",
                "errors.tolerance=all");
        assertRejectedOn(with("errors.deadletterqueue.topic.name", "dlq", "errors.tolerance", "none"),
                "errors.deadletterqueue.topic.name", "errors.tolerance=all");
        assertThat(errors(with("errors.deadletterqueue.topic.name", "dlq", "errors.tolerance", "all"))).isEmpty();
        assertRejectedOn(with("errors.deadletterqueue.topic.name", "streamtrain.examples", "errors.tolerance", "all"),
                "errors.deadletterqueue.topic.name", "output topic");
        assertThat(new StreamtrainSinkConfig(with("errors.tolerance", "ALL")).errorTolerance())
                .isEqualTo(StreamtrainSinkConfig.ErrorTolerance.ALL);
    }

    @Test
    void theOutputTopicMustNotBeAnInput() {
        assertRejectedOn(with("topics", "payments, streamtrain.examples"), "examples.topic", "read its own output");
        assertThat(new StreamtrainSinkConfig(with("examples.topic", "ex")).outputTopic()).isEqualTo("ex");
        assertThat(new StreamtrainSinkConfig(with("streamtrain.topic.prefix", "prod")).outputTopic())
                .isEqualTo("prod.examples");
    }

    @Test
    void featureKeysContradict() {
        assertRejectedOn(with("feature.channel.vocabulary", ""), "feature.channel.vocabulary",
                "needs feature.channel.vocabulary or feature.channel.hash.buckets");
        assertRejectedOn(with("feature.channel.hash.buckets", "8"), "feature.channel.hash.buckets", "exclusive");
        assertRejectedOn(with("feature.amount.vocabulary", "a"), "feature.amount.vocabulary", "categorical");
        assertRejectedOn(with("feature.amount.length", "3"), "feature.amount.length", "vector");
        assertRejectedOn(with("feature.amount.type", "vector"), "feature.amount.length", "at least 1");
        assertRejectedOn(with("feature.channel.scale", "standard"), "feature.channel.scale", "only numeric");
        assertRejectedOn(with("feature.amount.scale.mean", "3"), "feature.amount.scale.mean", "scale=none");
        assertRejectedOn(with("feature.amount.scale", "minmax", "feature.amount.scale.std", "3"),
                "feature.amount.scale.std", "minmax");
        assertRejectedOn(with("feature.amount.scale", "minmax", "feature.amount.scale.min", "2",
                "feature.amount.scale.max", "1"), "feature.amount.scale.max", "greater than");
        assertRejectedOn(with("feature.channel.type", "categorical", "feature.channel.vocabulary", "",
                "feature.channel.hash.buckets", "4", "feature.channel.unknown.category", "zeros"),
                "feature.channel.unknown.category", "vocabulary only");
    }

    @Test
    void retryBackoffBoundsAreOrdered() {
        assertRejectedOn(with("send.retry.backoff.ms", "5000", "send.retry.backoff.max.ms", "100"),
                "send.retry.backoff.max.ms", "must not be less");
    }

    @Test
    void producerSettingsPassThroughWithSecretsAsPasswordsAndTheGuaranteeFixed() {
        StreamtrainSinkConfig config = new StreamtrainSinkConfig(with(
                "producer.security.protocol", "SASL_SSL",
                "producer.sasl.mechanism", "PLAIN",
                "producer.sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required"
                        + " username=\"u\" password=\"secret\";",
                "producer.ssl.truststore.password", "changeit",
                "producer.linger.ms", "20",
                "producer.override.linger.ms", "999"));
        Map<String, Object> producer = config.producerConfig();
        assertThat(producer.get("bootstrap.servers")).isEqualTo("127.0.0.1:9092");
        assertThat(producer.get("security.protocol")).isEqualTo("SASL_SSL");
        assertThat(producer.get("sasl.jaas.config")).isInstanceOf(Password.class);
        assertThat(producer.get("sasl.jaas.config").toString()).doesNotContain("secret");
        assertThat(producer.get("ssl.truststore.password")).isInstanceOf(Password.class);
        assertThat(producer.get("linger.ms")).isEqualTo("20");
        assertThat(producer).doesNotContainKey("override.linger.ms");
        assertThat(producer.get("acks")).isEqualTo("all");
        assertThat(producer.get("enable.idempotence")).isEqualTo(true);
        assertThat(producer).doesNotContainKey("ssl.keystore.location");
        ConfigDef def = StreamtrainSinkConfig.configDef();
        assertThat(def.configKeys().get("producer.sasl.jaas.config").type).isEqualTo(ConfigDef.Type.PASSWORD);
        assertThat(def.configKeys().get("producer.ssl.key.password").type).isEqualTo(ConfigDef.Type.PASSWORD);
        assertThat(def.configKeys().get("basic.auth.user.info").type).isEqualTo(ConfigDef.Type.PASSWORD);
    }

    @Test
    void producerSettingsThatBreakTheGuaranteeOrAreInvalidAreRejected() {
        assertRejectedOn(with("producer.acks", "1"), "producer.acks", "idempotent");
        assertRejectedOn(with("producer.enable.idempotence", "false"), "producer.enable.idempotence", "idempotent");
        assertRejectedOn(with("producer.transactional.id", "t"), "producer.transactional.id", "remove");
        assertRejectedOn(with("producer.linger.ms", "soon"), "producer.linger.ms", "linger.ms");
        assertThat(errors(with("producer.acks", "all", "producer.compression.type", "zstd"))).isEmpty();
    }

    @Test
    void registryKeysAreCheckedTogether() {
        assertRejectedOn(with("basic.auth.credentials.source", "USER_INFO"), "basic.auth.credentials.source",
                "basic.auth.user.info");
        Map<String, Object> registry = new StreamtrainSinkConfig(with("basic.auth.credentials.source", "USER_INFO",
                "basic.auth.user.info", "u:p")).registryConfig();
        assertThat(registry).containsEntry("schema.registry.url", List.of("http://127.0.0.1:8081"));
        assertThat(registry.get("basic.auth.user.info")).isInstanceOf(Password.class);
        assertThat(StreamtrainSinkConfig.configDef().names()).doesNotContain("specific.avro.reader");
    }

    @Test
    void everyKeyHasDocGroupAndValidatorOrType() {
        ConfigDef def = StreamtrainSinkConfig.configDef(List.of("x"));
        for (ConfigDef.ConfigKey key : def.configKeys().values()) {
            assertThat(key.documentation).as(key.name).isNotBlank();
            assertThat(key.group).as(key.name).isNotBlank();
            // ConfigDef itself rejects anything but true and false
            boolean typeIsTheCheck = key.type == ConfigDef.Type.BOOLEAN;
            assertThat(key.validator != null || typeIsTheCheck).as(key.name + " has a validator").isTrue();
            if (key.validator != null) {
                assertThat(key.validator.toString()).as(key.name + " validator lists what is valid")
                        .doesNotContain("@");
            }
        }
        assertThat(def.names()).contains("feature.x.path", "feature.x.type", "feature.x.vocabulary",
                "feature.x.hash.buckets", "feature.x.length", "feature.x.scale", "feature.x.scale.mean",
                "feature.x.scale.std", "feature.x.scale.min", "feature.x.scale.max", "feature.x.unknown.category");
    }
}
