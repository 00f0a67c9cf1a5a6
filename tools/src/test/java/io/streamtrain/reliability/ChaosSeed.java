package io.streamtrain.reliability;

import java.security.SecureRandom;

/**
 * The seed of a crash campaign in a test: {@code -Dstreamtrain.chaos.seed=N} to repeat one, else a new one each run
 * (so that CI tries other fault points over time), printed so that a failure can be replayed.
 */
final class ChaosSeed {

    static final String PROPERTY = "streamtrain.chaos.seed";

    private ChaosSeed() {
    }

    static long pick(String test) {
        String given = System.getProperty(PROPERTY);
        long seed = given != null && !given.isBlank() ? Long.parseLong(given.trim())
                : new SecureRandom().nextLong() & Long.MAX_VALUE;
        System.out.printf("%s: seed %d (repeat with -D%s=%d)%n", test, seed, PROPERTY, seed);
        return seed;
    }
}
