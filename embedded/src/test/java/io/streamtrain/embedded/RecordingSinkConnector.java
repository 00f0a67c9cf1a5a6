package io.streamtrain.embedded;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.sink.SinkConnector;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;

/** A sink that records the values it is given, per connector name, for {@link EmbeddedConnectWorkerIT}. */
public class RecordingSinkConnector extends SinkConnector {

    /** What each connector's tasks were given, by connector name. Test-only shared state. */
    static final Map<String, Queue<Object>> RECEIVED = new ConcurrentHashMap<>();

    private Map<String, String> props;

    @Override
    public void start(Map<String, String> props) {
        this.props = Map.copyOf(props);
    }

    @Override
    public Class<? extends Task> taskClass() {
        return RecordingSinkTask.class;
    }

    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        List<Map<String, String>> configs = new ArrayList<>();
        for (int i = 0; i < maxTasks; i++) {
            configs.add(props);
        }
        return configs;
    }

    @Override
    public void stop() {
    }

    @Override
    public ConfigDef config() {
        return new ConfigDef();
    }

    @Override
    public String version() {
        return "1.0-test";
    }

    /** The task of {@link RecordingSinkConnector}. */
    public static class RecordingSinkTask extends SinkTask {
        private Queue<Object> sink;

        @Override
        public String version() {
            return "1.0-test";
        }

        @Override
        public void start(Map<String, String> props) {
            sink = RECEIVED.computeIfAbsent(props.get("name"), n -> new ConcurrentLinkedQueue<>());
        }

        @Override
        public void put(Collection<SinkRecord> records) {
            records.forEach(r -> sink.add(r.value()));
        }

        @Override
        public void stop() {
        }
    }
}
