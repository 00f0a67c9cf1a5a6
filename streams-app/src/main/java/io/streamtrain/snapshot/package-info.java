/**
 * Model snapshots on the models topic: how a model's zip is cut into records ({@link
 * io.streamtrain.snapshot.SnapshotChunks}), keyed ({@link io.streamtrain.snapshot.SnapshotKey}) and read back from
 * any cluster ({@link io.streamtrain.snapshot.SnapshotReader}).
 */
package io.streamtrain.snapshot;
