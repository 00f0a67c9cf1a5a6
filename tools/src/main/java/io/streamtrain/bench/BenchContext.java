package io.streamtrain.bench;

import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * What a suite runs with: the options, the embedded components (started when a suite first needs them), where to
 * print progress, the machine, and a scratch directory removed at the end.
 */
record BenchContext(BenchOptions options, BenchStack stack, PrintWriter out, Machine machine, Path work) {

    /** A progress line, printed at once. */
    void progress(String format, Object... args) {
        out.printf("  " + format + "%n", args);
        out.flush();
    }
}
