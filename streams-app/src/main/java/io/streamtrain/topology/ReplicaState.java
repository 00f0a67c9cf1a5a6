package io.streamtrain.topology;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * What a replica of a model trained by several ({@link Replicas}) keeps in its meta record, beside the model's own
 * state: the global version it adopted, whether its contribution to the next round is in flight, what it trained
 * since its last contribution (the weight of the next), and how much of an incoming global it has. The parameters
 * its changes are measured from (the reference: the last global it adopted, or its last contribution) are in the
 * store in chunks.
 */
final class ReplicaState {

    /** The global version adopted: 0 until the first round's average (every replica starts from the same network). */
    long globalVersion;
    /** The replica's own version (its training steps) when it adopted {@link #globalVersion}. */
    long stepsAtAdoption;
    /** Its contribution to round {@code globalVersion + 1} is written, and the round's global has not come back. */
    boolean pending;
    /** Labeled examples trained on since the last contribution: the weight of the next. */
    long examplesSinceContribution;
    /** Training steps since the last contribution. */
    long stepsSinceContribution;
    /** When it last contributed or adopted (wall clock): after the spec's {@code maxWaitMs} it contributes anyway. */
    long lastExchangeMs;
    /** Chunks of the reference parameters in the store; 0 before the first are written. */
    int referenceChunks;
    /** The global version whose chunks are arriving; -1 when none is. */
    long incomingVersion = -1;
    /** Chunks of it that have arrived. */
    int incomingReceived;

    /** The training steps taken since the global version was adopted, at the replica's {@code version}. */
    long localSteps(long version) {
        return version - stepsAtAdoption;
    }

    void write(DataOutputStream out) throws IOException {
        out.writeLong(globalVersion);
        out.writeLong(stepsAtAdoption);
        out.writeBoolean(pending);
        out.writeLong(examplesSinceContribution);
        out.writeLong(stepsSinceContribution);
        out.writeLong(lastExchangeMs);
        out.writeInt(referenceChunks);
        out.writeLong(incomingVersion);
        out.writeInt(incomingReceived);
    }

    static ReplicaState read(DataInputStream in) throws IOException {
        ReplicaState s = new ReplicaState();
        s.globalVersion = in.readLong();
        s.stepsAtAdoption = in.readLong();
        s.pending = in.readBoolean();
        s.examplesSinceContribution = in.readLong();
        s.stepsSinceContribution = in.readLong();
        s.lastExchangeMs = in.readLong();
        s.referenceChunks = in.readInt();
        s.incomingVersion = in.readLong();
        s.incomingReceived = in.readInt();
        return s;
    }
}
