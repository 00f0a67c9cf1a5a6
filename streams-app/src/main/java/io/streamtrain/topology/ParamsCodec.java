package io.streamtrain.topology;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * A parameter vector as bytes and back: little-endian IEEE 754 floats, cut into chunks of at most a given number of
 * floats so that each fits a record (the params and global topics, the store).
 */
final class ParamsCodec {

    private ParamsCodec() {
    }

    /** How many chunks {@code floats} values take at {@code chunkFloats} a chunk; 1 for none. */
    static int chunks(int floats, int chunkFloats) {
        return Math.max(1, (floats + chunkFloats - 1) / chunkFloats);
    }

    /** The values cut into chunks of at most {@code chunkFloats}; one empty chunk for an empty vector. */
    static List<ByteBuffer> cut(float[] values, int chunkFloats) {
        int n = chunks(values.length, chunkFloats);
        List<ByteBuffer> chunks = new ArrayList<>(n);
        for (int c = 0; c < n; c++) {
            int from = c * chunkFloats;
            int to = Math.min(values.length, from + chunkFloats);
            ByteBuffer bytes = ByteBuffer.allocate(4 * (to - from)).order(ByteOrder.LITTLE_ENDIAN);
            bytes.asFloatBuffer().put(values, from, to - from);
            chunks.add(bytes);
        }
        return chunks;
    }

    /** The index (in the chunk) of the first NaN or infinity among a chunk's floats, or -1 when all are finite. */
    static int firstNonFinite(ByteBuffer data) {
        ByteBuffer bytes = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int n = bytes.remaining() / 4;
        int at = bytes.position();
        for (int i = 0; i < n; i++) {
            if (!Float.isFinite(bytes.getFloat(at + 4 * i))) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The vector of {@code floats} values whose chunks, in order, are {@code chunks}.
     *
     * @throws IllegalArgumentException when they do not add up to that many floats
     */
    static float[] join(List<ByteBuffer> chunks, int floats) {
        float[] values = new float[floats];
        int at = 0;
        for (ByteBuffer chunk : chunks) {
            ByteBuffer bytes = chunk.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            int n = bytes.remaining() / 4;
            if (bytes.remaining() % 4 != 0 || at + n > floats) {
                throw new IllegalArgumentException("chunks of " + (at + n) + "+ floats (" + bytes.remaining()
                        + " bytes in one) for a vector of " + floats);
            }
            bytes.asFloatBuffer().get(values, at, n);
            at += n;
        }
        if (at != floats) {
            throw new IllegalArgumentException("chunks of " + at + " floats for a vector of " + floats);
        }
        return values;
    }
}
