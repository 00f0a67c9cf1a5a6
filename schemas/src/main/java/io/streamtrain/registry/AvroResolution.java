package io.streamtrain.registry;

import java.util.stream.Collectors;
import org.apache.avro.SchemaCompatibility;

/** Words Avro's reader/writer compatibility verdicts for error messages. */
final class AvroResolution {

    private AvroResolution() {
    }

    static String describe(SchemaCompatibility.SchemaPairCompatibility compatibility) {
        return compatibility.getResult().getIncompatibilities().stream()
                .map(incompatibility -> incompatibility.getType() + " at " + incompatibility.getLocation()
                        + (incompatibility.getMessage() == null ? "" : " (" + incompatibility.getMessage() + ")"))
                .collect(Collectors.joining("; "));
    }
}
