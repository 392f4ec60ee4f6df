package dev.meshgate.sidecar.inbound;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.meshgate.core.view.ClusterSpec;
import dev.meshgate.core.view.EndpointSpec;
import dev.meshgate.core.view.HeaderOps;
import dev.meshgate.core.view.ListenerSpec;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.core.view.RouteSpec;
import dev.meshgate.core.view.RouteSpec.RouteAction;
import dev.meshgate.core.view.RouteSpec.WeightedCluster;
import dev.meshgate.core.view.VirtualHostSpec;

/**
 * The sidecar's inbound listener as a view: every request, whatever its host, goes to the local app. Added to
 * each pushed view before it is applied, since only the sidecar knows its app's port (as in Istio, where the
 * inbound cluster is {@code inbound|<port>||}).
 */
public final class InboundRoute {

    /** The name of the view's inbound listener. */
    public static final String LISTENER = "inbound";

    private final ListenerSpec listener;
    private final ClusterSpec cluster;

    public InboundRoute(String appAddress, int appPort) {
        String clusterName = "inbound|" + appPort + "||";
        RouteSpec route = new RouteSpec("inbound.default", null, List.of(),
                new RouteAction(List.of(new WeightedCluster(clusterName, 100, HeaderOps.NONE, HeaderOps.NONE))),
                null, null, null, HeaderOps.NONE, HeaderOps.NONE);
        this.listener = new ListenerSpec(LISTENER, 0, ListenerSpec.Direction.INBOUND,
                List.of(new VirtualHostSpec(LISTENER, List.of("*"), List.of(route))));
        this.cluster = new ClusterSpec(clusterName, appAddress, appPort, null, ClusterSpec.Discovery.STATIC,
                List.of(new EndpointSpec(appAddress, appPort, Map.of(), 1, null, null)))
                // The app port's protocol is not known here: as Istio's inbound cluster of a sniffed port, the
                // app is spoken to in the client's HTTP version (HTTP/2 for gRPC).
                .withUpstreamProtocol(ClusterSpec.UpstreamProtocol.USE_DOWNSTREAM);
    }

    /** The pushed view with the inbound listener and cluster added (replacing any of the same names). */
    public ProxyView addTo(ProxyView pushed) {
        List<ListenerSpec> listeners = new ArrayList<>(pushed.listeners().size() + 1);
        pushed.listeners().stream().filter(l -> !l.name().equals(LISTENER)).forEach(listeners::add);
        listeners.add(listener);
        List<ClusterSpec> clusters = new ArrayList<>(pushed.clusters().size() + 1);
        pushed.clusters().stream().filter(c -> !c.name().equals(cluster.name())).forEach(clusters::add);
        clusters.add(cluster);
        return new ProxyView(pushed.version(), pushed.snapshotVersion(), listeners, clusters,
                pushed.outboundTrafficPolicy(), pushed.pathNormalization(), pushed.telemetry(), pushed.tracing(),
                pushed.auth(), pushed.accessLog(), pushed.tcpListeners());
    }
}
