package dev.meshgate.proxy.tracing;

import java.util.function.Function;

import org.jspecify.annotations.Nullable;

import dev.meshgate.core.view.CanonicalService;
import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.core.view.ProxyKind;

/**
 * What spans say about the proxy that made them, as Envoy in an Istio proxy does: its node id
 * ({@code sidecar~<ip>~<name>.<namespace>~<namespace>.svc.cluster.local}, {@code router~...} for a gateway), its
 * service cluster ({@code <canonical service>.<namespace>}, Zipkin's local service name), canonical service and
 * revision ({@link CanonicalService}), and its environment (for {@code customTags.environment}).
 *
 * @param environment the proxy's environment variables
 */
public record ProxyTags(String nodeId, String serviceCluster, String canonicalService, String canonicalRevision,
        String namespace, Function<String, @Nullable String> environment) {

    /** Tags of a proxy whose identity is unknown (a test app). */
    public static final ProxyTags UNKNOWN = new ProxyTags("sidecar~127.0.0.1~unknown.default~default.svc.cluster.local",
            "unknown.default", "unknown", "latest", "default", System::getenv);

    /** The environment variable's value, or null. */
    public @Nullable String environment(String name) {
        return environment.apply(name);
    }

    public static ProxyTags of(ProxyIdentity identity) {
        CanonicalService canonical = CanonicalService.of(identity.labels(), identity.name());
        String service = canonical.name();
        String kind = identity.kind() == ProxyKind.GATEWAY ? "router" : "sidecar";
        String ns = identity.namespace();
        return new ProxyTags(kind + "~127.0.0.1~" + identity.name() + "." + ns + "~" + ns + ".svc.cluster.local",
                service + "." + ns, service, canonical.revision(), ns, System::getenv);
    }
}
