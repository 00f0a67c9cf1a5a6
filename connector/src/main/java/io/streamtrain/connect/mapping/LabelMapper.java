package io.streamtrain.connect.mapping;

import io.streamtrain.avro.Label;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * Maps a record that carries an example id and its outcome to a {@link Label}, for outcomes known only after the
 * event; the learner joins it to its example by id.
 */
public final class LabelMapper implements RecordMapper {

    private final RecordIdentity identity;
    private final FieldPath labelField;
    private final LabelEncoder labelEncoder;

    public LabelMapper(MappingSpec spec) {
        if (spec.idField().isEmpty()) {
            throw new IllegalArgumentException("a late label needs the id field of the example it belongs to");
        }
        this.identity = new RecordIdentity(spec);
        this.labelField = spec.labelField()
                .orElseThrow(() -> new IllegalArgumentException("a late label needs a label field"));
        this.labelEncoder = spec.labelEncoder();
    }

    @Override
    public MappedRecord map(SinkRecord record) {
        Object label = labelEncoder.encode(labelField.text(), labelField.require(record));
        String model = identity.modelId(record);
        String exampleId = identity.id(record);
        Label value = new Label(exampleId, model, label, identity.time(record), identity.origin(record));
        // keyed as its example, from the example id it names: it reaches the learner task that holds the example
        return new MappedRecord(identity.key(model, exampleId), value);
    }
}
