package io.streamtrain.topology;

/**
 * Keys of the learner's state store. One store holds, per model, its meta record, its checkpoint chunks, the
 * examples it has seen since its last checkpoint (in a ring of slots), the ids it has taken recently, and both sides
 * of its late-label join, so that all of a model's state changes land in one changelog partition, in order.
 *
 * <p>A NUL separates the model id from the rest; model ids with control characters are rejected before they get
 * here. Sequence numbers are fixed-width hex so that the store's byte order is their numeric order.
 */
final class StateKeys {

    private static final char SEP = '\u0000';

    private StateKeys() {
    }

    static String meta(String model) {
        return model + SEP + 'm';
    }

    static String checkpointChunk(String model, long generation, int chunk) {
        return model + SEP + 'c' + SEP + hex(generation) + SEP + hex(chunk);
    }

    /** A chunk of a replica's reference parameters: what its next contribution or adoption is measured from. */
    static String referenceChunk(String model, int chunk) {
        return model + SEP + 'a' + SEP + hex(chunk);
    }

    /** A chunk of the global version arriving at a replica. */
    static String incomingChunk(String model, int chunk) {
        return model + SEP + 'g' + SEP + hex(chunk);
    }

    static String dedupePrefix(String model) {
        return model + SEP + 'd' + SEP;
    }

    static String dedupeSegment(String model, long segment) {
        return dedupePrefix(model) + hex(segment);
    }

    /** The segment number of a key made by {@link #dedupeSegment}. */
    static long dedupeSegmentOf(String key) {
        return entrySeq(key);
    }

    static String replayPrefix(String model) {
        return model + SEP + 'r' + SEP;
    }

    /** The key of a slot of the model's replay reservoir. */
    static String replaySlot(String model, int slot) {
        return replayPrefix(model) + hex(slot);
    }

    static String entryPrefix(String model) {
        return model + SEP + 'e' + SEP;
    }

    /** The key of an example's slot: examples overwrite the slots of older ones instead of deleting them. */
    static String entry(String model, long slot) {
        return entryPrefix(model) + hex(slot);
    }

    /** The number at the end of a key made by {@link #entry}, {@link #dedupeSegment} or {@link #replaySlot}. */
    static long entrySeq(String key) {
        return Long.parseUnsignedLong(key.substring(key.length() - 16), 16);
    }

    static String awaitingPrefix(String model) {
        return model + SEP + 'p' + SEP;
    }

    /** An unlabeled example waiting for its late label, by example id. */
    static String awaiting(String model, String exampleId) {
        return awaitingPrefix(model) + exampleId;
    }

    static String droppedPrefix(String model) {
        return model + SEP + 'x' + SEP;
    }

    /** An unlabeled example that stopped waiting for its label, by example id. */
    static String dropped(String model, String exampleId) {
        return droppedPrefix(model) + exampleId;
    }

    static String waitingLabelPrefix(String model) {
        return model + SEP + 'l' + SEP;
    }

    /** A label that came before its example, by example id. */
    static String waitingLabel(String model, String exampleId) {
        return waitingLabelPrefix(model) + exampleId;
    }

    /** The example id at the end of a key made by {@link #awaiting} or {@link #waitingLabel}. */
    static String idOf(String key, String prefix) {
        return key.substring(prefix.length());
    }

    /** The model id of a meta key made by {@link #meta}, or null for any other key. */
    static String modelOfMeta(String key) {
        int sep = key.indexOf(SEP);
        return sep > 0 && key.length() == sep + 2 && key.charAt(sep + 1) == 'm' ? key.substring(0, sep) : null;
    }

    /** Fixed-width hex without String.format, which showed in profiles of the per-example path. */
    private static String hex(long value) {
        String digits = Long.toHexString(value);
        return "0000000000000000".substring(digits.length()) + digits;
    }
}
