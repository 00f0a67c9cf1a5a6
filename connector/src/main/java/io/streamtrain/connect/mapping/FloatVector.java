package io.streamtrain.connect.mapping;

import java.util.AbstractList;
import java.util.RandomAccess;

/** A read-only {@code List<Float>} view of a float array: the Example's features without a boxed copy up front. */
final class FloatVector extends AbstractList<Float> implements RandomAccess {

    private final float[] values;

    FloatVector(float[] values) {
        this.values = values;
    }

    @Override
    public Float get(int index) {
        return values[index];
    }

    @Override
    public int size() {
        return values.length;
    }
}
