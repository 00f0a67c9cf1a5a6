package io.streamtrain.contract;

/**
 * The limits an {@code Example} or a {@code Label} must keep to be taken by the learner. The connector checks them at
 * the edge and the learner checks them again on everything it reads, so that a record written by another producer
 * is held to the same rules. Each check returns what is wrong, for a message that names the field, or null when the
 * value is within its limits.
 *
 * <p>Why each limit: ids are kept in memory and in the changelogged store to recognise redeliveries; a model id keys
 * Kafka records and the store; an event time is written into Avro {@code timestamp-millis} fields that other tools
 * turn into dates; a class name is repeated in every prediction; a regression target is trained on in 32-bit floats.
 */
public final class RecordLimits {

    /** The longest example id, in characters. */
    public static final int MAX_ID_CHARS = 1000;
    /** The longest model id, in characters: the longest Kafka topic name, so that a model id can name one. */
    public static final int MAX_MODEL_ID_CHARS = 249;
    /** The longest class name a label may carry, in characters. */
    public static final int MAX_CLASS_NAME_CHARS = 1000;
    /** The earliest event time: the epoch. Kafka record timestamps are never negative either. */
    public static final long MIN_EVENT_TIME_MS = 0L;
    /** The latest event time, 9999-12-31T23:59:59.999Z: the last instant with a four-digit ISO-8601 year. */
    public static final long MAX_EVENT_TIME_MS = 253_402_300_799_999L;

    private RecordLimits() {
    }

    /** What is wrong with an example id, or null: it must be 1 to 1000 characters, not all blank. */
    public static String idProblem(String id) {
        if (id == null || id.isBlank()) {
            return "the example id is " + (id == null || id.isEmpty() ? "empty" : "blank") + "; it must be 1 to "
                    + MAX_ID_CHARS + " characters, not all blank";
        }
        if (id.length() > MAX_ID_CHARS) {
            return "the example id is " + id.length() + " characters long; it must be 1 to " + MAX_ID_CHARS
                    + " characters";
        }
        return null;
    }

    /** What is wrong with a model id, or null: it must be 1 to 249 characters, not blank, no control characters. */
    public static String modelIdProblem(String model) {
        if (model == null || model.isBlank()) {
            return "the model id is " + (model == null ? "missing" : "blank") + "; it must be 1 to "
                    + MAX_MODEL_ID_CHARS + " characters without control characters";
        }
        if (model.length() > MAX_MODEL_ID_CHARS) {
            return "the model id is " + model.length() + " characters long; it must be 1 to " + MAX_MODEL_ID_CHARS
                    + " characters without control characters";
        }
        for (int i = 0; i < model.length(); i++) {
            if (Character.isISOControl(model.charAt(i))) {
                return "the model id has the control character U+" + String.format("%04X", (int) model.charAt(i))
                        + " at " + i + "; it must be 1 to " + MAX_MODEL_ID_CHARS
                        + " characters without control characters";
            }
        }
        return null;
    }

    /** Whether a model id is within its limits. */
    public static boolean isValidModelId(String model) {
        return modelIdProblem(model) == null;
    }

    /** What is wrong with an event time in epoch milliseconds, or null. */
    public static String eventTimeProblem(long epochMillis) {
        if (epochMillis < MIN_EVENT_TIME_MS || epochMillis > MAX_EVENT_TIME_MS) {
            return "the event time " + epochMillis + " ms is outside 0 (1970-01-01T00:00:00Z) to "
                    + MAX_EVENT_TIME_MS + " ms (9999-12-31T23:59:59.999Z)";
        }
        return null;
    }

    /** What is wrong with a class name carried by a label, or null; a label without a name is fine. */
    public static String classNameProblem(String name) {
        if (name != null && name.length() > MAX_CLASS_NAME_CHARS) {
            return "the class name is " + name.length() + " characters long; at most " + MAX_CLASS_NAME_CHARS
                    + " are taken";
        }
        return null;
    }

    /**
     * What is wrong with a regression target, or null: it must be finite in the 32-bit floats the network computes
     * in (about ±3.4e38), or the target becomes infinite and the loss NaN.
     */
    public static String regressionValueProblem(double value) {
        if (!Double.isFinite(value)) {
            return "the regression label is " + value + "; it must be a finite number";
        }
        if (!Float.isFinite((float) value)) {
            return "the regression label " + value + " is out of the float range (about 3.4e38) the network"
                    + " computes in";
        }
        return null;
    }
}
