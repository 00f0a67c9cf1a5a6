package io.streamtrain.connect.config;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/** A finite number (not NaN, not infinite), optionally strictly positive. */
public final class FiniteDouble implements ConfigDef.Validator {

    private final boolean positive;

    private FiniteDouble(boolean positive) {
        this.positive = positive;
    }

    /** Any finite number. */
    public static FiniteDouble any() {
        return new FiniteDouble(false);
    }

    /** A finite number greater than 0. */
    public static FiniteDouble positive() {
        return new FiniteDouble(true);
    }

    @Override
    public void ensureValid(String name, Object value) {
        if (value == null) {
            return;
        }
        double d = (Double) value;
        if (!Double.isFinite(d) || (positive && d <= 0)) {
            throw new ConfigException(name, value, "must be " + this);
        }
    }

    @Override
    public String toString() {
        return positive ? "a finite number greater than 0" : "a finite number";
    }
}
