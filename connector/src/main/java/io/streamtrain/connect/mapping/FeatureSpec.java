package io.streamtrain.connect.mapping;

import java.util.List;
import java.util.Objects;

/**
 * One configured feature: where its value is, and how it becomes part of the feature vector.
 *
 * @param name       the feature's name in the configuration
 * @param path       where the value is in the record
 * @param type       how it is encoded
 * @param vocabulary categorical with a fixed vocabulary: the categories, in one-hot order; else empty
 * @param hashBuckets categorical, hashed: the number of buckets; else 0
 * @param unknownCategory what an unknown category of a vocabulary becomes
 * @param length     vector: its fixed length; else 0
 * @param scaling    numeric and vector: the scaling applied to each number
 */
public record FeatureSpec(String name, FieldPath path, FeatureType type, List<String> vocabulary, int hashBuckets,
        UnknownCategory unknownCategory, int length, Scaling scaling) {

    /** How a feature's value is encoded. */
    public enum FeatureType {
        /** Any number, one slot, optionally scaled. */
        NUMERIC,
        /** true/false as 1/0, one slot. */
        BOOLEAN,
        /** A category, one-hot over a fixed vocabulary or over hash buckets. */
        CATEGORICAL,
        /** A list of numbers of a fixed length, optionally scaled. */
        VECTOR
    }

    /** What a category outside the vocabulary becomes. */
    public enum UnknownCategory {
        /** The record is rejected with {@code unknown-category}. */
        REJECT,
        /** All slots of the feature are 0. */
        ZEROS
    }

    public FeatureSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(type, "type");
        vocabulary = List.copyOf(vocabulary);
        Objects.requireNonNull(unknownCategory, "unknownCategory");
        Objects.requireNonNull(scaling, "scaling");
    }

    /** A numeric feature. */
    public static FeatureSpec numeric(String name, String path, Scaling scaling) {
        return new FeatureSpec(name, FieldPath.parse(path), FeatureType.NUMERIC, List.of(), 0, UnknownCategory.REJECT,
                0, scaling);
    }

    /** A boolean feature. */
    public static FeatureSpec bool(String name, String path) {
        return new FeatureSpec(name, FieldPath.parse(path), FeatureType.BOOLEAN, List.of(), 0, UnknownCategory.REJECT,
                0, Scaling.NONE);
    }

    /** A categorical feature over a fixed vocabulary. */
    public static FeatureSpec vocabulary(String name, String path, List<String> vocabulary, UnknownCategory unknown) {
        return new FeatureSpec(name, FieldPath.parse(path), FeatureType.CATEGORICAL, vocabulary, 0, unknown, 0,
                Scaling.NONE);
    }

    /** A categorical feature hashed into buckets. */
    public static FeatureSpec hashed(String name, String path, int buckets) {
        return new FeatureSpec(name, FieldPath.parse(path), FeatureType.CATEGORICAL, List.of(), buckets,
                UnknownCategory.REJECT, 0, Scaling.NONE);
    }

    /** A fixed-length numeric vector. */
    public static FeatureSpec vector(String name, String path, int length, Scaling scaling) {
        return new FeatureSpec(name, FieldPath.parse(path), FeatureType.VECTOR, List.of(), 0, UnknownCategory.REJECT,
                length, scaling);
    }
}
