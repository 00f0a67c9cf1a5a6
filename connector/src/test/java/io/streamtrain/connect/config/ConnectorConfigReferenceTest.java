package io.streamtrain.connect.config;

import io.streamtrain.embedded.CommittedReference;
import org.junit.jupiter.api.Test;

/**
 * docs/reference/connector-configuration.rst is the plugin's configuration reference as the code generates it: the
 * {@code configuration.rst} that {@link ConfigReference} writes into the plugin zip's {@code doc/}. A key added,
 * removed or documented differently fails this test until the file is regenerated: run it with
 * {@code -Dstreamtrain.reference.update=true} and it writes the file instead.
 */
class ConnectorConfigReferenceTest {

    @Test
    void theCommittedReferenceIsTheOneTheCodeGenerates() {
        CommittedReference.check(CommittedReference.inRepository("docs/reference/connector-configuration.rst"),
                ConfigReference.rst(), "./mvnw -B -ntp test -pl connector -am -Dtest=ConnectorConfigReferenceTest "
                        + "-Dsurefire.failIfNoSpecifiedTests=false -D" + CommittedReference.UPDATE_PROPERTY + "=true");
    }
}
