/**
 * Datasets to replay as streams: Fashion-MNIST from IDX files (shipped test set or a full installation), CSV files
 * with a label column, and a synthetic separable stream. Every {@link io.streamtrain.data.Dataset} gives the same
 * examples in the same order on each {@code stream()}, so that several learners see exactly the same stream.
 * No Kafka types here except the Avro {@code Example} an example converts to.
 */
package io.streamtrain.data;
