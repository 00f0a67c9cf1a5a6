package io.streamtrain.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * Reads an IDX file, the format of MNIST and Fashion-MNIST: a magic number (two zero bytes, the data type, the number
 * of dimensions), the size of each dimension (big-endian int32), then the values, big-endian, row-major. The first
 * dimension counts the items; an item is all the values of the other dimensions (a 28x28 image, or one label).
 * Gzip-compressed files are recognised by their first bytes, whatever their name.
 *
 * <p>Values are returned as they are stored (no scaling). Not thread-safe.
 */
public final class IdxReader implements AutoCloseable {

    /** The value types of the IDX format, by their type code. */
    public enum ValueType {
        UNSIGNED_BYTE(0x08, 1), SIGNED_BYTE(0x09, 1), SHORT(0x0B, 2), INT(0x0C, 4), FLOAT(0x0D, 4), DOUBLE(0x0E, 8);

        private final int code;
        private final int bytes;

        ValueType(int code, int bytes) {
            this.code = code;
            this.bytes = bytes;
        }

        static ValueType of(int code) {
            for (ValueType t : values()) {
                if (t.code == code) {
                    return t;
                }
            }
            return null;
        }

        /** Bytes per value. */
        public int bytes() {
            return bytes;
        }
    }

    private final String source;
    private final DataInputStream in;
    private final ValueType type;
    private final int[] dimensions;
    private final int itemSize;
    private final byte[] buffer;
    private int read;

    private IdxReader(InputStream raw, String source) throws IOException {
        this.source = source;
        this.in = new DataInputStream(decompressed(raw));
        int magic;
        try {
            magic = in.readInt();
        } catch (EOFException e) {
            throw new DatasetFormatException(source + ": not an IDX file (shorter than its 4-byte magic number)");
        }
        if ((magic >>> 16) != 0) {
            throw new DatasetFormatException(String.format("%s: not an IDX file (magic number %08x does not start"
                    + " with two zero bytes)", source, magic));
        }
        this.type = ValueType.of((magic >>> 8) & 0xff);
        if (type == null) {
            throw new DatasetFormatException(String.format("%s: unknown IDX value type 0x%02x (known: %s)", source,
                    (magic >>> 8) & 0xff, Arrays.toString(ValueType.values())));
        }
        int rank = magic & 0xff;
        if (rank < 1) {
            throw new DatasetFormatException(source + ": an IDX file needs at least one dimension, this one has 0");
        }
        this.dimensions = new int[rank];
        long size = 1;
        for (int i = 0; i < rank; i++) {
            try {
                dimensions[i] = in.readInt();
            } catch (EOFException e) {
                throw new DatasetFormatException(source + ": truncated IDX header (dimension " + i + " of " + rank
                        + " missing)");
            }
            if (dimensions[i] < 0) {
                throw new DatasetFormatException(source + ": negative size " + dimensions[i] + " of dimension " + i);
            }
            if (i > 0) {
                size *= dimensions[i];
            }
        }
        if (size * type.bytes > Integer.MAX_VALUE - 8) {
            throw new DatasetFormatException(source + ": items of " + size + " values are too large");
        }
        this.itemSize = (int) size;
        this.buffer = new byte[itemSize * type.bytes];
    }

    /** Opens a file, plain or gzip-compressed. */
    public static IdxReader open(Path file) {
        try {
            return open(Files.newInputStream(file), file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read IDX file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Opens a file or a class-path resource by its URL. */
    public static IdxReader open(URL url) {
        try {
            return open(url.openStream(), url.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read IDX file " + url + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads the header of a stream, which this reader owns from now on.
     *
     * @param source names the stream in error messages
     */
    public static IdxReader open(InputStream in, String source) throws IOException {
        try {
            return new IdxReader(in, source);
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    private static InputStream decompressed(InputStream raw) throws IOException {
        BufferedInputStream in = new BufferedInputStream(raw, 1 << 16);
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        return b0 == 0x1f && b1 == 0x8b ? new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16) : in;
    }

    public ValueType valueType() {
        return type;
    }

    /** The size of each dimension, the first being the number of items. */
    public int[] dimensions() {
        return dimensions.clone();
    }

    /** The number of items (the first dimension). */
    public int itemCount() {
        return dimensions[0];
    }

    /** Values per item: the product of the dimensions after the first (1 for a file of labels). */
    public int itemSize() {
        return itemSize;
    }

    /** Whether an item is left to read. */
    public boolean hasNext() {
        return read < dimensions[0];
    }

    /**
     * Reads the next item into {@code values} ({@link #itemSize()} of them).
     *
     * @throws DatasetFormatException when the file ends before the item does
     */
    public void next(float[] values) {
        readRaw();
        ByteBuffer b = ByteBuffer.wrap(buffer);
        for (int i = 0; i < itemSize; i++) {
            values[i] = switch (type) {
                case UNSIGNED_BYTE -> buffer[i] & 0xff;
                case SIGNED_BYTE -> buffer[i];
                case SHORT -> b.getShort();
                case INT -> b.getInt();
                case FLOAT -> b.getFloat();
                case DOUBLE -> (float) b.getDouble();
            };
        }
    }

    /** Reads the next item of an unsigned-byte file as values 0..255. */
    public void nextUnsignedBytes(int[] values) {
        if (type != ValueType.UNSIGNED_BYTE) {
            throw new IllegalStateException(source + " holds " + type + " values, not unsigned bytes");
        }
        readRaw();
        for (int i = 0; i < itemSize; i++) {
            values[i] = buffer[i] & 0xff;
        }
    }

    private void readRaw() {
        if (!hasNext()) {
            throw new IllegalStateException(source + ": all " + dimensions[0] + " items were read");
        }
        try {
            in.readFully(buffer);
        } catch (EOFException e) {
            throw new DatasetFormatException(source + ": truncated: the header announces " + dimensions[0]
                    + " items, but the file ends in item " + read);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + source + ": " + e.getMessage(), e);
        }
        read++;
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close " + source, e);
        }
    }

    @Override
    public String toString() {
        return "IdxReader[" + source + ", " + type + " " + Arrays.toString(dimensions) + "]";
    }
}
