package io.streamtrain.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS to the registry: trust store, host name check and mutual TLS, against a JDK HTTPS server with
 * certificates made by the JDK's keytool for this test.
 */
class RegistryTlsTest {

    private static final String PASSWORD = "changeit";

    @TempDir
    static Path dir;

    private final List<HttpsServer> servers = new ArrayList<>();

    @BeforeAll
    static void makeCertificates() throws Exception {
        keytool("-genkeypair", "-alias", "registry", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=registry", "-ext", "SAN=ip:127.0.0.1", "-validity", "2",
                "-keystore", path("registry.p12"));
        keytool("-genkeypair", "-alias", "elsewhere", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=elsewhere", "-ext", "SAN=dns:registry.elsewhere.example", "-validity", "2",
                "-keystore", path("elsewhere.p12"));
        keytool("-genkeypair", "-alias", "client", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=client", "-validity", "2", "-keystore", path("client.p12"));
        for (String name : List.of("registry", "elsewhere", "client")) {
            keytool("-exportcert", "-alias", name, "-keystore", path(name + ".p12"), "-file", path(name + ".crt"));
        }
        keytool("-importcert", "-noprompt", "-alias", "registry", "-file", path("registry.crt"),
                "-keystore", path("trust.p12"));
        keytool("-importcert", "-noprompt", "-alias", "elsewhere", "-file", path("elsewhere.crt"),
                "-keystore", path("trust.p12"));
        keytool("-importcert", "-noprompt", "-alias", "client", "-file", path("client.crt"),
                "-keystore", path("server-trust.p12"));
    }

    @AfterEach
    void stopServers() {
        servers.forEach(server -> server.stop(0));
    }

    @Test
    void trustsTheRegistryThroughTheConfiguredTrustStore() throws Exception {
        String url = serve("registry.p12", false);
        try (RestSchemaRegistryClient client = client(url, Map.of())) {
            assertThat(client.subjects()).containsExactly("tls-value");
        }
    }

    @Test
    void refusesACertificateForAnotherHost() throws Exception {
        String url = serve("elsewhere.p12", false);
        try (RestSchemaRegistryClient client = client(url, Map.of())) {
            assertThatThrownBy(client::subjects)
                    .isInstanceOfSatisfying(SchemaRegistryException.class,
                            e -> assertThat(e.httpStatus()).isEqualTo(SchemaRegistryException.NO_RESPONSE));
        }
    }

    @Test
    void anEmptyEndpointIdentificationAlgorithmSkipsOnlyTheHostNameCheck() throws Exception {
        String url = serve("elsewhere.p12", false);
        try (RestSchemaRegistryClient client = client(url,
                Map.of("schema.registry.ssl.endpoint.identification.algorithm", ""))) {
            assertThat(client.subjects()).containsExactly("tls-value");
        }
        // the chain is still checked: a trust store without the certificate refuses it
        keytool("-importcert", "-noprompt", "-alias", "client", "-file", path("client.crt"),
                "-keystore", path("other-trust.p12"));
        try (RestSchemaRegistryClient client = client(url,
                Map.of("schema.registry.ssl.endpoint.identification.algorithm", "",
                        "schema.registry.ssl.truststore.location", path("other-trust.p12")))) {
            assertThatThrownBy(client::subjects).isInstanceOf(SchemaRegistryException.class);
        }
    }

    @Test
    void presentsAClientCertificateForMutualTls() throws Exception {
        String url = serve("registry.p12", true);
        Map<String, Object> mutual = Map.of(
                "schema.registry.ssl.keystore.location", path("client.p12"),
                "schema.registry.ssl.keystore.password", PASSWORD,
                "schema.registry.ssl.keystore.type", "PKCS12");
        try (RestSchemaRegistryClient client = client(url, mutual)) {
            assertThat(client.subjects()).containsExactly("tls-value");
        }
        try (RestSchemaRegistryClient client = client(url, Map.of())) {
            assertThatThrownBy(client::subjects).isInstanceOf(SchemaRegistryException.class);
        }
    }

    @Test
    void aWrongTrustStorePasswordIsAConfigErrorNamingTheKey() {
        Map<String, Object> props = new HashMap<>();
        props.put("schema.registry.url", "https://127.0.0.1:1");
        props.put("schema.registry.ssl.truststore.location", path("trust.p12"));
        props.put("schema.registry.ssl.truststore.type", "PKCS12");
        props.put("schema.registry.ssl.truststore.password", "wrong-password");

        assertThatThrownBy(() -> new RestSchemaRegistryClient(props))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("schema.registry.ssl.truststore.location")
                .hasMessageNotContaining("wrong-password");
    }

    private RestSchemaRegistryClient client(String url, Map<String, Object> extra) {
        Map<String, Object> props = new HashMap<>();
        props.put("schema.registry.url", url);
        props.put("schema.registry.max.retries", 0);
        props.put("schema.registry.ssl.truststore.location", path("trust.p12"));
        props.put("schema.registry.ssl.truststore.password", PASSWORD);
        props.put("schema.registry.ssl.truststore.type", "PKCS12");
        props.putAll(extra);
        return new RestSchemaRegistryClient(props);
    }

    /** Starts an HTTPS server on 127.0.0.1 that answers every request with one subject. */
    private String serve(String keystore, boolean needClientAuth) throws Exception {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(load(keystore), PASSWORD.toCharArray());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(load("server-trust.p12"));
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);

        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(context) {
            @Override
            public void configure(HttpsParameters params) {
                javax.net.ssl.SSLParameters parameters = context.getDefaultSSLParameters();
                parameters.setNeedClientAuth(needClientAuth);
                params.setSSLParameters(parameters);
            }
        });
        server.createContext("/", exchange -> {
            byte[] body = "[\"tls-value\"]".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        servers.add(server);
        return "https://127.0.0.1:" + server.getAddress().getPort();
    }

    private static KeyStore load(String name) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(dir.resolve(name))) {
            store.load(in, PASSWORD.toCharArray());
        }
        return store;
    }

    private static String path(String name) {
        return dir.resolve(name).toString();
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        command.addAll(List.of("-storetype", "PKCS12", "-storepass", PASSWORD));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException("keytool " + String.join(" ", args) + " failed: " + output);
        }
    }
}
