package io.streamtrain.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

import io.streamtrain.contract.ReplicaKey;
import io.streamtrain.data.Dataset;
import io.streamtrain.data.LabeledExample;
import io.streamtrain.learn.Learner;
import io.streamtrain.learn.NetworkSpec;
import io.streamtrain.learn.Outputs;
import io.streamtrain.learn.RoundCombiner;
import io.streamtrain.learn.Target;

/**
 * Data-parallel training's rounds without Kafka: one pass over a labeled stream by R replicas that train in lockstep,
 * as the learner runs a spec's {@code parallel} with {@code maxStaleSteps: 0}, their contributions combined by the
 * learner's own {@link RoundCombiner}; against one learner that takes the whole stream. Each replica takes the
 * examples whose id ({@code e<i>}, as {@code bench scale} produces them) hashes to its shard, predicts each
 * mini-batch, then trains on it; after {@code K} steps of every replica the round's global version replaces each
 * replica's parameters (each keeps its optimizer state). What this leaves out is what {@code bench scale} measures:
 * the broker, the transactions, the time rounds take, and the partial mini-batches a live stream makes.
 *
 * <p>A configuration takes a few tens of seconds on Fashion-MNIST: it sweeps {@code averageEverySteps} and
 * {@code serverMomentum} far faster than the broker could.
 */
final class RoundsSuite implements BenchSuite {

    @Override
    public String name() {
        return "rounds";
    }

    @Override
    public String description() {
        return "data-parallel rounds without Kafka: one pass by R replicas in lockstep, for each K and server "
                + "momentum; last-N accuracy against one learner";
    }

    /** One configuration: R replicas averaging every K steps with momentum β; R = 1 is the single learner. */
    record Config(int replicas, int averageEvery, double momentum) {
        boolean single() {
            return replicas == 1;
        }

        String label() {
            return single() ? "single learner" : String.format(Locale.ROOT, "%d replicas, K=%d, momentum %s",
                    replicas, averageEvery, momentum);
        }
    }

    /** What one configuration did: its rounds, the last window's accuracy and the whole pass's. */
    record Result(Config config, int rounds, double windowAccuracy, double accuracy, double seconds) {
    }

    @Override
    public Map<String, ResultTable> run(BenchContext context) {
        BenchOptions o = context.options();
        Dataset dataset = QualityDatasets.resolve(o.scaleDataset, o.labelColumn);
        BenchSpec benchSpec = BenchSpec.load(o.scaleSpec);
        NetworkSpec spec = benchSpec.spec();
        QualityDatasets.requireFits(spec, dataset);
        List<LabeledExample> stream;
        try (Stream<LabeledExample> s = dataset.stream()) {
            stream = (o.scaleExamples == null ? s : s.limit(o.scaleExamples)).toList();
        }
        if (stream.size() < 2 * o.window) {
            throw new IllegalArgumentException("rounds: " + stream.size() + " examples is less than twice --window "
                    + o.window);
        }
        List<Config> configs = configs(o.roundsReplicas, o.roundsAverageEvery, o.roundsMomentum);
        context.progress("rounds: %s, %d examples, spec %s (batch %d); %d configurations", dataset.name(),
                stream.size(), benchSpec.name(), spec.batchSize(), configs.size());
        List<Result> results = new ArrayList<>();
        for (Config config : configs) {
            Result r = simulate(spec, stream, config, o.roundsCombine, o.roundsServerRate, o.window);
            results.add(r);
            context.progress("rounds %s: %d rounds, last %d %.2f%%, whole pass %.2f%%, %.0f s", config.label(),
                    r.rounds(), o.window, 100 * r.windowAccuracy(), 100 * r.accuracy(), r.seconds());
        }
        return Map.of(name(), table(results, dataset.name(), stream.size(), o.window, benchSpec.name(),
                spec.batchSize(), o.roundsCombine, o.roundsServerRate, context.machine()));
    }

    /** The single learner, then each replica count, K and momentum. */
    static List<Config> configs(List<Integer> replicas, List<Integer> averageEvery, List<Double> momentum) {
        List<Config> configs = new ArrayList<>();
        configs.add(new Config(1, 0, 0));
        for (int r : replicas) {
            if (r < 2 || r > ReplicaKey.MAX_REPLICAS) {
                throw new IllegalArgumentException("--rounds-replicas takes 2 to " + ReplicaKey.MAX_REPLICAS
                        + ", not " + r);
            }
            for (int k : averageEvery) {
                if (k < 1) {
                    throw new IllegalArgumentException("--rounds-average-every must be positive, was " + k);
                }
                for (double m : momentum) {
                    if (!(m >= 0 && m < 1)) {
                        throw new IllegalArgumentException("--rounds-momentum takes 0 to below 1, not " + m);
                    }
                    configs.add(new Config(r, k, m));
                }
            }
        }
        return configs;
    }

    /** One pass of {@code stream} through the configuration's replicas, in lockstep rounds. */
    static Result simulate(NetworkSpec spec, List<LabeledExample> stream, Config config, String combine,
            double serverRate, int window) {
        long started = System.nanoTime();
        int n = stream.size();
        int replicas = config.replicas();
        List<List<Integer>> shards = new ArrayList<>(replicas);
        for (int r = 0; r < replicas; r++) {
            shards.add(new ArrayList<>());
        }
        for (int i = 0; i < n; i++) {
            shards.get(config.single() ? 0 : ReplicaKey.shard("e" + i, replicas)).add(i);
        }
        NetworkSpec.Parallel parallel = new NetworkSpec.Parallel(replicas, Math.max(1, config.averageEvery()),
                1_000, NetworkSpec.Combine.valueOf(combine.toUpperCase(Locale.ROOT)), serverRate, config.momentum(),
                0);
        boolean[] correct = new boolean[n];
        Learner[] learners = new Learner[replicas];
        int rounds = 0;
        try {
            for (int r = 0; r < replicas; r++) {
                learners[r] = Learner.create(spec);
            }
            float[] global = learners[0].params();
            float[] velocity = new float[global.length];
            int[] next = new int[replicas];
            // the single learner is one replica whose round never ends
            int steps = config.single() ? Integer.MAX_VALUE : config.averageEvery();
            while (true) {
                long[] trained = new long[replicas];
                long total = 0;
                for (int r = 0; r < replicas; r++) {
                    List<Integer> shard = shards.get(r);
                    for (int s = 0; s < steps && next[r] < shard.size(); s++) {
                        int to = Math.min(shard.size(), next[r] + spec.batchSize());
                        step(learners[r], stream, shard.subList(next[r], to), correct);
                        trained[r] += to - next[r];
                        next[r] = to;
                    }
                    total += trained[r];
                }
                if (total == 0 || config.single()) {
                    break;
                }
                RoundCombiner combiner = new RoundCombiner(parallel, global, total, global.length);
                for (int r = 0; r < replicas; r++) {
                    combiner.add(learners[r].params(), trained[r]);
                }
                global = combiner.result(velocity);
                for (Learner learner : learners) {
                    learner.setParams(global);
                }
                rounds++;
            }
        } finally {
            for (Learner learner : learners) {
                if (learner != null) {
                    learner.close();
                }
            }
        }
        int last = 0;
        int all = 0;
        for (int i = 0; i < n; i++) {
            if (correct[i]) {
                all++;
                last += i >= n - window ? 1 : 0;
            }
        }
        return new Result(config, rounds, last / (double) window, all / (double) n,
                (System.nanoTime() - started) / 1e9);
    }

    /** Predicts a mini-batch, notes which predictions were right, then trains on it. */
    private static void step(Learner learner, List<LabeledExample> stream, List<Integer> batch, boolean[] correct) {
        float[][] features = new float[batch.size()][];
        Target[] targets = new Target[batch.size()];
        float[] weights = new float[batch.size()];
        for (int j = 0; j < batch.size(); j++) {
            LabeledExample e = stream.get(batch.get(j));
            features[j] = e.features();
            targets[j] = Target.ofClass(e.label());
            weights[j] = 1f;
        }
        Outputs outputs = learner.predict(features);
        for (int j = 0; j < batch.size(); j++) {
            correct[batch.get(j)] = outputs.predictedClass(j) == stream.get(batch.get(j)).label();
        }
        learner.train(features, targets, weights);
    }

    static ResultTable table(List<Result> results, String dataset, int size, int window, String spec, int batch,
            String combine, double serverRate, Machine machine) {
        ResultTable table = new ResultTable("rounds: one pass over " + dataset + " (" + size + " examples), "
                + "test-then-train, " + spec + " (batch " + batch + "), replicas in lockstep rounds, without Kafka",
                ResultTable.Column.text("configuration"),
                ResultTable.Column.number("replicas", "%.0f"),
                ResultTable.Column.number("K", "%.0f"),
                ResultTable.Column.number("serverMomentum", "%.2f"),
                ResultTable.Column.number("rounds", "%.0f"),
                ResultTable.Column.number("last " + window + " %", "%.2f"),
                ResultTable.Column.number("Δ vs single, pt", "%+.2f"),
                ResultTable.Column.number("whole pass %", "%.2f"));
        double single = results.stream().filter(r -> r.config().single()).mapToDouble(Result::windowAccuracy)
                .findFirst().orElse(Double.NaN);
        for (Result r : results) {
            Config c = r.config();
            table.row(c.label(), c.replicas(), c.single() ? null : c.averageEvery(),
                    c.single() ? null : c.momentum(), c.single() ? null : r.rounds(), 100 * r.windowAccuracy(),
                    c.single() ? null : 100 * (r.windowAccuracy() - single), 100 * r.accuracy());
        }
        table.note("Each replica takes the examples whose id (e<i>, as bench scale produces them) hashes to its shard "
                + "(ReplicaKey), predicts each mini-batch and then trains on it; after K steps of every replica, the "
                + "round's global version (the learner's RoundCombiner: combine " + combine + ", serverRate "
                + serverRate + ", the momentum as listed) replaces each replica's parameters; each keeps its "
                + "optimizer state. That is what the learner does with maxStaleSteps 0.");
        table.note("Last " + window + ": the last " + window + " examples of the stream, predicted before trained on. "
                + "Δ: points from the single learner. Deterministic: the same inputs give the same figures.");
        table.note("Without Kafka: no broker, transactions, round latency or partial mini-batches (bench scale "
                + "measures those on the broker).");
        table.note("Machine: " + machine);
        return table;
    }
}
