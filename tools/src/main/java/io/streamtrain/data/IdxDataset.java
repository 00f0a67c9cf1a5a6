package io.streamtrain.data;

import java.net.URL;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Images and their labels from pairs of IDX files (MNIST's format), read in file order, pair after pair. Each image
 * becomes a flat feature vector, row-major (for 28x28 images: row 0's 28 pixels, then row 1's, ...); unsigned-byte
 * pixels are scaled to [0, 1] by dividing by 255, other value types are taken as they are. Labels are class indices.
 *
 * <p>Files are plain or gzip-compressed, on disk or on the class path (any {@link URL}).
 */
public final class IdxDataset implements Dataset {

    /** One images file and its labels file: the same number of items, in the same order. */
    public record Part(URL images, URL labels) {
        public Part {
            Objects.requireNonNull(images, "images");
            Objects.requireNonNull(labels, "labels");
        }
    }

    private final String name;
    private final List<Part> parts;
    private final List<String> classNames;
    private final int featureCount;
    private final long size;

    /**
     * Reads the headers of every file and checks that they fit together.
     *
     * @throws DatasetFormatException when a file is not IDX, or the files do not match
     */
    public IdxDataset(String name, List<Part> parts, List<String> classNames) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("an IDX dataset needs at least one pair of files");
        }
        this.name = Objects.requireNonNull(name, "name");
        this.parts = List.copyOf(parts);
        this.classNames = List.copyOf(classNames);
        int features = -1;
        long total = 0;
        for (Part part : this.parts) {
            try (IdxReader images = IdxReader.open(part.images()); IdxReader labels = IdxReader.open(part.labels())) {
                if (labels.itemSize() != 1) {
                    throw new DatasetFormatException(part.labels() + ": a labels file has one value per item, this"
                            + " one has " + labels.itemSize());
                }
                if (images.itemCount() != labels.itemCount()) {
                    throw new DatasetFormatException(part.images() + " holds " + images.itemCount() + " items but "
                            + part.labels() + " " + labels.itemCount() + " labels");
                }
                if (features >= 0 && images.itemSize() != features) {
                    throw new DatasetFormatException(part.images() + " has items of " + images.itemSize()
                            + " values, the files before it " + features);
                }
                features = images.itemSize();
                total += images.itemCount();
            }
        }
        this.featureCount = features;
        this.size = total;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int featureCount() {
        return featureCount;
    }

    @Override
    public List<String> classNames() {
        return classNames;
    }

    @Override
    public OptionalLong size() {
        return OptionalLong.of(size);
    }

    /** The files, in the order they are read. */
    public List<Part> parts() {
        return parts;
    }

    @Override
    public Stream<LabeledExample> stream() {
        Examples examples = new Examples();
        return StreamSupport.stream(Spliterators.spliterator(examples, size,
                Spliterator.ORDERED | Spliterator.NONNULL | Spliterator.SIZED), false).onClose(examples::close);
    }

    @Override
    public String toString() {
        return "IdxDataset[" + name + ", " + size + " examples of " + featureCount + " features, "
                + classNames.size() + " classes]";
    }

    /** Walks the parts one after the other, with at most one pair of files open. */
    private final class Examples implements Iterator<LabeledExample> {
        private int partIndex = -1;
        private IdxReader images;
        private IdxReader labels;
        private final float[] label = new float[1];

        @Override
        public boolean hasNext() {
            while (images == null || !images.hasNext()) {
                closeCurrent();
                if (++partIndex >= parts.size()) {
                    return false;
                }
                Part part = parts.get(partIndex);
                images = IdxReader.open(part.images());
                labels = IdxReader.open(part.labels());
            }
            return true;
        }

        @Override
        public LabeledExample next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            float[] features = new float[featureCount];
            images.next(features);
            if (images.valueType() == IdxReader.ValueType.UNSIGNED_BYTE) {
                for (int i = 0; i < features.length; i++) {
                    features[i] /= 255f;
                }
            }
            labels.next(label);
            int c = (int) label[0];
            if (c != label[0] || c < 0 || (!classNames.isEmpty() && c >= classNames.size())) {
                throw new DatasetFormatException(parts.get(partIndex).labels() + ": label " + label[0]
                        + " is not a class index in [0, " + classNames.size() + ")");
            }
            return new LabeledExample(features, c);
        }

        private void closeCurrent() {
            List<RuntimeException> failures = new ArrayList<>();
            for (IdxReader r : new IdxReader[] {images, labels}) {
                if (r != null) {
                    try {
                        r.close();
                    } catch (RuntimeException e) {
                        failures.add(e);
                    }
                }
            }
            images = null;
            labels = null;
            if (!failures.isEmpty()) {
                throw failures.get(0);
            }
        }

        void close() {
            partIndex = parts.size();
            closeCurrent();
        }
    }
}
