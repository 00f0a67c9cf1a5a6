package io.streamtrain.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.streamtrain.app.LearnerApp;
import io.streamtrain.app.LearnerConfig;
import io.streamtrain.embedded.TempDirectories;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TaskMetadata;
import org.apache.kafka.streams.ThreadMetadata;

/**
 * {@code n} instances of one learner application in this JVM, as {@code n} copies of {@code streamtrain run} with the
 * same properties would be on {@code n} machines: the same application id and topic prefix (so Kafka Streams spreads
 * the tasks over them), one stream thread each, and a state directory of its own. Closing them stops every instance
 * and deletes the application's topics and state.
 */
final class ScaleInstances implements AutoCloseable {

    private final BenchStack stack;
    private final String prefix;
    private final String applicationId;
    private final List<LearnerApp> apps = new ArrayList<>();
    private final List<Path> stateDirs = new ArrayList<>();

    private ScaleInstances(BenchStack stack, String prefix) {
        this.stack = stack;
        this.prefix = prefix;
        this.applicationId = prefix + "-learner";
    }

    /**
     * Starts {@code n} instances and waits until every one is RUNNING and the tasks that read {@code examplesTopic}
     * are all assigned, with no rebalance for a while: a stream produced after this is not split by a rebalance at
     * its start.
     */
    static ScaleInstances start(BenchStack stack, String prefix, Path specFile, int n, String examplesTopic,
            int partitions, Map<String, String> extra) {
        ScaleInstances instances = new ScaleInstances(stack, prefix);
        try {
            for (int i = 0; i < n; i++) {
                instances.startOne(specFile, extra);
            }
            instances.awaitStable(examplesTopic, partitions, Duration.ofSeconds(120));
            return instances;
        } catch (RuntimeException e) {
            instances.close();
            throw e;
        }
    }

    private void startOne(Path specFile, Map<String, String> extra) {
        Path stateDir = TempDirectories.create("streamtrain-bench-state-");
        stateDirs.add(stateDir);
        Map<String, Object> settings = new HashMap<>(stack.registryConfig());
        settings.put("bootstrap.servers", stack.bootstrapServers());
        settings.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        settings.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        settings.put(LearnerConfig.TOPIC_PREFIX, prefix);
        settings.put(LearnerConfig.MODEL_SPEC, specFile.toString());
        settings.put(LearnerConfig.HTTP_PORT, "0");
        settings.putAll(extra);
        // one stream thread per instance: an instance stands for one machine's learner
        settings.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "1");
        apps.add(LearnerApp.start(new LearnerConfig(settings)));
    }

    private void awaitStable(String examplesTopic, int partitions, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Set<Integer>> last = null;
        long stableSince = 0;
        while (true) {
            if (failed()) {
                throw new IllegalStateException("an instance of " + applicationId + " stopped while starting");
            }
            boolean running = apps.stream().allMatch(a -> a.streams().state() == KafkaStreams.State.RUNNING);
            List<Set<Integer>> now = running ? placement(examplesTopic) : null;
            int assigned = now == null ? 0 : now.stream().mapToInt(Set::size).sum();
            long t = System.nanoTime();
            if (now != null && assigned == partitions) {
                if (!now.equals(last)) {
                    last = now;
                    stableSince = t;
                } else if (t - stableSince > 3_000_000_000L) {
                    return;
                }
            } else {
                last = null;
            }
            if (t > deadline) {
                throw new IllegalStateException("the " + apps.size() + " instances of " + applicationId
                        + " did not settle on an assignment of the " + partitions + " partitions of " + examplesTopic
                        + " within " + timeout.toSeconds() + " s; last: " + now);
            }
            Sleep.millis(100);
        }
    }

    /** The partitions of {@code topic} each instance's active tasks read, by instance. */
    List<Set<Integer>> placement(String topic) {
        List<Set<Integer>> placement = new ArrayList<>();
        for (LearnerApp app : apps) {
            Set<Integer> mine = new TreeSet<>();
            for (ThreadMetadata thread : app.streams().metadataForLocalThreads()) {
                for (TaskMetadata task : thread.activeTasks()) {
                    for (TopicPartition tp : task.topicPartitions()) {
                        if (tp.topic().equals(topic)) {
                            mine.add(tp.partition());
                        }
                    }
                }
            }
            placement.add(mine);
        }
        return placement;
    }

    int size() {
        return apps.size();
    }

    String applicationId() {
        return applicationId;
    }

    /** Whether an instance has stopped on an error. */
    boolean failed() {
        for (LearnerApp app : apps) {
            KafkaStreams.State s = app.streams().state();
            if (s == KafkaStreams.State.ERROR || s == KafkaStreams.State.PENDING_ERROR
                    || s == KafkaStreams.State.NOT_RUNNING) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        try {
            RuntimeException first = null;
            for (LearnerApp app : apps) {
                try {
                    app.close();
                } catch (RuntimeException e) {
                    if (first == null) {
                        first = e;
                    }
                }
            }
            if (first != null) {
                throw first;
            }
        } finally {
            stateDirs.forEach(TempDirectories::delete);
            stack.deleteTopics(prefix + ".", applicationId + "-");
        }
    }
}
