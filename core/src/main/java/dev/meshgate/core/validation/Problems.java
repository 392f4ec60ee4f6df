package dev.meshgate.core.validation;

import java.util.ArrayList;
import java.util.List;

import dev.meshgate.core.resource.Resource;

import org.jspecify.annotations.Nullable;

/** The diagnostics found in one resource, each stamped with the resource's kind, key and source. */
final class Problems {

    private final String kind;
    private final @Nullable String key;
    private final @Nullable String source;
    private final List<Diagnostic> diagnostics = new ArrayList<>();

    Problems(Resource<?> resource) {
        this(resource.kind().name(), resource.key(), resource.source());
    }

    /** For a configuration that is no resource (MeshConfig): no namespace/name. */
    Problems(String kind, @Nullable String key, @Nullable String source) {
        this.kind = kind;
        this.key = key;
        this.source = source;
    }

    /** Reports {@code message} about {@code field} ({@code spec.http[1].route}) with {@code code}'s severity. */
    void add(DiagnosticCode code, String field, String message) {
        diagnostics.add(code.diagnostic(kind, key, field, message, source));
    }

    /** Reports {@code field} as set but not implemented yet, when {@code set}: never ignored silently. */
    void unsupported(String field, boolean set) {
        if (set) {
            add(DiagnosticCode.UNSUPPORTED_FIELD, field, "unsupported: " + field + " is not implemented yet; ignored");
        }
    }

    /** Reports {@code field} as deprecated in favour of {@code replacement}, when {@code value} is not null. */
    void deprecated(String field, Object value, String replacement) {
        if (value != null) {
            add(DiagnosticCode.DEPRECATED_FIELD, field, "deprecated: use " + replacement + " instead (still honoured)");
        }
    }

    /** Reports {@code field} as set but not implemented yet, when {@code value} is not null. */
    void unsupported(String field, Object value) {
        unsupported(field, value != null);
    }

    /** Reports {@code field} as set but not implemented yet, when {@code values} is not empty. */
    void unsupported(String field, List<?> values) {
        unsupported(field, !values.isEmpty());
    }

    boolean hasErrors() {
        return diagnostics.stream().anyMatch(d -> d.severity() == Diagnostic.Severity.ERROR);
    }

    List<Diagnostic> diagnostics() {
        return diagnostics;
    }
}
