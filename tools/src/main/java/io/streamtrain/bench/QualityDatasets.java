package io.streamtrain.bench;

import java.nio.file.Path;

import io.streamtrain.data.CsvDataset;
import io.streamtrain.data.Dataset;
import io.streamtrain.data.FashionMnist;
import io.streamtrain.data.SyntheticStream;
import io.streamtrain.learn.NetworkSpec;

/** The datasets of the quality, scale and rounds suites, by the name or path the command line gives. */
final class QualityDatasets {

    private QualityDatasets() {
    }

    /** The tabular stream of the suites: 20 standard normal features, two classes split by a fixed hyperplane. */
    static final String SEPARABLE = "separable-20d";

    /**
     * {@code fashion-mnist}, {@code fashion-mnist-full}, {@value #SEPARABLE} (endless: give a limit), a directory of
     * IDX files, or a {@code .csv} file.
     */
    static Dataset resolve(String nameOrPath, String labelColumn) {
        if (nameOrPath.toLowerCase(java.util.Locale.ROOT).endsWith(".csv")) {
            return CsvDataset.builder(Path.of(nameOrPath)).labelColumn(labelColumn).build();
        }
        if (SEPARABLE.equals(nameOrPath)) {
            return new SyntheticStream(1, 20, 0.0);
        }
        return FashionMnist.resolve(nameOrPath);
    }

    /** Refuses a spec whose input or classes do not fit the dataset, naming both. */
    static void requireFits(NetworkSpec spec, Dataset dataset) {
        if (spec.inputSize() != dataset.featureCount() || spec.numClasses() != dataset.numClasses()) {
            throw new IllegalArgumentException("the spec takes " + spec.inputSize() + " features and "
                    + spec.numClasses() + " classes, the dataset " + dataset.name() + " has "
                    + dataset.featureCount() + " and " + dataset.numClasses());
        }
    }
}
