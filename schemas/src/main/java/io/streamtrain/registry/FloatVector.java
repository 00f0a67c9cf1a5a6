package io.streamtrain.registry;

import java.util.AbstractList;
import java.util.RandomAccess;

/**
 * A fixed-size, read-only list view of a {@code float[]}: an example's features without a boxed copy, as the
 * connector builds them and as {@link ExampleDeserializer} reads them; a reader that wants the values takes
 * {@link #array()} rather than boxing each one.
 */
public final class FloatVector extends AbstractList<Float> implements RandomAccess {

    private final float[] values;

    public FloatVector(float[] values) {
        this.values = values;
    }

    /** The values themselves, not a copy: the caller owns them from here. */
    public float[] array() {
        return values;
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
