package io.streamtrain.app;

import java.util.Locale;

import org.apache.kafka.common.MetricName;

/**
 * How a Kafka metric is named on {@code /metrics}: its group (without Kafka's {@code -metrics} ending) and its name,
 * joined by {@code _}, with every character outside {@code [a-zA-Z0-9_]} made {@code _}; Kafka's own groups get
 * {@code kafka_} in front, the learner's ({@code streamtrain-learner-metrics}) are already Streamtrain's. So
 * {@code examples-total} of {@code streamtrain-learner-metrics} is the counter
 * {@code streamtrain_learner_examples_total}, and {@code records-lag-max} of {@code consumer-fetch-manager-metrics}
 * the gauge {@code kafka_consumer_fetch_manager_records_lag_max}. Tags become labels the same way. The names are
 * plain Prometheus names (no UTF-8 names, no colons, which are for recording rules), so that every scraper and query
 * language reads them.
 */
final class PrometheusNames {

    /** Kafka names a cumulative count {@code <what>-total}; Prometheus a counter's sample {@code <what>_total}. */
    static final String COUNTER_SUFFIX = "_total";
    /** Endings the exposition formats add to a family's name themselves, so that no family's own name may have. */
    private static final String[] RESERVED_ENDINGS = {"_total", "_created", "_bucket", "_info"};

    private PrometheusNames() {
    }

    /** A Kafka metric's Prometheus name, as its samples are written: a counter's ends in {@code _total}. */
    static String sampleName(MetricName metric) {
        return familyName(metric) + (isCounter(metric) ? COUNTER_SUFFIX : "");
    }

    /** Whether Kafka counts with this metric: its name ends in {@code -total} (or {@code _total}, {@code .total}). */
    static boolean isCounter(MetricName metric) {
        return legalName(metric).endsWith(COUNTER_SUFFIX);
    }

    /**
     * The name of the metric's family: a counter's without {@code _total}, which the writer adds back; a name that
     * would still end in an ending the formats reserve gets {@code _value}.
     */
    static String familyName(MetricName metric) {
        String name = legalName(metric);
        String family = isCounter(metric) ? name.substring(0, name.length() - COUNTER_SUFFIX.length()) : name;
        for (String ending : RESERVED_ENDINGS) {
            if (family.endsWith(ending)) {
                return family + "_value";
            }
        }
        return family;
    }

    private static String legalName(MetricName metric) {
        return legal(prefix(metric.group()) + "_" + metric.name(), true);
    }

    /**
     * A tag's label name: {@code [a-zA-Z_][a-zA-Z0-9_]*}, not starting with {@code __} (reserved for Prometheus'
     * own labels); a tag that would be empty, start with a digit or with {@code __} gets {@code tag_} in front.
     */
    static String labelName(String tag) {
        String name = legal(tag, false);
        if (name.isEmpty() || name.startsWith("__") || Character.isDigit(name.charAt(0))) {
            return "tag_" + name;
        }
        return name;
    }

    private static String prefix(String group) {
        String g = group.endsWith("-metrics") ? group.substring(0, group.length() - "-metrics".length()) : group;
        return g.toLowerCase(Locale.ROOT).startsWith("streamtrain") ? g : "kafka_" + g;
    }

    /** Every code point outside {@code [a-zA-Z0-9_]} as {@code _}; a metric name's leading digit behind a {@code _}. */
    private static String legal(String s, boolean metric) {
        StringBuilder out = new StringBuilder(s.length());
        s.codePoints().forEach(c -> out.append(c < 128 && (Character.isLetterOrDigit(c) || c == '_') ? (char) c : '_'));
        if (metric && (out.length() == 0 || Character.isDigit(out.charAt(0)))) {
            out.insert(0, '_');
        }
        return out.toString();
    }
}
