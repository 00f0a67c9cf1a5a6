package io.streamtrain.snapshot;

/** Where a learner reads a kept snapshot's zip back from (the models topic), to roll a model back to it. */
@FunctionalInterface
public interface SnapshotSource {

    /**
     * The zip of a version of a model.
     *
     * @throws SnapshotException when it cannot be read, naming why
     */
    byte[] zip(String model, long version);
}
