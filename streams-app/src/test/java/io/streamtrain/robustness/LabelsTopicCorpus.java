package io.streamtrain.robustness;

import static io.streamtrain.robustness.ExamplesTopicCorpus.MODEL;
import static io.streamtrain.robustness.ExamplesTopicCorpus.avro;
import static io.streamtrain.robustness.ExamplesTopicCorpus.body;
import static io.streamtrain.robustness.ExamplesTopicCorpus.concat;
import static io.streamtrain.robustness.ExamplesTopicCorpus.features;
import static io.streamtrain.robustness.ExamplesTopicCorpus.frame;
import static io.streamtrain.robustness.ExamplesTopicCorpus.utf8;
import static io.streamtrain.robustness.ExamplesTopicCorpus.withByte;
import static io.streamtrain.robustness.ExamplesTopicCorpus.withHeader;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.streamtrain.avro.ClassLabel;
import io.streamtrain.avro.Label;
import io.streamtrain.avro.RegressionTarget;
import io.streamtrain.registry.SchemaRegistryClient;
import io.streamtrain.robustness.ExamplesTopicCorpus.Bad;

/**
 * Bad records for the learner's labels topic, as data, like {@link ExamplesTopicCorpus}: labels that cannot be
 * decoded, that break a rule of the model ({@link ExamplesTopicCorpus#MODEL}: 2 classes), and valid labels whose
 * example never comes, which wait for it and are rejected once the wait is over.
 */
final class LabelsTopicCorpus {

    private final int labelId;
    private final ExamplesTopicCorpus examples;

    /** Registers the Label schema for {@code topic}, as the connector in labels mode would. */
    LabelsTopicCorpus(SchemaRegistryClient registry, String topic, ExamplesTopicCorpus examples) {
        this.labelId = registry.register(topic + "-value", Label.getClassSchema());
        this.examples = examples;
    }

    static Label label(String exampleId, String model, Object label) {
        return Label.newBuilder().setExampleId(exampleId).setModel(model).setLabel(label)
                .setTime(Instant.ofEpochMilli(1_700_000_000_000L)).build();
    }

    byte[] bytes(Label label) {
        return frame(labelId, Label.getClassSchema(), label);
    }

    /** Every bad label, in a fixed order. */
    List<Bad> all() {
        List<Bad> bad = new ArrayList<>();
        byte[] valid = bytes(label("valid", MODEL, new ClassLabel(1, null)));

        bad.add(undecodable("JSON instead of Avro", utf8("{\"exampleId\":\"e1\",\"model\":\"m\",\"label\":1}")));
        bad.add(undecodable("a header cut short", new byte[] {0, 0}));
        bad.add(undecodable("magic byte 1", withByte(valid, 0, (byte) 1)));
        bad.add(undecodable("an unknown schema id", withHeader(0x7FFF_FFF1, body(valid))));
        bad.add(undecodable("a truncated body", Arrays.copyOf(valid, valid.length - 3)));
        bad.add(undecodable("trailing bytes", concat(valid, new byte[] {9, 9})));
        bad.add(undecodable("a string claiming 2 GB", concat(Arrays.copyOf(valid, 5),
                avro(e -> e.writeLong(Integer.MAX_VALUE - 100)))));
        bad.add(undecodable("a label union index out of range", concat(Arrays.copyOf(valid, 5), avro(e -> {
            e.writeString("e2");
            e.writeString(MODEL);
            e.writeIndex(5);
        }))));
        bad.add(undecodable("an Example instead of a Label", examples.register("robustness-example-on-labels-value",
                ExamplesTopicCorpus.example("e3", MODEL, features(0.5f), new ClassLabel(0, null), 1f))));

        bad.add(new Bad("a tombstone", MODEL, null, "null-value", "value"));
        bad.add(new Bad("a blank model id", " ", bytes(label("b1", " ", new ClassLabel(0, null))), "model-id",
                "model"));
        bad.add(new Bad("a null key", null, bytes(label("k1", MODEL, new ClassLabel(0, null))),
                "key-model-mismatch", "key"));
        bad.add(new Bad("the key of another model", "other", bytes(label("k2", MODEL, new ClassLabel(0, null))),
                "key-model-mismatch", "key"));
        bad.add(rejected("class index 2 of 2 classes", label("c1", MODEL, new ClassLabel(2, null)), "unknown-class",
                "label"));
        bad.add(rejected("class index -7", label("c2", MODEL, new ClassLabel(-7, "minus seven")), "unknown-class",
                "label"));
        bad.add(rejected("a regression label for a classifier", label("r1", MODEL, new RegressionTarget(2.5)),
                "label-kind", "label"));
        bad.add(rejected("an empty example id", label("", MODEL, new ClassLabel(0, null)), "id-length",
                "exampleId"));
        bad.add(rejected("an example id of 5,000 characters", label("x".repeat(5_000), MODEL,
                new ClassLabel(0, null)), "id-length", "exampleId"));
        bad.add(rejected("a label for an example that never comes", label("never-sent", MODEL,
                new ClassLabel(1, null)), "unmatched-label", "exampleId"));
        bad.add(rejected("a label for an example that came labeled", label("good-0", MODEL, new ClassLabel(1, null)),
                "unmatched-label", "exampleId"));
        Label beforeTheEpoch = label("t1", MODEL, new ClassLabel(0, null));
        beforeTheEpoch.setTime(java.time.Instant.ofEpochMilli(-86_400_000L));
        bad.add(rejected("a label time before 1970", beforeTheEpoch, "event-time-range", "time"));
        bad.add(rejected("a class name of 5,000 characters", label("cn", MODEL, new ClassLabel(1, "n".repeat(5_000))),
                "class-name-length", "label.name"));
        return bad;
    }

    private Bad rejected(String name, Label label, String rule, String field) {
        return new Bad(name, label.getModel(), bytes(label), rule, field);
    }

    private static Bad undecodable(String name, byte[] value) {
        return new Bad(name, MODEL, value, "undecodable", "value");
    }
}
