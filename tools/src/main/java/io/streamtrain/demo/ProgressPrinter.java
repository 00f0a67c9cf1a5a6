package io.streamtrain.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import io.streamtrain.avro.TrainingMetrics;
import io.streamtrain.plot.LineChart;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Follows a model's {@code TrainingMetrics} on the metrics topic, as any user of the topic would (a read_committed
 * consumer), and prints one line per window.
 */
final class ProgressPrinter implements AutoCloseable {

    private final KafkaConsumer<String, TrainingMetrics> consumer;
    private final String model;
    private final PrintStream out;
    private TrainingMetrics last;
    /** Per window: examples predicted so far, window accuracy, prequential accuracy, window mean loss. */
    private final List<double[]> curve = new ArrayList<>();
    private long examples;
    private long scored;
    private double lossSum;

    ProgressPrinter(String bootstrap, String topic, Deserializer<TrainingMetrics> deserializer, String model,
            PrintStream out) {
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "streamtrain-demo-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), deserializer);
        consumer.subscribe(List.of(topic));
        this.model = model;
        this.out = out;
    }

    /** Reads what arrived within {@code timeout} and prints it; returns the latest metrics, or null. */
    TrainingMetrics poll(Duration timeout) {
        for (ConsumerRecord<String, TrainingMetrics> r : consumer.poll(timeout)) {
            if (!model.equals(r.key())) {
                continue;
            }
            TrainingMetrics m = r.value();
            examples += m.getExamples();
            if (m.getMeanLoss() != null) {
                lossSum += m.getMeanLoss() * m.getLabeled();
                scored += m.getLabeled();
            }
            last = m;
            curve.add(new double[] {examples, m.getAccuracy() == null ? Double.NaN : m.getAccuracy(),
                m.getPrequentialAccuracy() == null ? Double.NaN : m.getPrequentialAccuracy(),
                m.getMeanLoss() == null ? Double.NaN : m.getMeanLoss()});
            out.println(line(m));
        }
        return last;
    }

    String line(TrainingMetrics m) {
        return String.format(Locale.ROOT,
                "examples=%-7d trained=%-7d %8.0f ex/s  loss=%s  accuracy=%s  prequential=%s  version=%d  errors=%d",
                examples, m.getExamplesTrained(), m.getExamplesPerSecond(), fixed(m.getMeanLoss(), 4),
                percent(m.getAccuracy()), percent(m.getPrequentialAccuracy()), m.getModelVersion(), m.getErrors());
    }

    /** The one-line summary: examples predicted, prequential accuracy and prequential mean loss. */
    String summary() {
        if (last == null) {
            return "examples=0 accuracy=n/a loss=n/a";
        }
        return String.format(Locale.ROOT, "examples=%d trained=%d accuracy=%s loss=%s version=%d", examples,
                last.getExamplesTrained(), percent(last.getPrequentialAccuracy()),
                scored == 0 ? "n/a" : fixed(lossSum / scored, 4), last.getModelVersion());
    }

    long examples() {
        return examples;
    }

    /**
     * Writes the learning curves read so far as two SVG charts in {@code dir}: accuracy (each window's and the
     * prequential) and the windows' mean loss, against the examples predicted.
     *
     * @return the files written
     */
    List<Path> writeCurves(Path dir, String title) throws IOException {
        double[] x = new double[curve.size()];
        double[][] y = new double[3][curve.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = curve.get(i)[0];
            for (int c = 0; c < 3; c++) {
                y[c][i] = curve.get(i)[c + 1];
            }
        }
        Path accuracy = dir.resolve(model + "-accuracy.svg");
        new LineChart(title + ": accuracy", "examples predicted", "accuracy").yRange(0, 1)
                .add(new LineChart.Series("window", x, y[0]))
                .add(new LineChart.Series("prequential (since the start)", x, y[1]))
                .write(accuracy);
        Path loss = dir.resolve(model + "-loss.svg");
        new LineChart(title + ": mean loss of each window", "examples predicted", "loss")
                .add(new LineChart.Series("window mean loss", x, y[2]))
                .write(loss);
        return List.of(accuracy, loss);
    }

    private static String percent(Double value) {
        return value == null ? "n/a" : String.format(Locale.ROOT, "%.2f%%", 100 * value);
    }

    private static String fixed(Double value, int digits) {
        return value == null ? "n/a" : String.format(Locale.ROOT, "%." + digits + "f", value);
    }

    @Override
    public void close() {
        consumer.close();
    }
}
