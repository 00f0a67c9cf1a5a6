package io.streamtrain.topology;

import org.apache.kafka.streams.errors.StreamsException;

/**
 * The learner cannot go on: something that is not a record's fault failed (the state store, the network, a bug),
 * and going on would lose or repeat training. Its message says where: the record (topic, partition, offset) or the
 * model's timed step. Bad input never raises it: it is rejected to the errors topic instead.
 */
public final class LearnerStoppedException extends StreamsException {

    private static final long serialVersionUID = 1L;

    public LearnerStoppedException(String message, Throwable cause) {
        super(message, cause);
    }
}
