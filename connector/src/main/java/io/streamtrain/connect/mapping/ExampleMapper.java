package io.streamtrain.connect.mapping;

import java.util.ArrayList;
import java.util.List;

import io.streamtrain.avro.Example;
import io.streamtrain.registry.FloatVector;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * Maps a record to an {@link Example}: the configured features encoded into one dense vector, the label when one is
 * configured, the id, model id, event time and origin; keyed by its model id, or {@code <model>#<shard>} for a model
 * trained by several replicas.
 */
public final class ExampleMapper implements RecordMapper {

    private static final float DEFAULT_WEIGHT = 1f;

    private final RecordIdentity identity;
    private final List<FeatureEncoder> encoders;
    private final FieldPath labelField;
    private final LabelEncoder labelEncoder;
    private final boolean labelOptional;
    private final int width;

    public ExampleMapper(MappingSpec spec) {
        if (spec.features().isEmpty()) {
            throw new IllegalArgumentException("an example needs at least one feature");
        }
        this.identity = new RecordIdentity(spec);
        List<FeatureEncoder> list = new ArrayList<>();
        int total = 0;
        for (FeatureSpec feature : spec.features()) {
            FeatureEncoder encoder = FeatureEncoder.of(feature);
            list.add(encoder);
            total += encoder.width();
        }
        this.encoders = List.copyOf(list);
        this.width = total;
        this.labelField = spec.labelField().orElse(null);
        this.labelEncoder = spec.labelEncoder();
        this.labelOptional = spec.labelOptional();
    }

    /** The length of every feature vector this mapper writes: the model's input size. */
    public int width() {
        return width;
    }

    @Override
    public MappedRecord map(SinkRecord record) {
        float[] features = new float[width];
        int offset = 0;
        for (FeatureEncoder encoder : encoders) {
            encoder.encode(encoder.spec().path().require(record), features, offset);
            offset += encoder.width();
        }
        String model = identity.modelId(record);
        String id = identity.id(record);
        Example example = new Example(id, model, new FloatVector(features), label(record), identity.time(record),
                identity.origin(record), DEFAULT_WEIGHT);
        return new MappedRecord(identity.key(model, id), example);
    }

    private Object label(SinkRecord record) {
        if (labelField == null) {
            return null;
        }
        Object value = labelOptional ? labelField.find(record) : labelField.require(record);
        return value == null ? null : labelEncoder.encode(labelField.text(), value);
    }
}
