/**
 * The learning core: a network spec in a deep-learning user's words ({@link io.streamtrain.learn.NetworkSpec}),
 * the DL4J network built from it, one model's predict / score / train step and its checkpoint
 * ({@link io.streamtrain.learn.Learner}), the checks an example passes before it is trained on
 * ({@link io.streamtrain.learn.ExampleCheck}) and test-then-train scoring
 * ({@link io.streamtrain.learn.PrequentialScore}).
 *
 * <p>Nothing here knows Kafka, so that it can be unit-tested and benchmarked alone. A {@code Learner} is not
 * thread-safe: confine each one to one thread (ND4J workspaces are per thread, too).
 */
package io.streamtrain.learn;
