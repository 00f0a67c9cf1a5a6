package io.streamtrain.snapshot;

/** A snapshot that cannot be read: the topic, the model or the version is not there, or the cluster did not answer. */
public final class SnapshotException extends RuntimeException {

    public SnapshotException(String message) {
        super(message);
    }

    public SnapshotException(String message, Throwable cause) {
        super(message, cause);
    }
}
