package dev.meshgate.it.harness;

import java.util.List;

import org.jspecify.annotations.Nullable;

/** The control plane's {@code GET /debug/diagnostics}: every problem found in the config directory. */
public record DiagnosticsReport(@Nullable String snapshotVersion, List<Entry> diagnostics) {

    public DiagnosticsReport {
        diagnostics = diagnostics == null ? List.of() : List.copyOf(diagnostics);
    }

    /** One diagnostic, in the format of {@code dev.meshgate.core.validation.Diagnostic}. */
    public record Entry(String severity, String code, @Nullable String kind, @Nullable String resource,
            @Nullable String field, @Nullable String message, @Nullable String source, @Nullable String formatted) {
    }
}
