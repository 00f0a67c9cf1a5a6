package io.streamtrain.registry;

/** How a serializer chooses the schema, and so the schema id, it writes a record with. */
public enum WriterSchemaPolicy {
    /** Register the record's own schema under the subject ({@code auto.register.schemas=true}). */
    AUTO_REGISTER,
    /**
     * Write with the latest schema of the subject, converting the record to it by Avro schema
     * resolution ({@code auto.register.schemas=false, use.latest.version=true}).
     */
    USE_LATEST,
    /**
     * Write with the record's own schema, which must already be registered under the subject
     * ({@code auto.register.schemas=false, use.latest.version=false}).
     */
    LOOKUP
}
