package io.streamtrain.bench;

import java.nio.file.Path;

import io.streamtrain.data.CsvDataset;
import io.streamtrain.data.Dataset;
import io.streamtrain.data.FashionMnist;
import io.streamtrain.data.SyntheticStream;

/** The dataset of the quality suite, by the name or path the command line gives. */
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
}
