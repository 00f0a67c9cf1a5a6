package io.streamtrain.registry;

import io.streamtrain.embedded.EmbeddedKafkaBroker;
import io.streamtrain.embedded.EmbeddedSchemaRegistry;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Hands integration tests a real schema registry and Kafka broker, each started once, on first use,
 * for the whole test run and closed when it ends (JUnit closes {@link AutoCloseable} values of the
 * root store). Tests share them, so each test uses its own subjects and topics.
 */
final class EmbeddedServices implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(EmbeddedServices.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == EmbeddedSchemaRegistry.class || type == EmbeddedKafkaBroker.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        ExtensionContext.Store store = context.getRoot().getStore(NAMESPACE);
        Class<?> type = parameter.getParameter().getType();
        if (type == EmbeddedSchemaRegistry.class) {
            return store.getOrComputeIfAbsent(EmbeddedSchemaRegistry.class, key -> EmbeddedSchemaRegistry.start(),
                    EmbeddedSchemaRegistry.class);
        }
        return store.getOrComputeIfAbsent(EmbeddedKafkaBroker.class, key -> EmbeddedKafkaBroker.start(),
                EmbeddedKafkaBroker.class);
    }
}
