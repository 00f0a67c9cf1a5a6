package io.streamtrain.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class SchemaRegistryClientConfigTest {

    private static Map<String, Object> base() {
        Map<String, Object> props = new HashMap<>();
        props.put(SchemaRegistryClientConfig.SCHEMA_REGISTRY_URL_CONFIG, "http://127.0.0.1:8081");
        return props;
    }

    private static SchemaRegistryClientConfig config(Map<String, Object> props) {
        return new SchemaRegistryClientConfig(props);
    }

    @Test
    void defaultsMatchConfluentsSerializers() {
        SchemaRegistryClientConfig config = config(base());

        assertThat(config.urls()).containsExactly(URI.create("http://127.0.0.1:8081"));
        assertThat(config.credentialsSource()).isEqualTo(SchemaRegistryClientConfig.CredentialsSource.URL);
        assertThat(config.maxRetries()).isEqualTo(3);
        assertThat(config.retryBackoff()).isEqualTo(Duration.ofMillis(100));
        assertThat(config.requestTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.autoRegisterSchemas()).isTrue();
        assertThat(config.useLatestVersion()).isFalse();
        assertThat(config.specificAvroReader()).isTrue();
        assertThat(config.writerSchemaPolicy()).isEqualTo(WriterSchemaPolicy.AUTO_REGISTER);
        assertThat(config.tls().verifyHostname()).isTrue();
    }

    @Test
    void parsesAListOfUrlsWithPrefixesAndDropsTrailingSlashes() {
        Map<String, Object> props = base();
        props.put("schema.registry.url", "http://a:8080/apis/ccompat/v7/, https://b:8081");

        assertThat(config(props).urls()).containsExactly(
                URI.create("http://a:8080/apis/ccompat/v7"), URI.create("https://b:8081"));
    }

    @Test
    void everyKeyHasDocImportanceAndAGroup() {
        ConfigDef def = SchemaRegistryClientConfig.configDef();
        assertThat(def.configKeys()).hasSize(19);
        def.configKeys().values().forEach(key -> {
            assertThat(key.documentation).as(key.name).isNotBlank();
            assertThat(key.importance).as(key.name).isNotNull();
            assertThat(key.group).as(key.name).isNotBlank();
            if (key.type != ConfigDef.Type.BOOLEAN) {
                assertThat(key.validator).as(key.name).isNotNull();
            }
        });
        assertThat(def.configKeys()).containsKeys("schema.registry.url", "basic.auth.credentials.source",
                "basic.auth.user.info", "schema.registry.ssl.truststore.location",
                "schema.registry.ssl.truststore.password", "schema.registry.ssl.truststore.type",
                "schema.registry.ssl.keystore.location", "schema.registry.ssl.keystore.password",
                "schema.registry.ssl.keystore.type", "schema.registry.ssl.key.password",
                "schema.registry.ssl.endpoint.identification.algorithm", "schema.registry.request.timeout.ms",
                "schema.registry.max.retries", "schema.registry.retry.backoff.ms", "schema.registry.cache.capacity",
                "auto.register.schemas", "use.latest.version", "specific.avro.reader");
    }

    @Test
    void requiresAUrl() {
        assertThatThrownBy(() -> config(new HashMap<>()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("schema.registry.url");
    }

    @Test
    void rejectsUrlsThatAreNotHttp() {
        Map<String, Object> props = base();
        props.put("schema.registry.url", "ftp://host/registry");
        assertThatThrownBy(() -> config(props)).isInstanceOf(ConfigException.class).hasMessageContaining("http://");

        props.put("schema.registry.url", "localhost:8081");
        assertThatThrownBy(() -> config(props)).isInstanceOf(ConfigException.class);

        props.put("schema.registry.url", "http://host:8081/x?y=1");
        assertThatThrownBy(() -> config(props)).isInstanceOf(ConfigException.class).hasMessageContaining("query");
    }

    @Test
    void errorsAboutUrlsNeverShowTheirCredentials() {
        Map<String, Object> props = base();
        props.put("schema.registry.url", "ftp://alice:s3cret@host/registry");

        assertThatThrownBy(() -> config(props)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("ftp://host/registry")
                .hasMessageNotContaining("s3cret");
    }

    @Test
    void userInfoSourceNeedsUserInfo() {
        Map<String, Object> props = base();
        props.put("basic.auth.credentials.source", "user_info");

        assertThatThrownBy(() -> config(props)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("basic.auth.user.info");

        props.put("basic.auth.user.info", "alice:s3cret");
        assertThat(config(props).userInfo()).get().extracting(p -> p.value()).isEqualTo("alice:s3cret");
    }

    @Test
    void malformedUserInfoIsRejectedWithoutShowingIt() {
        Map<String, Object> props = base();
        props.put("basic.auth.credentials.source", "USER_INFO");
        props.put("basic.auth.user.info", "no-colon-s3cret");

        assertThatThrownBy(() -> config(props)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("user:password")
                .hasMessageNotContaining("s3cret");
    }

    @Test
    void rejectsUnknownCredentialsSources() {
        Map<String, Object> props = base();
        props.put("basic.auth.credentials.source", "SASL_INHERIT");

        assertThatThrownBy(() -> config(props)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("basic.auth.credentials.source");
    }

    @Test
    void rejectsContradictorySerdeSettings() {
        Map<String, Object> props = base();
        props.put("use.latest.version", "true");

        assertThatThrownBy(() -> config(props)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("auto.register.schemas=false");

        props.put("auto.register.schemas", false);
        assertThat(config(props).writerSchemaPolicy()).isEqualTo(WriterSchemaPolicy.USE_LATEST);
        props.put("use.latest.version", false);
        assertThat(config(props).writerSchemaPolicy()).isEqualTo(WriterSchemaPolicy.LOOKUP);
    }

    @Test
    void rejectsOutOfRangeNumbers() {
        for (Map.Entry<String, Object> bad : List.of(
                Map.entry("schema.registry.max.retries", (Object) "-1"),
                Map.entry("schema.registry.request.timeout.ms", (Object) "0"),
                Map.entry("schema.registry.cache.capacity", (Object) "0"),
                Map.entry("schema.registry.retry.backoff.ms", (Object) "-5"))) {
            Map<String, Object> props = base();
            props.put(bad.getKey(), bad.getValue());
            assertThatThrownBy(() -> config(props)).as(bad.getKey()).isInstanceOf(ConfigException.class)
                    .hasMessageContaining(bad.getKey());
        }
    }

    @Test
    void backoffCapMustNotBeBelowTheBackoff() {
        Map<String, Object> props = base();
        props.put("schema.registry.retry.backoff.ms", 500);
        props.put("schema.registry.retry.backoff.max.ms", 100);

        assertThatThrownBy(() -> config(props)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("schema.registry.retry.backoff.max.ms");
    }

    @Test
    void tlsSettings() {
        Map<String, Object> props = base();
        props.put("schema.registry.ssl.truststore.location", "/etc/ssl/registry.p12");
        props.put("schema.registry.ssl.truststore.type", "pkcs12");
        props.put("schema.registry.ssl.endpoint.identification.algorithm", "");

        SchemaRegistryClientConfig.TlsSettings tls = config(props).tls();
        assertThat(tls.truststoreLocation()).contains("/etc/ssl/registry.p12");
        assertThat(tls.truststoreType()).isEqualTo("PKCS12");
        assertThat(tls.verifyHostname()).isFalse();

        props.put("schema.registry.ssl.truststore.type", "PEM");
        assertThatThrownBy(() -> config(props)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("schema.registry.ssl.truststore.type");
    }

    @Test
    void keystoreNeedsItsPasswordWhichIsNeverShown() {
        Map<String, Object> props = base();
        props.put("schema.registry.ssl.keystore.location", "/etc/ssl/client.p12");

        assertThatThrownBy(() -> config(props)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("schema.registry.ssl.keystore.password");

        props.put("schema.registry.ssl.keystore.password", "k3ystore");
        assertThat(config(props).tls().keystorePassword()).get().hasToString("[hidden]");
    }

    @Test
    void ignoresKeysOfOtherComponents() {
        Map<String, Object> props = base();
        props.put("bootstrap.servers", "127.0.0.1:9092");
        props.put("value.serializer", ConfluentAvroSerializer.class.getName());

        assertThat(config(props).urls()).hasSize(1);
    }
}
