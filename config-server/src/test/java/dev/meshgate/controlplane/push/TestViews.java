package dev.meshgate.controlplane.push;

import java.util.List;

import dev.meshgate.controlplane.snapshot.Snapshot;
import dev.meshgate.core.validation.Diagnostic;
import dev.meshgate.core.view.ClusterSpec;
import dev.meshgate.core.view.EndpointSpec;
import dev.meshgate.core.view.HeaderOps;
import dev.meshgate.core.view.ListenerSpec;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.core.view.RouteSpec;
import dev.meshgate.core.view.VirtualHostSpec;

/** Real views and snapshots built by hand, for testing the push machinery apart from translation. */
final class TestViews {

    private TestViews() {
    }

    /**
     * A snapshot in which every proxy's view routes {@code <host>} to one endpoint on {@code port}; the view's
     * version depends on host and port only, so two snapshots with the same host and port give equal views.
     */
    static Snapshot snapshot(String version, String host, int port, List<Diagnostic> diagnostics) {
        return new Snapshot(version, diagnostics, proxy -> view(version, host, port));
    }

    static Snapshot snapshot(String version, String host, int port) {
        return snapshot(version, host, port, List.of());
    }

    /**
     * A snapshot in which every proxy's view routes {@code hosts} services ({@code svc-0}...), the first of them to
     * {@code firstPort}, the others to 9000 + their index; versions are content hashes, as translated views' are.
     */
    static Snapshot manyHosts(String version, int hosts, int firstPort) {
        List<ListenerSpec> listeners = new java.util.ArrayList<>();
        List<VirtualHostSpec> virtualHosts = new java.util.ArrayList<>();
        List<ClusterSpec> clusters = new java.util.ArrayList<>();
        for (int i = 0; i < hosts; i++) {
            ProxyView one = view(version, "svc-" + i, i == 0 ? firstPort : 9000 + i);
            virtualHosts.addAll(one.listeners().get(0).virtualHosts());
            clusters.addAll(one.clusters());
        }
        listeners.add(new ListenerSpec("outbound", 0, ListenerSpec.Direction.OUTBOUND, virtualHosts));
        ProxyView view = new ProxyView("", version, listeners, clusters, ProxyView.OutboundTrafficPolicy.ALLOW_ANY)
                .versioned(version);
        return new Snapshot(version, List.of(), proxy -> view);
    }

    static ProxyView view(String snapshotVersion, String host, int port) {
        String fqdn = host + ".default.svc.cluster.local";
        String cluster = "outbound|80||" + fqdn;
        RouteSpec route = new RouteSpec("default." + cluster, null, List.of(),
                new RouteSpec.RouteAction(List.of(new RouteSpec.WeightedCluster(cluster, 100, null, null))),
                null, null, null, HeaderOps.NONE, HeaderOps.NONE);
        VirtualHostSpec virtualHost = new VirtualHostSpec(fqdn + ":80", List.of(host, host + ":80", fqdn, fqdn + ":80"),
                List.of(route));
        ListenerSpec listener = new ListenerSpec("outbound", 0, ListenerSpec.Direction.OUTBOUND, List.of(virtualHost));
        ClusterSpec clusterSpec = new ClusterSpec(cluster, fqdn, 80, null, ClusterSpec.Discovery.STATIC,
                List.of(new EndpointSpec("127.0.0.1", port, java.util.Map.of("app", host), 1, null, null)));
        return new ProxyView("view-" + host + "-" + port, snapshotVersion, List.of(listener), List.of(clusterSpec),
                ProxyView.OutboundTrafficPolicy.ALLOW_ANY);
    }
}
