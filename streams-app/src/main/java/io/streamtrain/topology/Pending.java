package io.streamtrain.topology;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** What waits in the store on each side of the late-label join, in a compact binary layout. */
final class Pending {

    private static final byte AWAITING = 1;
    private static final byte JOINED = 2;
    private static final byte DROPPED = 3;

    private Pending() {
    }

    /** Where an entry stands in its side's arrival order, and when it arrived (the learner's wall clock). */
    record OrderAndArrival(long order, long arrivalMs) {
    }

    /**
     * An unlabeled example that was predicted and waits for its label, with the outputs of that prediction so that
     * the label scores the prediction made at the time. Once its label came it stays as a marker ({@code joined}),
     * without its features, until it is evicted: a second label for it is then known as a duplicate.
     */
    record AwaitingExample(long order, long arrivalMs, boolean joined, float[] outputs, StoredExample example) {

        static AwaitingExample joined(long order, long arrivalMs) {
            return new AwaitingExample(order, arrivalMs, true, null, null);
        }

        byte[] encode() {
            if (joined) {
                return ByteBuffer.allocate(1 + 16).put(JOINED).putLong(order).putLong(arrivalMs).array();
            }
            byte[] entry = example.encode();
            ByteBuffer out = ByteBuffer.allocate(1 + 16 + 4 + 4 * outputs.length + entry.length);
            out.put(AWAITING).putLong(order).putLong(arrivalMs).putInt(outputs.length);
            for (float v : outputs) {
                out.putFloat(v);
            }
            return out.put(entry).array();
        }

        static AwaitingExample decode(byte[] bytes) {
            ByteBuffer in = ByteBuffer.wrap(bytes);
            byte kind = in.get();
            long order = in.getLong();
            long arrival = in.getLong();
            if (kind == JOINED) {
                return joined(order, arrival);
            }
            if (kind != AWAITING) {
                throw new IllegalStateException("corrupt pending example in the learner's store (kind " + kind + ")");
            }
            float[] outputs = new float[in.getInt()];
            for (int i = 0; i < outputs.length; i++) {
                outputs[i] = in.getFloat();
            }
            byte[] entry = new byte[in.remaining()];
            in.get(entry);
            return new AwaitingExample(order, arrival, false, outputs, StoredExample.decode(entry));
        }

        /** The arrival order and time alone, to restore the index without decoding the example. */
        static OrderAndArrival orderAndArrival(byte[] bytes) {
            ByteBuffer in = ByteBuffer.wrap(bytes, 1, 16);
            return new OrderAndArrival(in.getLong(), in.getLong());
        }
    }

    /**
     * A predicted unlabeled example that stopped waiting for its label, kept as a marker (bounded in number and age
     * like the waits) so that a label that comes for it later is rejected at once rather than after a wait.
     *
     * @param overBound whether it was evicted for the bound on waiting examples, rather than for the wait
     */
    record DroppedExample(long order, long droppedAtMs, boolean overBound) {

        byte[] encode() {
            return ByteBuffer.allocate(1 + 16 + 1).put(DROPPED).putLong(order).putLong(droppedAtMs)
                    .put((byte) (overBound ? 1 : 0)).array();
        }

        static DroppedExample decode(byte[] bytes) {
            ByteBuffer in = ByteBuffer.wrap(bytes);
            byte kind = in.get();
            if (kind != DROPPED) {
                throw new IllegalStateException("corrupt dropped example in the learner's store (kind " + kind + ")");
            }
            return new DroppedExample(in.getLong(), in.getLong(), in.get() != 0);
        }

        static OrderAndArrival orderAndArrival(byte[] bytes) {
            ByteBuffer in = ByteBuffer.wrap(bytes, 1, 16);
            return new OrderAndArrival(in.getLong(), in.getLong());
        }
    }

    /**
     * A valid label whose example has not come (yet), with where it was read from and its bytes, so that a label
     * that never finds its example is written to the errors topic like any rejected record.
     */
    record WaitingLabel(long order, long arrivalMs, Object label, String topic, int partition, long offset,
            long timestamp, byte[] key, byte[] value) {

        byte[] encode() {
            byte[] labelBytes = StoredExample.LabelCodec.encode(label);
            byte[] topicBytes = topic.getBytes(StandardCharsets.UTF_8);
            ByteBuffer out = ByteBuffer.allocate(16 + labelBytes.length + 4 + topicBytes.length + 4 + 16
                    + 4 + (key == null ? 0 : key.length) + 4 + (value == null ? 0 : value.length));
            out.putLong(order).putLong(arrivalMs).put(labelBytes);
            out.putInt(topicBytes.length).put(topicBytes).putInt(partition).putLong(offset).putLong(timestamp);
            putBytes(out, key);
            putBytes(out, value);
            return out.array();
        }

        static WaitingLabel decode(byte[] bytes) {
            ByteBuffer in = ByteBuffer.wrap(bytes);
            long order = in.getLong();
            long arrival = in.getLong();
            Object label = StoredExample.LabelCodec.read(in);
            byte[] topic = getBytes(in);
            int partition = in.getInt();
            long offset = in.getLong();
            long timestamp = in.getLong();
            byte[] key = getBytes(in);
            byte[] value = getBytes(in);
            return new WaitingLabel(order, arrival, label, new String(topic, StandardCharsets.UTF_8), partition,
                    offset, timestamp, key, value);
        }

        static OrderAndArrival orderAndArrival(byte[] bytes) {
            ByteBuffer in = ByteBuffer.wrap(bytes, 0, 16);
            return new OrderAndArrival(in.getLong(), in.getLong());
        }

        private static void putBytes(ByteBuffer out, byte[] bytes) {
            out.putInt(bytes == null ? -1 : bytes.length);
            if (bytes != null) {
                out.put(bytes);
            }
        }

        private static byte[] getBytes(ByteBuffer in) {
            int n = in.getInt();
            if (n < 0) {
                return null;
            }
            byte[] bytes = new byte[n];
            in.get(bytes);
            return bytes;
        }
    }
}
