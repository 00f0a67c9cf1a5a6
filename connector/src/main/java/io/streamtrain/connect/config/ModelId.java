package io.streamtrain.connect.config;

import io.streamtrain.contract.RecordLimits;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * Unset, or a model id the learner takes ({@link RecordLimits#modelIdProblem}): a fixed model id keys every output
 * record, so one the learner refuses is better refused when the connector is created than on every record.
 */
public final class ModelId implements ConfigDef.Validator {

    @Override
    public void ensureValid(String name, Object value) {
        if (value == null) {
            return;
        }
        String problem = RecordLimits.modelIdProblem(value.toString());
        if (problem != null) {
            throw new ConfigException(name, value, problem);
        }
    }

    @Override
    public String toString() {
        return "unset, or 1 to " + RecordLimits.MAX_MODEL_ID_CHARS + " characters, not blank, without control"
                + " characters";
    }
}
