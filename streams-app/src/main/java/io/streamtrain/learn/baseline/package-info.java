/**
 * Shallow baselines that race the network on the same stream, test-then-train: the majority class
 * ({@link io.streamtrain.learn.baseline.MajorityClass}), multinomial logistic regression
 * ({@link io.streamtrain.learn.baseline.SoftmaxRegression}) and Gaussian naive Bayes
 * ({@link io.streamtrain.learn.baseline.GaussianNaiveBayes}); each contender's recent loss and accuracy
 * ({@link io.streamtrain.learn.baseline.FadingScore}); and the race itself
 * ({@link io.streamtrain.learn.baseline.Race}), which trains the baselines, scores everyone and says which contender is
 * champion.
 *
 * <p>Nothing here knows Kafka or DL4J. Everything is deterministic (no randomness, no clock), not thread-safe, and
 * writes its whole state to a {@link java.io.DataOutput} so that a checkpoint can carry it and a restart goes on
 * bit for bit.
 */
package io.streamtrain.learn.baseline;
