package dev.meshgate.core.view;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

import dev.meshgate.core.index.ContentHash;
import dev.meshgate.core.mesh.MeshConfig.ProxyPathNormalization.NormalizationType;

import org.jspecify.annotations.Nullable;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Everything one proxy needs to route: its listeners and the clusters their routes point at.
 *
 * @param version content hash of listeners, clusters and policy: equal views have equal versions, so an
 *     unchanged view is neither pushed nor re-applied
 * @param snapshotVersion version of the mesh snapshot this view was computed from (not part of {@code version})
 * @param listeners in a stable order
 * @param clusters in a stable order, unique by name; every cluster a route names is here
 * @param outboundTrafficPolicy what a sidecar does with a host no virtual host matches
 * @param pathNormalization how request paths are normalized before matching ({@code meshConfig.pathNormalization})
 * @param telemetry the Telemetry resources that apply to the proxy, resolved; null when none does
 * @param tracing MeshConfig's tracing; null for Istio's default ({@link TracerSpec#ISTIO_DEFAULT}), so that views
 *     of a mesh with default tracing keep their versions
 * @param auth the AuthorizationPolicies and jwtRules the proxy enforces on the traffic it receives (a sidecar's
 *     inbound listener, a gateway's listeners); {@link AuthSpec#NONE} when none
 * @param accessLog MeshConfig's access log; null when MeshConfig sets none (then only a Telemetry naming the
 *     {@code envoy} provider turns it on)
 * @param tcpListeners the ports on which the proxy forwards opaque TCP and TLS by SNI ({@code tcp}/{@code tls}
 *     routes, TCP service ports), in a stable order; empty for a proxy that has none
 * @param protocolDetectionTimeoutMillis MeshConfig's {@code protocolDetectionTimeout}: how long a sidecar waits for
 *     the first bytes of a connection it sniffs; null for Istio's default (0s, no timeout)
 */
public record ProxyView(String version, String snapshotVersion, List<ListenerSpec> listeners,
        List<ClusterSpec> clusters, OutboundTrafficPolicy outboundTrafficPolicy,
        NormalizationType pathNormalization, @Nullable TelemetrySpec telemetry, @Nullable TracerSpec tracing,
        @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = AuthSpec.OmitWhenEmpty.class) AuthSpec auth,
        @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable AccessLogSpec accessLog,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<TcpListenerSpec> tcpListeners,
        @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable Long protocolDetectionTimeoutMillis) {

    public ProxyView {
        // Absent in a view from a control plane that predates the field: no TCP listener.
        tcpListeners = tcpListeners == null ? List.of() : List.copyOf(tcpListeners);
        // Absent in a view from a control plane that predates the field: nothing to enforce.
        auth = auth == null ? AuthSpec.NONE : auth;
        listeners = listeners == null ? List.of() : List.copyOf(listeners);
        clusters = clusters == null ? List.of() : List.copyOf(clusters);
        // Absent in a view from a control plane that predates the field: Istio's default.
        if (pathNormalization == null || pathNormalization == NormalizationType.DEFAULT) {
            pathNormalization = NormalizationType.BASE;
        }
    }

    /** A view with Istio's default protocol detection timeout (none). */
    public ProxyView(String version, String snapshotVersion, List<ListenerSpec> listeners,
            List<ClusterSpec> clusters, OutboundTrafficPolicy outboundTrafficPolicy,
            NormalizationType pathNormalization, @Nullable TelemetrySpec telemetry, @Nullable TracerSpec tracing,
            AuthSpec auth, @Nullable AccessLogSpec accessLog, List<TcpListenerSpec> tcpListeners) {
        this(version, snapshotVersion, listeners, clusters, outboundTrafficPolicy, pathNormalization, telemetry,
                tracing, auth, accessLog, tcpListeners, null);
    }

    /** This view with other listeners, clusters and TCP listeners (what a proxy adds of its own), same version. */
    public ProxyView withRouting(List<ListenerSpec> listeners, List<ClusterSpec> clusters,
            List<TcpListenerSpec> tcpListeners) {
        return new ProxyView(version, snapshotVersion, listeners, clusters, outboundTrafficPolicy, pathNormalization,
                telemetry, tracing, auth, accessLog, tcpListeners, protocolDetectionTimeoutMillis);
    }

    /** A view without TCP listeners. */
    public ProxyView(String version, String snapshotVersion, List<ListenerSpec> listeners,
            List<ClusterSpec> clusters, OutboundTrafficPolicy outboundTrafficPolicy,
            NormalizationType pathNormalization, @Nullable TelemetrySpec telemetry, @Nullable TracerSpec tracing,
            AuthSpec auth, @Nullable AccessLogSpec accessLog) {
        this(version, snapshotVersion, listeners, clusters, outboundTrafficPolicy, pathNormalization, telemetry,
                tracing, auth, accessLog, List.of());
    }

    /** A view without an access log from MeshConfig. */
    public ProxyView(String version, String snapshotVersion, List<ListenerSpec> listeners,
            List<ClusterSpec> clusters, OutboundTrafficPolicy outboundTrafficPolicy,
            NormalizationType pathNormalization, @Nullable TelemetrySpec telemetry, @Nullable TracerSpec tracing,
            AuthSpec auth) {
        this(version, snapshotVersion, listeners, clusters, outboundTrafficPolicy, pathNormalization, telemetry,
                tracing, auth, null);
    }

    /** A view no Telemetry applies to, with MeshConfig's default tracing, without authentication or authorization. */
    public ProxyView(String version, String snapshotVersion, List<ListenerSpec> listeners,
            List<ClusterSpec> clusters, OutboundTrafficPolicy outboundTrafficPolicy,
            NormalizationType pathNormalization) {
        this(version, snapshotVersion, listeners, clusters, outboundTrafficPolicy, pathNormalization, null, null,
                AuthSpec.NONE);
    }

    /** A view with MeshConfig's default tracing, without authentication or authorization. */
    public ProxyView(String version, String snapshotVersion, List<ListenerSpec> listeners,
            List<ClusterSpec> clusters, OutboundTrafficPolicy outboundTrafficPolicy,
            NormalizationType pathNormalization, @Nullable TelemetrySpec telemetry) {
        this(version, snapshotVersion, listeners, clusters, outboundTrafficPolicy, pathNormalization, telemetry,
                null, AuthSpec.NONE);
    }

    /** A view without authentication or authorization. */
    public ProxyView(String version, String snapshotVersion, List<ListenerSpec> listeners,
            List<ClusterSpec> clusters, OutboundTrafficPolicy outboundTrafficPolicy,
            NormalizationType pathNormalization, @Nullable TelemetrySpec telemetry, @Nullable TracerSpec tracing) {
        this(version, snapshotVersion, listeners, clusters, outboundTrafficPolicy, pathNormalization, telemetry,
                tracing, AuthSpec.NONE);
    }

    /**
     * The content hash of this view, what {@link #version} must be: the one definition of a view's version, used by
     * the translator and by a proxy checking a view it built from a delta. {@code version} and
     * {@code snapshotVersion} are not part of it. BASE normalization, no telemetry, Istio's default tracing, no
     * auth, no access log and no TCP listener are left out, so that views that predate those fields keep their
     * versions. Listeners (apart from their virtual hosts), virtual hosts, clusters and TCP listeners count by
     * their own hashes ({@link ContentHash#ofPart}), so checking a view built from a delta hashes only what the
     * delta brought, not the whole view.
     */
    public String contentVersion() {
        List<Object> listenerHashes = new ArrayList<>(listeners.size());
        for (ListenerSpec listener : listeners) {
            List<String> hosts = new ArrayList<>(listener.virtualHosts().size());
            for (VirtualHostSpec host : listener.virtualHosts()) {
                hosts.add(ContentHash.ofPart(host));
            }
            listenerHashes.add(List.of(ContentHash.of(listener.withVirtualHosts(List.of())), hosts));
        }
        List<Object> content = new ArrayList<>(List.of(listenerHashes, partHashes(clusters), outboundTrafficPolicy));
        if (pathNormalization != NormalizationType.BASE) {
            content.add(pathNormalization);
        }
        if (telemetry != null) {
            content.add(telemetry);
        }
        if (tracing != null) {
            content.add(tracing);
        }
        if (!auth.isEmpty()) {
            content.add(auth);
        }
        if (accessLog != null) {
            content.add(accessLog);
        }
        if (!tcpListeners.isEmpty()) {
            content.add(partHashes(tcpListeners));
        }
        if (protocolDetectionTimeoutMillis != null) {
            content.add("protocolDetectionTimeout=" + protocolDetectionTimeoutMillis);
        }
        return ContentHash.of(content);
    }

    private static List<String> partHashes(List<?> parts) {
        List<String> hashes = new ArrayList<>(parts.size());
        for (Object part : parts) {
            hashes.add(ContentHash.ofPart(part));
        }
        return hashes;
    }

    /** This view with its {@link #contentVersion()} as version, computed from {@code snapshotVersion}. */
    public ProxyView versioned(String newSnapshotVersion) {
        return new ProxyView(contentVersion(), newSnapshotVersion, listeners, clusters, outboundTrafficPolicy,
                pathNormalization, telemetry, tracing, auth, accessLog, tcpListeners, protocolDetectionTimeoutMillis);
    }

    /**
     * This view with every part that equals the same-named part of {@code previous} (listener, virtual host of a
     * listener, cluster, TCP listener) replaced by that object: equal content, so an equal view, whose unchanged
     * parts are the ones already hashed ({@link ContentHash#ofPart}), checked and diffed by identity. A translation
     * after a one-service change thereby costs the changed service's parts only, past the translation itself.
     */
    public ProxyView reusingPartsOf(ProxyView previous) {
        Map<String, ListenerSpec> previousListeners = byName(previous.listeners, ListenerSpec::name);
        List<ListenerSpec> newListeners = new ArrayList<>(listeners.size());
        for (ListenerSpec listener : listeners) {
            ListenerSpec before = previousListeners.get(listener.name());
            if (before == null) {
                newListeners.add(listener);
                continue;
            }
            List<VirtualHostSpec> hosts = reused(listener.virtualHosts(), before.virtualHosts(), VirtualHostSpec::name);
            ListenerSpec reusedHosts = hosts == listener.virtualHosts() ? listener : listener.withVirtualHosts(hosts);
            newListeners.add(reusedHosts.equals(before) ? before : reusedHosts);
        }
        return new ProxyView(version, snapshotVersion, newListeners,
                reused(clusters, previous.clusters, ClusterSpec::name), outboundTrafficPolicy, pathNormalization,
                Objects.equals(telemetry, previous.telemetry) ? previous.telemetry : telemetry, tracing,
                auth.equals(previous.auth) ? previous.auth : auth, accessLog,
                reused(tcpListeners, previous.tcpListeners, TcpListenerSpec::name), protocolDetectionTimeoutMillis);
    }

    /** {@code parts} with each one equal to the same-named one of {@code previous} replaced by it. */
    private static <T> List<T> reused(List<T> parts, List<T> previous, Function<T, String> name) {
        Map<String, T> before = byName(previous, name);
        List<T> out = new ArrayList<>(parts.size());
        boolean any = false;
        for (T part : parts) {
            T old = before.get(name.apply(part));
            boolean same = old != null && old.equals(part);
            out.add(same ? old : part);
            any |= same;
        }
        return any ? out : parts;
    }

    private static <T> Map<String, T> byName(List<T> parts, Function<T, String> name) {
        Map<String, T> byName = new HashMap<>(parts.size() * 2);
        for (T part : parts) {
            byName.putIfAbsent(name.apply(part), part);
        }
        return byName;
    }

    /** {@link #tracing}, Istio's default when the view has none. */
    public TracerSpec tracingOrDefault() {
        return tracing == null ? TracerSpec.ISTIO_DEFAULT : tracing;
    }

    /** A view with Istio's default path normalization (BASE). */
    public ProxyView(String version, String snapshotVersion, List<ListenerSpec> listeners,
            List<ClusterSpec> clusters, OutboundTrafficPolicy outboundTrafficPolicy) {
        this(version, snapshotVersion, listeners, clusters, outboundTrafficPolicy, NormalizationType.BASE);
    }

    /** Mesh-wide {@code meshConfig.outboundTrafficPolicy.mode}. */
    public enum OutboundTrafficPolicy {
        /** Unknown hosts are passed through to the host the request names. */
        ALLOW_ANY,
        /** Unknown hosts get a 502 from the proxy. */
        REGISTRY_ONLY
    }
}
