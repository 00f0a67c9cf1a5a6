package io.streamtrain.data;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Writes tiny IDX files for the tests. */
final class IdxFiles {

    private IdxFiles() {
    }

    /** An unsigned-byte IDX file: {@code items} of the given shape, values as given (row-major). */
    static Path ubyte(Path file, boolean gzip, int[] dimensions, int[] values) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(0x0800 | dimensions.length);
            for (int d : dimensions) {
                out.writeInt(d);
            }
            for (int v : values) {
                out.writeByte(v);
            }
        }
        write(file, gzip, bytes.toByteArray());
        return file;
    }

    static void write(Path file, boolean gzip, byte[] content) throws IOException {
        try (OutputStream raw = Files.newOutputStream(file);
                OutputStream out = gzip ? new GZIPOutputStream(raw) : raw) {
            out.write(content);
        }
    }
}
