package dev.meshgate.controlplane.snapshot;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.meshgate.core.resource.Resource;
import dev.meshgate.core.security.AuthorizationPolicy;
import dev.meshgate.core.security.PeerAuthentication;
import dev.meshgate.core.validation.Diagnostic;
import dev.meshgate.core.validation.DiagnosticCode;
import dev.meshgate.core.validation.MeshValidator;
import dev.meshgate.core.validation.MeshValidator.ValidationResult;

import org.jspecify.annotations.Nullable;

/**
 * Keeps serving the last valid version of a resource whose new version is invalid, as Istio does: there the
 * validating webhook refuses the update and the old object stays in the API server. A directory has no webhook,
 * so without this an edit with a typo would silently drop a serving VirtualService and re-route its traffic.
 *
 * <p>A resource counts as "now invalid" when an ERROR names it (kind and namespace/name), or when its file
 * (the file its last valid version came from) has an ERROR that names no resource, such as unparseable YAML.
 * A resource that is simply no longer there (file or document deleted) is dropped. Memory is per control-plane
 * process: after a restart, an invalid resource has no last valid version and is left out — except the security
 * policies, which fail closed instead ({@link #failClosed}).
 */
final class LastValidResources {

    private Map<String, Resource<?>> lastValid = Map.of();

    /**
     * What to index: the accepted resources plus kept last valid versions and fail-closed forms, and the diagnostics
     * saying so; {@code failedClosed} are the keys of the fail-closed forms, which are never a valid version.
     */
    record Retained(List<Resource<?>> resources, List<Diagnostic> diagnostics, Set<String> failedClosed) {
    }

    /**
     * Adds the last valid version of each resource of {@code read} that is now invalid, and the fail-closed form of
     * an invalid security policy that has none; does not change what is remembered.
     */
    Retained retain(List<Resource<?>> read, ValidationResult validation) {
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
        Set<String> failedClosed = new HashSet<>();
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
        for (Resource<?> resource : read) {
            String key = key(resource);
            if (invalid.contains(key) && !resources.containsKey(key)) {
                Resource<?> closed = failClosed(resource);
                if (closed != null) {
                    resources.put(key, closed);
                    failedClosed.add(key);
                    diagnostics.add(DiagnosticCode.SECURITY_POLICY_FAILS_CLOSED.diagnostic(resource.kind().name(),
                            resource.key(), null, "is invalid and has no valid version to keep serving: enforced as "
                                    + describe(closed) + " for the workloads it selects until it is fixed or deleted",
                            resource.source()));
                }
            }
        }
        diagnostics.sort(MeshValidator.ORDER);
        return new Retained(List.copyOf(resources.values()), diagnostics, Set.copyOf(failedClosed));
    }

    /**
     * An invalid AuthorizationPolicy or PeerAuthentication left out would fail open (a DENY not enforced, STRICT
     * turned PERMISSIVE), so it is served in its fail-closed form; other kinds (and AUDIT policies) are left out.
     */
    static @Nullable Resource<?> failClosed(Resource<?> resource) {
        if (resource.spec() instanceof AuthorizationPolicy policy) {
            AuthorizationPolicy closed = policy.failClosed();
            return closed == null ? null : new Resource<>(resource.kind(), resource.apiVersion(), resource.metadata(),
                    closed, resource.source());
        }
        if (resource.spec() instanceof PeerAuthentication peer) {
            return new Resource<>(resource.kind(), resource.apiVersion(), resource.metadata(), peer.failClosed(),
                    resource.source());
        }
        return null;
    }

    private static String describe(Resource<?> closed) {
        if (closed.spec() instanceof AuthorizationPolicy policy) {
            return policy.actionOrDefault() == AuthorizationPolicy.Action.DENY ? "a DENY of every request"
                    : "an ALLOW policy that allows nothing";
        }
        return "mutual TLS mode STRICT";
    }

    /** Remembers what a snapshot was built from, except the fail-closed forms, as the last valid versions. */
    void remember(Retained retained) {
        Map<String, Resource<?>> next = new LinkedHashMap<>();
        for (Resource<?> resource : retained.resources()) {
            String key = key(resource);
            if (!retained.failedClosed().contains(key)) {
                next.put(key, resource);
            }
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
