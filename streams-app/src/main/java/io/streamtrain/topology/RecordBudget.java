package io.streamtrain.topology;

import java.nio.charset.StandardCharsets;

import io.streamtrain.contract.RecordLimits;
import io.streamtrain.learn.NetworkSpec;

/**
 * Keeps every record the learner writes under the producer's {@code max.request.size}, so that no send can be
 * refused for its size: a refused send fails the stream task, and the same input would fail it again after every
 * restart. What a record's size depends on is bounded either by the spec (the number of features and classes, the
 * class names) or by {@link RecordLimits} (ids, model ids, label names), which the learner checks on every record
 * before it stores or forwards anything of it. The rest is bounded here: copies of rejected records, checkpoint
 * chunks and dedupe segments are cut to fit.
 */
public final class RecordBudget {

    /** UTF-8 takes at most 3 bytes per UTF-16 char (a surrogate pair, 2 chars, takes 4). */
    private static final int UTF8_BYTES_PER_CHAR = 3;
    private static final int MAX_ID_BYTES = RecordLimits.MAX_ID_CHARS * UTF8_BYTES_PER_CHAR;
    private static final int MAX_MODEL_BYTES = RecordLimits.MAX_MODEL_ID_CHARS * UTF8_BYTES_PER_CHAR;
    private static final int MAX_LABEL_NAME_BYTES = RecordLimits.MAX_CLASS_NAME_CHARS * UTF8_BYTES_PER_CHAR;
    /**
     * Room for what a record holds besides its variable parts: Avro varints and unions, the registry framing, the
     * store's fixed fields and key suffixes, and Kafka's record and batch headers.
     */
    static final int FIXED_OVERHEAD = 1024;
    /** The most characters of a rejection message written to the errors topic. */
    static final int MAX_MESSAGE_CHARS = 2000;
    /** The most bytes of ids in one dedupe segment: a large batch of long ids is written as several segments. */
    static final int MAX_DEDUPE_SEGMENT_BYTES = 64 * 1024;

    private final int maxRecordBytes;

    public RecordBudget(int maxRecordBytes) {
        this.maxRecordBytes = maxRecordBytes;
    }

    /**
     * The most bytes of a rejected record's key and value copied into its RejectedRecord (and kept with a label that
     * waits for its example): half of what a record may hold, at most 512 KiB.
     */
    int maxCopiedBytes() {
        return Math.min(512 * 1024, maxRecordBytes / 2);
    }

    /** The size of the chunks a checkpoint is written in. */
    int checkpointChunkBytes() {
        return Math.min(512 * 1024, maxRecordBytes / 2);
    }

    /**
     * The most bytes a prediction or a stored example of a model with this spec can take: the larger of a
     * prediction (id, model, class name, one probability per class, the label) and an unlabeled example waiting for
     * its label in the store (id, features, the outputs it was predicted, the label).
     */
    public static long largestRecordBytes(NetworkSpec spec) {
        int outputs = spec.isClassification() ? spec.numClasses() : 1;
        long longestClassName = 0;
        if (spec.isClassification()) {
            for (String name : spec.classNames()) {
                longestClassName = Math.max(longestClassName, name.getBytes(StandardCharsets.UTF_8).length);
            }
        }
        long prediction = MAX_ID_BYTES + MAX_MODEL_BYTES + longestClassName + 4L * outputs + MAX_LABEL_NAME_BYTES;
        long waitingExample = MAX_MODEL_BYTES + 2L * MAX_ID_BYTES + 4L * spec.inputSize() + 4L * outputs
                + MAX_LABEL_NAME_BYTES;
        return FIXED_OVERHEAD + Math.max(prediction, waitingExample);
    }

    /**
     * Refuses a spec whose predictions or stored examples could be larger than a record may be.
     *
     * @throws IllegalArgumentException naming the sizes and what to change
     */
    public void check(NetworkSpec spec) {
        long largest = largestRecordBytes(spec);
        if (largest > maxRecordBytes) {
            throw new IllegalArgumentException("the model spec makes records of up to " + largest + " bytes ("
                    + spec.inputSize() + " features, " + (spec.isClassification() ? spec.numClasses() + " classes"
                            : "regression") + "), over the producer's max.request.size of " + maxRecordBytes
                    + " bytes: predictions and stored examples would be refused; raise producer.max.request.size "
                    + "(and max.message.bytes of the predictions and changelog topics), or use fewer features or "
                    + "classes");
        }
    }

    /** A rejection message cut to {@link #MAX_MESSAGE_CHARS}. */
    static String boundedMessage(String message) {
        return message.length() <= MAX_MESSAGE_CHARS ? message
                : message.substring(0, MAX_MESSAGE_CHARS) + "... (" + message.length() + " characters)";
    }
}
