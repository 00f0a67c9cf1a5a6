package io.streamtrain.connect;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.sink.SinkConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A sink that keeps a Streamtrain model learning from a topic: it maps each record (JSON, Avro, anything a Connect
 * converter reads) to an Avro Example on {@code <prefix>.examples}, or to a late Label on {@code <prefix>.labels}.
 * See {@link StreamtrainSinkConfig} for the settings and {@link StreamtrainSinkTask} for the delivery guarantee.
 */
public class StreamtrainSinkConnector extends SinkConnector {

    private static final Logger log = LoggerFactory.getLogger(StreamtrainSinkConnector.class);

    private Map<String, String> props;

    @Override
    public String version() {
        return Version.get();
    }

    /**
     * Checks the configuration once more (Connect validated it when it was created; a config provider may have
     * changed it since) and keeps it for the tasks.
     */
    @Override
    public void start(Map<String, String> props) {
        StreamtrainSinkConfig config = new StreamtrainSinkConfig(props);
        this.props = Map.copyOf(props);
        log.info("Streamtrain sink connector {} started: mode {}, writing to {}", config.connectorName(),
                config.mode().name().toLowerCase(), config.outputTopic());
    }

    @Override
    public Class<? extends Task> taskClass() {
        return StreamtrainSinkTask.class;
    }

    /** Every task gets the whole configuration; Connect spreads the topic partitions over them. */
    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        List<Map<String, String>> configs = new ArrayList<>(maxTasks);
        for (int i = 0; i < maxTasks; i++) {
            configs.add(props);
        }
        return configs;
    }

    @Override
    public void stop() {
        log.info("Streamtrain sink connector stopped");
    }

    /** The keys every configuration has; the keys of each feature are added by {@link #validate}. */
    @Override
    public ConfigDef config() {
        return StreamtrainSinkConfig.configDef();
    }

    /** Each key on its own, then the contradictions between keys, each reported on the key to change. */
    @Override
    public Config validate(Map<String, String> connectorConfigs) {
        return StreamtrainSinkConfig.validate(connectorConfigs);
    }
}
