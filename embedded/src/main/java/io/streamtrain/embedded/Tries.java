package io.streamtrain.embedded;

import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Runs a property over generated inputs; the property tests of every module use it. The seed is fixed, so a run is
 * repeatable and CI deterministic; a longer or different run is a system property away:
 * {@code -Dstreamtrain.properties.tries=100000} and {@code -Dstreamtrain.properties.seed=7} (Surefire passes both on
 * to the test JVM). Each try draws from its own random source, split from the seed's. A failure names the try and
 * the seed and shows the input; each try returns what it saw, e.g. "rejected invalid-value", and the tally of those
 * is printed at the end.
 */
public final class Tries {

    public static final String TRIES_PROPERTY = "streamtrain.properties.tries";
    public static final String SEED_PROPERTY = "streamtrain.properties.seed";
    private static final int DEFAULT_TRIES = 1000;
    private static final long DEFAULT_SEED = 20_261_204L;

    private Tries() {
    }

    /** How many tries each property runs. */
    public static int count() {
        return count(DEFAULT_TRIES);
    }

    /** How many tries a property whose own default is {@code defaultTries} runs. */
    public static int count(int defaultTries) {
        return Integer.getInteger(TRIES_PROPERTY, defaultTries);
    }

    /** A property: checks one input (throwing when it does not hold) and says what it saw, for the tally. */
    public interface Check<T> {
        String check(T input);
    }

    /**
     * Runs {@code check} on {@link #count()} inputs from {@code generate}.
     *
     * @return the tally: how many tries saw what
     */
    public static <T> Map<String, Integer> run(String name, Function<SplittableRandom, T> generate, Check<T> check) {
        return run(name, DEFAULT_TRIES, generate, check);
    }

    /** As {@link #run(String, Function, Check)}, for a property whose tries are costly: its own default count. */
    public static <T> Map<String, Integer> run(String name, int defaultTries, Function<SplittableRandom, T> generate,
            Check<T> check) {
        long seed = Long.getLong(SEED_PROPERTY, DEFAULT_SEED);
        int tries = count(defaultTries);
        SplittableRandom seeds = new SplittableRandom(seed);
        Map<String, Integer> tally = new TreeMap<>();
        for (int i = 1; i <= tries; i++) {
            T input = generate.apply(seeds.split());
            String outcome;
            try {
                outcome = check.check(input);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError(name + " does not hold at try " + i + " of " + tries + " (seed " + seed
                        + ", -D" + SEED_PROPERTY + "=" + seed + " -D" + TRIES_PROPERTY + "=" + i + " repeats it)"
                        + " for " + input, e);
            }
            tally.merge(outcome, 1, Integer::sum);
        }
        print(name, tries, seed, tally);
        return tally;
    }

    private static void print(String name, int tries, long seed, Map<String, Integer> tally) {
        StringBuilder out = new StringBuilder(name).append(": ").append(tries).append(" tries, seed ").append(seed)
                .append('\n');
        Map<String, Integer> byOutcome = new TreeMap<>();
        tally.forEach((seen, n) -> byOutcome.merge(seen.split(" · ")[0], n, Integer::sum));
        byOutcome.forEach((outcome, n) -> out.append(String.format("  %6d  %s%n", n, outcome)));
        if (!byOutcome.keySet().equals(tally.keySet())) {
            out.append("  by the kind of input at fault:\n");
            tally.forEach((seen, n) -> out.append(String.format("  %6d  %s%n", n, seen)));
        }
        System.out.print(out);
    }
}
