package io.streamtrain.app;

import io.streamtrain.embedded.CommittedReference;
import org.junit.jupiter.api.Test;

/**
 * docs/reference/learner-configuration.rst is the learner's configuration reference as the code generates it
 * ({@link LearnerConfig#reference()}, which {@code bin/streamtrain config} prints), under a title. A key added,
 * removed or documented differently fails this test until the file is regenerated: run it with
 * {@code -Dstreamtrain.reference.update=true} and it writes the file instead.
 */
class LearnerConfigReferenceTest {

    static String generated() {
        String title = "Streamtrain learner configuration";
        return title + "\n" + "=".repeat(title.length()) + "\n\n"
                + "The ``streamtrain.*`` keys of the learner's properties file, as ``bin/streamtrain config`` prints "
                + "them. Every other key goes to Kafka Streams and its clients, or to the schema registry client.\n\n"
                + LearnerConfig.reference();
    }

    @Test
    void theCommittedReferenceIsTheOneTheCodeGenerates() {
        CommittedReference.check(CommittedReference.inRepository("docs/reference/learner-configuration.rst"),
                generated(), "./mvnw -B -ntp test -pl streams-app -am -Dtest=LearnerConfigReferenceTest "
                        + "-Dsurefire.failIfNoSpecifiedTests=false -D" + CommittedReference.UPDATE_PROPERTY + "=true");
    }
}
