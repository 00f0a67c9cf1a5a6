package io.streamtrain.contract;

/**
 * The rules a record can break, by the stable code written with it: in a {@code RejectedRecord} on
 * {@code <prefix>.errors} (the learner), or in the {@code Field '<field>' breaks rule '<rule>'} message of a record in
 * the connector's dead-letter queue. The codes are part of the topics' contract: users filter and count by them.
 */
public enum RejectionRule {

    // both sides

    /** A null where a value is required; tombstones and empty values included. */
    NULL_VALUE("null-value", Side.BOTH),
    /** NaN or infinity, or a number beyond the 32-bit float range, in a feature, a regression label or a weight. */
    NON_FINITE("non-finite", Side.BOTH),
    /** A class label that is not one of the model's classes. */
    UNKNOWN_CLASS("unknown-class", Side.BOTH),

    // the connector

    /** A configured field is absent from the record. */
    MISSING_FIELD("missing-field", Side.CONNECTOR),
    /** A field has a type the rule does not take, e.g. a string where a number is needed. */
    WRONG_TYPE("wrong-type", Side.CONNECTOR),
    /** A vector feature of another length than configured. */
    VECTOR_LENGTH("vector-length", Side.CONNECTOR),
    /** A category outside the feature's vocabulary. */
    UNKNOWN_CATEGORY("unknown-category", Side.CONNECTOR),
    /**
     * A value of the right type that cannot be used: an id, model id or event time outside {@link RecordLimits}, an
     * unparsable time; the learner's rules {@link #ID_LENGTH}, {@link #MODEL_ID} and {@link #EVENT_TIME_RANGE}.
     */
    INVALID_VALUE("invalid-value", Side.CONNECTOR),
    /** The mapped record is larger than the connector's producer may send. */
    TOO_LARGE("too-large", Side.CONNECTOR),

    // the learner

    /** Bytes that are not a record of the registry's wire format, or not of the topic's schema. */
    UNDECODABLE("undecodable", Side.LEARNER),
    /** A model id outside {@link RecordLimits}. */
    MODEL_ID("model-id", Side.LEARNER),
    /** A model without a spec, when models without one are rejected. */
    UNKNOWN_MODEL("unknown-model", Side.LEARNER),
    /** A record key that is not the model id of its value. */
    KEY_MODEL_MISMATCH("key-model-mismatch", Side.LEARNER),
    /** An example id outside {@link RecordLimits}. */
    ID_LENGTH("id-length", Side.LEARNER),
    /** An example's event time or a label's time outside {@link RecordLimits}. */
    EVENT_TIME_RANGE("event-time-range", Side.LEARNER),
    /** A class label name longer than {@link RecordLimits#MAX_CLASS_NAME_CHARS}. */
    CLASS_NAME_LENGTH("class-name-length", Side.LEARNER),
    /** Another number of features than the model's input size. */
    FEATURE_COUNT("feature-count", Side.LEARNER),
    /** A regression label for a classifier, a class label for a regression model, or a label record without one. */
    LABEL_KIND("label-kind", Side.LEARNER),
    /** A training weight below 0. */
    NEGATIVE_WEIGHT("negative-weight", Side.LEARNER),
    /** A label whose example did not come within the wait, came labeled, or was rejected. */
    UNMATCHED_LABEL("unmatched-label", Side.LEARNER),
    /** A label whose example was predicted but stopped waiting for its label (over the bound, or past the wait). */
    EXAMPLE_EVICTED("example-evicted", Side.LEARNER),
    /**
     * A labeled example of a mini-batch whose training step would have made the network's parameters or optimizer
     * state non-finite (an overflow on extreme feature values): the step is undone, the example was predicted but not
     * trained on.
     */
    NON_FINITE_STEP("non-finite-step", Side.LEARNER),
    /**
     * A record of the params or global topic (data-parallel training) that the learner did not write so: another
     * kind than the topic carries, a replica or chunk out of range, a replica count unlike the model's spec.
     */
    PARAMS_RECORD("params-record", Side.LEARNER);

    /** Where a rule is enforced. */
    public enum Side {
        CONNECTOR, LEARNER, BOTH
    }

    private final String code;
    private final Side side;

    RejectionRule(String code, Side side) {
        this.code = code;
        this.side = side;
    }

    /** The stable code, e.g. {@code non-finite}. */
    public String code() {
        return code;
    }

    public Side side() {
        return side;
    }

    /** The rule of a code, or null for a code that is not one. */
    public static RejectionRule ofCode(String code) {
        for (RejectionRule rule : values()) {
            if (rule.code.equals(code)) {
                return rule;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return code;
    }
}
