package io.streamtrain.connect.avro;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Conversions;
import org.apache.avro.JsonProperties;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.DataException;

/**
 * Maps Avro schemas and data to Connect schemas and data and back, as far as a Connect sink or source needs:
 * records, the primitives, arrays, maps, optional fields ({@code ["null", T]} unions), other unions (as a struct
 * with one optional field per branch), enums and fixed (with their names kept in schema parameters so they map
 * back), and the logical types decimal, date, time-millis and timestamp-millis.
 *
 * <p>Other logical types (micros, local timestamps, uuid) map to their underlying type. Recursive records cannot be
 * represented in Connect and raise {@link DataException}.
 *
 * <p>Schemas are cached both ways (bounded). Thread-safe.
 */
public final class AvroConnectData {

    /** Namespace of the records made for Connect structs without a name, and of the union struct. */
    public static final String NAMESPACE = "io.streamtrain.connect.avro";
    /** Name of a Connect struct that stands for an Avro union of several non-null types. */
    public static final String UNION_NAME = NAMESPACE + ".Union";
    /** Schema parameter with the full name of the Avro enum a Connect string came from. */
    public static final String ENUM_PARAMETER = "io.streamtrain.avro.enum";
    /** Schema parameter with the comma-separated symbols of that enum. */
    public static final String ENUM_SYMBOLS_PARAMETER = "io.streamtrain.avro.enum.symbols";
    /** Schema parameter with the full name of the Avro fixed a Connect bytes came from. */
    public static final String FIXED_PARAMETER = "io.streamtrain.avro.fixed";
    /** Schema parameter with the size of that fixed. */
    public static final String FIXED_SIZE_PARAMETER = "io.streamtrain.avro.fixed.size";
    /** Schema parameter with the precision of a decimal, as Confluent's converter names it. */
    public static final String DECIMAL_PRECISION_PARAMETER = "connect.decimal.precision";
    /** Avro property that keeps a Connect INT8 or INT16 apart from INT32, as Confluent's converter names it. */
    public static final String CONNECT_TYPE_PROPERTY = "connect.type";

    private static final String DEFAULT_RECORD_NAME = "ConnectDefault";
    private static final int DEFAULT_DECIMAL_PRECISION = 64;
    private static final long MILLIS_PER_DAY = TimeUnit.DAYS.toMillis(1);
    private static final Conversions.DecimalConversion DECIMALS = new Conversions.DecimalConversion();

    private final LruCache<Schema, org.apache.kafka.connect.data.Schema> toConnect;
    private final LruCache<org.apache.kafka.connect.data.Schema, Schema> toAvro;

    /** @param cacheCapacity how many schemas each direction keeps */
    public AvroConnectData(int cacheCapacity) {
        this.toConnect = new LruCache<>(cacheCapacity);
        this.toAvro = new LruCache<>(cacheCapacity);
    }

    // ------------------------------------------------------------------ Avro -> Connect

    /** The Connect schema of an Avro schema. */
    public org.apache.kafka.connect.data.Schema toConnectSchema(Schema avro) {
        org.apache.kafka.connect.data.Schema cached = toConnect.get(avro);
        if (cached == null) {
            cached = connectSchema(avro, false, new HashSet<>()).build();
            toConnect.put(avro, cached);
        }
        return cached;
    }

    private SchemaBuilder connectSchema(Schema avro, boolean optional, Set<String> visiting) {
        SchemaBuilder builder;
        LogicalType logical = avro.getLogicalType();
        switch (avro.getType()) {
            case UNION -> {
                List<Schema> branches = nonNullBranches(avro);
                boolean nullable = branches.size() < avro.getTypes().size();
                if (branches.isEmpty()) {
                    throw new DataException("the Avro union " + avro + " has only null: Connect has no such type");
                }
                if (branches.size() == 1) {
                    return connectSchema(branches.get(0), optional || nullable, visiting);
                }
                builder = SchemaBuilder.struct().name(UNION_NAME);
                for (Schema branch : branches) {
                    builder.field(branch.getFullName(), connectSchema(branch, true, visiting).build());
                }
                if (optional || nullable) {
                    builder.optional();
                }
                return builder;
            }
            case RECORD -> {
                if (!visiting.add(avro.getFullName())) {
                    throw new DataException("the Avro record " + avro.getFullName()
                            + " contains itself: Connect schemas cannot be recursive");
                }
                builder = SchemaBuilder.struct().name(avro.getFullName());
                for (Schema.Field field : avro.getFields()) {
                    SchemaBuilder fieldSchema = connectSchema(field.schema(), false, visiting);
                    if (field.doc() != null && fieldSchema.doc() == null) {
                        // Connect fields have no doc of their own: it goes on the field's schema, unless that has one
                        fieldSchema.doc(field.doc());
                    }
                    applyDefault(fieldSchema, field);
                    builder.field(field.name(), fieldSchema.build());
                }
                visiting.remove(avro.getFullName());
            }
            case ENUM -> builder = SchemaBuilder.string()
                    .parameter(ENUM_PARAMETER, avro.getFullName())
                    .parameter(ENUM_SYMBOLS_PARAMETER, String.join(",", avro.getEnumSymbols()));
            case FIXED -> {
                if (logical instanceof LogicalTypes.Decimal decimal) {
                    builder = decimalSchema(decimal);
                } else {
                    builder = SchemaBuilder.bytes();
                }
                builder.parameter(FIXED_PARAMETER, avro.getFullName())
                        .parameter(FIXED_SIZE_PARAMETER, Integer.toString(avro.getFixedSize()));
            }
            case BYTES -> builder = logical instanceof LogicalTypes.Decimal decimal ? decimalSchema(decimal)
                    : SchemaBuilder.bytes();
            case INT -> {
                if (logical instanceof LogicalTypes.Date) {
                    builder = Date.builder();
                } else if (logical instanceof LogicalTypes.TimeMillis) {
                    builder = Time.builder();
                } else if ("int8".equals(avro.getProp(CONNECT_TYPE_PROPERTY))) {
                    builder = SchemaBuilder.int8();
                } else if ("int16".equals(avro.getProp(CONNECT_TYPE_PROPERTY))) {
                    builder = SchemaBuilder.int16();
                } else {
                    builder = SchemaBuilder.int32();
                }
            }
            case LONG -> builder = logical instanceof LogicalTypes.TimestampMillis ? Timestamp.builder()
                    : SchemaBuilder.int64();
            case FLOAT -> builder = SchemaBuilder.float32();
            case DOUBLE -> builder = SchemaBuilder.float64();
            case BOOLEAN -> builder = SchemaBuilder.bool();
            case STRING -> builder = SchemaBuilder.string();
            case ARRAY -> builder = SchemaBuilder.array(connectSchema(avro.getElementType(), false, visiting).build());
            case MAP -> builder = SchemaBuilder.map(org.apache.kafka.connect.data.Schema.STRING_SCHEMA,
                    connectSchema(avro.getValueType(), false, visiting).build());
            default -> throw new DataException("the Avro type " + avro.getType() + " has no Connect equivalent");
        }
        if (avro.getDoc() != null && builder.doc() == null) {
            builder.doc(avro.getDoc());
        }
        if (optional) {
            builder.optional();
        }
        return builder;
    }

    private static SchemaBuilder decimalSchema(LogicalTypes.Decimal decimal) {
        return Decimal.builder(decimal.getScale())
                .parameter(DECIMAL_PRECISION_PARAMETER, Integer.toString(decimal.getPrecision()));
    }

    /** Carries an Avro field default over when Connect can hold it; a default it cannot hold is left out. */
    private void applyDefault(SchemaBuilder fieldSchema, Schema.Field field) {
        if (!field.hasDefaultValue() || field.defaultVal() == JsonProperties.NULL_VALUE) {
            return;
        }
        try {
            Object avroDefault = GenericData.get().getDefaultValue(field);
            Schema valueSchema = field.schema().getType() == Schema.Type.UNION
                    ? field.schema().getTypes().get(0) : field.schema();
            fieldSchema.defaultValue(toConnectValue(valueSchema, fieldSchema, avroDefault));
        } catch (RuntimeException e) {
            // a default Connect cannot represent (e.g. a record in a union struct): the field keeps no default
        }
    }

    /**
     * The Connect value of an Avro datum (as a generic reader without conversions returns it) in the Connect
     * schema {@link #toConnectSchema} made of {@code avro}.
     */
    public Object toConnectValue(Schema avro, org.apache.kafka.connect.data.Schema connect, Object value) {
        if (value == null) {
            return null;
        }
        LogicalType logical = avro.getLogicalType();
        switch (avro.getType()) {
            case UNION -> {
                int index = GenericData.get().resolveUnion(avro, value);
                Schema branch = avro.getTypes().get(index);
                if (branch.getType() == Schema.Type.NULL) {
                    return null;
                }
                if (UNION_NAME.equals(connect.name())) {
                    Field field = connect.field(branch.getFullName());
                    Struct union = new Struct(connect);
                    union.put(field, toConnectValue(branch, field.schema(), value));
                    return union;
                }
                return toConnectValue(branch, connect, value);
            }
            case RECORD -> {
                GenericRecord record = (GenericRecord) value;
                Struct struct = new Struct(connect);
                List<Schema.Field> fields = avro.getFields();
                for (int i = 0; i < fields.size(); i++) {
                    Field field = connect.fields().get(i);
                    struct.put(field, toConnectValue(fields.get(i).schema(), field.schema(), record.get(i)));
                }
                return struct;
            }
            case ENUM, STRING -> {
                return value.toString();
            }
            case FIXED, BYTES -> {
                if (value instanceof BigDecimal decimal) {
                    return decimal;
                }
                byte[] bytes = value instanceof GenericFixed fixed ? fixed.bytes().clone() : bytes((ByteBuffer) value);
                if (logical instanceof LogicalTypes.Decimal decimal) {
                    return new BigDecimal(new BigInteger(bytes), decimal.getScale());
                }
                return bytes;
            }
            case INT -> {
                if (logical instanceof LogicalTypes.Date) {
                    long days = value instanceof LocalDate date ? date.toEpochDay() : ((Integer) value).longValue();
                    return new java.util.Date(days * MILLIS_PER_DAY);
                }
                if (logical instanceof LogicalTypes.TimeMillis) {
                    long millis = value instanceof java.time.LocalTime time ? time.toNanoOfDay() / 1_000_000L
                            : ((Integer) value).longValue();
                    return new java.util.Date(millis);
                }
                return switch (connect.type()) {
                    case INT8 -> ((Integer) value).byteValue();
                    case INT16 -> ((Integer) value).shortValue();
                    default -> value;
                };
            }
            case LONG -> {
                if (logical instanceof LogicalTypes.TimestampMillis) {
                    return new java.util.Date(value instanceof Instant instant ? instant.toEpochMilli() : (Long) value);
                }
                return value;
            }
            case FLOAT, DOUBLE, BOOLEAN -> {
                return value;
            }
            case ARRAY -> {
                Collection<?> items = (Collection<?>) value;
                List<Object> list = new ArrayList<>(items.size());
                for (Object item : items) {
                    list.add(toConnectValue(avro.getElementType(), connect.valueSchema(), item));
                }
                return list;
            }
            case MAP -> {
                Map<?, ?> entries = (Map<?, ?>) value;
                Map<String, Object> map = new LinkedHashMap<>(entries.size() * 2);
                for (Map.Entry<?, ?> entry : entries.entrySet()) {
                    map.put(entry.getKey().toString(),
                            toConnectValue(avro.getValueType(), connect.valueSchema(), entry.getValue()));
                }
                return map;
            }
            default -> throw new DataException("the Avro type " + avro.getType() + " has no Connect equivalent");
        }
    }

    // ------------------------------------------------------------------ Connect -> Avro

    /** The Avro schema of a Connect schema; a top-level optional schema gives the schema of its non-null values. */
    public Schema toAvroSchema(org.apache.kafka.connect.data.Schema connect) {
        Schema cached = toAvro.get(connect);
        if (cached == null) {
            cached = new AvroSchemaBuilder().required(connect);
            toAvro.put(connect, cached);
        }
        return cached;
    }

    /** Builds one Avro schema, keeping the record names in it unique. */
    private static final class AvroSchemaBuilder {
        private final Map<String, org.apache.kafka.connect.data.Schema> namesUsed = new HashMap<>();
        private final Map<String, Schema> recordsByName = new HashMap<>();
        private int anonymous;

        /** The schema of the values, optional or not. */
        Schema schema(org.apache.kafka.connect.data.Schema connect) {
            Schema base = required(connect);
            if (!connect.isOptional() || base.getType() == Schema.Type.UNION) {
                return base;
            }
            if (connect.defaultValue() != null) {
                // an Avro default belongs to the first branch
                return Schema.createUnion(base, Schema.create(Schema.Type.NULL));
            }
            return Schema.createUnion(Schema.create(Schema.Type.NULL), base);
        }

        /** The schema of the non-null values. */
        Schema required(org.apache.kafka.connect.data.Schema connect) {
            String name = connect.name();
            Map<String, String> parameters = connect.parameters() == null ? Map.of() : connect.parameters();
            switch (connect.type()) {
                case INT8, INT16 -> {
                    Schema schema = Schema.create(Schema.Type.INT);
                    schema.addProp(CONNECT_TYPE_PROPERTY, connect.type().getName());
                    return schema;
                }
                case INT32 -> {
                    if (Date.LOGICAL_NAME.equals(name)) {
                        return LogicalTypes.date().addToSchema(Schema.create(Schema.Type.INT));
                    }
                    if (Time.LOGICAL_NAME.equals(name)) {
                        return LogicalTypes.timeMillis().addToSchema(Schema.create(Schema.Type.INT));
                    }
                    return Schema.create(Schema.Type.INT);
                }
                case INT64 -> {
                    if (Timestamp.LOGICAL_NAME.equals(name)) {
                        return LogicalTypes.timestampMillis().addToSchema(Schema.create(Schema.Type.LONG));
                    }
                    return Schema.create(Schema.Type.LONG);
                }
                case FLOAT32 -> {
                    return Schema.create(Schema.Type.FLOAT);
                }
                case FLOAT64 -> {
                    return Schema.create(Schema.Type.DOUBLE);
                }
                case BOOLEAN -> {
                    return Schema.create(Schema.Type.BOOLEAN);
                }
                case STRING -> {
                    if (parameters.containsKey(ENUM_PARAMETER)) {
                        String[] full = splitName(parameters.get(ENUM_PARAMETER));
                        return Schema.createEnum(full[1], connect.doc(), full[0],
                                Arrays.asList(parameters.getOrDefault(ENUM_SYMBOLS_PARAMETER, "").split(",")));
                    }
                    return Schema.create(Schema.Type.STRING);
                }
                case BYTES -> {
                    Schema schema;
                    if (parameters.containsKey(FIXED_PARAMETER)) {
                        String[] full = splitName(parameters.get(FIXED_PARAMETER));
                        schema = Schema.createFixed(full[1], connect.doc(), full[0],
                                Integer.parseInt(parameters.get(FIXED_SIZE_PARAMETER)));
                    } else {
                        schema = Schema.create(Schema.Type.BYTES);
                    }
                    if (Decimal.LOGICAL_NAME.equals(name)) {
                        int scale = Integer.parseInt(parameters.get(Decimal.SCALE_FIELD));
                        int precision = parameters.containsKey(DECIMAL_PRECISION_PARAMETER)
                                ? Integer.parseInt(parameters.get(DECIMAL_PRECISION_PARAMETER))
                                : DEFAULT_DECIMAL_PRECISION;
                        LogicalTypes.decimal(precision, scale).addToSchema(schema);
                    }
                    return schema;
                }
                case ARRAY -> {
                    return Schema.createArray(schema(connect.valueSchema()));
                }
                case MAP -> {
                    if (connect.keySchema().type() == org.apache.kafka.connect.data.Schema.Type.STRING) {
                        return Schema.createMap(schema(connect.valueSchema()));
                    }
                    // Avro map keys are strings: other keys become an array of key/value records
                    String[] entryName = splitName(uniqueName(NAMESPACE + ".MapEntry", connect));
                    Schema entry = Schema.createRecord(entryName[1], null, entryName[0], false, List.of(
                                    new Schema.Field("key", schema(connect.keySchema())),
                                    new Schema.Field("value", schema(connect.valueSchema()))));
                    return Schema.createArray(entry);
                }
                case STRUCT -> {
                    if (UNION_NAME.equals(name)) {
                        List<Schema> branches = new ArrayList<>();
                        if (connect.isOptional()) {
                            branches.add(Schema.create(Schema.Type.NULL));
                        }
                        for (Field field : connect.fields()) {
                            branches.add(required(field.schema()));
                        }
                        return Schema.createUnion(branches);
                    }
                    return record(connect);
                }
                default -> throw new DataException("the Connect type " + connect.type() + " has no Avro equivalent");
            }
        }

        private Schema record(org.apache.kafka.connect.data.Schema connect) {
            String fullName = uniqueName(connect.name() == null ? null : sanitizeFullName(connect.name()), connect);
            Schema existing = recordsByName.get(fullName);
            if (existing != null) {
                return existing; // the same struct again: refer to the record defined before
            }
            String[] parts = splitName(fullName);
            Schema record = Schema.createRecord(parts[1], connect.doc(), parts[0], false);
            recordsByName.put(fullName, record);
            List<Schema.Field> fields = new ArrayList<>();
            Set<String> fieldNames = new HashSet<>();
            for (Field field : connect.fields()) {
                String fieldName = sanitize(field.name());
                if (!fieldNames.add(fieldName)) {
                    throw new DataException("the Connect fields of " + fullName + " clash as Avro field " + fieldName);
                }
                Schema fieldSchema = schema(field.schema());
                fields.add(new Schema.Field(fieldName, fieldSchema, field.schema().doc(), avroDefault(field.schema(),
                        fieldSchema)));
            }
            record.setFields(fields);
            return record;
        }

        /** A name for a record that no other, different record of this schema has. */
        private String uniqueName(String wanted, org.apache.kafka.connect.data.Schema connect) {
            String base = wanted != null ? wanted : NAMESPACE + "." + DEFAULT_RECORD_NAME;
            String candidate = wanted != null ? base : base + (anonymous++ == 0 ? "" : Integer.toString(anonymous));
            int suffix = 2;
            while (namesUsed.containsKey(candidate) && !namesUsed.get(candidate).equals(connect)) {
                candidate = base + suffix++;
            }
            namesUsed.putIfAbsent(candidate, connect);
            return candidate;
        }

        private Object avroDefault(org.apache.kafka.connect.data.Schema connect, Schema avro) {
            Object connectDefault = connect.defaultValue();
            if (connectDefault == null) {
                return connect.isOptional() ? JsonProperties.NULL_VALUE : null;
            }
            switch (connect.type()) {
                case INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING -> {
                    Schema valueSchema = avro.getType() == Schema.Type.UNION ? avro.getTypes().get(0) : avro;
                    Object value = convertToAvro(connect, valueSchema, connectDefault);
                    return value instanceof GenericData.EnumSymbol ? value.toString() : value;
                }
                default -> {
                    return null; // bytes, decimals and containers: no Avro default; the field stays required
                }
            }
        }
    }

    /**
     * The Avro datum of a Connect value, in the Avro schema {@link #toAvroSchema} made of its Connect schema: what a
     * generic writer without conversions writes.
     */
    public Object toAvroValue(org.apache.kafka.connect.data.Schema connect, Schema avro, Object value) {
        return convertToAvro(connect, avro, value);
    }

    private static Object convertToAvro(org.apache.kafka.connect.data.Schema connect, Schema avro, Object value) {
        if (value == null) {
            value = connect.defaultValue();
            if (value == null) {
                if (!connect.isOptional()) {
                    throw new DataException("a null value for a required " + connect.type() + " schema"
                            + (connect.name() == null ? "" : " (" + connect.name() + ")"));
                }
                return null;
            }
        }
        if (avro.getType() == Schema.Type.UNION && !UNION_NAME.equals(connect.name())) {
            avro = nonNullBranches(avro).get(0);
        }
        String name = connect.name();
        try {
            switch (connect.type()) {
                case INT8, INT16 -> {
                    return ((Number) value).intValue();
                }
                case INT32 -> {
                    if (Date.LOGICAL_NAME.equals(name)) {
                        return Date.fromLogical(connect, (java.util.Date) value);
                    }
                    if (Time.LOGICAL_NAME.equals(name)) {
                        return Time.fromLogical(connect, (java.util.Date) value);
                    }
                    return (Integer) value;
                }
                case INT64 -> {
                    if (Timestamp.LOGICAL_NAME.equals(name)) {
                        return Timestamp.fromLogical(connect, (java.util.Date) value);
                    }
                    return (Long) value;
                }
                case FLOAT32 -> {
                    return (Float) value;
                }
                case FLOAT64 -> {
                    return (Double) value;
                }
                case BOOLEAN -> {
                    return (Boolean) value;
                }
                case STRING -> {
                    String text = (String) value;
                    if (avro.getType() == Schema.Type.ENUM) {
                        if (!avro.hasEnumSymbol(text)) {
                            throw new DataException("'" + text + "' is not a symbol of the enum " + avro.getFullName());
                        }
                        return new GenericData.EnumSymbol(avro, text);
                    }
                    return text;
                }
                case BYTES -> {
                    if (Decimal.LOGICAL_NAME.equals(name)) {
                        BigDecimal decimal = (BigDecimal) value;
                        LogicalType logical = avro.getLogicalType();
                        return avro.getType() == Schema.Type.FIXED ? DECIMALS.toFixed(decimal, avro, logical)
                                : DECIMALS.toBytes(decimal, avro, logical);
                    }
                    byte[] bytes = value instanceof ByteBuffer buffer ? bytes(buffer) : (byte[]) value;
                    if (avro.getType() == Schema.Type.FIXED) {
                        if (bytes.length != avro.getFixedSize()) {
                            throw new DataException(bytes.length + " bytes for the fixed " + avro.getFullName() + " of "
                                    + avro.getFixedSize());
                        }
                        return new GenericData.Fixed(avro, bytes);
                    }
                    return ByteBuffer.wrap(bytes);
                }
                case ARRAY -> {
                    Collection<?> items = (Collection<?>) value;
                    GenericData.Array<Object> array = new GenericData.Array<>(items.size(), avro);
                    for (Object item : items) {
                        array.add(convertToAvro(connect.valueSchema(), avro.getElementType(), item));
                    }
                    return array;
                }
                case MAP -> {
                    Map<?, ?> entries = (Map<?, ?>) value;
                    if (avro.getType() == Schema.Type.MAP) {
                        Map<String, Object> map = new LinkedHashMap<>(entries.size() * 2);
                        for (Map.Entry<?, ?> entry : entries.entrySet()) {
                            map.put(entry.getKey().toString(),
                                    convertToAvro(connect.valueSchema(), avro.getValueType(), entry.getValue()));
                        }
                        return map;
                    }
                    Schema entrySchema = avro.getElementType();
                    GenericData.Array<Object> array = new GenericData.Array<>(entries.size(), avro);
                    for (Map.Entry<?, ?> entry : entries.entrySet()) {
                        GenericData.Record record = new GenericData.Record(entrySchema);
                        record.put(0, convertToAvro(connect.keySchema(), entrySchema.getFields().get(0).schema(),
                                entry.getKey()));
                        record.put(1, convertToAvro(connect.valueSchema(), entrySchema.getFields().get(1).schema(),
                                entry.getValue()));
                        array.add(record);
                    }
                    return array;
                }
                case STRUCT -> {
                    Struct struct = (Struct) value;
                    if (UNION_NAME.equals(name)) {
                        return unionToAvro(connect, avro, struct);
                    }
                    GenericData.Record record = new GenericData.Record(avro);
                    List<Field> fields = connect.fields();
                    List<Schema.Field> avroFields = avro.getFields();
                    for (int i = 0; i < fields.size(); i++) {
                        Field field = fields.get(i);
                        record.put(i, convertToAvro(field.schema(), avroFields.get(i).schema(), struct.get(field)));
                    }
                    return record;
                }
                default -> throw new DataException("the Connect type " + connect.type() + " has no Avro equivalent");
            }
        } catch (ClassCastException e) {
            throw new DataException("a " + value.getClass().getSimpleName() + " does not fit the Connect schema "
                    + connect.type() + (name == null ? "" : " (" + name + ")"), e);
        } catch (AvroRuntimeException e) {
            throw new DataException("the value does not fit the Avro schema " + avro.getFullName() + ": "
                    + e.getMessage(), e);
        }
    }

    private static Object unionToAvro(org.apache.kafka.connect.data.Schema connect, Schema avro, Struct struct) {
        List<Schema> branches = nonNullBranches(avro);
        List<Field> fields = connect.fields();
        for (int i = 0; i < fields.size(); i++) {
            Object branchValue = struct.get(fields.get(i));
            if (branchValue != null) {
                return convertToAvro(fields.get(i).schema(), branches.get(i), branchValue);
            }
        }
        if (!connect.isOptional()) {
            throw new DataException("a union struct " + UNION_NAME + " with no branch set, and the union has no null");
        }
        return null;
    }

    // ------------------------------------------------------------------ helpers

    private static List<Schema> nonNullBranches(Schema union) {
        return union.getTypes().stream().filter(s -> s.getType() != Schema.Type.NULL).toList();
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }

    /** [namespace or null, name] of a full name. */
    private static String[] splitName(String fullName) {
        int dot = fullName.lastIndexOf('.');
        return dot < 0 ? new String[] {null, fullName}
                : new String[] {fullName.substring(0, dot), fullName.substring(dot + 1)};
    }

    /** A full name whose parts are legal Avro names. */
    private static String sanitizeFullName(String name) {
        String[] parts = name.split("\\.", -1);
        StringBuilder out = new StringBuilder();
        for (String part : parts) {
            if (part.isEmpty()) {
                continue;
            }
            if (out.length() > 0) {
                out.append('.');
            }
            out.append(sanitize(part));
        }
        return out.length() == 0 ? DEFAULT_RECORD_NAME : out.toString();
    }

    /** A legal Avro name: letters, digits and _; not starting with a digit. */
    static String sanitize(String name) {
        StringBuilder out = new StringBuilder(name.length() + 1);
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean legal = c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (i > 0 && c >= '0' && c <= '9');
            if (i == 0 && c >= '0' && c <= '9') {
                out.append('_').append(c);
            } else {
                out.append(legal ? c : '_');
            }
        }
        return out.length() == 0 ? "_" : out.toString();
    }

    /** A small synchronized LRU map. */
    private static final class LruCache<K, V> {
        private final Map<K, V> map;

        LruCache(int capacity) {
            this.map = new LinkedHashMap<>(16, 0.75f, true) {
                private static final long serialVersionUID = 1L;

                @Override
                protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                    return size() > capacity;
                }
            };
        }

        synchronized V get(K key) {
            return map.get(key);
        }

        synchronized void put(K key, V value) {
            map.put(key, value);
        }
    }
}
