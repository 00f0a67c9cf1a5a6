package io.streamtrain.connect.mapping;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * Where a value sits in a record: a dotted path into the record value through nested structs (records with a
 * schema), maps (schemaless JSON, Connect maps) and lists (by index), e.g. {@code payment.amount} or
 * {@code sensors.0.reading}. A path starting with {@code $key} reads from the record key instead ({@code $key}
 * alone is the whole key). A dot inside a field name is written {@code \.}.
 *
 * <p>Immutable and thread-safe.
 */
public final class FieldPath {

    /** The first segment that selects the record key. */
    public static final String KEY_ROOT = "$key";

    private final String text;
    private final boolean fromKey;
    private final String[] segments;

    private FieldPath(String text, boolean fromKey, String[] segments) {
        this.text = text;
        this.fromKey = fromKey;
        this.segments = segments;
    }

    /**
     * Parses a path.
     *
     * @throws IllegalArgumentException for an empty path or an empty segment ({@code a..b}, {@code a.})
     */
    public static FieldPath parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("a field path must not be empty");
        }
        List<String> parts = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < text.length() && text.charAt(i + 1) == '.') {
                current.append('.');
                i++;
            } else if (c == '.') {
                parts.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        parts.add(current.toString());
        for (String part : parts) {
            if (part.isEmpty()) {
                throw new IllegalArgumentException("the field path '" + text + "' has an empty segment");
            }
        }
        boolean fromKey = parts.get(0).equals(KEY_ROOT);
        List<String> rest = fromKey ? parts.subList(1, parts.size()) : parts;
        return new FieldPath(text, fromKey, rest.toArray(new String[0]));
    }

    /** The path as written. */
    public String text() {
        return text;
    }

    /** The segments after the root, unescaped. */
    public List<String> segments() {
        return Collections.unmodifiableList(List.of(segments));
    }

    /**
     * The value at this path; null when the field is present with a null value.
     *
     * @throws MappingException {@code missing-field} when a segment is absent, {@code null-value} when a struct or
     *                          map on the way is null, {@code wrong-type} when a value on the way cannot be entered
     */
    public Object get(SinkRecord record) {
        Object value = resolve(record, false);
        return value == ABSENT ? null : value;
    }

    /** The value at this path, or null when it is absent or null. */
    public Object find(SinkRecord record) {
        Object value = resolve(record, true);
        return value == ABSENT ? null : value;
    }

    /**
     * The non-null value at this path.
     *
     * @throws MappingException as {@link #get}, and {@code null-value} when the value is null
     */
    public Object require(SinkRecord record) {
        Object value = get(record);
        if (value == null) {
            throw new MappingException(text, MappingException.NULL_VALUE, "the value is null, and one is required");
        }
        return value;
    }

    private static final Object ABSENT = new Object();

    private Object resolve(SinkRecord record, boolean absentIsNull) {
        Object current = fromKey ? record.key() : record.value();
        if (current == null && segments.length > 0) {
            if (absentIsNull) {
                return ABSENT;
            }
            throw new MappingException(text, MappingException.NULL_VALUE, "the record " + (fromKey ? "key" : "value")
                    + " is null" + (fromKey ? "" : " (a tombstone?)"));
        }
        for (int i = 0; i < segments.length; i++) {
            String segment = segments[i];
            if (current == null) {
                if (absentIsNull) {
                    return ABSENT;
                }
                throw new MappingException(text, MappingException.NULL_VALUE, "'" + prefix(i) + "' is null, so '"
                        + segment + "' cannot be read from it");
            }
            Object next = child(current, segment);
            if (next == ABSENT) {
                if (absentIsNull) {
                    return ABSENT;
                }
                if (!isContainer(current)) {
                    throw new MappingException(text, MappingException.WRONG_TYPE, "'" + prefix(i)
                            + "' is " + Values.describe(current) + ", not a struct, map or list, so '" + segment
                            + "' cannot be read from it");
                }
                throw new MappingException(text, MappingException.MISSING_FIELD, "the record has no field '"
                        + (i == 0 ? segment : prefix(i) + "." + segment) + "'");
            }
            current = next;
        }
        return current;
    }

    private static boolean isContainer(Object value) {
        return value instanceof Struct || value instanceof Map || value instanceof List;
    }

    private static Object child(Object container, String segment) {
        if (container instanceof Struct struct) {
            Field field = struct.schema().field(segment);
            return field == null ? ABSENT : struct.get(field);
        }
        if (container instanceof Map<?, ?> map) {
            if (map.containsKey(segment)) {
                return map.get(segment);
            }
            // Connect maps may have non-string keys (an INT32 key schema): compare their text
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                if (entry.getKey() != null && !(entry.getKey() instanceof String)
                        && entry.getKey().toString().equals(segment)) {
                    return entry.getValue();
                }
            }
            return ABSENT;
        }
        if (container instanceof List<?> list) {
            int index = index(segment);
            return index >= 0 && index < list.size() ? list.get(index) : ABSENT;
        }
        return ABSENT;
    }

    private static int index(String segment) {
        if (segment.isEmpty() || segment.length() > 9) {
            return -1;
        }
        for (int i = 0; i < segment.length(); i++) {
            if (!Character.isDigit(segment.charAt(i))) {
                return -1;
            }
        }
        return Integer.parseInt(segment);
    }

    private String prefix(int segmentCount) {
        if (segmentCount == 0) {
            return fromKey ? "record key" : "record value";
        }
        StringBuilder b = new StringBuilder(fromKey ? KEY_ROOT + "." : "");
        for (int i = 0; i < segmentCount; i++) {
            if (i > 0) {
                b.append('.');
            }
            b.append(segments[i].replace(".", "\\."));
        }
        return b.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FieldPath other && other.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }
}
