package io.streamtrain.connect.avro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import io.streamtrain.connect.InMemoryRegistry;
import io.streamtrain.connect.Version;
import io.streamtrain.registry.ConfluentAvroSerializer;
import io.streamtrain.registry.RegistryFailures;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.connect.components.Versioned;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.errors.RetriableException;
import org.junit.jupiter.api.Test;

class ConfluentAvroConverterTest {

    private final InMemoryRegistry registry = new InMemoryRegistry();

    private ConfluentAvroConverter converter(boolean isKey) {
        ConfluentAvroConverter converter = new ConfluentAvroConverter(registry);
        converter.configure(Map.of("schema.registry.url", "http://127.0.0.1:1"), isKey);
        return converter;
    }

    @Test
    void connectSeesThePluginsVersion() {
        // Connect asks a plugin for its version through Versioned; Converter alone does not extend it
        Object plugin = new ConfluentAvroConverter();
        assertThat(plugin).isInstanceOf(Versioned.class);
        String pomVersion = System.getProperty("streamtrain.project.version");
        assertThat(pomVersion).as("the pom passes its version to the tests").isNotBlank();
        assertThat(((Versioned) plugin).version()).isEqualTo(pomVersion).isEqualTo(Version.get());
    }

    @Test
    void readsWhatTheSerdeWroteAndWritesItBack() {
        byte[] bytes;
        try (ConfluentAvroSerializer<GenericRecord> serializer = new ConfluentAvroSerializer<>(registry, false)) {
            bytes = serializer.serialize("payments", AvroConnectDataTest.everything());
        }
        try (ConfluentAvroConverter converter = converter(false)) {
            SchemaAndValue read = converter.toConnectData("payments", bytes);
            assertThat(read.schema().name()).isEqualTo("io.test.Everything");
            Struct struct = (Struct) read.value();
            assertThat(struct.getString("name")).isEqualTo("n");

            byte[] written = converter.fromConnectData("copy", read.schema(), read.value());
            assertThat(written[0]).isZero();
            assertThat(registry.subjects()).contains("copy-value");
            SchemaAndValue again = converter.toConnectData("copy", written);
            assertThat(again.value()).isEqualTo(read.value());
        }
    }

    @Test
    void writesConnectStructsAsKeys() {
        org.apache.kafka.connect.data.Schema schema = SchemaBuilder.struct().name("io.test.Key")
                .field("id", org.apache.kafka.connect.data.Schema.STRING_SCHEMA).build();
        try (ConfluentAvroConverter converter = converter(true)) {
            byte[] bytes = converter.fromConnectData("t", schema, new Struct(schema).put("id", "a"));
            assertThat(registry.subjects()).containsExactly("t-key");
            assertThat(((Struct) converter.toConnectData("t", bytes).value()).getString("id")).isEqualTo("a");
        }
    }

    @Test
    void nullIsATombstoneBothWays() {
        try (ConfluentAvroConverter converter = converter(false)) {
            assertThat(converter.toConnectData("t", null)).isEqualTo(SchemaAndValue.NULL);
            assertThat(converter.fromConnectData("t", null, null)).isNull();
        }
    }

    @Test
    void undecodableBytesAreADataExceptionNamingTheTopicAndTheProblem() {
        try (ConfluentAvroConverter converter = converter(false)) {
            assertThatThrownBy(() -> converter.toConnectData("payments", "{\"json\":1}".getBytes()))
                    .isInstanceOf(DataException.class)
                    .hasMessageContaining("payments").hasMessageContaining("magic byte");
            assertThatThrownBy(() -> converter.toConnectData("payments", new byte[] {0, 0}))
                    .isInstanceOf(DataException.class).hasMessageContaining("payments").hasMessageContaining("header");
            assertThatThrownBy(() -> converter.toConnectData("payments", new byte[] {0, 0, 0, 0, 99, 1}))
                    .isInstanceOf(DataException.class).hasMessageContaining("unknown schema id 99");
            byte[] good;
            try (ConfluentAvroSerializer<GenericRecord> serializer = new ConfluentAvroSerializer<>(registry, false)) {
                good = serializer.serialize("payments", AvroConnectDataTest.everything());
            }
            byte[] truncated = java.util.Arrays.copyOf(good, good.length - 3);
            assertThatThrownBy(() -> converter.toConnectData("payments", truncated))
                    .isInstanceOf(DataException.class).hasMessageContaining("payments").hasMessageContaining("truncated");
        }
    }

    @Test
    void anUnreachableRegistryIsRetriableAndARefusalIsNot() {
        byte[] bytes;
        try (ConfluentAvroSerializer<GenericRecord> serializer = new ConfluentAvroSerializer<>(registry, false)) {
            bytes = serializer.serialize("payments", AvroConnectDataTest.everything());
        }
        try (ConfluentAvroConverter converter = converter(false)) {
            registry.failWith(RegistryFailures::unreachable);
            assertThatThrownBy(() -> converter.toConnectData("payments", bytes)).isInstanceOf(RetriableException.class);
            registry.failWith(RegistryFailures::unauthorized);
            assertThatThrownBy(() -> converter.toConnectData("payments", bytes)).isInstanceOf(DataException.class)
                    .isNotInstanceOf(RetriableException.class).hasMessageContaining("401");
        }
    }

    @Test
    void schemalessDataCannotBeWrittenAsAvro() {
        try (ConfluentAvroConverter converter = converter(false)) {
            assertThatThrownBy(() -> converter.fromConnectData("t", null, Map.of("a", 1)))
                    .isInstanceOf(DataException.class).hasMessageContaining("no schema");
            assertThatThrownBy(() -> converter.fromConnectData("t",
                    org.apache.kafka.connect.data.Schema.STRING_SCHEMA, "x"))
                    .isInstanceOf(DataException.class).hasMessageContaining("only structs");
        }
    }

    @Test
    void declaresTheRegistryKeys() {
        assertThat(new ConfluentAvroConverter().config().names()).contains("schema.registry.url",
                "basic.auth.user.info", "auto.register.schemas");
    }
}
