package io.streamtrain.connect.mapping;

import static io.streamtrain.connect.mapping.GeneratedRecord.ID;
import static io.streamtrain.connect.mapping.GeneratedRecord.LABEL;
import static io.streamtrain.connect.mapping.GeneratedRecord.MODEL;
import static io.streamtrain.connect.mapping.GeneratedRecord.TIME;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import io.streamtrain.avro.ClassLabel;
import io.streamtrain.avro.Label;
import io.streamtrain.avro.Origin;
import io.streamtrain.avro.RegressionTarget;
import io.streamtrain.connect.mapping.GeneratedRecord.LabelKind;
import io.streamtrain.contract.RecordLimits;
import io.streamtrain.embedded.Tries;
import org.junit.jupiter.api.Test;

/**
 * Properties of {@link LabelMapper} ({@code mode=labels}) over thousands of generated records, as
 * {@link ExampleMapperProperties} for examples: a Label the learner takes, keyed as the example it names, or a
 * rejection naming the field at fault.
 */
class LabelMapperProperties {

    @Test
    void everyRecordMapsToALabelTheLearnerTakesOrIsRejectedNamingTheFieldAtFault() {
        Map<String, Integer> tally = Tries.run("LabelMapper, any record", r -> GeneratedRecord.label(r, false),
                LabelMapperProperties::mapsOrRejects);
        if (Tries.count() >= 1000) {
            assertThat(ExampleMapperProperties.outcomes(tally)).as("outcomes seen").contains("mapped",
                    "rejected " + MappingException.INVALID_VALUE, "rejected " + MappingException.NON_FINITE,
                    "rejected " + MappingException.UNKNOWN_CLASS, "rejected " + MappingException.WRONG_TYPE,
                    "rejected " + MappingException.NULL_VALUE, "rejected " + MappingException.MISSING_FIELD);
        }
    }

    @Test
    void everyValidRecordMapsAndKeepsItsValues() {
        Map<String, Integer> tally = Tries.run("LabelMapper, valid records", r -> GeneratedRecord.label(r, true),
                generated -> {
                    assertThat(generated.suspectFields()).as("fields drawn invalid").isEmpty();
                    return mapsOrRejects(generated);
                });
        assertThat(ExampleMapperProperties.outcomes(tally)).as("outcomes of valid records").containsOnly("mapped");
        ExampleMapperProperties.assertKeyedBothWays(tally);
    }

    private static String mapsOrRejects(GeneratedRecord generated) {
        MappedRecord mapped;
        try {
            mapped = new LabelMapper(generated.spec()).map(generated.record);
        } catch (MappingException e) {
            assertThat(generated.suspectFields()).as("fields that break a rule or hold junk, rejected %s: %s",
                    e.field(), e.getMessage()).isNotEmpty();
            return ExampleMapperProperties.rejected(generated, e);
        }
        assertThat(generated.badFields()).as("fields that break a rule, yet the record was mapped").isEmpty();
        Label label = (Label) mapped.value();
        String model = label.getModel().toString();
        // what the learner checks again on everything it reads; the key as that of the example the label names
        String keyed = ExampleMapperProperties.assertKeyed(mapped.key(), model, label.getExampleId().toString(),
                generated);
        assertThat(RecordLimits.modelIdProblem(model)).as("model id problem").isNull();
        assertThat(RecordLimits.idProblem(label.getExampleId().toString())).as("id problem").isNull();
        assertThat(RecordLimits.eventTimeProblem(label.getTime().toEpochMilli())).as("time problem").isNull();
        assertThat(label.getOrigin()).isEqualTo(new Origin("in", 0, 42L, GeneratedRecord.MAPPED_BY));
        if (generated.labelKind == LabelKind.CLASSES) {
            assertThat(label.getLabel()).isInstanceOfSatisfying(ClassLabel.class, c -> assertThat(c.getName())
                    .hasToString(FieldDraws.CLASSES.get(c.getIndex())));
        } else {
            assertThat(label.getLabel()).isInstanceOfSatisfying(RegressionTarget.class,
                    t -> assertThat(RecordLimits.regressionValueProblem(t.getValue())).isNull());
        }
        // and the values of valid fields, kept
        generated.valid(ID).ifPresent(id -> assertThat(label.getExampleId()).hasToString((String) id.expected()));
        assertThat(label.getModel()).hasToString(generated.modelFromField
                ? generated.valid(MODEL).map(d -> (String) d.expected()).orElse(model)
                : GeneratedRecord.FIXED_MODEL);
        generated.valid(generated.timeFromField ? TIME : RecordIdentity.RECORD_TIMESTAMP).ifPresent(
                time -> assertThat(label.getTime().toEpochMilli()).isEqualTo(time.expected()));
        generated.valid(LABEL).ifPresent(expected -> {
            if (generated.labelKind == LabelKind.CLASSES) {
                assertThat(label.getLabel()).isEqualTo(expected.expected());
            } else {
                assertThat(((RegressionTarget) label.getLabel()).getValue()).isEqualTo(expected.expected());
            }
        });
        return "mapped · " + (generated.struct ? "a struct" : "schemaless") + " · " + keyed;
    }
}
