package io.streamtrain.connect.mapping;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.utils.Utils;

/**
 * Turns one feature's value into its slots of the dense feature vector. One encoder per configured feature;
 * immutable and thread-safe.
 */
public abstract sealed class FeatureEncoder {

    private final FeatureSpec spec;

    private FeatureEncoder(FeatureSpec spec) {
        this.spec = spec;
    }

    /** The encoder for a feature. */
    public static FeatureEncoder of(FeatureSpec spec) {
        return switch (spec.type()) {
            case NUMERIC -> new Numeric(spec);
            case BOOLEAN -> new Bool(spec);
            case CATEGORICAL -> spec.hashBuckets() > 0 ? new HashedCategory(spec) : new VocabularyCategory(spec);
            case VECTOR -> new Vector(spec);
        };
    }

    /** The feature this encodes. */
    public FeatureSpec spec() {
        return spec;
    }

    /** How many slots of the feature vector the feature takes. */
    public abstract int width();

    /**
     * Writes the encoding of {@code value} into {@code out[offset, offset + width())}, whose slots are 0 on entry.
     *
     * @param value the non-null value at the feature's path
     * @throws MappingException when the value breaks a rule of the feature
     */
    public abstract void encode(Object value, float[] out, int offset);

    final String field() {
        return spec.path().text();
    }

    final MappingException failure(String rule, String problem) {
        String feature = spec.name().equals(field()) ? "" : " (feature '" + spec.name() + "')";
        return new MappingException(field(), rule, problem + feature);
    }

    /**
     * Scales and narrows to float, which must stay finite: a double such as 1e308 is finite, but infinite as the
     * float the feature vector holds, and the network would compute NaN from it.
     */
    final float scaled(double raw, String what) {
        if (!Double.isFinite(raw)) {
            throw failure(MappingException.NON_FINITE, what + raw + " is not a finite number");
        }
        float f = (float) spec.scaling().apply(raw);
        if (!Float.isFinite(f)) {
            throw failure(MappingException.NON_FINITE, what + raw + " is out of the float range (about 3.4e38)"
                    + (spec.scaling() == Scaling.NONE ? "" : " after scaling"));
        }
        return f;
    }

    /** A number, scaled. */
    static final class Numeric extends FeatureEncoder {
        Numeric(FeatureSpec spec) {
            super(spec);
        }

        @Override
        public int width() {
            return 1;
        }

        @Override
        public void encode(Object value, float[] out, int offset) {
            if (!(value instanceof Number number)) {
                throw failure(MappingException.WRONG_TYPE, "expected a number, got " + Values.describe(value));
            }
            out[offset] = scaled(number.doubleValue(), "");
        }
    }

    /** true as 1, false as 0. */
    static final class Bool extends FeatureEncoder {
        Bool(FeatureSpec spec) {
            super(spec);
        }

        @Override
        public int width() {
            return 1;
        }

        @Override
        public void encode(Object value, float[] out, int offset) {
            if (!(value instanceof Boolean b)) {
                throw failure(MappingException.WRONG_TYPE, "expected a boolean, got " + Values.describe(value));
            }
            out[offset] = b ? 1f : 0f;
        }
    }

    /** One-hot over a fixed vocabulary, in the configured order. */
    static final class VocabularyCategory extends FeatureEncoder {
        private final Map<String, Integer> index = new HashMap<>();

        VocabularyCategory(FeatureSpec spec) {
            super(spec);
            List<String> vocabulary = spec.vocabulary();
            if (vocabulary.isEmpty()) {
                throw new IllegalArgumentException("categorical feature " + spec.name() + " needs a vocabulary");
            }
            for (int i = 0; i < vocabulary.size(); i++) {
                if (index.putIfAbsent(vocabulary.get(i), i) != null) {
                    throw new IllegalArgumentException("the vocabulary of " + spec.name() + " lists '"
                            + vocabulary.get(i) + "' twice");
                }
            }
        }

        @Override
        public int width() {
            return index.size();
        }

        @Override
        public void encode(Object value, float[] out, int offset) {
            String category = category(value);
            Integer slot = index.get(category);
            if (slot == null) {
                if (spec().unknownCategory() == FeatureSpec.UnknownCategory.ZEROS) {
                    return; // every slot stays 0
                }
                throw failure(MappingException.UNKNOWN_CATEGORY, "'" + Values.excerpt(category)
                        + "' is not in the vocabulary " + abbreviate(spec().vocabulary()));
            }
            out[offset + slot] = 1f;
        }

        private String category(Object value) {
            try {
                return Values.categoryText(value);
            } catch (Values.Problem p) {
                throw failure(p.rule(), p.getMessage());
            }
        }
    }

    /**
     * One-hot over K buckets: the bucket is {@code toPositive(murmur2(utf8(category))) % K}, Kafka's partitioner
     * hash, so any client can compute the same encoding.
     */
    static final class HashedCategory extends FeatureEncoder {
        private final int buckets;

        HashedCategory(FeatureSpec spec) {
            super(spec);
            this.buckets = spec.hashBuckets();
            if (buckets < 1) {
                throw new IllegalArgumentException("hashed feature " + spec.name() + " needs at least one bucket");
            }
        }

        /** The bucket of a category. */
        public static int bucket(String category, int buckets) {
            return Utils.toPositive(Utils.murmur2(category.getBytes(StandardCharsets.UTF_8))) % buckets;
        }

        @Override
        public int width() {
            return buckets;
        }

        @Override
        public void encode(Object value, float[] out, int offset) {
            String category;
            try {
                category = Values.categoryText(value);
            } catch (Values.Problem p) {
                throw failure(p.rule(), p.getMessage());
            }
            out[offset + bucket(category, buckets)] = 1f;
        }
    }

    /** A list of numbers of the configured length, each scaled. */
    static final class Vector extends FeatureEncoder {
        private final int length;

        Vector(FeatureSpec spec) {
            super(spec);
            this.length = spec.length();
            if (length < 1) {
                throw new IllegalArgumentException("vector feature " + spec.name() + " needs a length of at least 1");
            }
        }

        @Override
        public int width() {
            return length;
        }

        @Override
        public void encode(Object value, float[] out, int offset) {
            if (!(value instanceof List<?> list)) {
                throw failure(MappingException.WRONG_TYPE, "expected a list of " + length + " numbers, got "
                        + Values.describe(value));
            }
            if (list.size() != length) {
                throw failure(MappingException.VECTOR_LENGTH, "expected " + length + " numbers, got " + list.size());
            }
            for (int i = 0; i < length; i++) {
                Object element = list.get(i);
                if (element == null) {
                    throw failure(MappingException.NULL_VALUE, "element " + i + " is null");
                }
                if (!(element instanceof Number number)) {
                    throw failure(MappingException.WRONG_TYPE, "element " + i + " is " + Values.describe(element)
                            + ", not a number");
                }
                out[offset + i] = scaled(number.doubleValue(), "element " + i + ": ");
            }
        }
    }

    private static String abbreviate(List<String> values) {
        if (values.size() <= 10) {
            return values.toString();
        }
        return values.subList(0, 10).toString().replace("]", ", ... (" + values.size() + " in all)]");
    }
}
