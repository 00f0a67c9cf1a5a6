package io.streamtrain.connect.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;

import io.streamtrain.connect.mapping.FeatureSpec.UnknownCategory;
import org.junit.jupiter.api.Test;

class FeatureEncoderTest {

    private static float[] encode(FeatureSpec spec, Object value) {
        FeatureEncoder encoder = FeatureEncoder.of(spec);
        // the feature's slots are 0 on entry, as in a fresh vector; the slots around it must stay untouched
        float[] out = new float[encoder.width() + 2];
        Arrays.fill(out, -9f);
        Arrays.fill(out, 1, 1 + encoder.width(), 0f);
        encoder.encode(value, out, 1);
        assertThat(out[0]).isEqualTo(-9f);
        assertThat(out[out.length - 1]).isEqualTo(-9f);
        return Arrays.copyOfRange(out, 1, 1 + encoder.width());
    }

    private static MappingException failure(FeatureSpec spec, Object value) {
        try {
            encode(spec, value);
        } catch (MappingException e) {
            return e;
        }
        throw new AssertionError("expected a MappingException");
    }

    @Test
    void numericTakesAnyNumberAndScales() {
        assertThat(encode(FeatureSpec.numeric("x", "x", Scaling.NONE), 3)).containsExactly(3f);
        assertThat(encode(FeatureSpec.numeric("x", "x", Scaling.NONE), new BigDecimal("2.5"))).containsExactly(2.5f);
        assertThat(encode(FeatureSpec.numeric("x", "x", new Scaling.Standard(10, 2)), 14L)).containsExactly(2f);
        assertThat(encode(FeatureSpec.numeric("x", "x", new Scaling.MinMax(0, 200)), 50.0)).containsExactly(0.25f);
    }

    @Test
    void numericRejectsStringsAndNonFiniteNumbers() {
        MappingException wrong = failure(FeatureSpec.numeric("amount", "payment.amount", Scaling.NONE), "12");
        assertThat(wrong.rule()).isEqualTo(MappingException.WRONG_TYPE);
        assertThat(wrong.field()).isEqualTo("payment.amount");
        assertThat(wrong.getMessage()).contains("'payment.amount'", "wrong-type", "feature 'amount'", "'12'");
        assertThat(failure(FeatureSpec.numeric("x", "x", Scaling.NONE), Double.NaN).rule())
                .isEqualTo(MappingException.NON_FINITE);
        assertThat(failure(FeatureSpec.numeric("x", "x", Scaling.NONE), Double.POSITIVE_INFINITY).rule())
                .isEqualTo(MappingException.NON_FINITE);
        // finite as a double, infinite as the float the vector holds
        assertThat(failure(FeatureSpec.numeric("x", "x", Scaling.NONE), 1e300).getMessage())
                .contains("non-finite", "float range");
        assertThat(failure(FeatureSpec.numeric("x", "x", Scaling.NONE), true).rule())
                .isEqualTo(MappingException.WRONG_TYPE);
    }

    @Test
    void aDoubleBeyondTheFloatRangeIsNonFiniteInANumberAndInAVector() {
        FeatureSpec amount = FeatureSpec.numeric("amount", "payment.amount", Scaling.NONE);
        for (Object beyond : List.of(1e308, -1e308, 3.5e38, Double.MAX_VALUE, new BigDecimal("1E+39"))) {
            MappingException e = failure(amount, beyond);
            assertThat(e.rule()).isEqualTo(MappingException.NON_FINITE);
            assertThat(e.field()).isEqualTo("payment.amount");
            assertThat(e.getMessage()).contains("out of the float range (about 3.4e38)", "(feature 'amount')")
                    .doesNotContain("after scaling");
        }
        assertThat(encode(amount, Float.MAX_VALUE)).containsExactly(Float.MAX_VALUE);
        assertThat(encode(amount, Double.MIN_VALUE)).containsExactly(0f);
        assertThat(encode(amount, Long.MIN_VALUE)).containsExactly((float) Long.MIN_VALUE);
        FeatureSpec embedding = FeatureSpec.vector("embedding", "sensor.embedding", 3, Scaling.NONE);
        MappingException element = failure(embedding, List.of(0.5, 1.0, 1e308));
        assertThat(element.rule()).isEqualTo(MappingException.NON_FINITE);
        assertThat(element.field()).isEqualTo("sensor.embedding");
        assertThat(element.getMessage()).contains("element 2: 1.0E308 is out of the float range",
                "(feature 'embedding')");
        assertThat(failure(FeatureSpec.numeric("x", "x", new Scaling.MinMax(0, 1e-300)), 1.0).getMessage())
                .contains("after scaling");
    }

    @Test
    void aTinyDecimalCategoryIsNotWrittenOutInPlainDigits() {
        // 1E-1000000000 in plain digits is a gigabyte; written as it is, it is just one more unknown category
        BigDecimal tiny = new BigDecimal("1E-1000000000");
        FeatureSpec color = FeatureSpec.vocabulary("color", "color", List.of("red"), UnknownCategory.REJECT);
        MappingException e = failure(color, tiny);
        assertThat(e.rule()).isEqualTo(MappingException.UNKNOWN_CATEGORY);
        assertThat(e.getMessage()).contains("'1E-1000000000' is not in the vocabulary");
        assertThat(encode(FeatureSpec.hashed("h", "h", 4), tiny))
                .containsExactly(bucketHot(FeatureEncoder.HashedCategory.bucket("1E-1000000000", 4), 4));
        // small decimals keep their plain text, as before
        assertThat(encode(FeatureSpec.vocabulary("d", "d", List.of("0.000001"), UnknownCategory.REJECT),
                new BigDecimal("1E-6"))).containsExactly(1f);
    }

    private static float[] bucketHot(int bucket, int buckets) {
        float[] hot = new float[buckets];
        hot[bucket] = 1f;
        return hot;
    }

    @Test
    void booleanIsOneOrZero() {
        assertThat(encode(FeatureSpec.bool("b", "b"), true)).containsExactly(1f);
        assertThat(encode(FeatureSpec.bool("b", "b"), false)).containsExactly(0f);
        assertThat(failure(FeatureSpec.bool("b", "b"), "true").rule()).isEqualTo(MappingException.WRONG_TYPE);
        assertThat(failure(FeatureSpec.bool("b", "b"), 1).rule()).isEqualTo(MappingException.WRONG_TYPE);
    }

    @Test
    void vocabularyIsOneHotInConfiguredOrder() {
        FeatureSpec color = FeatureSpec.vocabulary("color", "color", List.of("red", "green", "blue"),
                UnknownCategory.REJECT);
        assertThat(encode(color, "green")).containsExactly(0f, 1f, 0f);
        assertThat(encode(color, "blue")).containsExactly(0f, 0f, 1f);
        FeatureSpec digits = FeatureSpec.vocabulary("d", "d", List.of("1", "2", "true"), UnknownCategory.REJECT);
        assertThat(encode(digits, 2L)).containsExactly(0f, 1f, 0f);
        assertThat(encode(digits, 1.0)).containsExactly(1f, 0f, 0f);
        assertThat(encode(digits, true)).containsExactly(0f, 0f, 1f);
    }

    @Test
    void unknownCategoryIsRejectedOrZeros() {
        FeatureSpec reject = FeatureSpec.vocabulary("color", "color", List.of("red", "green"), UnknownCategory.REJECT);
        MappingException e = failure(reject, "purple");
        assertThat(e.rule()).isEqualTo(MappingException.UNKNOWN_CATEGORY);
        assertThat(e.getMessage()).contains("'purple'", "[red, green]");
        FeatureSpec zeros = FeatureSpec.vocabulary("color", "color", List.of("red", "green"), UnknownCategory.ZEROS);
        assertThat(encode(zeros, "purple")).containsExactly(0f, 0f);
        assertThat(failure(reject, List.of("red")).rule()).isEqualTo(MappingException.WRONG_TYPE);
        assertThat(failure(reject, Double.NaN).rule()).isEqualTo(MappingException.NON_FINITE);
    }

    @Test
    void hashedCategoryUsesKafkasMurmur2() {
        FeatureSpec city = FeatureSpec.hashed("city", "city", 8);
        float[] encoded = encode(city, "Paris");
        int bucket = FeatureEncoder.HashedCategory.bucket("Paris", 8);
        assertThat(encoded).hasSize(8);
        for (int i = 0; i < 8; i++) {
            assertThat(encoded[i]).isEqualTo(i == bucket ? 1f : 0f);
        }
        assertThat(org.apache.kafka.common.utils.Utils.toPositive(
                org.apache.kafka.common.utils.Utils.murmur2("Paris".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                % 8).isEqualTo(bucket);
        assertThat(encode(city, "Paris")).containsExactly(encoded);
    }

    @Test
    void vectorHasAFixedLengthOfFiniteNumbers() {
        FeatureSpec embedding = FeatureSpec.vector("e", "e", 3, new Scaling.Standard(1, 2));
        assertThat(encode(embedding, List.of(1, 3.0, -1L))).containsExactly(0f, 1f, -1f);
        MappingException length = failure(embedding, List.of(1, 2));
        assertThat(length.rule()).isEqualTo(MappingException.VECTOR_LENGTH);
        assertThat(length.getMessage()).contains("expected 3 numbers, got 2");
        assertThat(failure(embedding, Arrays.asList(1, null, 2)).rule()).isEqualTo(MappingException.NULL_VALUE);
        assertThat(failure(embedding, List.of(1, "2", 3)).rule()).isEqualTo(MappingException.WRONG_TYPE);
        assertThat(failure(embedding, List.of(1, Float.NaN, 3)).getMessage()).contains("non-finite", "element 1");
        assertThat(failure(embedding, "1,2,3").rule()).isEqualTo(MappingException.WRONG_TYPE);
    }

    @Test
    void specsRejectImpossibleSettings() {
        assertThatThrownBy(() -> FeatureEncoder.of(FeatureSpec.vector("v", "v", 0, Scaling.NONE)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FeatureEncoder.of(FeatureSpec.hashed("h", "h", 0)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FeatureEncoder.of(
                FeatureSpec.vocabulary("c", "c", List.of("a", "a"), UnknownCategory.REJECT)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Scaling.Standard(0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Scaling.MinMax(1, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
