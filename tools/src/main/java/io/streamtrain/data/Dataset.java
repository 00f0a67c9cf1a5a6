package io.streamtrain.data;

import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * A source of labeled examples in a fixed order: a file, a set of files, or a generator. Each call to
 * {@link #stream()} starts again from the first example, so that several learners can be fed exactly the same stream.
 *
 * <pre>{@code
 * Dataset data = FashionMnist.testSlice();
 * try (Stream<LabeledExample> examples = data.stream()) {
 *     examples.limit(1000).forEach(e -> ...);
 * }
 * }</pre>
 */
public interface Dataset {

    /** A short name for reports and logs, for example {@code fashion-mnist-t10k}. */
    String name();

    /** The number of features of every example. */
    int featureCount();

    /** The class names, in class-index order. */
    List<String> classNames();

    default int numClasses() {
        return classNames().size();
    }

    /** The number of examples, when it is known without reading them; empty for an endless generator. */
    OptionalLong size();

    /**
     * The examples, in order, from the first. The stream may hold open files: close it (try-with-resources). An
     * unreadable or malformed file fails the stream with an {@link java.io.UncheckedIOException} or a
     * {@link DatasetFormatException} naming the file and the place.
     */
    Stream<LabeledExample> stream();
}
