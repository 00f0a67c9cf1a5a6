package io.streamtrain.connect.mapping;

import static io.streamtrain.connect.mapping.GeneratedRecord.AMOUNT;
import static io.streamtrain.connect.mapping.GeneratedRecord.CHANNEL;
import static io.streamtrain.connect.mapping.GeneratedRecord.CITY;
import static io.streamtrain.connect.mapping.GeneratedRecord.EMBEDDING;
import static io.streamtrain.connect.mapping.GeneratedRecord.ID;
import static io.streamtrain.connect.mapping.GeneratedRecord.LABEL;
import static io.streamtrain.connect.mapping.GeneratedRecord.MODEL;
import static io.streamtrain.connect.mapping.GeneratedRecord.ONLINE;
import static io.streamtrain.connect.mapping.GeneratedRecord.TIME;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import io.streamtrain.avro.ClassLabel;
import io.streamtrain.avro.Example;
import io.streamtrain.avro.Origin;
import io.streamtrain.avro.RegressionTarget;
import io.streamtrain.connect.mapping.GeneratedRecord.LabelKind;
import io.streamtrain.contract.RecordLimits;
import io.streamtrain.contract.ReplicaKey;
import io.streamtrain.embedded.Tries;
import org.junit.jupiter.api.Test;

/**
 * Properties of {@link ExampleMapper} over thousands of generated records (see {@link Tries} for the seed and the
 * number of tries): whatever a record holds, the mapper either writes an Example the learner takes or rejects the
 * record naming the field at fault and its rule, so that it goes to the dead-letter queue; a valid record keeps
 * its values; and a mapped record is keyed by {@link ReplicaKey#of} for the replicas of its model.
 */
class ExampleMapperProperties {

    /** Every rule a generated record can break; too-large is the task's, after mapping. */
    static final Set<String> RULES = Set.of(MappingException.MISSING_FIELD, MappingException.WRONG_TYPE,
            MappingException.NON_FINITE, MappingException.VECTOR_LENGTH, MappingException.UNKNOWN_CLASS,
            MappingException.UNKNOWN_CATEGORY, MappingException.NULL_VALUE, MappingException.INVALID_VALUE);

    /** The longest message a rejection may carry: it lands in a DLQ header, whatever the size of the record. */
    static final int MAX_MESSAGE_CHARS = 1_000;

    /** How a mapped record was keyed, in the tally. */
    static final String KEYED_BY_MODEL = "keyed <model>";
    static final String KEYED_BY_SHARD = "keyed <model>#<shard>";

    private static final int FIRST_CHANNEL_SLOT = 2;
    private static final int FIRST_CITY_SLOT = FIRST_CHANNEL_SLOT + FieldDraws.CHANNELS.size();
    private static final int FIRST_EMBEDDING_SLOT = FIRST_CITY_SLOT + FieldDraws.CITY_BUCKETS;
    private static final int WIDTH = FIRST_EMBEDDING_SLOT + FieldDraws.EMBEDDING_LENGTH;

    @Test
    void everyRecordMapsToAnExampleTheLearnerTakesOrIsRejectedNamingTheFieldAtFault() {
        Map<String, Integer> tally = Tries.run("ExampleMapper, any record", r -> GeneratedRecord.example(r, false),
                ExampleMapperProperties::mapsOrRejects);
        if (Tries.count() >= 1000) {
            // else the property holds for too few kinds of input to mean much
            assertThat(outcomes(tally)).as("outcomes seen").contains("mapped")
                    .containsAll(RULES.stream().map(rule -> "rejected " + rule).toList());
        }
    }

    @Test
    void everyValidRecordMapsAndKeepsItsValues() {
        Map<String, Integer> tally = Tries.run("ExampleMapper, valid records", r -> GeneratedRecord.example(r, true),
                generated -> {
                    assertThat(generated.suspectFields()).as("fields drawn invalid").isEmpty();
                    return ExampleMapperProperties.mapsOrRejects(generated);
                });
        assertThat(outcomes(tally)).as("outcomes of valid records").containsOnly("mapped");
        assertKeyedBothWays(tally);
    }

    /** The tally of valid records has records keyed by model id and records keyed by a shard of their model. */
    static void assertKeyedBothWays(Map<String, Integer> tally) {
        if (Tries.count() < 100) {
            return; // a short run may not draw both
        }
        assertThat(tally.keySet()).as("kinds of mapped records")
                .anyMatch(seen -> seen.endsWith(" · " + KEYED_BY_MODEL))
                .anyMatch(seen -> seen.endsWith(" · " + KEYED_BY_SHARD));
    }

    /**
     * Checks the key of a mapped record: what {@link ReplicaKey#of} makes of its model, its example id and the
     * replicas the configuration gives the model; and says which kind of key it is.
     */
    static String assertKeyed(String key, String model, String exampleId, GeneratedRecord generated) {
        int replicas = generated.replicas(model);
        assertThat(key).as("the key of model %s, example %s, %d replicas", Drawn.show(model), Drawn.show(exampleId),
                replicas).isEqualTo(ReplicaKey.of(model, exampleId, replicas));
        if (replicas == 1) {
            assertThat(key).as("the key of a model with one replica").isEqualTo(model);
            return KEYED_BY_MODEL;
        }
        assertThat(key).as("the key of a model with %d replicas", replicas)
                .isEqualTo(ReplicaKey.shardKey(model, ReplicaKey.shard(exampleId, replicas)));
        return KEYED_BY_SHARD;
    }

    /** The property: mapped to an Example within the limits, keeping the valid values; or rejected as it should. */
    static String mapsOrRejects(GeneratedRecord generated) {
        ExampleMapper mapper = new ExampleMapper(generated.spec());
        MappedRecord mapped;
        try {
            mapped = mapper.map(generated.record);
        } catch (MappingException e) {
            assertThat(generated.suspectFields()).as("fields that break a rule or hold junk, rejected %s: %s",
                    e.field(), e.getMessage()).isNotEmpty();
            return rejected(generated, e);
        }
        assertThat(generated.badFields()).as("fields that break a rule, yet the record was mapped").isEmpty();
        assertThat(mapper.width()).isEqualTo(WIDTH);
        Example example = (Example) mapped.value();
        assertWithinLimits(example, generated.labelKind);
        assertKeepsValidValues(example, generated);
        String keyed = assertKeyed(mapped.key(), example.getModel().toString(), example.getId().toString(),
                generated);
        return "mapped · " + (generated.struct ? "a struct" : "schemaless") + " · " + keyed;
    }

    /** Checks a rejection: the field at fault, its rule, a message fit for a DLQ header. */
    static String rejected(GeneratedRecord generated, MappingException e) {
        assertThat(RULES).as("the rule").contains(e.rule());
        assertThat(generated.suspectFields()).as("fields a rejection may name").contains(e.field());
        Drawn atFault = generated.draws.get(e.field());
        if (atFault.isBad()) {
            assertThat(e.rule()).as("the rule %s breaks", atFault).isEqualTo(atFault.rule());
        }
        assertThat(e.getMessage()).startsWith("Field '" + e.field() + "' breaks rule '" + e.rule() + "': ")
                .hasSizeLessThanOrEqualTo(MAX_MESSAGE_CHARS);
        return "rejected " + e.rule() + " · " + atFault.kind();
    }

    /** What the learner checks again on everything it reads. */
    private static void assertWithinLimits(Example example, LabelKind labelKind) {
        String model = example.getModel().toString();
        assertThat(RecordLimits.modelIdProblem(model)).as("model id problem").isNull();
        assertThat(RecordLimits.idProblem(example.getId().toString())).as("id problem").isNull();
        assertThat(RecordLimits.eventTimeProblem(example.getEventTime().toEpochMilli())).as("event time problem")
                .isNull();
        assertThat(example.getFeatures()).hasSize(WIDTH).allMatch(Float::isFinite, "is a finite float");
        assertThat(example.getWeight()).isEqualTo(1f);
        assertThat(example.getOrigin()).isEqualTo(new Origin("in", 0, 42L, GeneratedRecord.MAPPED_BY));
        Object label = example.getLabel();
        switch (labelKind) {
            case NONE -> assertThat(label).isNull();
            case CLASSES -> assertThat(label).isInstanceOfSatisfying(ClassLabel.class, c -> {
                assertThat(c.getIndex()).isBetween(0, FieldDraws.CLASSES.size() - 1);
                assertThat(c.getName()).hasToString(FieldDraws.CLASSES.get(c.getIndex()));
                assertThat(RecordLimits.classNameProblem(c.getName().toString())).isNull();
            });
            case REGRESSION -> assertThat(label).isInstanceOfSatisfying(RegressionTarget.class,
                    t -> assertThat(RecordLimits.regressionValueProblem(t.getValue())).isNull());
        }
        // a vocabulary that rejects unknown categories gives exactly one hot slot; hashing always does
        assertThat(sum(example.getFeatures(), FIRST_CHANNEL_SLOT, FIRST_CITY_SLOT)).isEqualTo(1f);
        assertThat(sum(example.getFeatures(), FIRST_CITY_SLOT, FIRST_EMBEDDING_SLOT)).isEqualTo(1f);
    }

    private static void assertKeepsValidValues(Example example, GeneratedRecord generated) {
        List<Float> features = example.getFeatures();
        assertThat(example.getId()).hasToString(generated.idFromField
                ? generated.valid(ID).map(d -> (String) d.expected()).orElse(example.getId().toString())
                : "in-0-42");
        assertThat(example.getModel()).hasToString(generated.modelFromField
                ? generated.valid(MODEL).map(d -> (String) d.expected()).orElse(example.getModel().toString())
                : GeneratedRecord.FIXED_MODEL);
        generated.valid(generated.timeFromField ? TIME : RecordIdentity.RECORD_TIMESTAMP).ifPresent(
                time -> assertThat(example.getEventTime().toEpochMilli()).isEqualTo(time.expected()));
        generated.valid(LABEL).ifPresent(label -> {
            if (generated.labelKind == LabelKind.CLASSES) {
                assertThat(example.getLabel()).isEqualTo(label.expected());
            } else {
                assertThat(((RegressionTarget) example.getLabel()).getValue()).isEqualTo(label.expected());
            }
        });
        generated.valid(AMOUNT).ifPresent(amount -> assertThat(features.get(0)).isEqualTo(amount.expected()));
        generated.valid(ONLINE).ifPresent(online -> assertThat(features.get(1)).isEqualTo(online.expected()));
        generated.valid(CHANNEL).ifPresent(channel -> assertThat(
                features.get(FIRST_CHANNEL_SLOT + (Integer) channel.expected())).isEqualTo(1f));
        generated.valid(CITY).filter(city -> (Integer) city.expected() >= 0).ifPresent(city -> assertThat(
                features.get(FIRST_CITY_SLOT + (Integer) city.expected())).isEqualTo(1f));
        generated.valid(EMBEDDING).ifPresent(embedding -> {
            float[] expected = (float[]) embedding.expected();
            for (int i = 0; i < expected.length; i++) {
                assertThat(features.get(FIRST_EMBEDDING_SLOT + i)).as("embedding element %d", i)
                        .isEqualTo(expected[i]);
            }
        });
    }

    private static float sum(List<Float> features, int from, int to) {
        float sum = 0;
        for (int i = from; i < to; i++) {
            sum += features.get(i);
        }
        return sum;
    }

    /** The tally without the kinds of input: "mapped", "rejected invalid-value", ... */
    static Set<String> outcomes(Map<String, Integer> tally) {
        return tally.keySet().stream().map(seen -> seen.split(" · ")[0]).collect(Collectors.toSet());
    }
}
