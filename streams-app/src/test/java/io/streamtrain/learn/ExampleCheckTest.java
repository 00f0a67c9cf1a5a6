package io.streamtrain.learn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

class ExampleCheckTest {

    private final ExampleCheck classifier = new ExampleCheck(3, true, 4);
    private final ExampleCheck regression = new ExampleCheck(3, false, 0);

    @Test
    void acceptsGoodExamplesWithOrWithoutALabel() {
        assertThat(classifier.check(new float[] {1, 2, 3}, Target.ofClass(3))).isNull();
        assertThat(classifier.check(new float[] {1, 2, 3}, null)).isNull();
        assertThat(regression.check(new float[] {1, 2, 3}, Target.ofValue(-2.5))).isNull();
        assertThat(regression.check(List.of(1f, 2f, 3f), Target.ofValue(0))).isNull();
    }

    @Test
    void featureCount() {
        assertThat(classifier.check(new float[] {1, 2}, Target.ofClass(0)))
                .isEqualTo(new Rejection("features", "feature-count", "expected 3 features, got 2"));
        assertThat(classifier.check((float[]) null, null))
                .isEqualTo(new Rejection("features", "feature-count", "expected 3 features, got none"));
        assertThat(regression.check(List.of(1f, 2f, 3f, 4f), null))
                .isEqualTo(new Rejection("features", "feature-count", "expected 3 features, got 4"));
    }

    @Test
    void nonFiniteFeaturesAndLabels() {
        assertThat(classifier.check(new float[] {1, Float.NaN, Float.POSITIVE_INFINITY}, Target.ofClass(0)))
                .isEqualTo(new Rejection("features[1]", "non-finite",
                        "feature 1 is NaN; features must be finite numbers"));
        assertThat(regression.check(new float[] {1, 2, Float.NEGATIVE_INFINITY}, null))
                .isEqualTo(new Rejection("features[2]", "non-finite",
                        "feature 2 is -Infinity; features must be finite numbers"));
        assertThat(regression.check(Arrays.asList(1f, null, 3f), null))
                .isEqualTo(new Rejection("features[1]", "non-finite",
                        "feature 1 is missing (null); features must be finite numbers"));
        assertThat(regression.check(new float[] {1, 2, 3}, Target.ofValue(Double.NaN)))
                .isEqualTo(new Rejection("label", "non-finite", "the regression label is NaN; it must be a finite"
                        + " number"));
    }

    @Test
    void unknownClass() {
        assertThat(classifier.check(new float[] {1, 2, 3}, Target.ofClass(4)))
                .isEqualTo(new Rejection("label", "unknown-class",
                        "class index 4 is not one of the model's 4 classes [0, 4)"));
        assertThat(classifier.check(new float[] {1, 2, 3}, Target.ofClass(-1)).rule()).isEqualTo("unknown-class");
    }

    @Test
    void labelKind() {
        assertThat(classifier.check(new float[] {1, 2, 3}, Target.ofValue(1.0)))
                .isEqualTo(new Rejection("label", "label-kind",
                        "the model is a classifier, but the label is the regression value 1.0"));
        assertThat(regression.check(new float[] {1, 2, 3}, Target.ofClass(1)))
                .isEqualTo(new Rejection("label", "label-kind",
                        "the model is a regression model, but the label is the class index 1"));
    }

    @Test
    void featuresAreCheckedBeforeTheLabel() {
        assertThat(classifier.check(new float[] {Float.NaN, 0, 0}, Target.ofClass(9)).rule()).isEqualTo("non-finite");
    }

    @Test
    void ruleCodesAreStable() {
        assertThat(List.of(ExampleCheck.FEATURE_COUNT, ExampleCheck.NON_FINITE, ExampleCheck.UNKNOWN_CLASS,
                ExampleCheck.LABEL_KIND)).containsExactly("feature-count", "non-finite", "unknown-class", "label-kind");
    }

    @Test
    void followsALearnersModel() {
        try (Learner learner = Learner.create(NetworkSpec.fromResource("mlp-classifier.yaml"))) {
            ExampleCheck check = ExampleCheck.forLearner(learner);
            assertThat(check.check(new float[20], Target.ofClass(1))).isNull();
            assertThat(check.check(new float[20], Target.ofClass(2)).rule()).isEqualTo("unknown-class");
            assertThat(check.check(List.of(1f), null).rule()).isEqualTo("feature-count");
        }
        assertThatThrownBy(() -> new ExampleCheck(3, true, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
