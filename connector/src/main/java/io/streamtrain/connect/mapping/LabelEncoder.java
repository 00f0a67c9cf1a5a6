package io.streamtrain.connect.mapping;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.streamtrain.avro.ClassLabel;
import io.streamtrain.avro.RegressionTarget;
import io.streamtrain.contract.RecordLimits;

/** Turns a label value into the Avro label of an example: a class index or a regression target. */
public sealed interface LabelEncoder {

    /**
     * The Avro label ({@link ClassLabel} or {@link RegressionTarget}) of a non-null label value.
     *
     * @throws MappingException naming {@code field} when the value breaks a rule
     */
    Object encode(String field, Object value);

    /** Classification by class names: a value is looked up by its text in the ordered class list. */
    static LabelEncoder classes(List<String> classes) {
        return new Classes(classes);
    }

    /** Regression: any number within the float range. */
    static LabelEncoder regression() {
        return new Regression();
    }

    /**
     * A label is a class name; its index in the list is the class index. Strings match as they are, whole numbers by
     * their decimal text ({@code 1} matches the class "1"), booleans as {@code true}/{@code false}.
     */
    final class Classes implements LabelEncoder {
        private final List<String> classes;
        private final Map<String, Integer> indexes = new HashMap<>();

        Classes(List<String> classes) {
            if (classes.isEmpty()) {
                throw new IllegalArgumentException("classification needs at least one class");
            }
            this.classes = List.copyOf(classes);
            for (int i = 0; i < classes.size(); i++) {
                if (indexes.putIfAbsent(classes.get(i), i) != null) {
                    throw new IllegalArgumentException("the class '" + classes.get(i) + "' is listed twice");
                }
            }
        }

        /** The class names in index order. */
        public List<String> names() {
            return classes;
        }

        @Override
        public Object encode(String field, Object value) {
            String name;
            try {
                name = Values.categoryText(value);
            } catch (Values.Problem p) {
                throw p.at(field);
            }
            Integer index = indexes.get(name);
            if (index == null) {
                String known = classes.size() <= 10 ? classes.toString()
                        : classes.subList(0, 10).toString().replace("]", ", ... (" + classes.size() + " in all)]");
                throw new MappingException(field, MappingException.UNKNOWN_CLASS, "'" + Values.excerpt(name)
                        + "' is not one of the classes " + known);
            }
            return new ClassLabel(index, name);
        }
    }

    /** A regression target: a number that stays finite as the float the network computes in. */
    final class Regression implements LabelEncoder {
        @Override
        public Object encode(String field, Object value) {
            double target;
            try {
                target = Values.finiteNumber(value);
            } catch (Values.Problem p) {
                throw p.at(field);
            }
            String problem = RecordLimits.regressionValueProblem(target);
            if (problem != null) {
                throw new MappingException(field, MappingException.NON_FINITE, problem);
            }
            return new RegressionTarget(target);
        }
    }
}
