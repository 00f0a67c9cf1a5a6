package io.streamtrain.app;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.streamtrain.avro.ClassLabel;
import io.streamtrain.avro.Example;

/**
 * A reproducible, linearly separable two-class stream: label 1 when {@code w·x > 0} for a fixed random {@code w}.
 * A fraction of the examples comes without a label (predict only).
 */
final class SeparableStream {

    private final Random random;
    private final float[] weights;
    private final double unlabeledFraction;
    private long next;

    SeparableStream(long seed, int features, double unlabeledFraction) {
        this.random = new Random(seed);
        this.weights = new float[features];
        for (int i = 0; i < features; i++) {
            weights[i] = (float) random.nextGaussian();
        }
        this.unlabeledFraction = unlabeledFraction;
    }

    Example next(String model) {
        List<Float> x = new ArrayList<>(weights.length);
        double dot = 0;
        for (float w : weights) {
            float v = (float) random.nextGaussian();
            x.add(v);
            dot += w * v;
        }
        boolean labeled = random.nextDouble() >= unlabeledFraction;
        return Example.newBuilder()
                .setId(model + "-" + next++)
                .setModel(model)
                .setFeatures(x)
                .setLabel(labeled ? ClassLabel.newBuilder().setIndex(dot > 0 ? 1 : 0).build() : null)
                // now, not a fixed past date: predictions carry the event time, and the broker's retention would
                // delete records stamped older than retention.ms while the test still reads them
                .setEventTime(Instant.now())
                .build();
    }
}
