/**
 * Concept-drift detectors: each watches a stream of values, such as a model's per-example error (0 or 1) or its
 * loss, and says when their mean has gone up, i.e. when the model has got worse. {@link
 * io.streamtrain.learn.drift.PageHinkley} is the Page-Hinkley test; {@link io.streamtrain.learn.drift.Adwin} keeps an
 * adaptive window (ADWIN2). A drop of the mean (the model getting better) is never reported.
 *
 * <p>Nothing here knows Kafka. The detectors are deterministic (no randomness, no clock), small (Page-Hinkley a few
 * numbers, Adwin a number of buckets logarithmic in its window), not thread-safe, and write their whole state to a
 * {@link java.io.DataOutput} so that a checkpoint can carry them.
 */
package io.streamtrain.learn.drift;
