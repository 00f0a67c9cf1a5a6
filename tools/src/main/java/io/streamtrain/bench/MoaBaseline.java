package io.streamtrain.bench;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import com.yahoo.labs.samoa.instances.Attribute;
import com.yahoo.labs.samoa.instances.DenseInstance;
import com.yahoo.labs.samoa.instances.Instances;
import com.yahoo.labs.samoa.instances.InstancesHeader;
import io.streamtrain.data.Dataset;
import io.streamtrain.data.LabeledExample;
import moa.classifiers.Classifier;
import moa.options.ClassOption;

/**
 * One MOA learner, test-then-train over a dataset in stream order, one example at a time as MOA's prequential
 * evaluation does: predict (the class with the most votes), then train. Runs in a JVM of its own, started by the
 * quality suite with MOA on its class path (MOA is not part of the shipped application), and prints one
 * {@value #RESULT} line: examples, accuracy, accuracy of the last window, seconds.
 *
 * <p>Arguments: {@code <dataset> <label-column> <limit or -1> <window> <learner>}, the learner as a MOA command-line
 * string ({@code bayes.NaiveBayes}, {@code functions.Perceptron -r 0.1}, ...).
 */
public final class MoaBaseline {

    static final String RESULT = "MOA-RESULT";

    private MoaBaseline() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            System.err.println("usage: MoaBaseline <dataset> <label-column> <limit|-1> <window> <moa learner>");
            System.exit(2);
        }
        Dataset dataset = QualityDatasets.resolve(args[0], args[1]);
        long limit = Long.parseLong(args[2]);
        int window = Integer.parseInt(args[3]);
        Classifier learner = (Classifier) ClassOption.cliStringToObject(args[4], Classifier.class, null);

        List<Attribute> attributes = new ArrayList<>();
        for (int i = 0; i < dataset.featureCount(); i++) {
            attributes.add(new Attribute("f" + i));
        }
        attributes.add(new Attribute("class", dataset.classNames()));
        Instances header = new Instances(dataset.name(), attributes, 0);
        header.setClassIndex(dataset.featureCount());
        learner.setModelContext(new InstancesHeader(header));
        learner.prepareForUse();

        int features = dataset.featureCount();
        boolean[] recent = new boolean[window];
        long labeled = 0;
        long right = 0;
        long examples = 0;
        long start = System.nanoTime();
        try (Stream<LabeledExample> stream = limit >= 0 ? dataset.stream().limit(limit) : dataset.stream()) {
            for (Iterator<LabeledExample> it = stream.iterator(); it.hasNext(); ) {
                LabeledExample e = it.next();
                double[] values = new double[features + 1];
                float[] x = e.features();
                for (int i = 0; i < features; i++) {
                    values[i] = x[i];
                }
                values[features] = e.isLabeled() ? e.label() : 0;
                DenseInstance instance = new DenseInstance(1.0, values);
                instance.setDataset(header);
                if (!e.isLabeled()) {
                    instance.setMissing(features);
                }
                double[] votes = learner.getVotesForInstance(instance);
                examples++;
                if (e.isLabeled()) {
                    boolean correct = argmax(votes) == e.label();
                    recent[(int) (labeled % window)] = correct;
                    labeled++;
                    if (correct) {
                        right++;
                    }
                    learner.trainOnInstance(instance);
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        int n = (int) Math.min(labeled, window);
        int recentRight = 0;
        for (int i = 0; i < n; i++) {
            if (recent[i]) {
                recentRight++;
            }
        }
        System.out.printf(Locale.ROOT, "%s %d %.6f %.6f %.3f%n", RESULT, examples,
                labeled == 0 ? Double.NaN : (double) right / labeled, n == 0 ? Double.NaN : (double) recentRight / n,
                seconds);
    }

    /** The index of the largest vote, the lowest among ties (as MOA's evaluators); -1 when there are no votes. */
    static int argmax(double[] votes) {
        int best = votes.length == 0 ? -1 : 0;
        for (int i = 1; i < votes.length; i++) {
            if (votes[i] > votes[best]) {
                best = i;
            }
        }
        return best;
    }
}
