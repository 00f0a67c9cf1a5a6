package io.streamtrain.connect.config;

import java.util.List;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/** A non-empty list of host:port addresses, e.g. Kafka bootstrap servers. */
public final class HostPortList implements ConfigDef.Validator {

    @Override
    public void ensureValid(String name, Object value) {
        List<?> list = (List<?>) value;
        if (list == null || list.isEmpty()) {
            throw new ConfigException(name, value, "must be " + this);
        }
        for (Object item : list) {
            String address = String.valueOf(item).trim();
            int colon = address.lastIndexOf(':');
            if (colon <= 0 || colon == address.length() - 1) {
                throw new ConfigException(name, value, "'" + address + "' has no port; must be " + this);
            }
            String port = address.substring(colon + 1);
            if (!port.chars().allMatch(Character::isDigit) || port.length() > 5 || Integer.parseInt(port) > 65535) {
                throw new ConfigException(name, value, "'" + address + "' has a bad port; must be " + this);
            }
        }
    }

    @Override
    public String toString() {
        return "a non-empty list of host:port";
    }
}
