package io.streamtrain.connect.mapping;

import io.streamtrain.contract.RejectionRule;
import org.apache.kafka.connect.errors.DataException;

/**
 * A record that cannot be mapped: one field broke one rule. Retrying the same record fails the same way, so it
 * belongs in the dead-letter queue. The message names the field and the rule, because it is what a user reads in
 * the DLQ record's {@code __connect.errors.exception.message} header.
 */
public class MappingException extends DataException {

    private static final long serialVersionUID = 1L;

    /** The field is absent from the record. */
    public static final String MISSING_FIELD = RejectionRule.MISSING_FIELD.code();
    /** The field has a type the rule does not accept, e.g. a string where a number is needed. */
    public static final String WRONG_TYPE = RejectionRule.WRONG_TYPE.code();
    /** The number is NaN or infinite, or becomes so as a 32-bit float (beyond about 3.4e38) or after scaling. */
    public static final String NON_FINITE = RejectionRule.NON_FINITE.code();
    /** The vector has another length than the configured one. */
    public static final String VECTOR_LENGTH = RejectionRule.VECTOR_LENGTH.code();
    /** The label is not one of the configured classes. */
    public static final String UNKNOWN_CLASS = RejectionRule.UNKNOWN_CLASS.code();
    /** The category is not in the feature's vocabulary. */
    public static final String UNKNOWN_CATEGORY = RejectionRule.UNKNOWN_CATEGORY.code();
    /** The field is present but null, and a value is required. */
    public static final String NULL_VALUE = RejectionRule.NULL_VALUE.code();
    /**
     * The value has the right type but cannot be used, e.g. an empty id, a model id the learner refuses, or an
     * unparsable, fractional or out-of-range event time.
     */
    public static final String INVALID_VALUE = RejectionRule.INVALID_VALUE.code();
    /** The mapped record is larger than the producer may send ({@code producer.max.request.size}). */
    public static final String TOO_LARGE = RejectionRule.TOO_LARGE.code();

    private final String field;
    private final String rule;

    /**
     * @param field   the field path as configured, e.g. {@code payment.amount}
     * @param rule    one of the rule codes of this class
     * @param problem what was wrong, for people
     */
    public MappingException(String field, String rule, String problem) {
        super("Field '" + field + "' breaks rule '" + rule + "': " + problem);
        this.field = field;
        this.rule = rule;
    }

    /** The field at fault, as configured. */
    public String field() {
        return field;
    }

    /** The rule it broke, a short stable code such as {@code non-finite}. */
    public String rule() {
        return rule;
    }
}
