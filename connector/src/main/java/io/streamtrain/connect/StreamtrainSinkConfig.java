package io.streamtrain.connect;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import io.streamtrain.connect.config.ConfigProblem;
import io.streamtrain.connect.config.FeatureConfig;
import io.streamtrain.connect.config.FieldPathSyntax;
import io.streamtrain.connect.config.HostPortList;
import io.streamtrain.connect.config.ModelId;
import io.streamtrain.connect.config.ModelReplicas;
import io.streamtrain.connect.config.NonBlankIfSet;
import io.streamtrain.connect.config.OneOf;
import io.streamtrain.connect.config.TopicName;
import io.streamtrain.connect.config.UniqueNames;
import io.streamtrain.connect.mapping.FeatureSpec;
import io.streamtrain.connect.mapping.FieldPath;
import io.streamtrain.connect.mapping.LabelEncoder;
import io.streamtrain.connect.mapping.MappingSpec;
import io.streamtrain.contract.RecordLimits;
import io.streamtrain.contract.ReplicaKey;
import io.streamtrain.registry.SchemaRegistryClientConfig;
import io.streamtrain.registry.WriterSchemaPolicy;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.CaseInsensitiveValidString;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The configuration of {@link StreamtrainSinkConnector}: one {@link ConfigDef} (plus the keys of each feature
 * listed in {@code features}), parsed once into typed fields, with the checks across keys in {@link #problems()}.
 *
 * <p>{@link #validate(Map)} is what Connect's validation (and so connector creation) reports: every single-key
 * error, and when there is none, every contradiction between keys, each on the key to change.
 */
public final class StreamtrainSinkConfig extends AbstractConfig {

    /** What the connector writes. */
    public enum Mode {
        /** Examples to {@code <prefix>.examples}. */
        EXAMPLES,
        /** Late labels to {@code <prefix>.labels}. */
        LABELS
    }

    /** How the label field is read. */
    public enum LabelType {
        /** Class names mapped to class indexes by {@code label.classes}. */
        CLASSIFICATION,
        /** A number within the float range. */
        REGRESSION
    }

    /** Connect's {@code errors.tolerance}. */
    public enum ErrorTolerance {
        /** The first bad record fails the task. */
        NONE,
        /** Bad records go to the DLQ (or are logged and counted), and the task goes on. */
        ALL
    }

    // --- output
    public static final String MODE_CONFIG = "mode";
    public static final String TOPIC_PREFIX_CONFIG = "streamtrain.topic.prefix";
    public static final String EXAMPLES_TOPIC_CONFIG = "examples.topic";
    public static final String LABELS_TOPIC_CONFIG = "labels.topic";
    // --- what each record carries
    public static final String MODEL_ID_CONFIG = "model.id";
    public static final String MODEL_ID_FIELD_CONFIG = "model.id.field";
    public static final String MODEL_REPLICAS_CONFIG = "model.replicas";
    public static final String ID_FIELD_CONFIG = "id.field";
    public static final String EVENT_TIME_FIELD_CONFIG = "event.time.field";
    // --- label
    public static final String LABEL_FIELD_CONFIG = "label.field";
    public static final String LABEL_TYPE_CONFIG = "label.type";
    public static final String LABEL_CLASSES_CONFIG = "label.classes";
    public static final String LABEL_OPTIONAL_CONFIG = "label.optional";
    // --- features
    public static final String FEATURES_CONFIG = "features";
    // --- producer
    public static final String PRODUCER_PREFIX = "producer.";
    public static final String PRODUCER_BOOTSTRAP_SERVERS_CONFIG = "producer.bootstrap.servers";
    public static final String PRODUCER_SECURITY_PROTOCOL_CONFIG = "producer.security.protocol";
    public static final String PRODUCER_SASL_MECHANISM_CONFIG = "producer.sasl.mechanism";
    public static final String PRODUCER_SASL_JAAS_CONFIG_CONFIG = "producer.sasl.jaas.config";
    public static final String PRODUCER_SSL_TRUSTSTORE_LOCATION_CONFIG = "producer.ssl.truststore.location";
    public static final String PRODUCER_SSL_TRUSTSTORE_PASSWORD_CONFIG = "producer.ssl.truststore.password";
    public static final String PRODUCER_SSL_TRUSTSTORE_TYPE_CONFIG = "producer.ssl.truststore.type";
    public static final String PRODUCER_SSL_KEYSTORE_LOCATION_CONFIG = "producer.ssl.keystore.location";
    public static final String PRODUCER_SSL_KEYSTORE_PASSWORD_CONFIG = "producer.ssl.keystore.password";
    public static final String PRODUCER_SSL_KEYSTORE_TYPE_CONFIG = "producer.ssl.keystore.type";
    public static final String PRODUCER_SSL_KEY_PASSWORD_CONFIG = "producer.ssl.key.password";
    public static final String PRODUCER_SSL_ENDPOINT_IDENTIFICATION_CONFIG =
            "producer.ssl.endpoint.identification.algorithm";
    // --- delivery
    public static final String SEND_MAX_RETRIES_CONFIG = "send.max.retries";
    public static final String SEND_RETRY_BACKOFF_MS_CONFIG = "send.retry.backoff.ms";
    public static final String SEND_RETRY_BACKOFF_MAX_MS_CONFIG = "send.retry.backoff.max.ms";

    // --- Connect's own keys that the checks across keys read (defined by the worker, not here)
    static final String CONNECT_NAME_CONFIG = "name";
    static final String CONNECT_TOPICS_CONFIG = "topics";
    static final String CONNECT_TOPICS_REGEX_CONFIG = "topics.regex";
    static final String CONNECT_ERRORS_TOLERANCE_CONFIG = "errors.tolerance";
    static final String CONNECT_DLQ_TOPIC_CONFIG = "errors.deadletterqueue.topic.name";

    /** Producer settings the connector owns: the delivery guarantee depends on them. */
    private static final Set<String> FIXED_PRODUCER_SETTINGS = Set.of(ProducerConfig.ACKS_CONFIG,
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ProducerConfig.TRANSACTIONAL_ID_CONFIG);

    private static final String GROUP_OUTPUT = "Output";
    private static final String GROUP_RECORD = "Record";
    private static final String GROUP_LABEL = "Label";
    private static final String GROUP_FEATURES = "Features";
    private static final String GROUP_PRODUCER = "Producer";
    private static final String GROUP_DELIVERY = "Delivery";
    private static final String GROUP_REGISTRY = "Schema registry";

    // Never handed out: a ConfigDef is mutable.
    private static final ConfigDef BASE = baseDef();
    private static final Set<String> REGISTRY_KEYS = registryDef().names();

    private final Mode mode;
    private final String outputTopic;
    private final Optional<String> modelId;
    private final Optional<FieldPath> modelIdField;
    private final Map<String, Integer> modelReplicas;
    private final Optional<FieldPath> idField;
    private final Optional<FieldPath> eventTimeField;
    private final Optional<FieldPath> labelField;
    private final LabelType labelType;
    private final List<String> labelClasses;
    private final boolean labelOptional;
    private final List<String> featureNames;
    private final ErrorTolerance errorTolerance;
    private final Optional<String> dlqTopic;
    private final String connectorName;
    private final int sendMaxRetries;
    private final long sendRetryBackoffMs;
    private final long sendRetryBackoffMaxMs;
    private final List<ConfigProblem> problems;

    /**
     * Parses and checks a connector configuration.
     *
     * @throws ConfigException for an invalid key or a contradiction between keys, naming the keys
     */
    public StreamtrainSinkConfig(Map<String, ?> originals) {
        this(originals, configDef(featureNames(originals)));
        if (!problems.isEmpty()) {
            throw new ConfigException(problems.stream().map(p -> p.key() + ": " + p.message())
                    .collect(Collectors.joining("; ")));
        }
    }

    private StreamtrainSinkConfig(Map<String, ?> originals, ConfigDef def) {
        // doLog=false: the values are logged by Connect already, and a registry URL may carry user info
        super(def, originals, false);
        mode = Mode.valueOf(upper(getString(MODE_CONFIG)));
        String prefix = getString(TOPIC_PREFIX_CONFIG).trim();
        String examples = getString(EXAMPLES_TOPIC_CONFIG).trim();
        String labels = getString(LABELS_TOPIC_CONFIG).trim();
        outputTopic = mode == Mode.EXAMPLES ? (examples.isEmpty() ? prefix + ".examples" : examples)
                : (labels.isEmpty() ? prefix + ".labels" : labels);
        modelId = Optional.ofNullable(getString(MODEL_ID_CONFIG)).map(String::trim).filter(s -> !s.isEmpty());
        modelIdField = path(MODEL_ID_FIELD_CONFIG);
        modelReplicas = ModelReplicas.parse(MODEL_REPLICAS_CONFIG, getList(MODEL_REPLICAS_CONFIG));
        idField = path(ID_FIELD_CONFIG);
        eventTimeField = path(EVENT_TIME_FIELD_CONFIG);
        labelField = path(LABEL_FIELD_CONFIG);
        labelType = LabelType.valueOf(upper(getString(LABEL_TYPE_CONFIG)));
        labelClasses = List.copyOf(getList(LABEL_CLASSES_CONFIG));
        labelOptional = getBoolean(LABEL_OPTIONAL_CONFIG);
        featureNames = List.copyOf(getList(FEATURES_CONFIG));
        Object tolerance = originals.get(CONNECT_ERRORS_TOLERANCE_CONFIG);
        errorTolerance = tolerance != null && upper(tolerance.toString()).equals("ALL") ? ErrorTolerance.ALL
                : ErrorTolerance.NONE;
        Object dlq = originals.get(CONNECT_DLQ_TOPIC_CONFIG);
        dlqTopic = Optional.ofNullable(dlq).map(d -> d.toString().trim()).filter(s -> !s.isEmpty());
        Object name = originals.get(CONNECT_NAME_CONFIG);
        connectorName = name == null ? "streamtrain-sink" : name.toString();
        sendMaxRetries = getInt(SEND_MAX_RETRIES_CONFIG);
        sendRetryBackoffMs = getLong(SEND_RETRY_BACKOFF_MS_CONFIG);
        sendRetryBackoffMaxMs = getLong(SEND_RETRY_BACKOFF_MAX_MS_CONFIG);
        problems = List.copyOf(findProblems());
    }

    /**
     * Validates a configuration as Connect's REST API reports it: a value (and its errors) per key. When no key is
     * invalid on its own, the contradictions between keys are added to the keys they concern.
     */
    public static Config validate(Map<String, String> props) {
        ConfigDef def = configDef(featureNames(props));
        Map<String, ConfigValue> values = def.validateAll(props);
        boolean eachKeyValid = values.values().stream().allMatch(v -> v.errorMessages().isEmpty());
        if (eachKeyValid) {
            StreamtrainSinkConfig config = new StreamtrainSinkConfig(props, def);
            for (ConfigProblem problem : config.problems()) {
                values.computeIfAbsent(problem.key(), k -> new ConfigValue(k, props.get(k), List.of(), new ArrayList<>()))
                        .addErrorMessage(problem.message());
            }
        }
        return new Config(new ArrayList<>(values.values()));
    }

    /** The keys every configuration has; per-feature keys come with {@link #configDef(Collection)}. */
    public static ConfigDef configDef() {
        return new ConfigDef(BASE);
    }

    /** The keys of a configuration listing these features: the base keys plus {@code feature.<name>.*} of each. */
    public static ConfigDef configDef(Collection<String> features) {
        ConfigDef def = new ConfigDef(BASE);
        for (String feature : features) {
            FeatureConfig.configDef(feature).configKeys().values().forEach(def::define);
        }
        return def;
    }

    /** The feature names listed in a raw configuration, leniently: validation reports what is wrong with them. */
    static List<String> featureNames(Map<String, ?> originals) {
        Object raw = originals.get(FEATURES_CONFIG);
        if (raw == null) {
            return List.of();
        }
        List<?> list;
        try {
            list = raw instanceof List<?> l ? l : (List<?>) ConfigDef.parseType(FEATURES_CONFIG, raw, Type.LIST);
        } catch (ConfigException e) {
            return List.of();
        }
        return list.stream().map(String::valueOf).map(String::trim).filter(s -> !s.isEmpty()).distinct().toList();
    }

    // --- the checks across keys

    /** The contradictions between keys, each on the key to change; empty when the configuration is usable. */
    public List<ConfigProblem> problems() {
        return problems;
    }

    private List<ConfigProblem> findProblems() {
        List<ConfigProblem> found = new ArrayList<>();
        if (modelId.isPresent() && modelIdField.isPresent()) {
            found.add(new ConfigProblem(MODEL_ID_FIELD_CONFIG, "set either " + MODEL_ID_CONFIG + " (one model) or "
                    + MODEL_ID_FIELD_CONFIG + " (the model id in each record), not both"));
        } else if (modelId.isEmpty() && modelIdField.isEmpty()) {
            found.add(new ConfigProblem(MODEL_ID_CONFIG, "set " + MODEL_ID_CONFIG + " (one model) or "
                    + MODEL_ID_FIELD_CONFIG + " (the model id in each record)"));
        }
        if (mode == Mode.EXAMPLES && featureNames.isEmpty()) {
            found.add(new ConfigProblem(FEATURES_CONFIG, "list at least one feature; an example needs features"));
        }
        if (mode == Mode.LABELS) {
            if (!featureNames.isEmpty()) {
                found.add(new ConfigProblem(FEATURES_CONFIG, "mode=labels writes labels only; remove "
                        + FEATURES_CONFIG + " or use mode=examples"));
            }
            if (labelField.isEmpty()) {
                found.add(new ConfigProblem(LABEL_FIELD_CONFIG, "mode=labels needs the field with the label"));
            }
            if (idField.isEmpty()) {
                found.add(new ConfigProblem(ID_FIELD_CONFIG, "mode=labels needs the field with the id of the example"
                        + " each label belongs to (the default, topic-partition-offset, names this record instead)"));
            }
            if (labelOptional) {
                found.add(new ConfigProblem(LABEL_OPTIONAL_CONFIG, "mode=labels needs a label in every record;"
                        + " label.optional=true applies to mode=examples"));
            }
        }
        if (labelType == LabelType.REGRESSION && !labelClasses.isEmpty()) {
            found.add(new ConfigProblem(LABEL_CLASSES_CONFIG, "a regression label has no classes; remove "
                    + LABEL_CLASSES_CONFIG + " or set " + LABEL_TYPE_CONFIG + "=classification"));
        }
        if (labelField.isPresent() && labelType == LabelType.CLASSIFICATION && labelClasses.isEmpty()) {
            found.add(new ConfigProblem(LABEL_CLASSES_CONFIG, "a classification label needs the class names, in"
                    + " class-index order (or set " + LABEL_TYPE_CONFIG + "=regression)"));
        }
        if (labelField.isEmpty()) {
            if (!labelClasses.isEmpty()) {
                found.add(new ConfigProblem(LABEL_CLASSES_CONFIG, LABEL_CLASSES_CONFIG + " is set but "
                        + LABEL_FIELD_CONFIG + " is not: set the field the label is read from"));
            }
            if (labelOptional && mode == Mode.EXAMPLES) {
                found.add(new ConfigProblem(LABEL_OPTIONAL_CONFIG, LABEL_OPTIONAL_CONFIG + "=true needs "
                        + LABEL_FIELD_CONFIG));
            }
        }
        for (String feature : featureNames) {
            found.addAll(FeatureConfig.problems(feature, this));
        }
        if (errorTolerance == ErrorTolerance.NONE && dlqTopic.isPresent()) {
            found.add(new ConfigProblem(CONNECT_DLQ_TOPIC_CONFIG, "a dead-letter queue is set, but errors.tolerance"
                    + " is none, so the first bad record fails the task and none reaches it; set errors.tolerance=all"
                    + " or remove " + CONNECT_DLQ_TOPIC_CONFIG));
        }
        if (dlqTopic.isPresent() && dlqTopic.get().equals(outputTopic)) {
            found.add(new ConfigProblem(CONNECT_DLQ_TOPIC_CONFIG, "the dead-letter queue must not be the output topic "
                    + outputTopic));
        }
        Object topics = originals().get(CONNECT_TOPICS_CONFIG);
        if (topics != null && List.of(topics.toString().split("\\s*,\\s*")).contains(outputTopic)) {
            found.add(new ConfigProblem(mode == Mode.EXAMPLES ? EXAMPLES_TOPIC_CONFIG : LABELS_TOPIC_CONFIG,
                    "the output topic " + outputTopic + " is also an input topic: the connector would read its own"
                            + " output"));
        }
        if (sendRetryBackoffMaxMs < sendRetryBackoffMs) {
            found.add(new ConfigProblem(SEND_RETRY_BACKOFF_MAX_MS_CONFIG, SEND_RETRY_BACKOFF_MAX_MS_CONFIG
                    + " must not be less than " + SEND_RETRY_BACKOFF_MS_CONFIG));
        }
        found.addAll(producerProblems());
        found.addAll(registryProblems());
        return found;
    }

    private List<ConfigProblem> producerProblems() {
        List<ConfigProblem> found = new ArrayList<>();
        Map<String, ConfigDef.ConfigKey> producerKeys = ProducerConfig.configDef().configKeys();
        for (Map.Entry<String, Object> entry : passThroughProducerSettings().entrySet()) {
            String setting = entry.getKey();
            String key = PRODUCER_PREFIX + setting;
            if (FIXED_PRODUCER_SETTINGS.contains(setting)) {
                String value = String.valueOf(entry.getValue()).trim();
                boolean harmless = setting.equals(ProducerConfig.ACKS_CONFIG) && (value.equals("all") || value.equals("-1"))
                        || setting.equals(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG) && value.equalsIgnoreCase("true");
                if (!harmless) {
                    found.add(new ConfigProblem(key, "the connector sets " + setting + " itself (idempotent writes"
                            + " with acks=all, String keys, Avro values); remove " + key));
                }
                continue;
            }
            ConfigDef.ConfigKey definition = producerKeys.get(setting);
            if (definition == null) {
                continue; // e.g. settings of an interceptor: passed on, the producer warns if nobody reads them
            }
            try {
                Object parsed = ConfigDef.parseType(setting, entry.getValue(), definition.type);
                if (definition.validator != null) {
                    definition.validator.ensureValid(setting, parsed);
                }
            } catch (ConfigException e) {
                found.add(new ConfigProblem(key, e.getMessage()));
            }
        }
        return found;
    }

    private List<ConfigProblem> registryProblems() {
        try {
            new SchemaRegistryClientConfig(registryConfig());
            return List.of();
        } catch (ConfigException e) {
            String message = e.getMessage();
            String key = REGISTRY_KEYS.stream().filter(message::startsWith).findFirst()
                    .orElse(SchemaRegistryClientConfig.SCHEMA_REGISTRY_URL_CONFIG);
            return List.of(new ConfigProblem(key, message));
        }
    }

    // --- typed values

    /** What the connector writes. */
    public Mode mode() {
        return mode;
    }

    /** The topic written: the examples topic, or the labels topic in {@link Mode#LABELS}. */
    public String outputTopic() {
        return outputTopic;
    }

    /** How records are mapped. */
    public MappingSpec mappingSpec() {
        List<FeatureSpec> features = featureNames.stream().map(f -> FeatureConfig.parse(f, this)).toList();
        LabelEncoder encoder = labelField.isEmpty() ? null
                : labelType == LabelType.REGRESSION ? LabelEncoder.regression() : LabelEncoder.classes(labelClasses);
        return new MappingSpec(modelId, modelIdField, modelReplicas, idField, eventTimeField, labelField, encoder,
                labelOptional, features, connectorName);
    }

    /** Connect's {@code errors.tolerance} for this connector. */
    public ErrorTolerance errorTolerance() {
        return errorTolerance;
    }

    /** The name of the connector. */
    public String connectorName() {
        return connectorName;
    }

    /** How many times in a row a failed delivery is retried before the task fails. */
    public int sendMaxRetries() {
        return sendMaxRetries;
    }

    /** The wait before the first retry of a failed delivery; it doubles on each further one. */
    public long sendRetryBackoffMs() {
        return sendRetryBackoffMs;
    }

    /** The upper bound of the wait between retries of a failed delivery. */
    public long sendRetryBackoffMaxMs() {
        return sendRetryBackoffMaxMs;
    }

    /**
     * The settings of the producer that writes the output topic: every {@code producer.*} key without its prefix,
     * secrets as {@link Password}, and what the delivery guarantee needs (idempotence, acks=all, serializers).
     */
    public Map<String, Object> producerConfig() {
        Map<String, Object> config = new HashMap<>(passThroughProducerSettings());
        for (String key : BASE.names()) {
            if (key.startsWith(PRODUCER_PREFIX)) {
                Object value = get(key);
                if (value instanceof List<?> list) {
                    value = String.join(",", list.stream().map(String::valueOf).toList());
                }
                if (value != null) {
                    config.put(key.substring(PRODUCER_PREFIX.length()), value);
                } else {
                    config.remove(key.substring(PRODUCER_PREFIX.length()));
                }
            }
        }
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        config.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
        return config;
    }

    /** {@code producer.*} keys this class does not define, without the prefix; {@code producer.override.*} is Connect's. */
    private Map<String, Object> passThroughProducerSettings() {
        Map<String, Object> settings = new LinkedHashMap<>();
        originalsWithPrefix(PRODUCER_PREFIX).forEach((setting, value) -> {
            if (!setting.startsWith("override.") && !BASE.names().contains(PRODUCER_PREFIX + setting)) {
                settings.put(setting, value);
            }
        });
        return settings;
    }

    /** The settings of the schema registry client and the Avro serializer. */
    public Map<String, Object> registryConfig() {
        Map<String, Object> config = new HashMap<>();
        for (String key : REGISTRY_KEYS) {
            if (originals().containsKey(key)) {
                config.put(key, get(key));
            }
        }
        return config;
    }

    /** How the serializer chooses the schema it writes the output with. */
    public WriterSchemaPolicy writerSchemaPolicy() {
        return new SchemaRegistryClientConfig(registryConfig()).writerSchemaPolicy();
    }

    private Optional<FieldPath> path(String key) {
        String text = getString(key);
        return text == null || text.isBlank() ? Optional.empty() : Optional.of(FieldPath.parse(text.trim()));
    }

    private static String upper(String value) {
        return value.trim().toUpperCase(Locale.ROOT);
    }

    // --- the definition

    private static ConfigDef registryDef() {
        ConfigDef all = SchemaRegistryClientConfig.configDef();
        ConfigDef def = new ConfigDef();
        // specific.avro.reader is about reading; the connector only writes
        all.configKeys().values().stream()
                .filter(k -> !k.name.equals(SchemaRegistryClientConfig.SPECIFIC_AVRO_READER_CONFIG))
                .forEach(def::define);
        return def;
    }

    private static ConfigDef baseDef() {
        ConfigDef def = new ConfigDef();
        int order = 0;
        def.define(MODE_CONFIG, Type.STRING, "examples", OneOf.names(Mode.class), Importance.HIGH,
                        "examples: map each record to an Example with features (and a label when known) on the examples"
                                + " topic. labels: map each record, which carries only an example id and its"
                                + " outcome, to a Label on the labels topic, for outcomes known after the event.",
                        GROUP_OUTPUT, ++order, Width.SHORT, "Mode", OneOf.names(Mode.class))
                .define(TOPIC_PREFIX_CONFIG, Type.STRING, "streamtrain", TopicName.required(), Importance.HIGH,
                        "Prefix of the Streamtrain topics: examples go to <prefix>.examples and labels to"
                                + " <prefix>.labels unless " + EXAMPLES_TOPIC_CONFIG + " or " + LABELS_TOPIC_CONFIG
                                + " name them. The topics must exist.",
                        GROUP_OUTPUT, ++order, Width.MEDIUM, "Topic prefix")
                .define(EXAMPLES_TOPIC_CONFIG, Type.STRING, "", TopicName.orEmpty(), Importance.MEDIUM,
                        "The examples topic; empty for <prefix>.examples.",
                        GROUP_OUTPUT, ++order, Width.MEDIUM, "Examples topic")
                .define(LABELS_TOPIC_CONFIG, Type.STRING, "", TopicName.orEmpty(), Importance.MEDIUM,
                        "The labels topic written in mode=labels; empty for <prefix>.labels.",
                        GROUP_OUTPUT, ++order, Width.MEDIUM, "Labels topic");
        order = 0;
        def.define(MODEL_ID_CONFIG, Type.STRING, null, new ModelId(), Importance.HIGH,
                        "The id of the model every record is for; it keys the output records (see "
                                + MODEL_REPLICAS_CONFIG + "). 1 to "
                                + RecordLimits.MAX_MODEL_ID_CHARS + " characters without control characters."
                                + " Exclusive with " + MODEL_ID_FIELD_CONFIG + ".",
                        GROUP_RECORD, ++order, Width.MEDIUM, "Model id")
                .define(MODEL_ID_FIELD_CONFIG, Type.STRING, null, FieldPathSyntax.optional(), Importance.HIGH,
                        "The field with the model id of each record (a string or whole number), for a topic that"
                                + " feeds several models; a record whose model id is blank, over "
                                + RecordLimits.MAX_MODEL_ID_CHARS + " characters or has control characters is"
                                + " rejected (invalid-value). Exclusive with " + MODEL_ID_CONFIG + ".",
                        GROUP_RECORD, ++order, Width.MEDIUM, "Model id field")
                .define(MODEL_REPLICAS_CONFIG, Type.LIST, List.of(), new ModelReplicas(), Importance.MEDIUM,
                        "The models trained by several replicas at once, as model=R entries, e.g. churn=4,fraud=2;"
                                + " a model not listed has 1 replica and its records are keyed by its id. R must match"
                                + " parallel.replicas of the model's spec in the learner, which rejects a record"
                                + " keyed otherwise (key-model-mismatch): with R > 1 an example is keyed"
                                + " <model>#<shard>, the shard a hash of its example id modulo R, so that the"
                                + " model's stream spreads over R partitions. A label gets the same key as its"
                                + " example (from the example id it names), so that the two meet in one learner"
                                + " task: give a model the same entry in its examples and its labels connectors."
                                + " R is 1 to " + ReplicaKey.MAX_REPLICAS + "; each model is listed once; the model"
                                + " id ends at the last =.",
                        GROUP_RECORD, ++order, Width.LONG, "Model replicas")
                .define(ID_FIELD_CONFIG, Type.STRING, null, FieldPathSyntax.optional(), Importance.MEDIUM,
                        "The field with the example id (a string or whole number). Unset: <topic>-<partition>-<offset>"
                                + " of the source record, so a redelivered record keeps its id. Required in"
                                + " mode=labels, where it names the example the label belongs to.",
                        GROUP_RECORD, ++order, Width.MEDIUM, "Id field")
                .define(EVENT_TIME_FIELD_CONFIG, Type.STRING, null, FieldPathSyntax.optional(), Importance.MEDIUM,
                        "The field with the event time: epoch milliseconds, a Connect Timestamp/Date (Avro"
                                + " timestamp-millis) or an ISO-8601 instant string. Unset: the record timestamp."
                                + " A time outside 1970-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z, or epoch"
                                + " milliseconds with a fraction, is rejected (invalid-value).",
                        GROUP_RECORD, ++order, Width.MEDIUM, "Event time field");
        order = 0;
        def.define(LABEL_FIELD_CONFIG, Type.STRING, null, FieldPathSyntax.optional(), Importance.HIGH,
                        "The field with the label. Unset: examples without labels (to predict only, or labelled"
                                + " later through mode=labels).",
                        GROUP_LABEL, ++order, Width.MEDIUM, "Label field")
                .define(LABEL_TYPE_CONFIG, Type.STRING, "classification", OneOf.names(LabelType.class),
                        Importance.HIGH,
                        "classification: the label is a class name, mapped to its index in " + LABEL_CLASSES_CONFIG
                                + ". regression: the label is a number within the float range (about 3.4e38).",
                        GROUP_LABEL, ++order, Width.SHORT, "Label type", OneOf.names(LabelType.class))
                .define(LABEL_CLASSES_CONFIG, Type.LIST, List.of(), UniqueNames.classNames(), Importance.HIGH,
                        "classification: the class names in class-index order, e.g. cat,dog,bird, each of at most "
                                + RecordLimits.MAX_CLASS_NAME_CHARS + " characters. A string label"
                                + " matches a name as it is; a whole number or boolean by its text (1 matches \"1\")."
                                + " A label that matches none is rejected (unknown-class).",
                        GROUP_LABEL, ++order, Width.LONG, "Label classes")
                .define(LABEL_OPTIONAL_CONFIG, Type.BOOLEAN, false, null, Importance.MEDIUM,
                        "mode=examples: whether a record whose label field is missing or null gives an unlabeled"
                                + " example (true) or is rejected (false).",
                        GROUP_LABEL, ++order, Width.SHORT, "Label optional");
        order = 0;
        def.define(FEATURES_CONFIG, Type.LIST, List.of(), UniqueNames.identifiers(), Importance.HIGH,
                        "The feature names, in feature-vector order. Each is configured by feature.<name>.* keys"
                                + " (path, type, vocabulary, hash.buckets, length, scale, ...); a feature with no"
                                + " keys is a numeric field of the same name.",
                        GROUP_FEATURES, ++order, Width.LONG, "Features");
        order = 0;
        def.define(PRODUCER_BOOTSTRAP_SERVERS_CONFIG, Type.LIST, ConfigDef.NO_DEFAULT_VALUE, new HostPortList(),
                        Importance.HIGH,
                        "The Kafka cluster the output topic is on. Every other producer.* key is passed to the"
                                + " producer without its prefix (e.g. producer.linger.ms, producer.compression.type,"
                                + " producer.sasl.client.callback.handler.class); acks=all and idempotence are fixed.",
                        GROUP_PRODUCER, ++order, Width.LONG, "Bootstrap servers")
                .define(PRODUCER_SECURITY_PROTOCOL_CONFIG, Type.STRING, "PLAINTEXT",
                        CaseInsensitiveValidString.in("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"),
                        Importance.MEDIUM, "Protocol used to reach the brokers.",
                        GROUP_PRODUCER, ++order, Width.SHORT, "Security protocol")
                .define(PRODUCER_SASL_MECHANISM_CONFIG, Type.STRING, null, new NonBlankIfSet(),
                        Importance.MEDIUM, "SASL mechanism, e.g. PLAIN, SCRAM-SHA-512, OAUTHBEARER.",
                        GROUP_PRODUCER, ++order, Width.SHORT, "SASL mechanism")
                .define(PRODUCER_SASL_JAAS_CONFIG_CONFIG, Type.PASSWORD, null, new NonBlankIfSet(), Importance.MEDIUM,
                        "JAAS login context for SASL. A secret: never logged.",
                        GROUP_PRODUCER, ++order, Width.LONG, "SASL JAAS config")
                .define(PRODUCER_SSL_TRUSTSTORE_LOCATION_CONFIG, Type.STRING, null, new NonBlankIfSet(), Importance.MEDIUM,
                        "Trust store with the certificates that sign the brokers'.",
                        GROUP_PRODUCER, ++order, Width.LONG, "Trust store location")
                .define(PRODUCER_SSL_TRUSTSTORE_PASSWORD_CONFIG, Type.PASSWORD, null, new NonBlankIfSet(), Importance.MEDIUM,
                        "Password of the trust store. A secret: never logged.",
                        GROUP_PRODUCER, ++order, Width.MEDIUM, "Trust store password")
                .define(PRODUCER_SSL_TRUSTSTORE_TYPE_CONFIG, Type.STRING, null, new NonBlankIfSet(), Importance.LOW,
                        "Format of the trust store (JKS, PKCS12, PEM); the producer's default when unset.",
                        GROUP_PRODUCER, ++order, Width.SHORT, "Trust store type")
                .define(PRODUCER_SSL_KEYSTORE_LOCATION_CONFIG, Type.STRING, null, new NonBlankIfSet(), Importance.MEDIUM,
                        "Key store with the client certificate, for brokers that require mutual TLS.",
                        GROUP_PRODUCER, ++order, Width.LONG, "Key store location")
                .define(PRODUCER_SSL_KEYSTORE_PASSWORD_CONFIG, Type.PASSWORD, null, new NonBlankIfSet(), Importance.MEDIUM,
                        "Password of the key store. A secret: never logged.",
                        GROUP_PRODUCER, ++order, Width.MEDIUM, "Key store password")
                .define(PRODUCER_SSL_KEYSTORE_TYPE_CONFIG, Type.STRING, null, new NonBlankIfSet(), Importance.LOW,
                        "Format of the key store (JKS, PKCS12, PEM); the producer's default when unset.",
                        GROUP_PRODUCER, ++order, Width.SHORT, "Key store type")
                .define(PRODUCER_SSL_KEY_PASSWORD_CONFIG, Type.PASSWORD, null, new NonBlankIfSet(), Importance.MEDIUM,
                        "Password of the private key in the key store. A secret: never logged.",
                        GROUP_PRODUCER, ++order, Width.MEDIUM, "Key password")
                .define(PRODUCER_SSL_ENDPOINT_IDENTIFICATION_CONFIG, Type.STRING, null,
                        ConfigDef.LambdaValidator.with((name, value) -> {
                            if (value != null && !value.toString().isEmpty()
                                    && !value.toString().equalsIgnoreCase("https")) {
                                throw new ConfigException(name, value, "must be unset, https or empty");
                            }
                        }, () -> "unset (the producer's default, https), https, or empty"), Importance.LOW,
                        "https to check that broker certificates name their host (the producer's default), empty"
                                + " to skip that check.",
                        GROUP_PRODUCER, ++order, Width.SHORT, "Endpoint identification algorithm");
        order = 0;
        def.define(SEND_MAX_RETRIES_CONFIG, Type.INT, 10, Range.between(0, 1000), Importance.LOW,
                        "How many times in a row the connector retries after the producer gave up on a record"
                                + " (after its own retries for delivery.timeout.ms): the uncommitted records are"
                                + " redelivered and written again. Then the task fails.",
                        GROUP_DELIVERY, ++order, Width.SHORT, "Max send retries")
                .define(SEND_RETRY_BACKOFF_MS_CONFIG, Type.LONG, 1_000L, Range.atLeast(0), Importance.LOW,
                        "Wait before the first such retry; it doubles on each further one, up to "
                                + SEND_RETRY_BACKOFF_MAX_MS_CONFIG + ".",
                        GROUP_DELIVERY, ++order, Width.SHORT, "Send retry backoff (ms)")
                .define(SEND_RETRY_BACKOFF_MAX_MS_CONFIG, Type.LONG, 60_000L, Range.atLeast(0), Importance.LOW,
                        "Upper bound of the wait between two retries.",
                        GROUP_DELIVERY, ++order, Width.SHORT, "Max send retry backoff (ms)");
        order = 0;
        for (ConfigDef.ConfigKey key : registryDef().configKeys().values()) {
            def.define(key.name, key.type, key.defaultValue, key.validator, key.importance, key.documentation,
                    GROUP_REGISTRY, ++order, key.width, key.displayName);
        }
        return def;
    }
}
