package dev.meshgate.sidecar.inbound;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;

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
 *
 * <p>The app port's protocol is that of the service ports the workload is an endpoint of, found in the view: a
 * service cluster with an endpoint carrying the workload's labels on the app port (Kubernetes: the endpoint is the
 * pod's port) or on the inbound port (local mode: a WorkloadEntry's port is its sidecar's inbound listener). A
 * {@code GRPC-WEB} port (Istio puts Envoy's {@code grpc_web} filter on its inbound filter chain) makes the inbound
 * cluster translate gRPC-Web to gRPC and speak HTTP/2 to the app; any other keeps the client's HTTP version.
 */
public final class InboundRoute {

    /** The name of the view's inbound listener. */
    public static final String LISTENER = "inbound";

    private final RouteSpec route;
    private final ListenerSpec listener;
    private final ClusterSpec cluster;
    private final int appPort;
    private final Map<String, String> labels;
    private final IntSupplier inboundPort;

    /** A route whose app port's protocol is not looked up (no labels). */
    public InboundRoute(String appAddress, int appPort) {
        this(appAddress, appPort, Map.of(), () -> -1);
    }

    /**
     * @param labels the workload's labels
     * @param inboundPort the inbound listener's port
     */
    public InboundRoute(String appAddress, int appPort, Map<String, String> labels, IntSupplier inboundPort) {
        this.appPort = appPort;
        this.labels = Map.copyOf(labels);
        this.inboundPort = inboundPort;
        String clusterName = "inbound|" + appPort + "||";
        RouteSpec route = new RouteSpec("inbound.default", null, List.of(),
                new RouteAction(List.of(new WeightedCluster(clusterName, 100, HeaderOps.NONE, HeaderOps.NONE))),
                null, null, null, HeaderOps.NONE, HeaderOps.NONE);
        this.route = route;
        this.listener = named(LISTENER);
        this.cluster = new ClusterSpec(clusterName, appAddress, appPort, null, ClusterSpec.Discovery.STATIC,
                List.of(new EndpointSpec(appAddress, appPort, Map.of(), 1, null, null)))
                // The app port's protocol is not known here: as Istio's inbound cluster of a sniffed port, the
                // app is spoken to in the client's HTTP version (HTTP/2 for gRPC).
                .withUpstreamProtocol(ClusterSpec.UpstreamProtocol.USE_DOWNSTREAM);
    }

    private ListenerSpec named(String virtualHost) {
        return new ListenerSpec(LISTENER, 0, ListenerSpec.Direction.INBOUND,
                List.of(new VirtualHostSpec(virtualHost, List.of("*"), List.of(route))));
    }

    /**
     * The service ports of the view this workload is an endpoint of, on its app or inbound port, in the view's
     * order (subset clusters left out: they repeat their service's endpoints).
     */
    private List<ClusterSpec> ownServices(ProxyView pushed) {
        if (labels.isEmpty()) {
            return List.of();
        }
        int inbound = inboundPort.getAsInt();
        List<ClusterSpec> own = new ArrayList<>(1);
        for (ClusterSpec service : pushed.clusters()) {
            if (service.subset() != null || !service.name().startsWith("outbound|")) {
                continue;
            }
            for (EndpointSpec endpoint : service.endpoints()) {
                if ((endpoint.port() == appPort || endpoint.port() == inbound)
                        && endpoint.labels().entrySet().containsAll(labels.entrySet())) {
                    own.add(service);
                    break;
                }
            }
        }
        return own;
    }

    /**
     * The pushed view with the inbound listener and cluster added (replacing any of the same names). The virtual
     * host is named after the workload's first service port ({@code <host>:<port>}) when the view has one: pilot
     * names the inbound route's decorator, hence the server span, after the instance's service, not after the Host
     * the caller sent.
     */
    public ProxyView addTo(ProxyView pushed) {
        List<ClusterSpec> own = ownServices(pushed);
        List<ListenerSpec> listeners = new ArrayList<>(pushed.listeners().size() + 1);
        pushed.listeners().stream().filter(l -> !l.name().equals(LISTENER)).forEach(listeners::add);
        listeners.add(own.isEmpty() ? listener : named(own.get(0).host() + ":" + own.get(0).port()));
        List<ClusterSpec> clusters = new ArrayList<>(pushed.clusters().size() + 1);
        pushed.clusters().stream().filter(c -> !c.name().equals(cluster.name())).forEach(clusters::add);
        clusters.add(own.stream().anyMatch(ClusterSpec::grpcWeb) ? cluster.withGrpcWeb(true)
                .withUpstreamProtocol(ClusterSpec.UpstreamProtocol.HTTP2) : cluster);
        return new ProxyView(pushed.version(), pushed.snapshotVersion(), listeners, clusters,
                pushed.outboundTrafficPolicy(), pushed.pathNormalization(), pushed.telemetry(), pushed.tracing(),
                pushed.auth(), pushed.accessLog(), pushed.tcpListeners());
    }
}
