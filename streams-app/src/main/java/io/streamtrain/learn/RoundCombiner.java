package io.streamtrain.learn;

import java.util.Objects;

/**
 * How one round of data-parallel training ({@link NetworkSpec.Parallel}) makes the next global version of a model
 * from the last one and the replicas' contributions, as the spec's {@code combine}, {@code serverRate} and
 * {@code serverMomentum} say. The contributions are added one at a time, in replica order (so a round's result does
 * not depend on the order they came in, and only one is held at a time).
 *
 * <ul>
 *   <li>{@code average} at rate 1 without momentum: the contributions weighted by the examples each trained on.
 *   <li>Otherwise the round's change is each replica's parameters less the last global version, weighted by examples
 *       ({@code average}) or in full ({@code sum}); without momentum the next version is the last plus the change
 *       times the rate; with momentum β, the velocity becomes {@code v = β·v + change} and the next version is the last plus
 *       {@code rate · (change + β·v)} (Nesterov momentum on the rounds' changes).
 * </ul>
 *
 * Sums are kept in doubles and rounded to floats once.
 */
public final class RoundCombiner {

    private final NetworkSpec.Parallel parallel;
    private final float[] last;
    private final long totalExamples;
    private final double[] sum;

    /**
     * @param last          the last global version, or null when {@link #needsLast} says the combination does not use
     *                      it
     * @param totalExamples the examples of every contribution of the round together (above 0)
     * @param floats        the parameters of the model
     */
    public RoundCombiner(NetworkSpec.Parallel parallel, float[] last, long totalExamples, int floats) {
        this.parallel = Objects.requireNonNull(parallel, "parallel");
        if (totalExamples <= 0) {
            throw new IllegalArgumentException("a round to combine has examples, was " + totalExamples);
        }
        if (needsLast(parallel) && (last == null || last.length != floats)) {
            throw new IllegalArgumentException("this combination needs the last global version of " + floats
                    + " parameters");
        }
        this.last = needsLast(parallel) ? last : null;
        this.totalExamples = totalExamples;
        this.sum = new double[floats];
    }

    /**
     * Whether the combination starts from the last global version: all but {@code average} at rate 1 without
     * momentum.
     */
    public static boolean needsLast(NetworkSpec.Parallel parallel) {
        return parallel.combine() == NetworkSpec.Combine.SUM || parallel.serverRate() != 1.0
                || parallel.serverMomentum() > 0;
    }

    /** Adds a replica's contribution: its parameters after training on {@code examples} labeled examples (0: none). */
    public void add(float[] params, long examples) {
        if (examples == 0) {
            return;
        }
        if (params.length != sum.length) {
            throw new IllegalArgumentException("a contribution of " + params.length + " parameters to a round of "
                    + sum.length);
        }
        double w = parallel.combine() == NetworkSpec.Combine.SUM ? 1.0 : (double) examples / totalExamples;
        if (last == null) {
            for (int j = 0; j < sum.length; j++) {
                sum[j] += w * params[j];
            }
        } else {
            for (int j = 0; j < sum.length; j++) {
                sum[j] += w * ((double) params[j] - last[j]);
            }
        }
    }

    /**
     * The next global version. {@code velocity} is the server momentum's, updated in place: required when the spec
     * has a {@code serverMomentum}, and ignored without one.
     */
    public float[] result(float[] velocity) {
        float[] next = new float[sum.length];
        double momentum = parallel.serverMomentum();
        double rate = parallel.serverRate();
        if (last == null) {
            for (int j = 0; j < next.length; j++) {
                next[j] = (float) sum[j];
            }
        } else if (momentum > 0) {
            if (velocity == null || velocity.length != sum.length) {
                throw new IllegalArgumentException("server momentum needs a velocity of " + sum.length + " values");
            }
            for (int j = 0; j < next.length; j++) {
                double v = momentum * velocity[j] + sum[j];
                velocity[j] = (float) v;
                next[j] = (float) (last[j] + rate * (sum[j] + momentum * v));
            }
        } else {
            for (int j = 0; j < next.length; j++) {
                next[j] = (float) (last[j] + rate * sum[j]);
            }
        }
        return next;
    }
}
