package io.streamtrain.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway certificate authority and a server certificate it signed for {@code 127.0.0.1} and {@code localhost}
 * (subject alternative names, so clients verify the host name as they do by default), made with the JDK's
 * {@code keytool} in PKCS12 stores in a temporary directory that {@link #close()} removes. Every store has one
 * random password, made here, so a test can look for it in logs.
 *
 * <pre>{@code
 * try (TestCertificates certs = TestCertificates.create()) {
 *     broker overrides: certs.serverSslConfig("listener.name.ssl.")
 *     clients:          certs.clientSslConfig("")
 * }
 * }</pre>
 */
public final class TestCertificates implements AutoCloseable {

    private static final String STORE_TYPE = "PKCS12";
    private static final long KEYTOOL_TIMEOUT_S = 60;

    private final Path dir;
    private final String password;

    private TestCertificates(Path dir, String password) {
        this.dir = dir;
        this.password = password;
    }

    /** Makes the CA, the server key and certificate, the server's key store and a trust store with the CA. */
    public static TestCertificates create() {
        Path dir = TempDirectories.create("streamtrain-certs-");
        byte[] random = new byte[12];
        new SecureRandom().nextBytes(random);
        TestCertificates certs = new TestCertificates(dir, "store-" + HexFormat.of().formatHex(random));
        try {
            certs.generate();
        } catch (RuntimeException e) {
            certs.close();
            throw e;
        }
        return certs;
    }

    private void generate() {
        String ca = dir.resolve("ca.p12").toString();
        String server = keystore().toString();
        // EC keys: generated in milliseconds, where RSA takes noticeably longer on a small machine
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=Streamtrain Test CA", "-ext", "bc:c", "-validity", "2", "-keystore", ca);
        keytool("-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=127.0.0.1", "-validity", "2", "-keystore", server);
        keytool("-certreq", "-alias", "server", "-keystore", server, "-file", dir.resolve("server.csr").toString());
        keytool("-gencert", "-alias", "ca", "-keystore", ca, "-infile", dir.resolve("server.csr").toString(),
                "-outfile", dir.resolve("server.crt").toString(), "-rfc", "-validity", "2",
                "-ext", "san=ip:127.0.0.1,dns:localhost", "-ext", "eku=serverAuth,clientAuth");
        keytool("-exportcert", "-alias", "ca", "-keystore", ca, "-rfc", "-file", dir.resolve("ca.crt").toString());
        keytool("-importcert", "-alias", "ca", "-keystore", server, "-file", dir.resolve("ca.crt").toString(),
                "-noprompt");
        keytool("-importcert", "-alias", "server", "-keystore", server, "-file", dir.resolve("server.crt").toString());
        keytool("-importcert", "-alias", "ca", "-keystore", truststore().toString(),
                "-file", dir.resolve("ca.crt").toString(), "-noprompt");
    }

    /** The server's key store (its key, its certificate and the CA), PKCS12. */
    public Path keystore() {
        return dir.resolve("server.p12");
    }

    /** A trust store holding the CA only, PKCS12. */
    public Path truststore() {
        return dir.resolve("truststore.p12");
    }

    /** The password of every store and key here. */
    public String password() {
        return password;
    }

    /** The SSL settings of a server (a broker listener), each key after {@code prefix}. */
    public Map<String, String> serverSslConfig(String prefix) {
        return Map.of(
                prefix + "ssl.keystore.location", keystore().toString(),
                prefix + "ssl.keystore.password", password,
                prefix + "ssl.keystore.type", STORE_TYPE,
                prefix + "ssl.key.password", password,
                prefix + "ssl.truststore.location", truststore().toString(),
                prefix + "ssl.truststore.password", password,
                prefix + "ssl.truststore.type", STORE_TYPE);
    }

    /** The SSL settings of a client that trusts the CA, each key after {@code prefix} (e.g. {@code producer.}). */
    public Map<String, String> clientSslConfig(String prefix) {
        return Map.of(
                prefix + "ssl.truststore.location", truststore().toString(),
                prefix + "ssl.truststore.password", password,
                prefix + "ssl.truststore.type", STORE_TYPE);
    }

    /** Removes the stores. */
    @Override
    public void close() {
        TempDirectories.delete(dir);
    }

    private void keytool(String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        // a short-lived JVM: starts in half the time with these
        command.addAll(List.of("-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC"));
        command.addAll(List.of(args));
        command.addAll(List.of("-storetype", STORE_TYPE, "-storepass", password));
        if (List.of(args).contains("-genkeypair")) {
            command.addAll(List.of("-keypass", password));
        }
        try {
            Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            process.getOutputStream().close();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(KEYTOOL_TIMEOUT_S, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("keytool " + args[0] + " did not finish within " + KEYTOOL_TIMEOUT_S
                        + " s");
            }
            if (process.exitValue() != 0) {
                // the output names the problem; the password is not in it (keytool does not echo its arguments)
                throw new IllegalStateException("keytool " + args[0] + " failed (exit " + process.exitValue() + "): "
                        + output.strip());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run keytool", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running keytool", e);
        }
    }
}
