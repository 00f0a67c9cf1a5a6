package io.streamtrain.topology;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The example ids a model has taken most recently, at most {@code window} of them, so that a redelivered example
 * (a source that delivers at least once, a connector restarted mid-stream) is not trained on twice. In the store
 * they are kept as one record per processed mini-batch ("segments"), oldest dropped first.
 */
final class RecentIds {

    final int window;
    private final LinkedHashSet<String> ids = new LinkedHashSet<>();
    /** The segments in the store, oldest first. */
    private final ArrayDeque<Segment> segments = new ArrayDeque<>();
    private long storedIds;
    private long nextSegment;

    /** A segment in the store: its number and how many ids it holds. */
    private record Segment(long number, int ids) {
    }

    RecentIds(int window) {
        this.window = window;
    }

    /** Remembers {@code id}; false when it was already remembered (a duplicate). */
    boolean remember(String id) {
        if (!ids.add(id)) {
            return false;
        }
        if (ids.size() > window) {
            Iterator<String> oldest = ids.iterator();
            oldest.next();
            oldest.remove();
        }
        return true;
    }

    /** Takes back a segment read from the store; segments come in the order they were written. */
    void restoreSegment(long segment, List<String> segmentIds) {
        segmentIds.forEach(this::remember);
        segments.addLast(new Segment(segment, segmentIds.size()));
        storedIds += segmentIds.size();
        nextSegment = Math.max(nextSegment, segment + 1);
    }

    /** Numbers a new segment of {@code ids} ids, about to be written to the store. */
    long addSegment(int ids) {
        long number = nextSegment++;
        segments.addLast(new Segment(number, ids));
        storedIds += ids;
        return number;
    }

    /**
     * Forgets the oldest segments that the window no longer needs (the newer ones hold at least {@link #window}
     * ids); returns their numbers, for the caller to delete from the store.
     */
    List<Long> dropSurplusSegments() {
        List<Long> dropped = new ArrayList<>();
        while (storedIds - segments.peekFirst().ids() >= window) {
            Segment oldest = segments.removeFirst();
            storedIds -= oldest.ids();
            dropped.add(oldest.number());
        }
        return dropped;
    }

    static byte[] encode(List<String> ids) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(ids.size() * 24);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(ids.size());
            for (String id : ids) {
                // not writeUTF, which refuses more than 65535 bytes
                byte[] utf8 = id.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                out.writeInt(utf8.length);
                out.write(utf8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static List<String> decode(byte[] data) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            int n = in.readInt();
            List<String> ids = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                ids.add(new String(in.readNBytes(in.readInt()), java.nio.charset.StandardCharsets.UTF_8));
            }
            return ids;
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt dedupe segment", e);
        }
    }
}
