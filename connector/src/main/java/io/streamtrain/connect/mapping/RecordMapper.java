package io.streamtrain.connect.mapping;

import org.apache.kafka.connect.sink.SinkRecord;

/** Maps one Connect record to the record the connector writes. Implementations are thread-safe. */
public sealed interface RecordMapper permits ExampleMapper, LabelMapper {

    /**
     * Maps a record.
     *
     * @throws MappingException naming the field and the rule when the record cannot be mapped
     */
    MappedRecord map(SinkRecord record);
}
