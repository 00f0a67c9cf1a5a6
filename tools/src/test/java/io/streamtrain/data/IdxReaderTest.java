package io.streamtrain.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdxReaderTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void readsItemsOfAPlainOrGzipFileWhateverItsName(boolean gzip) throws IOException {
        Path file = IdxFiles.ubyte(dir.resolve("images.bin"), gzip, new int[] {2, 2, 3},
                new int[] {0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255});
        try (IdxReader reader = IdxReader.open(file)) {
            assertThat(reader.valueType()).isEqualTo(IdxReader.ValueType.UNSIGNED_BYTE);
            assertThat(reader.dimensions()).containsExactly(2, 2, 3);
            assertThat(reader.itemCount()).isEqualTo(2);
            assertThat(reader.itemSize()).isEqualTo(6);
            float[] item = new float[6];
            reader.next(item);
            assertThat(item).containsExactly(0, 1, 2, 3, 4, 5);
            reader.next(item);
            assertThat(item).containsExactly(250, 251, 252, 253, 254, 255);
            assertThat(reader.hasNext()).isFalse();
        }
    }

    @Test
    void readsFloatValuesBigEndian() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(0x0D02);
            out.writeInt(1);
            out.writeInt(2);
            out.writeFloat(-1.5f);
            out.writeFloat(3.25f);
        }
        Path file = dir.resolve("floats.idx");
        IdxFiles.write(file, false, bytes.toByteArray());
        try (IdxReader reader = IdxReader.open(file)) {
            float[] item = new float[2];
            reader.next(item);
            assertThat(item).containsExactly(-1.5f, 3.25f);
        }
    }

    @Test
    void aFileWithoutTheIdxMagicIsRefusedNamingIt() throws IOException {
        Path file = dir.resolve("not-idx.gz");
        IdxFiles.write(file, true, "hello, world".getBytes());
        assertThatThrownBy(() -> IdxReader.open(file)).isInstanceOf(DatasetFormatException.class)
                .hasMessageContaining("not-idx.gz").hasMessageContaining("not an IDX file");
    }

    @Test
    void anUnknownValueTypeIsRefused() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(0x0701);
            out.writeInt(0);
        }
        Path file = dir.resolve("type7.idx");
        IdxFiles.write(file, false, bytes.toByteArray());
        assertThatThrownBy(() -> IdxReader.open(file)).isInstanceOf(DatasetFormatException.class)
                .hasMessageContaining("0x07");
    }

    @Test
    void aTruncatedFileFailsAtTheItemWhereItEnds() throws IOException {
        Path file = IdxFiles.ubyte(dir.resolve("short.idx"), false, new int[] {3, 2}, new int[] {1, 2, 3, 4, 5});
        try (IdxReader reader = IdxReader.open(file)) {
            float[] item = new float[2];
            reader.next(item);
            reader.next(item);
            assertThatThrownBy(() -> reader.next(item)).isInstanceOf(DatasetFormatException.class)
                    .hasMessageContaining("truncated").hasMessageContaining("3 items").hasMessageContaining("item 2");
        }
    }

    @Test
    void readingPastTheLastItemIsAnError() throws IOException {
        Path file = IdxFiles.ubyte(dir.resolve("one.idx"), false, new int[] {1}, new int[] {7});
        try (IdxReader reader = IdxReader.open(file)) {
            float[] item = new float[1];
            reader.next(item);
            assertThat(item[0]).isEqualTo(7f);
            assertThatThrownBy(() -> reader.next(item)).isInstanceOf(IllegalStateException.class);
        }
    }
}
