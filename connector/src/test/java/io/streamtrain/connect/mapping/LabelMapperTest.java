package io.streamtrain.connect.mapping;

import static io.streamtrain.connect.mapping.Records.map;
import static io.streamtrain.connect.mapping.Records.schemaless;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import io.streamtrain.avro.ClassLabel;
import io.streamtrain.avro.Label;
import io.streamtrain.avro.RegressionTarget;
import io.streamtrain.contract.RecordLimits;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

class LabelMapperTest {

    private static MappingSpec spec(LabelEncoder encoder) {
        return new MappingSpec(Optional.of("churn"), Optional.empty(), Optional.of(FieldPath.parse("customer.event")),
                Optional.of(FieldPath.parse("knownAt")), Optional.of(FieldPath.parse("outcome")), encoder, false,
                List.of(), "labels-connector");
    }

    @Test
    void mapsAnIdAndAnOutcomeToALabel() {
        LabelMapper mapper = new LabelMapper(spec(LabelEncoder.classes(List.of("stayed", "left"))));
        MappedRecord mapped = mapper.map(schemaless(map("customer", map("event", "in-0-7"), "outcome", "left",
                "knownAt", 5000L)));
        assertThat(mapped.key()).isEqualTo("churn");
        Label label = (Label) mapped.value();
        assertThat(label.getExampleId()).isEqualTo("in-0-7");
        assertThat(label.getModel()).isEqualTo("churn");
        assertThat(label.getLabel()).isEqualTo(new ClassLabel(1, "left"));
        assertThat(label.getTime()).isEqualTo(Instant.ofEpochMilli(5000L));
        assertThat(label.getOrigin().getMappedBy()).isEqualTo("labels-connector");
    }

    @Test
    void regressionOutcomes() {
        LabelMapper mapper = new LabelMapper(spec(LabelEncoder.regression()));
        Label label = (Label) mapper.map(schemaless(map("customer", map("event", 17L), "outcome", 2.5,
                "knownAt", 1L))).value();
        assertThat(label.getExampleId()).isEqualTo("17");
        assertThat(label.getLabel()).isEqualTo(new RegressionTarget(2.5));
        assertThatThrownBy(() -> mapper.map(schemaless(map("customer", map("event", 17L), "outcome", Double.NaN,
                "knownAt", 1L)))).isInstanceOfSatisfying(MappingException.class,
                        e -> assertThat(e.rule()).isEqualTo(MappingException.NON_FINITE));
    }

    @Test
    void aLabelAndAnIdAreRequired() {
        LabelMapper mapper = new LabelMapper(spec(LabelEncoder.regression()));
        assertThatThrownBy(() -> mapper.map(schemaless(map("customer", map("event", "e"), "knownAt", 1L))))
                .isInstanceOfSatisfying(MappingException.class, e -> {
                    assertThat(e.field()).isEqualTo("outcome");
                    assertThat(e.rule()).isEqualTo(MappingException.MISSING_FIELD);
                });
        assertThatThrownBy(() -> mapper.map(schemaless(map("customer", map("event", ""), "outcome", 1.0,
                "knownAt", 1L)))).isInstanceOfSatisfying(MappingException.class, e -> {
                    assertThat(e.field()).isEqualTo("customer.event");
                    assertThat(e.rule()).isEqualTo(MappingException.INVALID_VALUE);
                });
        assertThatThrownBy(() -> new LabelMapper(new MappingSpec(Optional.of("m"), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.of(FieldPath.parse("o")), LabelEncoder.regression(), false, List.of(),
                null))).isInstanceOf(IllegalArgumentException.class);
    }

    private static SinkRecord outcome(Object knownAt, Object outcome) {
        return schemaless(map("customer", map("event", "in-0-7"), "outcome", outcome, "knownAt", knownAt));
    }

    @Test
    void aLabelTimeOutsideTheRangeOrWithAFractionIsAnInvalidValue() {
        LabelMapper mapper = new LabelMapper(spec(LabelEncoder.regression()));
        for (Object knownAt : List.of(Long.MIN_VALUE, -1L, RecordLimits.MAX_EVENT_TIME_MS + 1, Long.MAX_VALUE,
                "+10000-01-01T00:00:00Z", "1969-12-31T23:59:59Z", 1.5, BigInteger.TWO.pow(70))) {
            assertThatThrownBy(() -> mapper.map(outcome(knownAt, 1.0))).as("knownAt %s", knownAt)
                    .isInstanceOfSatisfying(MappingException.class, e -> {
                        assertThat(e.field()).isEqualTo("knownAt");
                        assertThat(e.rule()).isEqualTo(MappingException.INVALID_VALUE);
                    });
        }
        assertThat(((Label) mapper.map(outcome(RecordLimits.MAX_EVENT_TIME_MS, 1.0)).value()).getTime())
                .isEqualTo(Instant.parse("9999-12-31T23:59:59.999Z"));
    }

    @Test
    void aRegressionOutcomeBeyondTheFloatRangeIsNonFinite() {
        LabelMapper mapper = new LabelMapper(spec(LabelEncoder.regression()));
        for (Object value : List.of(3.5e38, -1e39, 1e308, new BigDecimal("1E+39"))) {
            assertThatThrownBy(() -> mapper.map(outcome(1L, value))).isInstanceOfSatisfying(MappingException.class,
                    e -> {
                        assertThat(e.field()).isEqualTo("outcome");
                        assertThat(e.rule()).isEqualTo(MappingException.NON_FINITE);
                        assertThat(e.getMessage()).contains("out of the float range");
                    });
        }
        assertThat(((Label) mapper.map(outcome(1L, -Float.MAX_VALUE)).value()).getLabel())
                .isEqualTo(new RegressionTarget((double) -Float.MAX_VALUE));
    }

    @Test
    void aModelIdFromAFieldIsCheckedAsForExamples() {
        LabelMapper mapper = new LabelMapper(new MappingSpec(Optional.empty(), Optional.of(FieldPath.parse("model")),
                Optional.of(FieldPath.parse("event")), Optional.empty(), Optional.of(FieldPath.parse("outcome")),
                LabelEncoder.regression(), false, List.of(), null));
        for (Object model : List.of(" ", "m".repeat(250), "churn\u0000")) {
            assertThatThrownBy(() -> mapper.map(schemaless(map("event", "e1", "outcome", 1.0, "model", model))))
                    .isInstanceOfSatisfying(MappingException.class, e -> {
                        assertThat(e.field()).isEqualTo("model");
                        assertThat(e.rule()).isEqualTo(MappingException.INVALID_VALUE);
                    });
        }
        assertThat(mapper.map(schemaless(map("event", "e1", "outcome", 1.0, "model", "churn"))).key())
                .isEqualTo("churn");
    }

    @Test
    void anExampleIdOverAThousandCharactersIsAnInvalidValue() {
        LabelMapper mapper = new LabelMapper(spec(LabelEncoder.regression()));
        assertThatThrownBy(() -> mapper.map(schemaless(map("customer", map("event", "e".repeat(1001)),
                "outcome", 1.0, "knownAt", 1L)))).isInstanceOfSatisfying(MappingException.class, e -> {
                    assertThat(e.field()).isEqualTo("customer.event");
                    assertThat(e.rule()).isEqualTo(MappingException.INVALID_VALUE);
                    assertThat(e.getMessage()).contains("1001 characters long; it must be 1 to 1000 characters");
                });
    }
}
