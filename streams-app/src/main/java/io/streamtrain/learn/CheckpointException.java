package io.streamtrain.learn;

/**
 * A checkpoint that cannot be restored into a network: corrupt, of an unknown format version, or written for a
 * different architecture.
 */
public class CheckpointException extends RuntimeException {

    public CheckpointException(String message) {
        super(message);
    }
}
