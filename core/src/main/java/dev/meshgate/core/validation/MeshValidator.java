package dev.meshgate.core.validation;

import java.util.List;

import dev.meshgate.core.resource.Resource;

/** Validates a whole set of resources: each on its own, then the cross-resource analyzers. */
public final class MeshValidator {

    private MeshValidator() {
    }

    /**
     * @return the resources with no ERROR (those with warnings are kept), and every diagnostic found, in a
     *     stable order (by kind, namespace/name, field)
     */
    public static ValidationResult validate(List<Resource<?>> resources) {
        throw new UnsupportedOperationException("being written for issue #2");
    }

    /** The accepted resources and every problem found. */
    public record ValidationResult(List<Resource<?>> accepted, List<Diagnostic> diagnostics) {
        public ValidationResult {
            accepted = List.copyOf(accepted);
            diagnostics = List.copyOf(diagnostics);
        }

        public boolean hasErrors() {
            return diagnostics.stream().anyMatch(d -> d.severity() == Diagnostic.Severity.ERROR);
        }
    }
}
