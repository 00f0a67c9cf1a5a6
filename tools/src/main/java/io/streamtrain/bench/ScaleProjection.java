package io.streamtrain.bench;

/**
 * What {@code n} learner instances, each on cores of its own, would do with data-parallel training, projected from
 * figures measured on one machine. A projection, not a measurement: it assumes that an instance alone runs as fast as
 * the single learner measured here, and that the only costs of replication are the per-round work measured here, the
 * bytes that cross the broker's link, and the time a replica waits for a round: it trains on for at most
 * {@code maxStaleSteps} steps while one is open (0: synchronous averaging, it waits for the whole round trip).
 *
 * <p>Per instance, a round is {@code K·B} examples of training ({@code K} steps of batch {@code B}), taking
 * {@code t = K·B / X} at the single learner's rate {@code X}, plus the replica's own round work {@code c} (reading
 * out its parameters, cutting and encoding them, decoding the average and adopting it) and, on the instance that also
 * runs the averaging step, {@code n·a} for summing {@code n} contributions. The slowest instance sets the pace (the
 * stream's shards are the same size): {@code compute = n · X · t / (t + c + n·a)}.
 *
 * <p>Each round moves {@code 2n + 1} copies of the parameters ({@code P} bytes each) through the broker: {@code n}
 * contributions, {@code n} averages back, one snapshot. Per example that is {@code p(n) = (2n+1)·P / (n·K·B)}, on
 * top of the example's own {@code S} bytes. On one broker whose link carries {@code L} bytes/s in (replication factor
 * 1, as here), the stream can go no faster than {@code link = L / (S + p(n))}. The projection is
 * {@code min(compute, link)}.
 *
 * <p>A round cannot come back sooner than its round trip, {@code T(n) = T0 + (2n+1)·P / L}: {@code T0} as measured
 * here (a round's last contribution to its average: a commit, the averaging step, its commit) plus the copies on
 * the link. When {@code K} steps take less than that, the rounds are paced by {@code T(n)} instead: {@code 1 / T(n)}
 * rounds/s, more steps per round, fewer parameter bytes per example, and the link carries {@code (2n+1)·P / T(n)}
 * bytes/s of parameters, leaving {@code L - (2n+1)·P / T(n)} to the examples. That holds when a replica's
 * {@code W = maxStaleSteps} steps take at least {@code T(n)}; when they take {@code w = W·B / X < T(n)}, it waits
 * {@code T(n) - w} per round, a round is {@code k = max(K, W)} steps of each replica, and it comes every
 * {@code (k - W)·B / X + T(n) + c + n·a}: {@code compute = n·k·B} over that.
 *
 * @param singleRate       X, examples/s of the single learner (one instance, no replicas), measured
 * @param batch            B, the spec's mini-batch size
 * @param averageEvery     K, training steps between contributions
 * @param paramBytes       P, bytes of one copy of the parameters as written (record values), measured
 * @param exampleBytes     S, bytes of one example record value, measured
 * @param replicaRoundSeconds c, a replica's CPU seconds per round, measured in this JVM
 * @param averageSecondsPerContribution a, the averaging step's CPU seconds per contribution, measured in this JVM
 * @param roundTripSeconds T0, a round's last contribution to its average, measured on the broker here
 * @param maxStaleSteps    W, the steps a replica takes while a round is open (the spec's {@code maxStaleSteps})
 */
record ScaleProjection(double singleRate, int batch, int averageEvery, double paramBytes, double exampleBytes,
        double replicaRoundSeconds, double averageSecondsPerContribution, double roundTripSeconds,
        int maxStaleSteps) {

    /**
     * One projected cluster size on one link speed.
     *
     * @param stepsPerRound training steps of a replica per round: {@code K}, or more when rounds are paced by their
     *                      round trip
     */
    record Point(int instances, double linkBytesPerSecond, double computeRate, double linkRate, double rate,
            double paramBytesPerExample, double roundsPerSecond, double stepsPerRound, double linkShare,
            String bound) {
    }

    ScaleProjection {
        if (!(singleRate > 0) || batch < 1 || averageEvery < 1 || paramBytes < 0 || exampleBytes < 0
                || replicaRoundSeconds < 0 || averageSecondsPerContribution < 0 || !(roundTripSeconds >= 0)
                || maxStaleSteps < 0) {
            throw new IllegalArgumentException("a projection needs a positive rate, batch and averaging interval, "
                    + "and sizes and costs of 0 or more");
        }
    }

    /** Seconds of training per round on one instance: {@code K·B / X}. */
    double trainSecondsPerRound() {
        return averageEvery * (double) batch / singleRate;
    }

    /** Parameter bytes through the broker per example with {@code n} replicas: {@code (2n+1)·P / (n·K·B)}. */
    double paramBytesPerExample(int n) {
        if (n <= 1) {
            return 0;
        }
        return (2.0 * n + 1) * paramBytes / ((double) n * averageEvery * batch);
    }

    /** Seconds a round takes at the least with {@code n} replicas on a link of the given speed: {@code T(n)}. */
    double roundTripSeconds(int n, double linkBytesPerSecond) {
        return roundTripSeconds + (2.0 * n + 1) * paramBytes / linkBytesPerSecond;
    }

    /** The projection for {@code n} instances (one is the single learner itself) on a link of the given speed. */
    Point project(int n, double linkBytesPerSecond) {
        if (n < 1 || !(linkBytesPerSecond > 0)) {
            throw new IllegalArgumentException("instances must be at least 1 and the link speed positive");
        }
        if (n == 1) {
            double link = exampleBytes > 0 ? linkBytesPerSecond / exampleBytes : Double.POSITIVE_INFINITY;
            double rate = Math.min(singleRate, link);
            return new Point(1, linkBytesPerSecond, singleRate, link, rate, 0, 0, 0,
                    rate * exampleBytes / linkBytesPerSecond, singleRate <= link ? "compute" : "link");
        }
        double t = trainSecondsPerRound();
        double work = replicaRoundSeconds + n * averageSecondsPerContribution;
        double copyBytes = (2.0 * n + 1) * paramBytes;
        double trip = roundTripSeconds(n, linkBytesPerSecond);
        double stale = maxStaleSteps * (double) batch / singleRate;
        if (stale < trip) {
            // a replica waits for each round, what its stale steps do not cover: rounds of k steps, one per period
            double k = Math.max(averageEvery, maxStaleSteps);
            double period = (k - maxStaleSteps) * batch / singleRate + trip + work;
            double compute = n * k * batch / period;
            double perExample = copyBytes / (n * k * batch);
            double link = linkBytesPerSecond / (exampleBytes + perExample);
            double rate = Math.min(compute, link);
            double rounds = rate / (n * k * batch);
            return new Point(n, linkBytesPerSecond, compute, link, rate, perExample, rounds, k,
                    (rate * exampleBytes + copyBytes * rounds) / linkBytesPerSecond,
                    compute <= link ? "compute" : "link");
        }
        double compute = n * singleRate * t / (t + work);
        double examplesPerRound = (double) n * averageEvery * batch;
        // rounds every K steps
        double link = linkBytesPerSecond / (exampleBytes + paramBytesPerExample(n));
        double rate = Math.min(compute, link);
        double rounds = rate / examplesPerRound;
        if (rounds * trip > 1) {
            // the round trip paces the rounds: fewer of them, and fewer parameter bytes per example
            rounds = 1 / trip;
            link = exampleBytes > 0 ? Math.max(0, linkBytesPerSecond - copyBytes * rounds) / exampleBytes
                    : Double.POSITIVE_INFINITY;
            rate = Math.min(compute, link);
            rounds = Math.min(rounds, rate / examplesPerRound);
        }
        double perExample = rate > 0 ? copyBytes * rounds / rate : 0;
        double steps = rounds > 0 ? rate / (n * (double) batch * rounds) : 0;
        return new Point(n, linkBytesPerSecond, compute, link, rate, perExample, rounds, steps,
                (rate * exampleBytes + copyBytes * rounds) / linkBytesPerSecond, compute <= link ? "compute" : "link");
    }
}
