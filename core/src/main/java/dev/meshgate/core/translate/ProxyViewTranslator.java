package dev.meshgate.core.translate;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import dev.meshgate.core.index.MeshIndex;
import dev.meshgate.core.translate.cluster.ClusterKey;
import dev.meshgate.core.translate.cluster.ClusterTranslator;
import dev.meshgate.core.translate.gateway.GatewayTcpServerTranslator;
import dev.meshgate.core.translate.gateway.GatewayViewTranslator;
import dev.meshgate.core.translate.security.AuthorizationPolicyTranslator;
import dev.meshgate.core.translate.security.PeerAuthenticationTranslator;
import dev.meshgate.core.translate.security.RequestAuthenticationTranslator;
import dev.meshgate.core.view.AuthSpec;
import dev.meshgate.core.translate.sidecar.SidecarTcpListenerTranslator;
import dev.meshgate.core.translate.sidecar.SidecarViewTranslator;
import dev.meshgate.core.translate.telemetry.TelemetryTranslator;
import dev.meshgate.core.view.ClusterSpec;
import dev.meshgate.core.view.ListenerSpec;
import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.core.view.ProxyKind;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.core.view.TcpListenerSpec;
import dev.meshgate.core.view.TelemetrySpec;
import dev.meshgate.core.view.TracerSpec;

import org.jspecify.annotations.Nullable;

/**
 * Computes what one proxy should do: {@code translate(index, proxy) -> view}. A sidecar gets its outbound
 * listener ({@link SidecarViewTranslator}), a gateway the listeners of the Gateways selecting it
 * ({@link GatewayViewTranslator}). Both get every cluster their routes name, a sidecar also the default
 * cluster of every HTTP port of the services it sees ({@link ClusterTranslator}).
 */
public final class ProxyViewTranslator {

    private ProxyViewTranslator() {
    }

    /** The view of {@code proxy}; pure and deterministic, its version a hash of its content. */
    public static ProxyView translate(MeshIndex index, ProxyIdentity proxy) {
        return translate(index, proxy, null);
    }

    /**
     * As {@link #translate(MeshIndex, ProxyIdentity)}, holding the parts of {@code previous} (the proxy's view of
     * the mesh before a change) that came out equal ({@link ProxyView#reusingPartsOf}): an equal view whose unchanged
     * parts need no hashing, checking or diffing again.
     */
    public static ProxyView translate(MeshIndex index, ProxyIdentity proxy, @Nullable ProxyView previous) {
        Set<ClusterKey> clusterKeys = new TreeSet<>();
        List<ListenerSpec> listeners = new ArrayList<>();
        List<TcpListenerSpec> tcpListeners = new ArrayList<>();
        if (proxy.kind() == ProxyKind.GATEWAY) {
            listeners.addAll(GatewayViewTranslator.translate(index, proxy, clusterKeys));
            tcpListeners.addAll(GatewayTcpServerTranslator.translate(index, proxy, clusterKeys));
        } else {
            listeners.add(SidecarViewTranslator.translate(index, proxy, clusterKeys));
            tcpListeners.addAll(SidecarTcpListenerTranslator.translate(index, proxy, clusterKeys));
        }
        List<ClusterSpec> clusters = new ArrayList<>();
        for (ClusterKey key : clusterKeys) {
            clusters.add(ClusterTranslator.translate(key, index, proxy));
        }
        ProxyView.OutboundTrafficPolicy policy = index.settings().outboundTrafficPolicy();
        var normalization = index.settings().pathNormalization();
        TelemetrySpec telemetry = TelemetryTranslator.translate(index, proxy);
        AuthSpec auth = new AuthSpec(AuthorizationPolicyTranslator.translate(index, proxy),
                RequestAuthenticationTranslator.translate(index, proxy),
                PeerAuthenticationTranslator.translate(index, proxy),
                // the topology is the gateways' (Istio sets xff_num_trusted_hops on router proxies only)
                proxy.kind() == ProxyKind.GATEWAY ? index.settings().numTrustedProxies() : null,
                index.settings().trustDomainAliases().isEmpty() ? List.of()
                        : index.settings().trustDomains().trustDomains());
        TracerSpec tracing = index.settings().tracing();
        Long detectionTimeout = proxy.kind() == ProxyKind.SIDECAR ? index.settings().protocolDetectionTimeoutMillis()
                : null;
        ProxyView view = new ProxyView("", index.version(), listeners, clusters, policy, normalization, telemetry,
                tracing, auth, index.settings().accessLog(), tcpListeners, detectionTimeout);
        return (previous == null ? view : view.reusingPartsOf(previous)).versioned(index.version());
    }
}
