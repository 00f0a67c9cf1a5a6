package io.streamtrain.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import picocli.CommandLine.Option;

/** The settings of a {@code bench} invocation; every suite reads the ones it needs. */
public final class BenchOptions {

    @Option(names = "--runs", paramLabel = "N", defaultValue = "3",
            description = "Runs of each measurement; every figure is their median [min–max]. Default: ${DEFAULT-VALUE}.")
    int runs;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "target/bench",
            description = "Where <suite>.csv and <suite>.md are written. Default: ${DEFAULT-VALUE}.")
    Path out;

    @Option(names = "--spec", paramLabel = "SPEC", defaultValue = "classpath:specs/mlp-classifier.yaml",
            description = "Network spec of limit, latency and memory (on a synthetic separable stream of its input "
                    + "size). Default: ${DEFAULT-VALUE}.")
    String spec;

    @Option(names = "--e2e-spec", paramLabel = "SPEC", defaultValue = "classpath:specs/fashion-mnist-mlp.yaml",
            description = "e2e: the network spec; its input size is the length of the events' arrays. Default: "
                    + "${DEFAULT-VALUE}.")
    String e2eSpec;

    @Option(names = "--e2e-events", paramLabel = "N", defaultValue = "30000",
            description = "e2e: JSON events per run. Default: ${DEFAULT-VALUE}.")
    long e2eEvents;

    @Option(names = "--pipeline-specs", paramLabel = "SPEC,...", split = ",",
            defaultValue = "classpath:specs/mlp-classifier.yaml,classpath:specs/fashion-mnist-mlp.yaml",
            description = "pipeline: the network specs to run, narrow and wide examples (on a synthetic separable "
                    + "stream of each one's input size). Default: ${DEFAULT-VALUE}.")
    List<String> pipelineSpecs = new ArrayList<>();

    @Option(names = "--batch-sizes", paramLabel = "N,...", split = ",", defaultValue = "1,8,32,128,512",
            description = "Mini-batch sizes of limit and pipeline. Default: ${DEFAULT-VALUE}.")
    List<Integer> batchSizes = new ArrayList<>();

    @Option(names = "--seconds", paramLabel = "S", defaultValue = "5",
            description = "limit: measured seconds per run (after a warm-up); pipeline: the backlog is sized to take "
                    + "about this long at the limit's rate. Default: ${DEFAULT-VALUE}.")
    double seconds;

    @Option(names = "--max-backlog", paramLabel = "N", defaultValue = "300000",
            description = "pipeline: the most examples produced for one run. Default: ${DEFAULT-VALUE}.")
    long maxBacklog;

    @Option(names = "--guarantees", paramLabel = "G,...", split = ",",
            defaultValue = "exactly_once_v2,at_least_once",
            description = "Processing guarantees of pipeline and latency. Default: ${DEFAULT-VALUE}.")
    List<String> guarantees = new ArrayList<>();

    @Option(names = "--serve-batches", paramLabel = "N,...", split = ",", defaultValue = "1,32",
            description = "serve: streamtrain.serve.batch.max of the replica, 1 for one request at a time. "
                    + "Default: ${DEFAULT-VALUE}.")
    List<Integer> serveBatches = new ArrayList<>();

    @Option(names = "--rates", paramLabel = "EV/S,...", split = ",", defaultValue = "500,2000,10000",
            description = "latency: offered loads, events per second. Default: ${DEFAULT-VALUE}.")
    List<Integer> rates = new ArrayList<>();

    @Option(names = "--commit-intervals", paramLabel = "MS,...", split = ",", defaultValue = "100,1000",
            description = "latency: Kafka Streams commit.interval.ms values. Default: ${DEFAULT-VALUE}.")
    List<Long> commitIntervals = new ArrayList<>();

    @Option(names = "--latency-seconds", paramLabel = "S", defaultValue = "10",
            description = "latency: measured seconds at each load, after a warm-up of a third of it. "
                    + "Default: ${DEFAULT-VALUE}.")
    double latencySeconds;

    @Option(names = "--latency-batch", paramLabel = "N",
            description = "latency: mini-batch size; default: the spec's.")
    Integer latencyBatch;

    @Option(names = "--examples", paramLabel = "N", defaultValue = "2000000",
            description = "memory: examples the learner processes, in one long run (--runs does not apply). "
                    + "Default: ${DEFAULT-VALUE}.")
    long examples;

    @Option(names = "--sample-seconds", paramLabel = "S", defaultValue = "2",
            description = "memory: seconds between two samples of the learner's RSS and heap. "
                    + "Default: ${DEFAULT-VALUE}.")
    double sampleSeconds;

    @Option(names = "--learner-heap", paramLabel = "SIZE", defaultValue = "1g",
            description = "memory: -Xmx of the learner JVM. Default: ${DEFAULT-VALUE}.")
    String learnerHeap;

    @Option(names = "--records", paramLabel = "N", defaultValue = "200000",
            description = "ingest: JSON records produced to the source topic per run. Default: ${DEFAULT-VALUE}.")
    long records;

    @Option(names = "--connector-zip", paramLabel = "ZIP",
            description = "ingest: the connector plugin zip; default: "
                    + "connector/target/streamtrain-streamtrain-connector-*.zip in the working directory or a parent.")
    Path connectorZip;

    @Option(names = "--dataset", paramLabel = "NAME|DIR|CSV", defaultValue = "fashion-mnist",
            description = "quality: fashion-mnist (the shipped 10k test set), fashion-mnist-full (the Debian "
                    + "package's 70k in /usr/share/datasets/fashion-mnist), separable-20d (a tabular stream of 20 "
                    + "features, endless: give --limit), a directory of Fashion-MNIST IDX files, or a CSV file with "
                    + "a header (see --label-column). Default: ${DEFAULT-VALUE}.")
    String dataset;

    @Option(names = "--label-column", paramLabel = "NAME", defaultValue = "label",
            description = "quality: the label column of a CSV dataset. Default: ${DEFAULT-VALUE}.")
    String labelColumn;

    @Option(names = "--limit", paramLabel = "N",
            description = "quality: only the first N examples of the dataset.")
    Long limit;

    @Option(names = "--csv-out", paramLabel = "FILE",
            description = "quality: first write the dataset (its first --limit examples) to FILE as CSV (x0..xN, "
                    + "label), then score everything from that file, as --dataset FILE would.")
    Path csvOut;

    @Option(names = "--quality-specs", paramLabel = "SPEC,...", split = ",",
            defaultValue = "classpath:specs/fashion-mnist-mlp.yaml,classpath:specs/fashion-mnist-replay.yaml,"
                    + "classpath:specs/fashion-mnist-cnn.yaml",
            description = "quality: the network specs to score; none for none. Default: ${DEFAULT-VALUE}.")
    List<String> qualitySpecs = new ArrayList<>();

    @Option(names = "--baselines", paramLabel = "NAME,...", split = ",",
            defaultValue = "majority,softmax-regression,gaussian-nb",
            description = "quality: the learner's shallow baselines to score beside the networks; none for none. "
                    + "Default: ${DEFAULT-VALUE}.")
    List<String> baselines = new ArrayList<>();

    @Option(names = "--moa", paramLabel = "LEARNER", split = ";",
            defaultValue = "bayes.NaiveBayes;trees.HoeffdingTree;functions.Perceptron -r 0.1",
            description = {"quality: MOA learners as MOA command-line strings (class under moa.classifiers, then "
                    + "its options), separated by ';'; none for none. Default: ${DEFAULT-VALUE}.",
                "meta.AdaptiveRandomForest is stronger on many streams but ran at ~80 examples/s on 784 features here."})
    List<String> moaLearners = new ArrayList<>();

    @Option(names = "--drift-dataset", paramLabel = "NAME|DIR|CSV", defaultValue = "fashion-mnist-full",
            description = "drift: the labeled stream, as --dataset (fashion-mnist-full needs Debian's "
                    + "dataset-fashion-mnist package). Default: ${DEFAULT-VALUE}.")
    String driftDataset;

    @Option(names = "--drift-at", paramLabel = "N",
            description = "drift: the example from which every class is relabeled. Default: 35000, or half the "
                    + "stream when it is shorter.")
    Long driftAt;

    @Option(names = "--drift-spec", paramLabel = "SPEC", defaultValue = "classpath:specs/fashion-mnist-mlp.yaml",
            description = "drift: the network spec. Default: ${DEFAULT-VALUE}.")
    String driftSpec;

    @Option(names = "--drift-actions", paramLabel = "ACTION,...", split = ",",
            defaultValue = "none,raise-lr,reset-optimizer,rollback,clear-replay",
            description = "drift: the actions to compare (streamtrain.drift.action); clear-replay only with a spec "
                    + "that replays (others skip it). Default: ${DEFAULT-VALUE}.")
    List<String> driftActions = new ArrayList<>();

    @Option(names = "--drift-detectors", paramLabel = "NAME,...", split = ",", defaultValue = "page-hinkley,adwin",
            description = "drift: the detectors (streamtrain.drift.detectors). Default: ${DEFAULT-VALUE}.")
    List<String> driftDetectors = new ArrayList<>();

    @Option(names = "--drift-lr-factor", paramLabel = "X", defaultValue = "2",
            description = "drift: raise-lr's factor (streamtrain.drift.lr.factor). Default: ${DEFAULT-VALUE}.")
    double driftLrFactor;

    @Option(names = "--drift-lr-steps", paramLabel = "N", defaultValue = "50",
            description = "drift: raise-lr's steps (streamtrain.drift.lr.steps). Default: ${DEFAULT-VALUE}.")
    int driftLrSteps;

    @Option(names = "--drift-seed", paramLabel = "N", defaultValue = "7",
            description = "drift: the seed of the relabeling permutation. Default: ${DEFAULT-VALUE}.")
    long driftSeed;

    @Option(names = "--plot", paramLabel = "DIR",
            description = "quality, drift: also write the curves as SVG to DIR (quality-<dataset>.svg, "
                    + "drift-<dataset>.svg).")
    Path plot;

    @Option(names = "--scale-dataset", paramLabel = "NAME|DIR|CSV", defaultValue = "fashion-mnist-full",
            description = "scale: the labeled stream, as --dataset (fashion-mnist-full needs Debian's "
                    + "dataset-fashion-mnist package; fashion-mnist is the shipped 10k). Default: ${DEFAULT-VALUE}.")
    String scaleDataset;

    @Option(names = "--scale-examples", paramLabel = "N",
            description = "scale: only the first N examples of the stream. Default: all of it.")
    Long scaleExamples;

    @Option(names = "--scale-spec", paramLabel = "SPEC", defaultValue = "classpath:specs/fashion-mnist-mlp.yaml",
            description = "scale: the network spec; the replicated runs add a parallel block to it. "
                    + "Default: ${DEFAULT-VALUE}.")
    String scaleSpec;

    @Option(names = "--scale-replicas", paramLabel = "N,...", split = ",", defaultValue = "2,4",
            description = "scale: replica counts to run beside the single learner, each on as many instances (one "
                    + "stream thread each). Default: ${DEFAULT-VALUE}.")
    List<Integer> scaleReplicas = new ArrayList<>();

    @Option(names = "--scale-average-every", paramLabel = "K,...", split = ",", defaultValue = "16",
            description = "scale: parallel.averageEverySteps values to run (training steps between two "
                    + "contributions of a replica). Default: ${DEFAULT-VALUE}.")
    List<Integer> scaleAverageEvery = new ArrayList<>();

    @Option(names = "--scale-combine", paramLabel = "average|sum", defaultValue = "average",
            description = "scale: parallel.combine of the replicated runs: average (model averaging) or sum (each "
                    + "replica's change applied in full). Default: ${DEFAULT-VALUE}.")
    String scaleCombine;

    @Option(names = "--scale-server-rate", paramLabel = "RATE", defaultValue = "1",
            description = "scale: parallel.serverRate of the replicated runs (how far a round moves the model; 1 "
                    + "takes the average as it is). Default: ${DEFAULT-VALUE}.")
    double scaleServerRate;

    @Option(names = "--scale-server-momentum", paramLabel = "BETA", defaultValue = "0.9",
            description = "scale: parallel.serverMomentum of the replicated runs (the share of a round's change "
                    + "carried into the next; 0: none). Default: ${DEFAULT-VALUE}.")
    double scaleServerMomentum;

    @Option(names = "--scale-max-stale-steps", paramLabel = "N", defaultValue = "0",
            description = "scale: parallel.maxStaleSteps of the replicated runs (steps a replica may take while its "
                    + "round is open; 0: synchronous). Default: ${DEFAULT-VALUE}.")
    int scaleMaxStaleSteps;

    @Option(names = "--scale-max-wait-ms", paramLabel = "MS", defaultValue = "2000",
            description = "scale: parallel.maxWaitMs of the replicated runs. Default: ${DEFAULT-VALUE}.")
    long scaleMaxWaitMs;

    @Option(names = "--rounds-replicas", paramLabel = "N,...", split = ",", defaultValue = "2,4,8",
            description = "rounds: replica counts to simulate beside the single learner. Default: ${DEFAULT-VALUE}.")
    List<Integer> roundsReplicas = new ArrayList<>();

    @Option(names = "--rounds-average-every", paramLabel = "K,...", split = ",", defaultValue = "4,16,64",
            description = "rounds: parallel.averageEverySteps values to simulate. Default: ${DEFAULT-VALUE}.")
    List<Integer> roundsAverageEvery = new ArrayList<>();

    @Option(names = "--rounds-momentum", paramLabel = "BETA,...", split = ",", defaultValue = "0,0.9",
            description = "rounds: parallel.serverMomentum values to simulate. Default: ${DEFAULT-VALUE}.")
    List<Double> roundsMomentum = new ArrayList<>();

    @Option(names = "--rounds-combine", paramLabel = "average|sum", defaultValue = "average",
            description = "rounds: parallel.combine. Default: ${DEFAULT-VALUE}.")
    String roundsCombine;

    @Option(names = "--rounds-server-rate", paramLabel = "RATE", defaultValue = "1",
            description = "rounds: parallel.serverRate. Default: ${DEFAULT-VALUE}.")
    double roundsServerRate;

    @Option(names = "--scale-lead", paramLabel = "N", defaultValue = "4000",
            description = "scale: the most examples the producer runs ahead of the committed predictions (the "
                    + "stream is produced live, not as a backlog); keep it above replicas × averageEverySteps × "
                    + "batch, the examples replicas hold while their rounds are open. Default: ${DEFAULT-VALUE}.")
    int scaleLead;

    @Option(names = "--scale-links", paramLabel = "MBIT/S,...", split = ",", defaultValue = "1000,10000",
            description = "scale: link speeds of the projected cluster, megabits per second. "
                    + "Default: ${DEFAULT-VALUE}.")
    List<Double> scaleLinks = new ArrayList<>();

    @Option(names = "--scale-project", paramLabel = "N,...", split = ",", defaultValue = "1,2,4,8,16",
            description = "scale: instance counts of the projected cluster. Default: ${DEFAULT-VALUE}.")
    List<Integer> scaleProject = new ArrayList<>();

    @Option(names = "--window", paramLabel = "N", defaultValue = "10000",
            description = "quality, scale: the accuracy of the last N labeled examples is reported. "
                    + "Default: ${DEFAULT-VALUE}.")
    int window;

    @Option(names = "--learner", paramLabel = "KEY=VALUE",
            description = "pipeline, latency, memory, scale: a setting for the learner, as in its properties file (for "
                    + "example producer.linger.ms=5 or commit.interval.ms=500); may be repeated. The suites' own "
                    + "settings (processing.guarantee, and commit.interval.ms in latency) win.")
    Map<String, String> learnerSettings = new LinkedHashMap<>();

    @Option(names = "--profile",
            description = "pipeline: record each run with Java Flight Recorder and print where the time goes "
                    + "(target/bench/profiles/).")
    boolean profile;
}
