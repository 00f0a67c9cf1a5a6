package io.streamtrain.data;

import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Fashion-MNIST (Zalando Research, MIT licence): 28x28 grey images of clothing in 10 classes, 60,000 for training and
 * 10,000 for testing, as 784 features in [0, 1], row-major.
 *
 * <p>The 10,000-image test set ships inside Streamtrain ({@link #testSlice()}). The full set is read from a directory
 * holding the four IDX files, such as the one Debian's {@code dataset-fashion-mnist} package installs
 * ({@value #DEBIAN_DIRECTORY}): {@link #full(Path)} streams the training set, then the test set (70,000 images in file
 * order).
 */
public final class FashionMnist {

    /** The class names, in label order. */
    public static final List<String> CLASS_NAMES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
    /** Where Debian's {@code dataset-fashion-mnist} package puts the files. */
    public static final String DEBIAN_DIRECTORY = "/usr/share/datasets/fashion-mnist";
    /** The name of the shipped test set, for {@link #resolve(String)}. */
    public static final String SLICE_NAME = "fashion-mnist";
    /** The name of the full set in {@value #DEBIAN_DIRECTORY}, for {@link #resolve(String)}. */
    public static final String FULL_NAME = "fashion-mnist-full";

    static final String RESOURCE_DIRECTORY = "datasets/fashion-mnist/";
    private static final String TRAIN = "train";
    private static final String TEST = "t10k";

    private FashionMnist() {
    }

    /** The 10,000-image test set shipped on the class path. */
    public static Dataset testSlice() {
        return new IdxDataset("fashion-mnist-t10k", List.of(new IdxDataset.Part(
                resource(TEST + "-images-idx3-ubyte.gz"), resource(TEST + "-labels-idx1-ubyte.gz"))), CLASS_NAMES);
    }

    /**
     * The set in a directory: its training files then its test files, each plain or gzip-compressed; a directory with
     * only the test files gives the test set.
     *
     * @throws IllegalArgumentException when the directory holds neither
     */
    public static Dataset full(Path directory) {
        List<IdxDataset.Part> parts = new ArrayList<>();
        List<String> found = new ArrayList<>();
        for (String set : List.of(TRAIN, TEST)) {
            Path images = find(directory, set + "-images-idx3-ubyte");
            Path labels = find(directory, set + "-labels-idx1-ubyte");
            if (images != null && labels != null) {
                parts.add(new IdxDataset.Part(url(images), url(labels)));
                found.add(set);
            }
        }
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("no Fashion-MNIST files in " + directory + ": expected "
                    + "train-images-idx3-ubyte(.gz) and train-labels-idx1-ubyte(.gz), and/or t10k-images-idx3-ubyte(.gz)"
                    + " and t10k-labels-idx1-ubyte(.gz)"
                    + (directory.toString().equals(DEBIAN_DIRECTORY)
                            ? " (apt-get install dataset-fashion-mnist installs them there)" : ""));
        }
        return new IdxDataset("fashion-mnist-" + String.join("+", found), parts, CLASS_NAMES);
    }

    /**
     * A Fashion-MNIST set by name: {@value #SLICE_NAME} (the shipped test set), {@value #FULL_NAME} (the full set in
     * {@value #DEBIAN_DIRECTORY}), or a directory holding the IDX files.
     *
     * @throws IllegalArgumentException when the name is none of these or the files are missing
     */
    public static Dataset resolve(String nameOrDirectory) {
        if (SLICE_NAME.equals(nameOrDirectory)) {
            return testSlice();
        }
        if (FULL_NAME.equals(nameOrDirectory)) {
            return full(Path.of(DEBIAN_DIRECTORY));
        }
        Path dir = Path.of(nameOrDirectory);
        if (Files.isDirectory(dir)) {
            return full(dir);
        }
        throw new IllegalArgumentException("'" + nameOrDirectory + "' is neither " + SLICE_NAME + ", " + FULL_NAME
                + " nor a directory with the Fashion-MNIST IDX files");
    }

    private static Path find(Path directory, String base) {
        for (String name : List.of(base + ".gz", base)) {
            Path p = directory.resolve(name);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    private static URL resource(String file) {
        String name = RESOURCE_DIRECTORY + file;
        URL url = FashionMnist.class.getClassLoader().getResource(name);
        if (url == null) {
            throw new IllegalStateException("the shipped Fashion-MNIST slice " + name + " is not on the class path");
        }
        return url;
    }

    private static URL url(Path path) {
        try {
            return path.toUri().toURL();
        } catch (MalformedURLException e) {
            throw new UncheckedIOException(e);
        }
    }
}
