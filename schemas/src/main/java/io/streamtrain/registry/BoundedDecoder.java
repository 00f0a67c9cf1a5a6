package io.streamtrain.registry;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;

import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.Decoder;
import org.apache.avro.util.Utf8;

/**
 * A binary decoder over one payload that refuses a length the payload cannot hold. Avro allocates a string, a byte
 * array or a collection as large as the length its bytes claim before it reads the content, so a few bytes claiming
 * two billion array items or a 2 GB string throw {@link OutOfMemoryError} (and so kill a stream thread or a Connect
 * task) instead of a clean error. Here a string or bytes longer than the bytes left, or a block of more collection
 * items than bytes left (every item but a null or an empty record takes at least one byte), raises
 * {@link EOFException}, as a body cut short does, before anything is allocated; a negative length raises
 * {@link IOException}.
 */
final class BoundedDecoder extends Decoder {

    private final BinaryDecoder in;

    BoundedDecoder(BinaryDecoder in) {
        this.in = in;
    }

    private long remaining() throws IOException {
        return in.inputStream().available();
    }

    private int length(long claimed, String what) throws IOException {
        if (claimed < 0) {
            throw new IOException(what + " of negative length " + claimed);
        }
        long left = remaining();
        if (claimed > left) {
            throw new EOFException(what + " of " + claimed + " bytes, but only " + left + " bytes are left");
        }
        return (int) claimed;
    }

    private long items(long claimed, String what) throws IOException {
        long left = remaining();
        if (claimed > left) {
            throw new EOFException(what + " of " + claimed + " items, but only " + left + " bytes are left");
        }
        return claimed;
    }

    @Override
    public Utf8 readString(Utf8 old) throws IOException {
        int length = length(in.readLong(), "a string");
        Utf8 result = old != null ? old : new Utf8();
        result.setByteLength(length);
        in.readFixed(result.getBytes(), 0, length);
        return result;
    }

    @Override
    public String readString() throws IOException {
        return readString(null).toString();
    }

    @Override
    public ByteBuffer readBytes(ByteBuffer old) throws IOException {
        int length = length(in.readLong(), "a bytes value");
        ByteBuffer result = old != null && old.capacity() >= length ? old : ByteBuffer.allocate(length);
        result.clear();
        in.readFixed(result.array(), result.arrayOffset(), length);
        result.limit(length);
        return result;
    }

    @Override
    public long readArrayStart() throws IOException {
        return items(in.readArrayStart(), "an array block");
    }

    @Override
    public long arrayNext() throws IOException {
        return items(in.arrayNext(), "an array block");
    }

    @Override
    public long skipArray() throws IOException {
        return items(in.skipArray(), "an array block");
    }

    @Override
    public long readMapStart() throws IOException {
        return items(in.readMapStart(), "a map block");
    }

    @Override
    public long mapNext() throws IOException {
        return items(in.mapNext(), "a map block");
    }

    @Override
    public long skipMap() throws IOException {
        return items(in.skipMap(), "a map block");
    }

    @Override
    public void readFixed(byte[] bytes, int start, int length) throws IOException {
        in.readFixed(bytes, start, length);
    }

    @Override
    public void skipFixed(int length) throws IOException {
        in.skipFixed(length);
    }

    @Override
    public void skipString() throws IOException {
        in.skipString();
    }

    @Override
    public void skipBytes() throws IOException {
        in.skipBytes();
    }

    @Override
    public void readNull() throws IOException {
        in.readNull();
    }

    @Override
    public boolean readBoolean() throws IOException {
        return in.readBoolean();
    }

    @Override
    public int readInt() throws IOException {
        return in.readInt();
    }

    @Override
    public long readLong() throws IOException {
        return in.readLong();
    }

    @Override
    public float readFloat() throws IOException {
        return in.readFloat();
    }

    @Override
    public double readDouble() throws IOException {
        return in.readDouble();
    }

    @Override
    public int readEnum() throws IOException {
        return in.readEnum();
    }

    @Override
    public int readIndex() throws IOException {
        return in.readIndex();
    }
}
