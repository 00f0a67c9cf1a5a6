package io.streamtrain.learn.baseline;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * How a baseline's learned state is written: a format byte ({@link #FORMAT}), the baseline's name, its sizes (ints)
 * and settings, then its numbers as the raw bits of each double, so that a NaN's bits come back as they were too.
 * Reading checks the format byte, the name and the sizes before it takes any number, and throws
 * {@link IllegalStateException} naming what does not match; bytes that end too soon throw
 * {@link java.io.EOFException}.
 */
final class BaselineState {

    /** The format of every baseline's state, first byte. */
    static final int FORMAT = 1;

    private BaselineState() {
    }

    /** The format byte and the name. */
    static void writeHeader(DataOutput out, String name) throws IOException {
        out.writeByte(FORMAT);
        out.writeUTF(name);
    }

    /** Checks the format byte and the name that {@link #writeHeader} wrote against {@code name}. */
    static void readHeader(DataInput in, String name) throws IOException {
        int format = in.readUnsignedByte();
        if (format != FORMAT) {
            throw new IllegalStateException(name + " state: format byte " + format + " is not supported (expected "
                    + FORMAT + "); it was written by another version of Streamtrain, or is not a baseline's state");
        }
        String written = in.readUTF();
        if (!written.equals(name)) {
            throw new IllegalStateException(name + " state: it is the state of a " + written + " baseline");
        }
    }

    /** Reads one size and checks it against this instance's. */
    static void readSize(DataInput in, String name, String what, int expected) throws IOException {
        int written = in.readInt();
        if (written != expected) {
            throw new IllegalStateException(name + " state: it was written with " + written + " " + what
                    + ", this one has " + expected);
        }
    }

    static void writeDouble(DataOutput out, double value) throws IOException {
        out.writeLong(Double.doubleToRawLongBits(value));
    }

    static double readDouble(DataInput in) throws IOException {
        return Double.longBitsToDouble(in.readLong());
    }

    static void writeDoubles(DataOutput out, double[] values) throws IOException {
        for (double v : values) {
            writeDouble(out, v);
        }
    }

    /** {@code n} doubles, into a new array so that a state that ends too soon leaves the baseline as it was. */
    static double[] readDoubles(DataInput in, int n) throws IOException {
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = readDouble(in);
        }
        return values;
    }
}
