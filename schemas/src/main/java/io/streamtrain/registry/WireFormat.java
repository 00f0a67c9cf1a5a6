package io.streamtrain.registry;

import java.io.ByteArrayOutputStream;

/**
 * The Confluent wire format: magic byte 0, the schema id as a 4-byte big-endian int, then the
 * Avro binary encoding of the record.
 */
final class WireFormat {

    static final byte MAGIC_BYTE = 0;
    static final int HEADER_SIZE = 5;

    private WireFormat() {
    }

    static void writeHeader(ByteArrayOutputStream out, int schemaId) {
        out.write(MAGIC_BYTE);
        out.write(schemaId >>> 24);
        out.write(schemaId >>> 16);
        out.write(schemaId >>> 8);
        out.write(schemaId);
    }

    /**
     * The schema id of a framed payload.
     *
     * @throws WireFormatException when the payload is too short or does not start with the magic byte
     */
    static int schemaId(String topic, byte[] payload) {
        if (payload.length < HEADER_SIZE) {
            throw new WireFormatException(topic, "payload is " + payload.length + (payload.length == 1 ? " byte" : " bytes")
                    + ", shorter than the " + HEADER_SIZE + "-byte header (magic byte and schema id)");
        }
        if (payload[0] != MAGIC_BYTE) {
            throw new WireFormatException(topic, String.format(
                    "bad magic byte 0x%02X, expected 0x00: not Confluent wire format (written by a plain Avro,"
                            + " JSON or string serializer?)", payload[0] & 0xFF));
        }
        return ((payload[1] & 0xFF) << 24) | ((payload[2] & 0xFF) << 16) | ((payload[3] & 0xFF) << 8)
                | (payload[4] & 0xFF);
    }
}
