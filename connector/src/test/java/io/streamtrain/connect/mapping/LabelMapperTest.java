package io.streamtrain.connect.mapping;

import static io.streamtrain.connect.mapping.Records.map;
import static io.streamtrain.connect.mapping.Records.schemaless;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import io.streamtrain.avro.ClassLabel;
import io.streamtrain.avro.Label;
import io.streamtrain.avro.RegressionTarget;
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
}
