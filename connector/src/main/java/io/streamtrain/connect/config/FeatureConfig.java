package io.streamtrain.connect.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.streamtrain.connect.mapping.FeatureSpec;
import io.streamtrain.connect.mapping.FeatureSpec.FeatureType;
import io.streamtrain.connect.mapping.FeatureSpec.UnknownCategory;
import io.streamtrain.connect.mapping.FieldPath;
import io.streamtrain.connect.mapping.Scaling;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;

/**
 * The keys of one feature, {@code feature.<name>.*}: where its value is and how it is encoded and scaled. They are
 * defined per name listed in {@code features}, so each is validated like any other key.
 */
public final class FeatureConfig {

    /** The prefix of every per-feature key. */
    public static final String PREFIX = "feature.";

    public static final String PATH = "path";
    public static final String TYPE = "type";
    public static final String VOCABULARY = "vocabulary";
    public static final String HASH_BUCKETS = "hash.buckets";
    public static final String UNKNOWN_CATEGORY = "unknown.category";
    public static final String LENGTH = "length";
    public static final String SCALE = "scale";
    public static final String SCALE_MEAN = "scale.mean";
    public static final String SCALE_STD = "scale.std";
    public static final String SCALE_MIN = "scale.min";
    public static final String SCALE_MAX = "scale.max";

    /** How a numeric or vector feature is scaled. */
    public enum ScaleKind {
        /** As it is. */
        NONE,
        /** {@code (x - mean) / std}. */
        STANDARD,
        /** {@code (x - min) / (max - min)}. */
        MINMAX
    }

    private static final Set<String> SCALE_PARAMETERS = Set.of(SCALE_MEAN, SCALE_STD, SCALE_MIN, SCALE_MAX);

    private FeatureConfig() {
    }

    /** The full key of a per-feature setting, e.g. {@code feature.amount.scale}. */
    public static String key(String feature, String setting) {
        return PREFIX + feature + "." + setting;
    }

    /** The keys of one feature; with the name {@code <name>} it documents them all. */
    public static ConfigDef configDef(String feature) {
        String group = "Feature " + feature;
        int order = 0;
        return new ConfigDef()
                .define(key(feature, PATH), Type.STRING, feature, FieldPathSyntax.required(), Importance.HIGH,
                        "Where the feature's value is in the record: a dotted path through nested structs and maps"
                                + " (lists by index), e.g. payment.amount. Defaults to the feature name.",
                        group, ++order, Width.MEDIUM, feature + ": field path")
                .define(key(feature, TYPE), Type.STRING, "numeric", OneOf.names(FeatureType.class), Importance.HIGH,
                        "How the value is encoded. numeric: any number, one slot. boolean: true/false as 1/0, one"
                                + " slot. categorical: one-hot over " + key(feature, VOCABULARY) + " or over "
                                + key(feature, HASH_BUCKETS) + " buckets (strings; whole numbers and booleans by their"
                                + " text). vector: a list of exactly " + key(feature, LENGTH) + " numbers.",
                        group, ++order, Width.SHORT, feature + ": type", OneOf.names(FeatureType.class))
                .define(key(feature, VOCABULARY), Type.LIST, List.of(), UniqueNames.anyText(), Importance.MEDIUM,
                        "categorical: the categories, in one-hot order; the feature takes one slot per category."
                                + " Exclusive with " + key(feature, HASH_BUCKETS) + ".",
                        group, ++order, Width.LONG, feature + ": vocabulary")
                .define(key(feature, HASH_BUCKETS), Type.INT, 0, Range.between(0, 1_000_000), Importance.MEDIUM,
                        "categorical: hash each category into this many buckets, one-hot; bucket = toPositive("
                                + "murmur2(UTF-8 bytes)) mod buckets, the hash of Kafka's partitioner. 0 = no hashing."
                                + " Exclusive with " + key(feature, VOCABULARY) + ".",
                        group, ++order, Width.SHORT, feature + ": hash buckets")
                .define(key(feature, UNKNOWN_CATEGORY), Type.STRING, "reject", OneOf.names(UnknownCategory.class),
                        Importance.LOW,
                        "categorical with a vocabulary: a category outside it is rejected (reject: the record goes"
                                + " to the DLQ with rule unknown-category) or encoded as all zeros (zeros).",
                        group, ++order, Width.SHORT, feature + ": unknown category",
                        OneOf.names(UnknownCategory.class))
                .define(key(feature, LENGTH), Type.INT, 0, Range.between(0, 10_000_000), Importance.MEDIUM,
                        "vector: the exact number of elements; a record with another length is rejected"
                                + " (vector-length).",
                        group, ++order, Width.SHORT, feature + ": vector length")
                .define(key(feature, SCALE), Type.STRING, "none", OneOf.names(ScaleKind.class), Importance.MEDIUM,
                        "numeric and vector: none, standard ((x - " + SCALE_MEAN + ") / " + SCALE_STD
                                + ") or minmax ((x - " + SCALE_MIN + ") / (" + SCALE_MAX + " - " + SCALE_MIN + ")).",
                        group, ++order, Width.SHORT, feature + ": scaling", OneOf.names(ScaleKind.class))
                .define(key(feature, SCALE_MEAN), Type.DOUBLE, 0.0, FiniteDouble.any(), Importance.LOW,
                        "scale=standard: the mean subtracted.", group, ++order, Width.SHORT, feature + ": mean")
                .define(key(feature, SCALE_STD), Type.DOUBLE, 1.0, FiniteDouble.positive(), Importance.LOW,
                        "scale=standard: the standard deviation divided by.", group, ++order, Width.SHORT,
                        feature + ": std")
                .define(key(feature, SCALE_MIN), Type.DOUBLE, 0.0, FiniteDouble.any(), Importance.LOW,
                        "scale=minmax: the value that maps to 0.", group, ++order, Width.SHORT, feature + ": min")
                .define(key(feature, SCALE_MAX), Type.DOUBLE, 1.0, FiniteDouble.any(), Importance.LOW,
                        "scale=minmax: the value that maps to 1; greater than " + SCALE_MIN + ".",
                        group, ++order, Width.SHORT, feature + ": max");
    }

    /** Reads one feature from a parsed config; call only when {@link #problems} found none. */
    public static FeatureSpec parse(String feature, AbstractConfig config) {
        FeatureType type = FeatureType.valueOf(upper(config.getString(key(feature, TYPE))));
        return new FeatureSpec(feature, FieldPath.parse(config.getString(key(feature, PATH))), type,
                type == FeatureType.CATEGORICAL ? config.getList(key(feature, VOCABULARY)) : List.of(),
                type == FeatureType.CATEGORICAL ? config.getInt(key(feature, HASH_BUCKETS)) : 0,
                UnknownCategory.valueOf(upper(config.getString(key(feature, UNKNOWN_CATEGORY)))),
                type == FeatureType.VECTOR ? config.getInt(key(feature, LENGTH)) : 0,
                scaling(feature, config));
    }

    private static Scaling scaling(String feature, AbstractConfig config) {
        return switch (ScaleKind.valueOf(upper(config.getString(key(feature, SCALE))))) {
            case NONE -> Scaling.NONE;
            case STANDARD -> new Scaling.Standard(config.getDouble(key(feature, SCALE_MEAN)),
                    config.getDouble(key(feature, SCALE_STD)));
            case MINMAX -> new Scaling.MinMax(config.getDouble(key(feature, SCALE_MIN)),
                    config.getDouble(key(feature, SCALE_MAX)));
        };
    }

    /** The contradictions among one feature's keys, each on the key to change. */
    public static List<ConfigProblem> problems(String feature, AbstractConfig config) {
        List<ConfigProblem> problems = new ArrayList<>();
        Map<String, Object> set = config.originals();
        FeatureType type = FeatureType.valueOf(upper(config.getString(key(feature, TYPE))));
        List<String> vocabulary = config.getList(key(feature, VOCABULARY));
        int buckets = config.getInt(key(feature, HASH_BUCKETS));
        String typeKey = key(feature, TYPE);
        if (type == FeatureType.CATEGORICAL) {
            if (vocabulary.isEmpty() && buckets == 0) {
                problems.add(new ConfigProblem(key(feature, VOCABULARY), "a categorical feature needs "
                        + key(feature, VOCABULARY) + " or " + key(feature, HASH_BUCKETS)));
            } else if (!vocabulary.isEmpty() && buckets > 0) {
                problems.add(new ConfigProblem(key(feature, HASH_BUCKETS), key(feature, VOCABULARY) + " and "
                        + key(feature, HASH_BUCKETS) + " are exclusive: a category is either looked up or hashed"));
            }
            if (buckets > 0 && set.containsKey(key(feature, UNKNOWN_CATEGORY))) {
                problems.add(new ConfigProblem(key(feature, UNKNOWN_CATEGORY), "a hashed feature has no unknown"
                        + " categories; " + key(feature, UNKNOWN_CATEGORY) + " applies to a vocabulary only"));
            }
        } else {
            for (String setting : List.of(VOCABULARY, HASH_BUCKETS, UNKNOWN_CATEGORY)) {
                if (set.containsKey(key(feature, setting))) {
                    problems.add(new ConfigProblem(key(feature, setting), key(feature, setting)
                            + " applies to categorical features, but " + typeKey + "=" + lower(type)));
                }
            }
        }
        int length = config.getInt(key(feature, LENGTH));
        if (type == FeatureType.VECTOR && length < 1) {
            problems.add(new ConfigProblem(key(feature, LENGTH), "a vector feature needs " + key(feature, LENGTH)
                    + " of at least 1"));
        } else if (type != FeatureType.VECTOR && set.containsKey(key(feature, LENGTH))) {
            problems.add(new ConfigProblem(key(feature, LENGTH), key(feature, LENGTH)
                    + " applies to vector features, but " + typeKey + "=" + lower(type)));
        }
        ScaleKind scale = ScaleKind.valueOf(upper(config.getString(key(feature, SCALE))));
        boolean scalable = type == FeatureType.NUMERIC || type == FeatureType.VECTOR;
        if (!scalable && scale != ScaleKind.NONE) {
            problems.add(new ConfigProblem(key(feature, SCALE), "only numeric and vector features are scaled, but "
                    + typeKey + "=" + lower(type)));
        }
        for (String parameter : SCALE_PARAMETERS) {
            boolean belongs = (scale == ScaleKind.STANDARD && (parameter.equals(SCALE_MEAN) || parameter.equals(SCALE_STD)))
                    || (scale == ScaleKind.MINMAX && (parameter.equals(SCALE_MIN) || parameter.equals(SCALE_MAX)));
            if (set.containsKey(key(feature, parameter)) && !belongs) {
                problems.add(new ConfigProblem(key(feature, parameter), key(feature, parameter) + " is set, but "
                        + key(feature, SCALE) + "=" + lower(scale) + " does not use it"));
            }
        }
        if (scale == ScaleKind.MINMAX
                && !(config.getDouble(key(feature, SCALE_MAX)) > config.getDouble(key(feature, SCALE_MIN)))) {
            problems.add(new ConfigProblem(key(feature, SCALE_MAX), key(feature, SCALE_MAX) + " must be greater than "
                    + key(feature, SCALE_MIN)));
        }
        return problems;
    }

    private static String upper(String value) {
        return value.trim().toUpperCase(Locale.ROOT);
    }

    private static String lower(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }
}
