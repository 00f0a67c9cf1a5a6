package io.streamtrain.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Starts the real registry jar (built by the registry-server module, passed in by failsafe as the
 * system property {@code streamtrain.registry.jar}) and checks what the other modules' tests rely on.
 */
class EmbeddedSchemaRegistryIT {

    private static final String AVRO_V1 =
            "{\"type\":\"record\",\"name\":\"T\",\"namespace\":\"io.streamtrain.it\","
                    + "\"fields\":[{\"name\":\"a\",\"type\":\"int\"}]}";
    /** Adds a field without a default: not BACKWARD compatible with {@link #AVRO_V1}. */
    private static final String AVRO_INCOMPATIBLE =
            "{\"type\":\"record\",\"name\":\"T\",\"namespace\":\"io.streamtrain.it\","
                    + "\"fields\":[{\"name\":\"a\",\"type\":\"int\"},{\"name\":\"b\",\"type\":\"string\"}]}";

    private final HttpClient http = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .proxy(HttpClient.Builder.NO_PROXY)
            .build();

    @Test
    @Timeout(180)
    void servesTheConfluentApiOnLoopbackOnlyAndStopsOnClose() throws Exception {
        EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start();
        ProcessHandle child;
        Path tmpDir;
        int port = registry.port();
        try {
            URI base = URI.create(registry.url());
            assertThat(base.getScheme()).isEqualTo("http");
            assertThat(base.getHost()).isEqualTo("127.0.0.1");
            assertThat(base.getPort()).isEqualTo(port);
            assertThat(base.getPath()).isEqualTo("/apis/ccompat/v7");

            HttpResponse<String> subjects = get(registry.url() + "/subjects");
            assertThat(subjects.statusCode()).isEqualTo(200);
            assertThat(subjects.body()).isEqualTo("[]");

            // start() sets global compatibility; the other modules' tests depend on it
            assertThat(get(registry.url() + "/config").body()).contains("\"BACKWARD\"");
            HttpResponse<String> registered = post(registry.url() + "/subjects/it-value/versions", AVRO_V1);
            assertThat(registered.statusCode()).isEqualTo(200);
            assertThat(registered.body()).matches("\\{\"id\":\\d+}");
            HttpResponse<String> refused = post(registry.url() + "/subjects/it-value/versions", AVRO_INCOMPATIBLE);
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(409);

            List<InetAddress> others = nonLoopbackAddresses();
            for (InetAddress address : others) {
                assertThat(connects(address, port)).as("port %d reachable on %s", port, address).isFalse();
            }
            assertThat(connects(InetAddress.getByName("127.0.0.1"), port)).isTrue();

            child = registryProcess(port).orElseThrow(() -> new AssertionError("no child process for port " + port));
            tmpDir = tmpDirOf(child);
            assertThat(child.isAlive()).isTrue();
            assertThat(tmpDir).isDirectory();
        } finally {
            registry.close();
        }

        assertThat(child.isAlive()).isFalse();
        assertThat(tmpDir).doesNotExist();
        assertThat(connects(InetAddress.getByName("127.0.0.1"), port)).isFalse();
        try (ServerSocket socket = new ServerSocket(port, 0, InetAddress.getByName("127.0.0.1"))) {
            assertThat(socket.getLocalPort()).isEqualTo(port);
        }
        registry.close(); // idempotent
    }

    @Test
    void missingJarFailsWithBuildInstructions(@TempDir Path dir) {
        assertThatThrownBy(() -> EmbeddedSchemaRegistry.start(dir.resolve("nope.jar")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("nope.jar")
                .hasMessageContaining("mvn -pl registry-server package");
    }

    private HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String url, String avroSchema) throws IOException, InterruptedException {
        String body = "{\"schema\":\"" + avroSchema.replace("\"", "\\\"") + "\"}";
        return http.send(HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(10))
                        .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static boolean connects(InetAddress address, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, port), 2_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** This machine's addresses other than loopback (IPv4 only when the JVM prefers the IPv4 stack). */
    private static List<InetAddress> nonLoopbackAddresses() throws SocketException {
        boolean ipv4Only = Boolean.getBoolean("java.net.preferIPv4Stack");
        return NetworkInterface.networkInterfaces()
                .filter(nic -> {
                    try {
                        return nic.isUp() && !nic.isLoopback();
                    } catch (SocketException e) {
                        return false;
                    }
                })
                .flatMap(NetworkInterface::inetAddresses)
                .filter(address -> !address.isLoopbackAddress() && !address.isLinkLocalAddress())
                .filter(address -> !ipv4Only || address instanceof Inet4Address)
                .collect(Collectors.toList());
    }

    /** The registry JVM among this JVM's children, found by its port argument. */
    private static Optional<ProcessHandle> registryProcess(int port) {
        String portArgument = "-Dquarkus.http.port=" + port;
        return ProcessHandle.current().children()
                .filter(child -> child.info().arguments()
                        .map(args -> Arrays.asList(args).contains(portArgument))
                        .orElse(false))
                .findFirst();
    }

    private static Path tmpDirOf(ProcessHandle child) {
        String prefix = "-Djava.io.tmpdir=";
        return Arrays.stream(child.info().arguments().orElseThrow())
                .filter(argument -> argument.startsWith(prefix))
                .map(argument -> Paths.get(argument.substring(prefix.length())))
                .findFirst()
                .orElseThrow();
    }
}
