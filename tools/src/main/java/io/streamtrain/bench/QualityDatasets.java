package io.streamtrain.bench;

import java.nio.file.Path;

import io.streamtrain.data.CsvDataset;
import io.streamtrain.data.Dataset;
import io.streamtrain.data.FashionMnist;

/** The dataset of the quality suite, by the name or path the command line gives. */
final class QualityDatasets {

    private QualityDatasets() {
    }

    /** {@code fashion-mnist}, {@code fashion-mnist-full}, a directory of IDX files, or a {@code .csv} file. */
    static Dataset resolve(String nameOrPath, String labelColumn) {
        if (nameOrPath.toLowerCase(java.util.Locale.ROOT).endsWith(".csv")) {
            return CsvDataset.builder(Path.of(nameOrPath)).labelColumn(labelColumn).build();
        }
        return FashionMnist.resolve(nameOrPath);
    }
}
