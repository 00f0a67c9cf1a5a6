package io.streamtrain.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HashSet;

import org.junit.jupiter.api.Test;

class RecordLimitsTest {

    @Test
    void anIdIsOneToAThousandCharactersNotAllBlank() {
        assertThat(RecordLimits.idProblem("e-1")).isNull();
        assertThat(RecordLimits.idProblem("x".repeat(1000))).isNull();
        assertThat(RecordLimits.idProblem(" x ")).isNull();
        assertThat(RecordLimits.idProblem(null)).contains("empty");
        assertThat(RecordLimits.idProblem("")).contains("empty");
        assertThat(RecordLimits.idProblem(" \t")).contains("blank");
        assertThat(RecordLimits.idProblem("x".repeat(1001))).contains("1001 characters long");
    }

    @Test
    void aModelIdIsOneTo249CharactersWithoutControlCharacters() {
        assertThat(RecordLimits.isValidModelId("churn")).isTrue();
        assertThat(RecordLimits.isValidModelId("m".repeat(249))).isTrue();
        assertThat(RecordLimits.isValidModelId("mod\u00e8le \u4e2d")).isTrue();
        assertThat(RecordLimits.modelIdProblem(null)).contains("missing");
        assertThat(RecordLimits.modelIdProblem(" ")).contains("blank");
        assertThat(RecordLimits.modelIdProblem("m".repeat(250))).contains("250 characters long");
        assertThat(RecordLimits.modelIdProblem("a\u0007b")).contains("U+0007 at 1");
        assertThat(RecordLimits.modelIdProblem("a\nb")).contains("U+000A");
    }

    @Test
    void anEventTimeLiesFromTheEpochToTheLastMillisecondOf9999() {
        assertThat(RecordLimits.eventTimeProblem(0)).isNull();
        assertThat(RecordLimits.eventTimeProblem(1_700_000_000_000L)).isNull();
        assertThat(RecordLimits.eventTimeProblem(253_402_300_799_999L)).isNull();
        assertThat(java.time.Instant.ofEpochMilli(RecordLimits.MAX_EVENT_TIME_MS))
                .hasToString("9999-12-31T23:59:59.999Z");
        for (long bad : new long[] {-1, Long.MIN_VALUE, 253_402_300_800_000L, Long.MAX_VALUE}) {
            assertThat(RecordLimits.eventTimeProblem(bad)).as("%d", bad).contains("is outside 0");
        }
    }

    @Test
    void aClassNameIsAtMostAThousandCharactersAndMayBeAbsent() {
        assertThat(RecordLimits.classNameProblem(null)).isNull();
        assertThat(RecordLimits.classNameProblem("n".repeat(1000))).isNull();
        assertThat(RecordLimits.classNameProblem("n".repeat(1001))).contains("1001 characters long");
    }

    @Test
    void aRegressionTargetIsFiniteInFloats() {
        assertThat(RecordLimits.regressionValueProblem(3.5)).isNull();
        assertThat(RecordLimits.regressionValueProblem(-Float.MAX_VALUE)).isNull();
        assertThat(RecordLimits.regressionValueProblem(Double.NaN)).contains("finite");
        assertThat(RecordLimits.regressionValueProblem(Double.NEGATIVE_INFINITY)).contains("finite");
        assertThat(RecordLimits.regressionValueProblem(1e39)).contains("float range");
    }

    @Test
    void everyRuleHasOneCodeAndEveryCodeOneRule() {
        assertThat(new HashSet<>(Arrays.stream(RejectionRule.values()).map(RejectionRule::code).toList()))
                .hasSize(RejectionRule.values().length);
        for (RejectionRule rule : RejectionRule.values()) {
            assertThat(RejectionRule.ofCode(rule.code())).isSameAs(rule);
            assertThat(rule.code()).matches("[a-z]+(-[a-z]+)*");
        }
        assertThat(RejectionRule.ofCode("no-such-rule")).isNull();
    }
}
