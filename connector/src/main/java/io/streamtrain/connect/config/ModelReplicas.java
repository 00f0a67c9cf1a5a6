package io.streamtrain.connect.config;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.streamtrain.contract.RecordLimits;
import io.streamtrain.contract.ReplicaKey;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * A list of {@code model=R} entries: the models trained by {@code R} replicas at once, whose examples and labels are
 * keyed by {@link ReplicaKey}. Each model id is one the learner takes ({@link RecordLimits#modelIdProblem}), each
 * count within {@link ReplicaKey#replicasProblem}, each model listed once. The model id ends at the last {@code =},
 * so it may hold one; spaces around the {@code =} are ignored.
 */
public final class ModelReplicas implements ConfigDef.Validator {

    /** The longest part of an entry a message quotes: a model id may be 249 characters. */
    private static final int QUOTED_CHARS = 60;

    @Override
    public void ensureValid(String name, Object value) {
        if (value != null) {
            parse(name, (List<?>) value);
        }
    }

    /**
     * The replica count of each listed model.
     *
     * @param name    the setting, for messages
     * @param entries the {@code model=R} entries
     * @throws ConfigException naming the setting, the entry and the rule it breaks
     */
    public static Map<String, Integer> parse(String name, List<?> entries) {
        Map<String, Integer> replicas = new HashMap<>();
        Map<String, Integer> listedAt = new HashMap<>();
        int position = 0;
        for (Object item : entries) {
            String entry = String.valueOf(item).strip();
            position++;
            int equals = entry.lastIndexOf('=');
            String count = equals < 0 ? "" : entry.substring(equals + 1).strip();
            if (count.isEmpty()) {
                throw invalid(name, position, entry, "not model=R, a model id and its replica count");
            }
            String model = entry.substring(0, equals).strip();
            String modelProblem = RecordLimits.modelIdProblem(model);
            if (modelProblem != null) {
                throw invalid(name, position, entry, modelProblem);
            }
            String countProblem = countProblem(count);
            if (countProblem != null) {
                throw invalid(name, position, entry, countProblem);
            }
            Integer first = listedAt.putIfAbsent(model, position);
            if (first != null) {
                throw invalid(name, position, entry, "the model " + quote(model) + " is listed twice, in entries "
                        + first + " and " + position + "; a model has one replica count");
            }
            replicas.put(model, Integer.parseInt(count));
        }
        return Map.copyOf(replicas);
    }

    /** What is wrong with the count of an entry, or null. */
    private static String countProblem(String count) {
        long parsed;
        try {
            parsed = Long.parseLong(count);
        } catch (NumberFormatException e) {
            return "the replica count is " + quote(count) + "; it must be an integer from 1 to "
                    + ReplicaKey.MAX_REPLICAS;
        }
        String problem = ReplicaKey.replicasProblem(parsed);
        return problem == null ? null : "the replica count " + problem;
    }

    private static ConfigException invalid(String name, int position, String entry, String problem) {
        // without the whole value, unlike most messages: an entry may hold a model id of hundreds of characters
        return new ConfigException("Invalid value for configuration " + name + ": entry " + position + " "
                + quote(entry) + ": " + problem + "; must be " + new ModelReplicas());
    }

    /** A part of an entry as a message shows it: in quotes, control characters escaped, long text cut. */
    private static String quote(String text) {
        StringBuilder quoted = new StringBuilder("'");
        for (int i = 0; i < Math.min(text.length(), QUOTED_CHARS); i++) {
            char c = text.charAt(i);
            quoted.append(Character.isISOControl(c) ? String.format("\\u%04X", (int) c) : String.valueOf(c));
        }
        return quoted.append(text.length() > QUOTED_CHARS ? "...' (" + text.length() + " characters)" : "'")
                .toString();
    }

    @Override
    public String toString() {
        return "a list of model=R entries, each model listed once, R an integer from 1 to " + ReplicaKey.MAX_REPLICAS
                + "; a model not listed has 1 replica";
    }
}
