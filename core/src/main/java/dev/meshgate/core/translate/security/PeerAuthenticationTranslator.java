package dev.meshgate.core.translate.security;

import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.meshgate.core.index.MeshIndex;
import dev.meshgate.core.resource.Resource;
import dev.meshgate.core.security.PeerAuthentication;
import dev.meshgate.core.security.PeerAuthentication.Mode;
import dev.meshgate.core.view.PeerAuthenticationSpec;
import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.core.view.ProxyKind;

import org.jspecify.annotations.Nullable;

/**
 * Implements {@code PeerAuthentication.spec} for one sidecar, with Istio's precedence
 * ({@code ComposePeerAuthentication}): of the policies without selector, the root namespace's is the mesh level and
 * the sidecar's namespace's the namespace level; a policy with a selector in the sidecar's namespace is the
 * workload level (one with a selector in the root namespace applies to nothing, as in Istio). At each level the
 * oldest policy wins (creation time, then namespace/name). A level's mode overrides the one above unless UNSET;
 * {@code portLevelMtls} comes from the workload policy only, an UNSET port inheriting the resolved mode.
 */
public final class PeerAuthenticationTranslator {

    private static final Comparator<Resource<PeerAuthentication>> OLDEST_FIRST = Comparator
            .comparing((Resource<PeerAuthentication> r) -> r.metadata().creationTimestamp(),
                    Comparator.nullsLast(Comparator.<Instant>naturalOrder()))
            .thenComparing(Resource::key);

    private PeerAuthenticationTranslator() {
    }

    /** The sidecar's resolved mode; null when no PeerAuthentication applies (PERMISSIVE) or for a gateway. */
    public static @Nullable PeerAuthenticationSpec translate(MeshIndex index, ProxyIdentity proxy) {
        if (proxy.kind() == ProxyKind.GATEWAY) {
            return null;
        }
        return resolve(index, proxy.namespace(), proxy.labels());
    }

    /**
     * Whether the workload in {@code namespace} with {@code labels} serves {@code port} with PeerAuthentication
     * DISABLE, as pilot's endpoint builder asks before it marks an endpoint for auto mutual TLS
     * ({@code mtlsChecker}): such an endpoint gets plaintext even though it has a sidecar.
     */
    public static boolean disables(MeshIndex index, String namespace, Map<String, String> labels, int port) {
        if (index.peerAuthentications().isEmpty()) {
            return false;
        }
        PeerAuthenticationSpec spec = resolve(index, namespace, labels);
        return spec != null && spec.modeFor(port) == Mode.DISABLE;
    }

    private static @Nullable PeerAuthenticationSpec resolve(MeshIndex index, String workloadNamespace,
            Map<String, String> labels) {
        String root = index.settings().rootNamespace();
        Resource<PeerAuthentication> mesh = null;
        Resource<PeerAuthentication> namespace = null;
        Resource<PeerAuthentication> workload = null;
        for (Resource<PeerAuthentication> policy : index.peerAuthentications()) {
            String ns = policy.metadata().namespace();
            boolean wide = policy.spec().selector() == null || policy.spec().selector().matchLabels().isEmpty();
            if (wide && ns.equals(root)) {
                mesh = oldest(mesh, policy);
            } else if (wide && ns.equals(workloadNamespace)) {
                namespace = oldest(namespace, policy);
            } else if (!wide && !ns.equals(root) && ns.equals(workloadNamespace)
                    && policy.spec().selector().selects(labels)) {
                workload = oldest(workload, policy);
            }
        }
        if (mesh == null && namespace == null && workload == null) {
            return null;
        }
        Mode mode = Mode.PERMISSIVE;
        for (Resource<PeerAuthentication> level : new Resource[] {mesh, namespace, workload}) {
            if (level != null && level.spec().mtls() != null && level.spec().mtls().modeOrUnset() != Mode.UNSET) {
                mode = level.spec().mtls().modeOrUnset();
            }
        }
        Map<Integer, Mode> ports = new LinkedHashMap<>();
        if (workload != null) {
            for (Map.Entry<String, PeerAuthentication.MutualTls> port : workload.spec().portLevelMtls().entrySet()) {
                Mode portMode = port.getValue() == null ? Mode.UNSET : port.getValue().modeOrUnset();
                ports.put(Integer.parseInt(port.getKey()), portMode == Mode.UNSET ? mode : portMode);
            }
        }
        return new PeerAuthenticationSpec(mode, ports);
    }

    private static Resource<PeerAuthentication> oldest(@Nullable Resource<PeerAuthentication> kept,
            Resource<PeerAuthentication> candidate) {
        return kept == null || OLDEST_FIRST.compare(candidate, kept) < 0 ? candidate : kept;
    }
}
