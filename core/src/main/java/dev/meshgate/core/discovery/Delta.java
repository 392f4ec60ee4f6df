package dev.meshgate.core.discovery;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import dev.meshgate.core.mesh.MeshConfig.ProxyPathNormalization.NormalizationType;
import dev.meshgate.core.view.AccessLogSpec;
import dev.meshgate.core.view.AuthSpec;
import dev.meshgate.core.view.ClusterSpec;
import dev.meshgate.core.view.ListenerSpec;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.core.view.TcpListenerSpec;
import dev.meshgate.core.view.TelemetrySpec;
import dev.meshgate.core.view.TracerSpec;
import dev.meshgate.core.view.VirtualHostSpec;

import org.jspecify.annotations.Nullable;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The control plane's frame for a proxy that serves view {@code base}: what turns it into view {@code version}
 * (Istio's incremental xDS, in our JSON). Resources are named: clusters (with their endpoints), listeners, the
 * virtual hosts (with their routes) of a listener whose other fields did not change, and TCP listeners; the
 * view's mesh-wide fields (policy, normalization, telemetry, tracing, auth, access log) are small and always
 * carried whole. A one-service change is a few KB however large the view is.
 *
 * @param base the version of the view the delta applies to
 * @param version the version of the result, its {@link ProxyView#contentVersion()}
 * @param snapshotVersion the snapshot of the result
 * @param virtualHosts by listener name, for listeners kept by {@code listeners}
 */
public record Delta(String base, String version, String snapshotVersion,
        @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = NamedDelta.OmitWhenEmpty.class)
        NamedDelta<ClusterSpec> clusters,
        @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = NamedDelta.OmitWhenEmpty.class)
        NamedDelta<ListenerSpec> listeners,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, NamedDelta<VirtualHostSpec>> virtualHosts,
        @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = NamedDelta.OmitWhenEmpty.class)
        NamedDelta<TcpListenerSpec> tcpListeners,
        ProxyView.OutboundTrafficPolicy outboundTrafficPolicy, NormalizationType pathNormalization,
        @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable TelemetrySpec telemetry,
        @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable TracerSpec tracing,
        @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = AuthSpec.OmitWhenEmpty.class) AuthSpec auth,
        @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable AccessLogSpec accessLog,
        @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable Long protocolDetectionTimeoutMillis)
        implements DiscoveryMessage {

    private static final NamedDelta<?> NONE = new NamedDelta<>(List.of(), List.of());

    @SuppressWarnings("unchecked")
    public Delta {
        clusters = clusters == null ? (NamedDelta<ClusterSpec>) NONE : clusters;
        listeners = listeners == null ? (NamedDelta<ListenerSpec>) NONE : listeners;
        virtualHosts = virtualHosts == null ? Map.of() : new LinkedHashMap<>(virtualHosts);
        tcpListeners = tcpListeners == null ? (NamedDelta<TcpListenerSpec>) NONE : tcpListeners;
        auth = auth == null ? AuthSpec.NONE : auth;
        pathNormalization = pathNormalization == null ? NormalizationType.BASE : pathNormalization;
    }

    /** What turns {@code base} into {@code target}. */
    public static Delta between(ProxyView base, ProxyView target) {
        Map<String, ListenerSpec> baseListeners = new LinkedHashMap<>();
        for (ListenerSpec listener : base.listeners()) {
            baseListeners.put(listener.name(), listener);
        }
        NamedDelta<ListenerSpec> listeners = NamedDelta.between(base.listeners(), target.listeners(),
                ListenerSpec::name, Delta::sameButVirtualHosts);
        Map<String, NamedDelta<VirtualHostSpec>> virtualHosts = new LinkedHashMap<>();
        Set<String> upsertedListeners = new HashSet<>();
        for (NamedDelta.Placed<ListenerSpec> placed : listeners.upserted()) {
            upsertedListeners.add(placed.value().name());
        }
        for (ListenerSpec listener : target.listeners()) {
            ListenerSpec before = baseListeners.get(listener.name());
            if (before != null && !upsertedListeners.contains(listener.name())) {
                NamedDelta<VirtualHostSpec> hosts = NamedDelta.between(before.virtualHosts(), listener.virtualHosts(),
                        VirtualHostSpec::name, Object::equals);
                if (!hosts.isEmpty()) {
                    virtualHosts.put(listener.name(), hosts);
                }
            }
        }
        return new Delta(base.version(), target.version(), target.snapshotVersion(),
                NamedDelta.between(base.clusters(), target.clusters(), ClusterSpec::name, Object::equals), listeners,
                virtualHosts, NamedDelta.between(base.tcpListeners(), target.tcpListeners(), TcpListenerSpec::name,
                        Object::equals),
                target.outboundTrafficPolicy(), target.pathNormalization(), target.telemetry(), target.tracing(),
                target.auth(), target.accessLog(), target.protocolDetectionTimeoutMillis());
    }

    private static boolean sameButVirtualHosts(ListenerSpec a, ListenerSpec b) {
        return a == b || a.withVirtualHosts(List.of()).equals(b.withVirtualHosts(List.of()));
    }

    /**
     * This delta applied to {@code served}, checked: the result's {@link ProxyView#contentVersion()} must be
     * {@link #version}.
     *
     * @throws IllegalArgumentException if {@code served} is not {@link #base}, the delta does not fit it, or the
     *     result's content is not {@link #version}'s; the proxy then asks for the whole view
     */
    public ProxyView applyTo(ProxyView served) {
        if (!served.version().equals(base)) {
            throw new IllegalArgumentException("delta from view " + base + " but serving " + served.version());
        }
        List<ListenerSpec> newListeners = listeners.applyTo(served.listeners(), ListenerSpec::name, "listeners");
        if (!virtualHosts.isEmpty()) {
            newListeners = new ArrayList<>(newListeners);
            for (int i = 0; i < newListeners.size(); i++) {
                ListenerSpec listener = newListeners.get(i);
                NamedDelta<VirtualHostSpec> hosts = virtualHosts.get(listener.name());
                if (hosts != null) {
                    newListeners.set(i, listener.withVirtualHosts(hosts.applyTo(listener.virtualHosts(),
                            VirtualHostSpec::name, "listener " + listener.name() + " virtualHosts")));
                }
            }
            for (String name : virtualHosts.keySet()) {
                if (newListeners.stream().noneMatch(listener -> listener.name().equals(name))) {
                    throw new IllegalArgumentException("virtual hosts of listener " + name + ", which the view lacks");
                }
            }
        }
        ProxyView result = new ProxyView(version, snapshotVersion, newListeners,
                clusters.applyTo(served.clusters(), ClusterSpec::name, "clusters"), outboundTrafficPolicy,
                pathNormalization, telemetry, tracing, auth, accessLog,
                tcpListeners.applyTo(served.tcpListeners(), TcpListenerSpec::name, "tcpListeners"),
                protocolDetectionTimeoutMillis);
        String content = result.contentVersion();
        if (!Objects.equals(content, version)) {
            throw new IllegalArgumentException("delta from " + base + " gives view " + content + ", not " + version);
        }
        return result;
    }
}
