package io.streamtrain.learn.drift;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.zip.CRC32;

/**
 * How a detector's state is framed: a tag byte that says which detector it is ({@code 'P'} Page-Hinkley,
 * {@code 'A'} Adwin), a format version byte, the length of the body (int), the body (the detector's own fields) and a
 * CRC-32 of all that. Reading checks each part, so that damaged bytes are refused rather than read as a detector that
 * is quietly wrong: an unknown tag or version, an impossible length, a checksum that does not match or a body that does
 * not hold a detector's state throw {@link IllegalStateException}; bytes that end too soon throw
 * {@link EOFException}. Exactly the detector's bytes are read, so other data may follow them.
 */
final class StateFormat {

    static final byte PAGE_HINKLEY = 'P';
    static final byte ADWIN = 'A';
    static final byte VERSION = 1;
    /** Far above the largest body (Adwin's: 5 buckets of 16 bytes in each of at most 63 rows, and a few fields). */
    static final int MAX_BODY_BYTES = 1 << 16;

    private StateFormat() {
    }

    /** Writes one detector's framed state; {@code body} writes its own fields. */
    static void write(DataOutput out, byte tag, BodyWriter body) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        body.write(new DataOutputStream(bytes));
        byte[] data = bytes.toByteArray();
        out.writeByte(tag);
        out.writeByte(VERSION);
        out.writeInt(data.length);
        out.write(data);
        out.writeInt(checksum(tag, VERSION, data));
    }

    static DriftDetector read(DataInput in) throws IOException {
        int tag = in.readUnsignedByte();
        if (tag != PAGE_HINKLEY && tag != ADWIN) {
            throw new IllegalStateException(String.format("not a drift detector's state: it starts with 0x%02x, which"
                    + " is neither page-hinkley's tag 0x%02x nor adwin's 0x%02x", tag, PAGE_HINKLEY, ADWIN));
        }
        String name = tag == PAGE_HINKLEY ? PageHinkley.NAME : Adwin.NAME;
        int version = in.readUnsignedByte();
        if (version != VERSION) {
            throw new IllegalStateException(name + " state format " + version + " is not supported (expected "
                    + VERSION + "); it was written by another version of Streamtrain, or damaged");
        }
        int length = in.readInt();
        if (length < 0 || length > MAX_BODY_BYTES) {
            throw new IllegalStateException(name + " state says its body has " + length
                    + " bytes, which is not between 0 and " + MAX_BODY_BYTES + ": damaged");
        }
        byte[] data = new byte[length];
        in.readFully(data);
        int expected = in.readInt();
        if (checksum((byte) tag, (byte) version, data) != expected) {
            throw new IllegalStateException(name + " state is damaged: its CRC-32 does not match its bytes");
        }
        DataInputStream body = new DataInputStream(new ByteArrayInputStream(data));
        DriftDetector detector;
        try {
            detector = tag == PAGE_HINKLEY ? PageHinkley.readBody(body) : Adwin.readBody(body);
        } catch (EOFException e) {
            throw new IllegalStateException(name + " state's body of " + length + " bytes ends too soon", e);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(name + " state holds invalid settings: " + e.getMessage(), e);
        }
        if (body.available() > 0) {
            throw new IllegalStateException(name + " state's body has " + body.available() + " bytes too many");
        }
        return detector;
    }

    /** Refuses a state whose fields do not hold together. */
    static void require(boolean holds, String detector, String problem) {
        if (!holds) {
            throw new IllegalStateException(detector + " state is not valid: " + problem);
        }
    }

    private static int checksum(byte tag, byte version, byte[] body) {
        CRC32 crc = new CRC32();
        crc.update(tag);
        crc.update(version);
        crc.update(body.length >>> 24);
        crc.update(body.length >>> 16);
        crc.update(body.length >>> 8);
        crc.update(body.length);
        crc.update(body);
        return (int) crc.getValue();
    }

    /** Writes a detector's own fields. */
    interface BodyWriter {
        void write(DataOutput out) throws IOException;
    }
}
