package io.streamtrain.snapshot;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import io.streamtrain.avro.ModelSnapshot;

/**
 * Cuts a model's zip into {@link ModelSnapshot} chunks that each fit a record, and puts chunks back together into the
 * zip, checking that none is missing, that they describe the same snapshot and that the zip's SHA-256 matches.
 */
public final class SnapshotChunks {

    /** What a snapshot says about its model, apart from the zip. */
    public record Description(String model, long version, long examplesTrained, Instant createdAt, String trigger,
            String spec, long labeled, Double prequentialLoss, Double prequentialAccuracy, Double prequentialMae,
            Double prequentialRmse) {
    }

    /** What a snapshot's chunks are once put together: the format the learner writes. */
    public static final String FORMAT = "dl4j-model-serializer-zip";

    private SnapshotChunks() {
    }

    /**
     * The chunks of {@code zip}, each holding at most {@code chunkBytes} of it (at least one chunk, even for an empty
     * zip).
     */
    public static List<ModelSnapshot> cut(Description d, byte[] zip, int chunkBytes) {
        if (chunkBytes < 1) {
            throw new IllegalArgumentException("chunkBytes must be positive, was " + chunkBytes);
        }
        int chunks = Math.max(1, (int) ((zip.length + (long) chunkBytes - 1) / chunkBytes));
        String sha256 = sha256(zip);
        List<ModelSnapshot> out = new ArrayList<>(chunks);
        for (int c = 0; c < chunks; c++) {
            int from = c * chunkBytes;
            int length = Math.min(chunkBytes, zip.length - from);
            out.add(ModelSnapshot.newBuilder()
                    .setModel(d.model())
                    .setVersion(d.version())
                    .setExamplesTrained(d.examplesTrained())
                    .setCreatedAt(d.createdAt())
                    .setTrigger(d.trigger())
                    .setSpec(d.spec())
                    .setFormat(FORMAT)
                    .setTotalBytes(zip.length)
                    .setSha256(sha256)
                    .setChunk(c)
                    .setChunks(chunks)
                    .setData(ByteBuffer.wrap(zip, from, length).slice())
                    .setLabeled(d.labeled())
                    .setPrequentialLoss(d.prequentialLoss())
                    .setPrequentialAccuracy(d.prequentialAccuracy())
                    .setPrequentialMae(d.prequentialMae())
                    .setPrequentialRmse(d.prequentialRmse())
                    .build());
        }
        return out;
    }

    /**
     * The zip that {@code chunks} (one snapshot's, in any order) make up.
     *
     * @throws IllegalArgumentException naming what is missing or does not match
     */
    public static byte[] join(List<ModelSnapshot> chunks) {
        if (chunks.isEmpty()) {
            throw new IllegalArgumentException("no chunks");
        }
        ModelSnapshot first = chunks.get(0);
        String what = "snapshot " + first.getModel() + "@" + first.getVersion();
        int count = first.getChunks();
        if (count < 1 || first.getTotalBytes() < 0 || first.getTotalBytes() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(what + ": its chunks say " + count + " chunks of "
                    + first.getTotalBytes() + " bytes");
        }
        ModelSnapshot[] byIndex = new ModelSnapshot[count];
        for (ModelSnapshot chunk : chunks) {
            if (chunk.getChunks() != count || chunk.getTotalBytes() != first.getTotalBytes()
                    || !chunk.getSha256().equals(first.getSha256()) || chunk.getVersion() != first.getVersion()
                    || !chunk.getModel().equals(first.getModel())) {
                throw new IllegalArgumentException(what + ": chunk " + chunk.getChunk()
                        + " describes another snapshot than chunk " + first.getChunk());
            }
            if (chunk.getChunk() < 0 || chunk.getChunk() >= count) {
                throw new IllegalArgumentException(what + ": chunk index " + chunk.getChunk() + " is not below "
                        + count);
            }
            byIndex[chunk.getChunk()] = chunk;
        }
        ByteBuffer zip = ByteBuffer.allocate((int) first.getTotalBytes());
        for (int c = 0; c < count; c++) {
            if (byIndex[c] == null) {
                throw new IllegalArgumentException(what + ": chunk " + c + " of " + count + " is missing");
            }
            ByteBuffer data = byIndex[c].getData().duplicate();
            if (data.remaining() > zip.remaining()) {
                throw new IllegalArgumentException(what + ": its chunks hold more than its " + first.getTotalBytes()
                        + " bytes");
            }
            zip.put(data);
        }
        if (zip.hasRemaining()) {
            throw new IllegalArgumentException(what + ": its chunks hold " + zip.position() + " of its "
                    + first.getTotalBytes() + " bytes");
        }
        byte[] bytes = zip.array();
        String sha256 = sha256(bytes);
        if (!sha256.equals(first.getSha256())) {
            throw new IllegalArgumentException(what + ": SHA-256 " + sha256 + " of its chunks does not match "
                    + first.getSha256());
        }
        return bytes;
    }

    /** Lower-case hex SHA-256. */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
