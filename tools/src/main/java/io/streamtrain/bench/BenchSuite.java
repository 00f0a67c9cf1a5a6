package io.streamtrain.bench;

import java.util.Map;

/** One benchmark suite: runs its measurements and returns its tables, by file name (without extension). */
interface BenchSuite {

    /** The name on the command line and of the result files. */
    String name();

    /** One line on what it measures. */
    String description();

    Map<String, ResultTable> run(BenchContext context) throws Exception;
}
