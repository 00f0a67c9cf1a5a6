package io.streamtrain.registry;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.CaseInsensitiveValidString;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * Configuration of the registry client and of the Avro serde, parsed once into typed fields.
 *
 * <p>The keys are named as Confluent's serializers name them, so an existing serializer config can
 * be reused as is. Keys that are not defined here (e.g. {@code bootstrap.servers}) are ignored.
 */
public final class SchemaRegistryClientConfig extends AbstractConfig {

    public static final String SCHEMA_REGISTRY_URL_CONFIG = "schema.registry.url";
    public static final String BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG = "basic.auth.credentials.source";
    public static final String BASIC_AUTH_USER_INFO_CONFIG = "basic.auth.user.info";
    public static final String SSL_TRUSTSTORE_LOCATION_CONFIG = "schema.registry.ssl.truststore.location";
    public static final String SSL_TRUSTSTORE_PASSWORD_CONFIG = "schema.registry.ssl.truststore.password";
    public static final String SSL_TRUSTSTORE_TYPE_CONFIG = "schema.registry.ssl.truststore.type";
    public static final String SSL_KEYSTORE_LOCATION_CONFIG = "schema.registry.ssl.keystore.location";
    public static final String SSL_KEYSTORE_PASSWORD_CONFIG = "schema.registry.ssl.keystore.password";
    public static final String SSL_KEYSTORE_TYPE_CONFIG = "schema.registry.ssl.keystore.type";
    public static final String SSL_KEY_PASSWORD_CONFIG = "schema.registry.ssl.key.password";
    public static final String SSL_ENDPOINT_IDENTIFICATION_ALGORITHM_CONFIG =
            "schema.registry.ssl.endpoint.identification.algorithm";
    public static final String REQUEST_TIMEOUT_MS_CONFIG = "schema.registry.request.timeout.ms";
    public static final String MAX_RETRIES_CONFIG = "schema.registry.max.retries";
    public static final String RETRY_BACKOFF_MS_CONFIG = "schema.registry.retry.backoff.ms";
    public static final String RETRY_BACKOFF_MAX_MS_CONFIG = "schema.registry.retry.backoff.max.ms";
    public static final String CACHE_CAPACITY_CONFIG = "schema.registry.cache.capacity";
    public static final String AUTO_REGISTER_SCHEMAS_CONFIG = "auto.register.schemas";
    public static final String USE_LATEST_VERSION_CONFIG = "use.latest.version";
    public static final String SPECIFIC_AVRO_READER_CONFIG = "specific.avro.reader";

    /** Where the basic-auth credentials come from. */
    public enum CredentialsSource {
        /** From {@code basic.auth.user.info}, {@code user:password}. */
        USER_INFO,
        /** From the user info of each URL, {@code https://user:password@host}; none if absent. */
        URL,
        /** No authentication. */
        NONE
    }

    /**
     * TLS settings for {@code https} registry URLs.
     *
     * @param verifyHostname false when the endpoint identification algorithm is empty
     */
    public record TlsSettings(Optional<String> truststoreLocation, Optional<Password> truststorePassword,
            String truststoreType, Optional<String> keystoreLocation, Optional<Password> keystorePassword,
            String keystoreType, Optional<Password> keyPassword, boolean verifyHostname) {
    }

    private static final String GROUP_REGISTRY = "Registry";
    private static final String GROUP_AUTH = "Authentication";
    private static final String GROUP_TLS = "TLS";
    private static final String GROUP_SERDE = "Serde";

    // Never handed out: ConfigDef is mutable, so configDef() returns a copy.
    private static final ConfigDef CONFIG_DEF = buildConfigDef();

    private final List<URI> urls;
    private final CredentialsSource credentialsSource;
    private final Optional<Password> userInfo;
    private final TlsSettings tls;
    private final Duration requestTimeout;
    private final int maxRetries;
    private final Duration retryBackoff;
    private final Duration retryBackoffMax;
    private final int cacheCapacity;
    private final boolean autoRegisterSchemas;
    private final boolean useLatestVersion;
    private final boolean specificAvroReader;

    /**
     * Parses and validates {@code originals}.
     *
     * @throws ConfigException naming the offending key; the message never contains a secret
     */
    public SchemaRegistryClientConfig(Map<String, ?> originals) {
        // doLog=false: AbstractConfig would log schema.registry.url verbatim, user info included.
        super(CONFIG_DEF, originals, false);
        urls = getList(SCHEMA_REGISTRY_URL_CONFIG).stream().map(SchemaRegistryClientConfig::toUri).toList();
        credentialsSource = CredentialsSource.valueOf(
                getString(BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG).toUpperCase(Locale.ROOT));
        userInfo = Optional.ofNullable(getPassword(BASIC_AUTH_USER_INFO_CONFIG));
        String algorithm = getString(SSL_ENDPOINT_IDENTIFICATION_ALGORITHM_CONFIG);
        tls = new TlsSettings(
                Optional.ofNullable(getString(SSL_TRUSTSTORE_LOCATION_CONFIG)),
                Optional.ofNullable(getPassword(SSL_TRUSTSTORE_PASSWORD_CONFIG)),
                getString(SSL_TRUSTSTORE_TYPE_CONFIG).toUpperCase(Locale.ROOT),
                Optional.ofNullable(getString(SSL_KEYSTORE_LOCATION_CONFIG)),
                Optional.ofNullable(getPassword(SSL_KEYSTORE_PASSWORD_CONFIG)),
                getString(SSL_KEYSTORE_TYPE_CONFIG).toUpperCase(Locale.ROOT),
                Optional.ofNullable(getPassword(SSL_KEY_PASSWORD_CONFIG)),
                algorithm != null && !algorithm.isEmpty());
        requestTimeout = Duration.ofMillis(getInt(REQUEST_TIMEOUT_MS_CONFIG));
        maxRetries = getInt(MAX_RETRIES_CONFIG);
        retryBackoff = Duration.ofMillis(getLong(RETRY_BACKOFF_MS_CONFIG));
        retryBackoffMax = Duration.ofMillis(getLong(RETRY_BACKOFF_MAX_MS_CONFIG));
        cacheCapacity = getInt(CACHE_CAPACITY_CONFIG);
        autoRegisterSchemas = getBoolean(AUTO_REGISTER_SCHEMAS_CONFIG);
        useLatestVersion = getBoolean(USE_LATEST_VERSION_CONFIG);
        specificAvroReader = getBoolean(SPECIFIC_AVRO_READER_CONFIG);
        validate();
    }

    /** A copy of the definition of every key, e.g. for documentation or a Connect plugin. */
    public static ConfigDef configDef() {
        return new ConfigDef(CONFIG_DEF);
    }

    private void validate() {
        if (credentialsSource == CredentialsSource.USER_INFO && userInfo.isEmpty()) {
            throw new ConfigException(BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG + "=USER_INFO requires "
                    + BASIC_AUTH_USER_INFO_CONFIG + " (user:password)");
        }
        if (tls.keystoreLocation().isPresent() && tls.keystorePassword().isEmpty()) {
            throw new ConfigException(SSL_KEYSTORE_LOCATION_CONFIG + " is set, so "
                    + SSL_KEYSTORE_PASSWORD_CONFIG + " is required to read the client key");
        }
        if (autoRegisterSchemas && useLatestVersion) {
            throw new ConfigException(USE_LATEST_VERSION_CONFIG + "=true requires "
                    + AUTO_REGISTER_SCHEMAS_CONFIG + "=false: a serializer either registers the"
                    + " record's schema or writes with the latest registered one");
        }
        if (retryBackoffMax.compareTo(retryBackoff) < 0) {
            throw new ConfigException(RETRY_BACKOFF_MAX_MS_CONFIG + " (" + retryBackoffMax.toMillis()
                    + ") must not be less than " + RETRY_BACKOFF_MS_CONFIG + " (" + retryBackoff.toMillis() + ")");
        }
    }

    /** The registry base URLs, tried in order; no trailing slash, possibly with user info. */
    public List<URI> urls() {
        return urls;
    }

    public CredentialsSource credentialsSource() {
        return credentialsSource;
    }

    /** {@code user:password}, if set. */
    public Optional<Password> userInfo() {
        return userInfo;
    }

    public TlsSettings tls() {
        return tls;
    }

    public Duration requestTimeout() {
        return requestTimeout;
    }

    /** How many times a retriable failure is retried; the request is tried at most this plus one. */
    public int maxRetries() {
        return maxRetries;
    }

    public Duration retryBackoff() {
        return retryBackoff;
    }

    public Duration retryBackoffMax() {
        return retryBackoffMax;
    }

    public int cacheCapacity() {
        return cacheCapacity;
    }

    public boolean autoRegisterSchemas() {
        return autoRegisterSchemas;
    }

    public boolean useLatestVersion() {
        return useLatestVersion;
    }

    public boolean specificAvroReader() {
        return specificAvroReader;
    }

    /** How a serializer configured from this config picks the schema it writes with. */
    public WriterSchemaPolicy writerSchemaPolicy() {
        if (autoRegisterSchemas) {
            return WriterSchemaPolicy.AUTO_REGISTER;
        }
        return useLatestVersion ? WriterSchemaPolicy.USE_LATEST : WriterSchemaPolicy.LOOKUP;
    }

    private static URI toUri(String url) {
        String trimmed = url.strip();
        while (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        return URI.create(trimmed);
    }

    private static ConfigDef buildConfigDef() {
        int order = 0;
        ConfigDef def = new ConfigDef()
                .define(SCHEMA_REGISTRY_URL_CONFIG, Type.LIST, ConfigDef.NO_DEFAULT_VALUE,
                        new HttpUrlList(), Importance.HIGH,
                        "Comma-separated base URLs of the schema registry, tried in order when one cannot be"
                                + " reached. Paths are appended to each URL, so it may carry a prefix, e.g."
                                + " http://host:8080/apis/ccompat/v7 for Apicurio.",
                        GROUP_REGISTRY, ++order, Width.LONG, "Schema registry URLs")
                .define(REQUEST_TIMEOUT_MS_CONFIG, Type.INT, 30_000, Range.atLeast(1), Importance.MEDIUM,
                        "How long one HTTP request to the registry may take, connecting included.",
                        GROUP_REGISTRY, ++order, Width.SHORT, "Request timeout (ms)")
                .define(MAX_RETRIES_CONFIG, Type.INT, 3, Range.between(0, 100), Importance.MEDIUM,
                        "How many times a request is retried after a retriable failure: no connection, a"
                                + " timeout, HTTP 408, 429 or 5xx other than 501 and 505. Other errors are"
                                + " never retried.",
                        GROUP_REGISTRY, ++order, Width.SHORT, "Max retries")
                .define(RETRY_BACKOFF_MS_CONFIG, Type.LONG, 100L, Range.atLeast(0), Importance.LOW,
                        "Wait before the first retry; it doubles on each further retry, up to "
                                + RETRY_BACKOFF_MAX_MS_CONFIG + ". A Retry-After header from the registry"
                                + " is honoured within the same cap.",
                        GROUP_REGISTRY, ++order, Width.SHORT, "Retry backoff (ms)")
                .define(RETRY_BACKOFF_MAX_MS_CONFIG, Type.LONG, 5_000L, Range.atLeast(0), Importance.LOW,
                        "Upper bound of the wait between two retries.",
                        GROUP_REGISTRY, ++order, Width.SHORT, "Max retry backoff (ms)")
                .define(CACHE_CAPACITY_CONFIG, Type.INT, BoundedCache.DEFAULT_CAPACITY, Range.atLeast(1), Importance.LOW,
                        "How many schemas, ids and registrations each cache of the client and serde holds.",
                        GROUP_REGISTRY, ++order, Width.SHORT, "Cache capacity");
        order = 0;
        def.define(BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG, Type.STRING, CredentialsSource.URL.name(),
                        CaseInsensitiveValidString.in(names(CredentialsSource.values())), Importance.MEDIUM,
                        "Where HTTP basic-auth credentials come from: USER_INFO (" + BASIC_AUTH_USER_INFO_CONFIG
                                + "), URL (the user info of each URL, none if absent) or NONE.",
                        GROUP_AUTH, ++order, Width.SHORT, "Basic-auth credentials source")
                .define(BASIC_AUTH_USER_INFO_CONFIG, Type.PASSWORD, null, new UserInfo(), Importance.MEDIUM,
                        "Basic-auth credentials as user:password, used when " + BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG
                                + "=USER_INFO. Never logged.",
                        GROUP_AUTH, ++order, Width.MEDIUM, "Basic-auth user info");
        order = 0;
        ConfigDef.Validator storeType = CaseInsensitiveValidString.in("JKS", "PKCS12");
        def.define(SSL_TRUSTSTORE_LOCATION_CONFIG, Type.STRING, null, new NonEmptyIfSet(), Importance.MEDIUM,
                        "Trust store file with the certificates that sign the registry's; the JDK's default"
                                + " trust store when unset.",
                        GROUP_TLS, ++order, Width.LONG, "Trust store location")
                .define(SSL_TRUSTSTORE_PASSWORD_CONFIG, Type.PASSWORD, null, new NonEmptyIfSet(), Importance.MEDIUM,
                        "Password of the trust store, if it has one.",
                        GROUP_TLS, ++order, Width.MEDIUM, "Trust store password")
                .define(SSL_TRUSTSTORE_TYPE_CONFIG, Type.STRING, "JKS", storeType, Importance.LOW,
                        "Format of the trust store file: JKS or PKCS12.",
                        GROUP_TLS, ++order, Width.SHORT, "Trust store type")
                .define(SSL_KEYSTORE_LOCATION_CONFIG, Type.STRING, null, new NonEmptyIfSet(), Importance.MEDIUM,
                        "Key store file with the client certificate and key, for registries that require"
                                + " mutual TLS.",
                        GROUP_TLS, ++order, Width.LONG, "Key store location")
                .define(SSL_KEYSTORE_PASSWORD_CONFIG, Type.PASSWORD, null, new NonEmptyIfSet(), Importance.MEDIUM,
                        "Password of the key store; required with " + SSL_KEYSTORE_LOCATION_CONFIG + ".",
                        GROUP_TLS, ++order, Width.MEDIUM, "Key store password")
                .define(SSL_KEYSTORE_TYPE_CONFIG, Type.STRING, "JKS", storeType, Importance.LOW,
                        "Format of the key store file: JKS or PKCS12.",
                        GROUP_TLS, ++order, Width.SHORT, "Key store type")
                .define(SSL_KEY_PASSWORD_CONFIG, Type.PASSWORD, null, new NonEmptyIfSet(), Importance.MEDIUM,
                        "Password of the private key in the key store; the key store password when unset.",
                        GROUP_TLS, ++order, Width.MEDIUM, "Key password")
                .define(SSL_ENDPOINT_IDENTIFICATION_ALGORITHM_CONFIG, Type.STRING, "https",
                        CaseInsensitiveValidString.in("https", ""), Importance.LOW,
                        "https to check that the registry's certificate names its host; empty to skip that"
                                + " check (the certificate chain is still verified).",
                        GROUP_TLS, ++order, Width.SHORT, "Endpoint identification algorithm");
        order = 0;
        // Booleans carry no validator: ConfigDef already rejects anything but true and false.
        def.define(AUTO_REGISTER_SCHEMAS_CONFIG, Type.BOOLEAN, true, null, Importance.MEDIUM,
                        "Whether the serializer registers the record's schema under the subject. When false,"
                                + " the schema must already be registered, or " + USE_LATEST_VERSION_CONFIG
                                + " must be true.",
                        GROUP_SERDE, ++order, Width.SHORT, "Auto-register schemas")
                .define(USE_LATEST_VERSION_CONFIG, Type.BOOLEAN, false, null, Importance.MEDIUM,
                        "Whether the serializer writes with the latest schema of the subject, converting the"
                                + " record to it. Requires " + AUTO_REGISTER_SCHEMAS_CONFIG + "=false.",
                        GROUP_SERDE, ++order, Width.SHORT, "Use latest version")
                .define(SPECIFIC_AVRO_READER_CONFIG, Type.BOOLEAN, true, null, Importance.MEDIUM,
                        "Whether a deserializer configured by Kafka returns the generated SpecificRecord class"
                                + " named by the writer schema (true) or a GenericRecord (false).",
                        GROUP_SERDE, ++order, Width.SHORT, "Specific Avro reader");
        return def;
    }

    private static String[] names(Enum<?>[] values) {
        String[] names = new String[values.length];
        for (int i = 0; i < values.length; i++) {
            names[i] = values[i].name();
        }
        return names;
    }

    /** A non-empty list of absolute http or https URLs with a host. */
    static final class HttpUrlList implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            List<?> list = (List<?>) value;
            if (list == null || list.isEmpty()) {
                throw new ConfigException(name + " must list at least one URL");
            }
            for (Object item : list) {
                String url = String.valueOf(item).strip();
                URI uri;
                try {
                    uri = new URI(url);
                } catch (URISyntaxException e) {
                    // The URL may hold credentials: name the problem, not the value.
                    throw new ConfigException(name + " holds a malformed URL: " + e.getReason()
                            + " at index " + e.getIndex());
                }
                String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
                if (!scheme.equals("http") && !scheme.equals("https")) {
                    throw new ConfigException(name + " holds a URL that is not http:// or https://: "
                            + RegistryEndpoint.redact(uri));
                }
                if (uri.getHost() == null) {
                    throw new ConfigException(name + " holds a URL without a host: " + RegistryEndpoint.redact(uri));
                }
                if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
                    throw new ConfigException(name + " holds a URL with a query or fragment, which cannot"
                            + " take a path after it: " + RegistryEndpoint.redact(uri));
                }
            }
        }

        @Override
        public String toString() {
            return "non-empty list of http:// or https:// URLs";
        }
    }

    /** {@code user:password}; the value never appears in an error. */
    static final class UserInfo implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            if (value == null) {
                return;
            }
            String text = ((Password) value).value();
            int colon = text.indexOf(':');
            if (colon <= 0) {
                throw new ConfigException(name + " must be user:password (the value is not shown)");
            }
        }

        @Override
        public String toString() {
            return "user:password";
        }
    }

    /** Unset, or a non-blank string or password. */
    static final class NonEmptyIfSet implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            if (value == null) {
                return;
            }
            String text = value instanceof Password password ? password.value() : value.toString();
            if (text.isBlank()) {
                throw new ConfigException(name + " must not be empty when set");
            }
        }

        @Override
        public String toString() {
            return "unset or non-empty";
        }
    }
}
