package io.streamtrain.registry;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/** Builds the {@link SSLContext} for {@code https} registry URLs from the {@code schema.registry.ssl.*} keys. */
final class TlsContextFactory {

    private TlsContextFactory() {
    }

    /** The context to use, or empty when the JDK's default context does. */
    static Optional<SSLContext> create(SchemaRegistryClientConfig.TlsSettings tls) {
        if (tls.truststoreLocation().isEmpty() && tls.keystoreLocation().isEmpty() && tls.verifyHostname()) {
            return Optional.empty();
        }
        try {
            KeyStore truststore = tls.truststoreLocation().isEmpty() ? null
                    : load(SchemaRegistryClientConfig.SSL_TRUSTSTORE_LOCATION_CONFIG, tls.truststoreLocation().get(),
                            tls.truststoreType(), tls.truststorePassword());
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(truststore); // null: the JDK's default trust store
            TrustManager[] trustManagers = tmf.getTrustManagers();
            if (!tls.verifyHostname()) {
                for (int i = 0; i < trustManagers.length; i++) {
                    if (trustManagers[i] instanceof X509ExtendedTrustManager x509) {
                        trustManagers[i] = new ChainOnlyTrustManager(x509);
                    }
                }
            }
            KeyManager[] keyManagers = null;
            if (tls.keystoreLocation().isPresent()) {
                KeyStore keystore = load(SchemaRegistryClientConfig.SSL_KEYSTORE_LOCATION_CONFIG,
                        tls.keystoreLocation().get(), tls.keystoreType(), tls.keystorePassword());
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                Password keyPassword = tls.keyPassword().or(tls::keystorePassword).orElseThrow();
                kmf.init(keystore, keyPassword.value().toCharArray());
                keyManagers = kmf.getKeyManagers();
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers, trustManagers, null);
            return Optional.of(context);
        } catch (GeneralSecurityException e) {
            throw new ConfigException("Cannot set up TLS for the schema registry: " + e.getMessage());
        }
    }

    private static KeyStore load(String key, String location, String type, Optional<Password> password)
            throws GeneralSecurityException {
        KeyStore store = KeyStore.getInstance(type);
        try (InputStream in = Files.newInputStream(Path.of(location))) {
            store.load(in, password.map(p -> p.value().toCharArray()).orElse(null));
        } catch (IOException e) {
            throw new ConfigException(key + ": cannot read " + type + " store " + location + ": " + e.getMessage());
        }
        return store;
    }
}
