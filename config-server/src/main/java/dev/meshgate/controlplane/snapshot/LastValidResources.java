package dev.meshgate.controlplane.snapshot;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.meshgate.core.resource.Resource;
import dev.meshgate.core.validation.Diagnostic;
import dev.meshgate.core.validation.DiagnosticCode;
import dev.meshgate.core.validation.MeshValidator;
import dev.meshgate.core.validation.MeshValidator.ValidationResult;

/**
 * Keeps serving the last valid version of a resource whose new version is invalid, as Istio does: there the
 * validating webhook refuses the update and the old object stays in the API server. A directory has no webhook,
 * so without this an edit with a typo would silently drop a serving VirtualService and re-route its traffic.
 *
 * <p>A resource counts as "now invalid" when an ERROR names it (kind and namespace/name), or when its file
 * (the file its last valid version came from) has an ERROR that names no resource, such as unparseable YAML.
 * A resource that is simply no longer there (file or document deleted) is dropped. Memory is per control-plane
 * process: after a restart, an invalid resource has no last valid version and is left out.
 */
final class LastValidResources {

    private Map<String, Resource<?>> lastValid = Map.of();

    /** What to index: the accepted resources plus kept last valid versions, and the diagnostics saying so. */
    record Retained(List<Resource<?>> resources, List<Diagnostic> diagnostics) {
    }

    /** Adds the last valid version of each resource that is now invalid; does not change what is remembered. */
    Retained retain(ValidationResult validation) {
        Map<String, Resource<?>> resources = new LinkedHashMap<>();
        for (Resource<?> resource : validation.accepted()) {
            resources.put(key(resource), resource);
        }
        Set<String> invalid = new HashSet<>();
        Set<String> brokenFiles = new HashSet<>();
        for (Diagnostic d : validation.diagnostics()) {
            if (d.severity() != Diagnostic.Severity.ERROR) {
                continue;
            }
            if (d.kind() != null && d.resource() != null) {
                invalid.add(d.kind() + " " + d.resource());
            } else if (d.source() != null) {
                brokenFiles.add(file(d.source()));
            }
        }
        List<Diagnostic> diagnostics = new ArrayList<>(validation.diagnostics());
        for (Map.Entry<String, Resource<?>> last : lastValid.entrySet()) {
            Resource<?> resource = last.getValue();
            boolean keep = !resources.containsKey(last.getKey()) && (invalid.contains(last.getKey())
                    || resource.source() != null && brokenFiles.contains(file(resource.source())));
            if (keep) {
                resources.put(last.getKey(), resource);
                diagnostics.add(DiagnosticCode.LAST_VALID_KEPT.diagnostic(resource.kind().name(), resource.key(),
                        null, "is invalid now; its last valid version keeps serving until it is fixed or deleted",
                        resource.source()));
            }
        }
        diagnostics.sort(MeshValidator.ORDER);
        return new Retained(List.copyOf(resources.values()), diagnostics);
    }

    /** Remembers what a published snapshot was built from, as the last valid version of each resource. */
    void remember(List<Resource<?>> resources) {
        Map<String, Resource<?>> next = new LinkedHashMap<>();
        for (Resource<?> resource : resources) {
            next.put(key(resource), resource);
        }
        lastValid = next;
    }

    private static String key(Resource<?> resource) {
        return resource.kind().name() + " " + resource.key();
    }

    /** {@code dir/file.yaml:12} → {@code dir/file.yaml}. */
    private static String file(String source) {
        int colon = source.lastIndexOf(':');
        return colon > 0 && isDigits(source, colon + 1) ? source.substring(0, colon) : source;
    }

    private static boolean isDigits(String s, int from) {
        if (from >= s.length()) {
            return false;
        }
        for (int i = from; i < s.length(); i++) {
            if (!Character.isDigit(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
