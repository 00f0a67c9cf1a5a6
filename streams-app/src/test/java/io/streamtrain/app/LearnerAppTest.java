package io.streamtrain.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.Map;

import io.streamtrain.embedded.FreePorts;
import io.streamtrain.registry.RestSchemaRegistryClient;
import io.streamtrain.registry.SchemaRegistryClientConfig;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.streams.errors.StreamsException;
import org.junit.jupiter.api.Test;

class LearnerAppTest {

    @Test
    void aRegistryOutOfReachIsTransientAndABadRecordOrABugIsNot() {
        // a port nobody listens on: the client gives up after its retries with a retriable error
        String url = "http://127.0.0.1:" + FreePorts.pick();
        Throwable outage;
        try (RestSchemaRegistryClient client = new RestSchemaRegistryClient(new SchemaRegistryClientConfig(Map.of(
                "schema.registry.url", url, "schema.registry.max.retries", "0")))) {
            outage = catchThrowable(() -> client.getById(1));
        }
        assertThat(outage).isNotNull();
        assertThat(LearnerApp.isTransient(new StreamsException("task failed", outage))).isTrue();
        assertThat(LearnerApp.isTransient(new StreamsException(new TimeoutException("broker slow")))).isTrue();
        assertThat(LearnerApp.isTransient(new StreamsException(new IllegalStateException("a bug")))).isFalse();
    }
}
