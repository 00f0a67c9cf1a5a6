package io.streamtrain.data;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.streamtrain.avro.ClassLabel;
import io.streamtrain.avro.Example;

/**
 * One example of a {@link Dataset}: its feature vector and the index of its class in the dataset's
 * {@link Dataset#classNames()}, or {@link #UNLABELED}.
 *
 * <p>The features array is shared, not copied: treat it as read-only.
 */
public record LabeledExample(float[] features, int label) {

    /** The label of an example that has none (to be predicted only). */
    public static final int UNLABELED = -1;

    public LabeledExample {
        if (features == null) {
            throw new IllegalArgumentException("features must not be null");
        }
        if (label < UNLABELED) {
            throw new IllegalArgumentException("label must be a class index >= 0 or UNLABELED, was " + label);
        }
    }

    public boolean isLabeled() {
        return label != UNLABELED;
    }

    /**
     * The example as the learner reads it from {@code <prefix>.examples}.
     *
     * @param classNames the dataset's class names, to carry the label's name; may be empty
     */
    public Example toAvro(String model, String id, Instant eventTime, List<String> classNames) {
        List<Float> values = new ArrayList<>(features.length);
        for (float f : features) {
            values.add(f);
        }
        ClassLabel classLabel = null;
        if (isLabeled()) {
            classLabel = ClassLabel.newBuilder()
                    .setIndex(label)
                    .setName(label < classNames.size() ? classNames.get(label) : null)
                    .build();
        }
        return Example.newBuilder()
                .setId(id)
                .setModel(model)
                .setFeatures(values)
                .setLabel(classLabel)
                .setEventTime(eventTime)
                .build();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LabeledExample e && e.label == label && Arrays.equals(e.features, features);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(features) + label;
    }

    @Override
    public String toString() {
        return "LabeledExample[" + features.length + " features, "
                + (isLabeled() ? "class " + label : "unlabeled") + "]";
    }
}
