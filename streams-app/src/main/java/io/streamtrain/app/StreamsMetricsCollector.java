package io.streamtrain.app;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * Kafka Streams' metrics registry as Prometheus metrics, read at each scrape: every metric of
 * {@link org.apache.kafka.streams.KafkaStreams#metrics()} whose value is a number (Streams' own, its clients', the
 * consumer's lag, and the learner's {@code streamtrain-learner-metrics}), named by {@link PrometheusNames}, its tags as
 * labels. A Kafka metric whose name ends in {@code -total} is a counter, every other one a gauge. Values that are not
 * numbers (the client's version, a state) are left out. Where two Kafka metrics come out under one name and the same
 * labels (a {@code .} and a {@code -} in otherwise equal names), or one name as a counter and as a gauge, the first
 * in the order of their names is kept, so that a scrape never fails on them.
 */
final class StreamsMetricsCollector implements MultiCollector {

    private final Supplier<Map<MetricName, ? extends Metric>> metrics;

    StreamsMetricsCollector(Supplier<Map<MetricName, ? extends Metric>> metrics) {
        this.metrics = metrics;
    }

    @Override
    public MetricSnapshots collect() {
        Map<MetricName, Object> values = new LinkedHashMap<>();
        metrics.get().forEach((name, metric) -> values.put(name, metric.metricValue()));
        return snapshots(values);
    }

    /** The Prometheus families of these Kafka metrics and their values, sorted by name. */
    static MetricSnapshots snapshots(Map<MetricName, Object> values) {
        // sorted first, so that which of two colliding metrics is kept does not depend on the registry's order
        Map<String, Family> families = new TreeMap<>();
        values.entrySet().stream()
                .sorted(Map.Entry.comparingByKey((a, b) -> (a.group() + '\0' + a.name() + '\0' + a.tags())
                        .compareTo(b.group() + '\0' + b.name() + '\0' + b.tags())))
                .forEach(e -> {
                    if (!(e.getValue() instanceof Number number)) {
                        return;
                    }
                    MetricName metric = e.getKey();
                    boolean counter = PrometheusNames.isCounter(metric);
                    double value = number.doubleValue();
                    if (counter && !(value >= 0)) {
                        // a count is never negative (nor NaN); a metric that says so is not one, and a counter
                        // snapshot would refuse it
                        return;
                    }
                    Family family = families.computeIfAbsent(PrometheusNames.familyName(metric),
                            n -> new Family(n, counter, metric));
                    if (family.counter == counter) {
                        family.add(labels(metric.tags()), value);
                    }
                });
        List<MetricSnapshot> snapshots = new ArrayList<>(families.size());
        families.values().forEach(f -> snapshots.add(f.snapshot()));
        return new MetricSnapshots(snapshots);
    }

    /** The tags as labels; of two tags with one label name, the first (in the tags' order) is kept. */
    static Labels labels(Map<String, String> tags) {
        Map<String, String> labels = new LinkedHashMap<>();
        tags.forEach((tag, value) -> labels.putIfAbsent(PrometheusNames.labelName(tag), value == null ? "" : value));
        return Labels.of(new ArrayList<>(labels.keySet()), new ArrayList<>(labels.values()));
    }

    private static final class Family {
        final String name;
        final boolean counter;
        final String help;
        final Set<Labels> seen = new LinkedHashSet<>();
        final List<Labels> labels = new ArrayList<>();
        final List<Double> values = new ArrayList<>();

        Family(String name, boolean counter, MetricName first) {
            this.name = name;
            this.counter = counter;
            String description = first.description() == null ? "" : first.description().strip();
            this.help = (description.isEmpty() ? "Kafka metric " + first.name() : description)
                    + " (" + first.group() + " " + first.name() + ")";
        }

        void add(Labels l, double value) {
            if (seen.add(l)) {
                labels.add(l);
                values.add(value);
            }
        }

        MetricSnapshot snapshot() {
            if (counter) {
                CounterSnapshot.Builder b = CounterSnapshot.builder().name(name).help(help);
                for (int i = 0; i < labels.size(); i++) {
                    b.dataPoint(CounterDataPointSnapshot.builder().labels(labels.get(i)).value(values.get(i)).build());
                }
                return b.build();
            }
            GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(help);
            for (int i = 0; i < labels.size(); i++) {
                b.dataPoint(GaugeDataPointSnapshot.builder().labels(labels.get(i)).value(values.get(i)).build());
            }
            return b.build();
        }
    }
}
