package io.streamtrain.topology;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import io.streamtrain.avro.ClassLabel;
import io.streamtrain.avro.RegressionTarget;
import io.streamtrain.learn.Target;

/**
 * An example as the learner keeps it in its store: what predicting it, scoring it and fitting it again after a
 * restart need, in a compact binary layout (no Avro, no registry framing: the store is private to the learner).
 *
 * @param seq         the example's place in its model's stream of examples
 * @param id          the example id
 * @param eventTimeMs the event time
 * @param label       a {@link ClassLabel}, a {@link RegressionTarget}, or null when the example is not labeled
 * @param weight      its training weight
 * @param features    its features
 * @param predicted   whether its prediction was already written: an example whose label came later, queued to be
 *                    trained on; it is not predicted (nor scored) again
 */
record StoredExample(long seq, String id, long eventTimeMs, Object label, float weight, float[] features,
        boolean predicted) {

    private static final byte FORMAT = 1;
    private static final byte NO_LABEL = 0;
    private static final byte CLASS_LABEL = 1;
    private static final byte VALUE_LABEL = 2;

    /** The label as a training target, or null. */
    Target target() {
        return LabelCodec.target(label);
    }

    /** This example with its late label, as the {@code seq}-th of its model, its prediction already written. */
    StoredExample labeledLate(long newSeq, Object lateLabel) {
        return new StoredExample(newSeq, id, eventTimeMs, lateLabel, weight, features, true);
    }

    byte[] encode() {
        byte[] idBytes = id.getBytes(StandardCharsets.UTF_8);
        byte[] name = label instanceof ClassLabel c && c.getName() != null
                ? c.getName().getBytes(StandardCharsets.UTF_8) : null;
        int size = 1 + 8 + 1 + 8 + 4 + 4 + idBytes.length + 4 + 4 * features.length + LabelCodec.size(label, name);
        ByteBuffer out = ByteBuffer.allocate(size);
        out.put(FORMAT).putLong(seq).put((byte) (predicted ? 1 : 0)).putLong(eventTimeMs).putFloat(weight);
        out.putInt(idBytes.length).put(idBytes);
        out.putInt(features.length);
        out.asFloatBuffer().put(features);
        out.position(out.position() + 4 * features.length);
        LabelCodec.write(out, label, name);
        return out.array();
    }

    /** The sequence number of an encoded example, without decoding the rest. */
    static long seqOf(byte[] bytes) {
        checkFormat(bytes);
        return ByteBuffer.wrap(bytes, 1, 8).getLong();
    }

    static StoredExample decode(byte[] bytes) {
        checkFormat(bytes);
        ByteBuffer in = ByteBuffer.wrap(bytes, 1, bytes.length - 1);
        long seq = in.getLong();
        boolean predicted = in.get() != 0;
        long eventTime = in.getLong();
        float weight = in.getFloat();
        byte[] idBytes = new byte[in.getInt()];
        in.get(idBytes);
        float[] features = new float[in.getInt()];
        in.asFloatBuffer().get(features);
        in.position(in.position() + 4 * features.length);
        Object label = LabelCodec.read(in);
        return new StoredExample(seq, new String(idBytes, StandardCharsets.UTF_8), eventTime, label, weight, features,
                predicted);
    }

    private static void checkFormat(byte[] bytes) {
        if (bytes.length < 9 || bytes[0] != FORMAT) {
            throw new IllegalStateException("an example in the learner's store has format "
                    + (bytes.length == 0 ? "(empty)" : bytes[0]) + ", expected " + FORMAT
                    + "; it was written by another version of Streamtrain");
        }
    }

    /** Labels (the Avro union of {@link ClassLabel} and {@link RegressionTarget}) in the store's binary layout. */
    static final class LabelCodec {

        private LabelCodec() {
        }

        static Target target(Object label) {
            if (label instanceof ClassLabel c) {
                return Target.ofClass(c.getIndex());
            }
            if (label instanceof RegressionTarget r) {
                return Target.ofValue(r.getValue());
            }
            return null;
        }

        static int size(Object label, byte[] name) {
            if (label instanceof ClassLabel) {
                return 1 + 4 + 4 + (name == null ? 0 : name.length);
            }
            return label instanceof RegressionTarget ? 1 + 8 : 1;
        }

        static void write(ByteBuffer out, Object label, byte[] name) {
            if (label instanceof ClassLabel c) {
                out.put(CLASS_LABEL).putInt(c.getIndex()).putInt(name == null ? -1 : name.length);
                if (name != null) {
                    out.put(name);
                }
            } else if (label instanceof RegressionTarget r) {
                out.put(VALUE_LABEL).putDouble(r.getValue());
            } else {
                out.put(NO_LABEL);
            }
        }

        static Object read(ByteBuffer in) {
            byte kind = in.get();
            if (kind == CLASS_LABEL) {
                int index = in.getInt();
                int nameLength = in.getInt();
                String name = null;
                if (nameLength >= 0) {
                    byte[] nameBytes = new byte[nameLength];
                    in.get(nameBytes);
                    name = new String(nameBytes, StandardCharsets.UTF_8);
                }
                return new ClassLabel(index, name);
            }
            if (kind == VALUE_LABEL) {
                return new RegressionTarget(in.getDouble());
            }
            if (kind != NO_LABEL) {
                throw new IllegalStateException("corrupt label in the learner's store (kind " + kind + ")");
            }
            return null;
        }

        /** A label's size and bytes together, for callers that write it alone. */
        static byte[] encode(Object label) {
            byte[] name = label instanceof ClassLabel c && c.getName() != null
                    ? c.getName().getBytes(StandardCharsets.UTF_8) : null;
            ByteBuffer out = ByteBuffer.allocate(size(label, name));
            write(out, label, name);
            return out.array();
        }
    }
}
