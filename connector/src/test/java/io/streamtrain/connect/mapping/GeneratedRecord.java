package io.streamtrain.connect.mapping;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.BiFunction;

import io.streamtrain.connect.mapping.FeatureSpec.UnknownCategory;
import io.streamtrain.contract.ReplicaKey;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * One generated source record for the property tests: a connector configuration (where the model id, the id and the
 * event time come from, which kind of label, schemaless JSON or a struct, how many replicas train the model), the
 * drawn value of each field it reads, and the {@link SinkRecord} that carries them, nested as configured.
 */
final class GeneratedRecord {

    /** The kind of label the configuration maps. */
    enum LabelKind {
        CLASSES, REGRESSION, NONE
    }

    static final String AMOUNT = "payment.amount";
    static final String ONLINE = "online";
    static final String CHANNEL = "channel";
    static final String CITY = "city";
    static final String EMBEDDING = "embedding";
    static final String LABEL = "label";
    static final String MODEL = "meta.model";
    static final String ID = "ref";
    /** Nested, as in the report that found out-of-range times: {@code event.time.field=meta.at}. */
    static final String TIME = "meta.at";
    static final String FIXED_MODEL = "fraud-model";
    static final String MAPPED_BY = "property-test";
    /** A model listed in {@code model.replicas} now and then, besides the record's: its count must not apply. */
    static final String OTHER_MODEL = "other-model";

    private static final int PERCENT_JUNK = 3;
    private static final int PERCENT_BROKEN_CONTAINER = 3;

    final boolean examples;
    final LabelKind labelKind;
    final boolean modelFromField;
    final boolean idFromField;
    final boolean timeFromField;
    /** The draw of each field the configuration reads, by its configured path; the record timestamp by its name. */
    final Map<String, Drawn> draws = new LinkedHashMap<>();
    final boolean struct;
    final SinkRecord record;
    /** The {@code model.replicas} entries: the record's model (when valid) now and then, with 1 to 256 replicas. */
    final Map<String, Integer> modelReplicas = new LinkedHashMap<>();

    private GeneratedRecord(SplittableRandom r, boolean validOnly, boolean examples) {
        this.examples = examples;
        labelKind = examples ? FieldDraws.pick(r, LabelKind.values())
                : FieldDraws.pick(r, LabelKind.CLASSES, LabelKind.REGRESSION);
        modelFromField = r.nextBoolean();
        idFromField = !examples || r.nextBoolean();
        timeFromField = r.nextInt(4) != 0;
        Map<String, BiFunction<SplittableRandom, Boolean, Drawn>> fields = new LinkedHashMap<>();
        if (examples) {
            fields.put(AMOUNT, FieldDraws::amount);
            fields.put(ONLINE, FieldDraws::online);
            fields.put(CHANNEL, FieldDraws::channel);
            fields.put(CITY, FieldDraws::city);
            fields.put(EMBEDDING, FieldDraws::embedding);
        }
        if (labelKind != LabelKind.NONE) {
            fields.put(LABEL, labelKind == LabelKind.CLASSES ? FieldDraws::classLabel : FieldDraws::regressionLabel);
        }
        if (modelFromField) {
            fields.put(MODEL, FieldDraws::model);
        }
        if (idFromField) {
            fields.put(ID, FieldDraws::id);
        }
        fields.put(timeFromField ? TIME : RecordIdentity.RECORD_TIMESTAMP,
                timeFromField ? FieldDraws::time : FieldDraws::recordTimestamp);
        // mostly one broken field, at any place: the mapper reads fields in an order, and a field late in it is
        // reached only when those before it are valid
        Set<String> broken = validOnly ? Set.of() : broken(r, new ArrayList<>(fields.keySet()));
        fields.forEach((path, field) -> draws.put(path, !validOnly && r.nextInt(100) < PERCENT_JUNK
                && !path.equals(RecordIdentity.RECORD_TIMESTAMP) ? FieldDraws.junk(r, path)
                : field.apply(r, broken.contains(path))));
        Drawn timestamp = timeFromField ? Drawn.valid("record timestamp", Records.TIMESTAMP, Records.TIMESTAMP)
                : draws.get(RecordIdentity.RECORD_TIMESTAMP);
        Map<String, Object> value = new LinkedHashMap<>();
        draws.forEach((path, drawn) -> {
            if (!path.equals(RecordIdentity.RECORD_TIMESTAMP)) {
                put(value, path, drawn.value());
            }
        });
        if (labelKind == LabelKind.NONE && r.nextBoolean()) {
            value.put(LABEL, FieldDraws.junk(r, LABEL).value()); // not configured, so never read
        }
        if (!validOnly) {
            breakContainer(r, value, "payment");
            breakContainer(r, value, "meta");
        }
        boolean tombstone = !validOnly && r.nextInt(100) == 0;
        if (tombstone) {
            draws.replaceAll((path, drawn) -> path.equals(RecordIdentity.RECORD_TIMESTAMP) ? drawn
                    : Drawn.bad("tombstone", null, MappingException.NULL_VALUE));
        }
        Struct asStruct = !tombstone && r.nextBoolean() ? Records.struct(value) : null;
        struct = asStruct != null;
        record = Records.at((Long) timestamp.value(), struct ? asStruct.schema() : null,
                tombstone ? null : struct ? asStruct : value);
        // drawn last, so that the records are those drawn before the model had replicas
        Optional<String> model = modelFromField ? valid(MODEL).map(d -> (String) d.expected())
                : Optional.of(FIXED_MODEL);
        model.filter(m -> r.nextInt(4) != 0).ifPresent(m -> modelReplicas.put(m, replicas(r)));
        if (r.nextInt(4) == 0) {
            modelReplicas.putIfAbsent(OTHER_MODEL, replicas(r));
        }
    }

    /** A replica count: one now and then, a few mostly, any up to the most now and then. */
    private static int replicas(SplittableRandom r) {
        return switch (r.nextInt(4)) {
            case 0 -> 1;
            case 1 -> r.nextInt(1, ReplicaKey.MAX_REPLICAS + 1);
            default -> r.nextInt(2, 9);
        };
    }

    /** How many replicas train {@code model}: its {@code model.replicas} entry, or 1 when it is not listed. */
    int replicas(String model) {
        return modelReplicas.getOrDefault(model, 1);
    }

    /** Which fields to break: none in a fifth of the records, one in most, now and then a few. */
    private static Set<String> broken(SplittableRandom r, List<String> paths) {
        int count = switch (r.nextInt(10)) {
            case 0, 1 -> 0;
            case 2 -> Math.min(paths.size(), r.nextInt(2, 4));
            default -> 1;
        };
        Collections.shuffle(paths, new Random(r.nextLong()));
        return Set.copyOf(paths.subList(0, count));
    }

    /** A record for {@link ExampleMapper}; with {@code validOnly}, one it must map. */
    static GeneratedRecord example(SplittableRandom r, boolean validOnly) {
        return new GeneratedRecord(r, validOnly, true);
    }

    /** A record for {@link LabelMapper} ({@code mode=labels}); with {@code validOnly}, one it must map. */
    static GeneratedRecord label(SplittableRandom r, boolean validOnly) {
        return new GeneratedRecord(r, validOnly, false);
    }

    /** What the connector configuration makes of this record's settings. */
    MappingSpec spec() {
        List<FeatureSpec> features = List.of(
                FeatureSpec.numeric("amount", AMOUNT, FieldDraws.AMOUNT_SCALING),
                FeatureSpec.bool(ONLINE, ONLINE),
                FeatureSpec.vocabulary(CHANNEL, CHANNEL, FieldDraws.CHANNELS, UnknownCategory.REJECT),
                FeatureSpec.hashed(CITY, CITY, FieldDraws.CITY_BUCKETS),
                FeatureSpec.vector(EMBEDDING, EMBEDDING, FieldDraws.EMBEDDING_LENGTH, Scaling.NONE));
        LabelEncoder encoder = switch (labelKind) {
            case CLASSES -> LabelEncoder.classes(FieldDraws.CLASSES);
            case REGRESSION -> LabelEncoder.regression();
            case NONE -> null;
        };
        return new MappingSpec(modelFromField ? Optional.empty() : Optional.of(FIXED_MODEL),
                modelFromField ? Optional.of(FieldPath.parse(MODEL)) : Optional.empty(), modelReplicas,
                idFromField ? Optional.of(FieldPath.parse(ID)) : Optional.empty(),
                timeFromField ? Optional.of(FieldPath.parse(TIME)) : Optional.empty(),
                labelKind == LabelKind.NONE ? Optional.empty() : Optional.of(FieldPath.parse(LABEL)), encoder, false,
                examples ? features : List.of(), MAPPED_BY);
    }

    /** The fields whose value breaks a known rule. */
    Set<String> badFields() {
        Set<String> bad = new LinkedHashSet<>();
        draws.forEach((path, drawn) -> {
            if (drawn.isBad()) {
                bad.add(path);
            }
        });
        return bad;
    }

    /** The fields that break a known rule or hold junk: the ones a rejection may name. */
    Set<String> suspectFields() {
        Set<String> suspects = new LinkedHashSet<>();
        draws.forEach((path, drawn) -> {
            if (!drawn.isValid()) {
                suspects.add(path);
            }
        });
        return suspects;
    }

    /** The draw of a valid field, or empty when the field is junk or not read. */
    Optional<Drawn> valid(String path) {
        return Optional.ofNullable(draws.get(path)).filter(Drawn::isValid);
    }

    @Override
    public String toString() {
        List<String> fields = new ArrayList<>();
        draws.forEach((path, drawn) -> fields.add(path + " <- " + drawn));
        return (struct ? "a struct" : "a schemaless record") + " with label " + labelKind + ", model "
                + (modelFromField ? "from " + MODEL : FIXED_MODEL) + ", model.replicas " + String.join(",", modelReplicas.entrySet().stream()
                        .map(e -> Drawn.show(e.getKey()) + "=" + e.getValue()).toList()) + ": "
                + String.join("; ", fields);
    }

    /** Now and then replaces a struct on the way to fields by something else; each field under it then breaks. */
    private void breakContainer(SplittableRandom r, Map<String, Object> value, String name) {
        if (r.nextInt(100) >= PERCENT_BROKEN_CONTAINER || !value.containsKey(name)) {
            return;
        }
        Drawn broken = FieldDraws.brokenContainer(r, name);
        if (broken.value() == Drawn.MISSING) {
            value.remove(name);
        } else {
            value.put(name, broken.value());
        }
        draws.replaceAll((path, drawn) -> path.startsWith(name + ".")
                ? Drawn.bad(broken.kind(), drawn.value(), broken.rule()) : drawn);
    }

    @SuppressWarnings("unchecked")
    private static void put(Map<String, Object> root, String path, Object value) {
        if (value == Drawn.MISSING) {
            return;
        }
        String[] segments = path.split("\\.");
        Map<String, Object> at = root;
        for (int i = 0; i < segments.length - 1; i++) {
            at = (Map<String, Object>) at.computeIfAbsent(segments[i], s -> new LinkedHashMap<String, Object>());
        }
        at.put(segments[segments.length - 1], value);
    }
}
