package dev.meshgate.sidecar.inbound;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;

import dev.meshgate.core.view.ClusterSpec;
import dev.meshgate.core.view.ConnectionPoolSpec;
import dev.meshgate.core.view.EndpointSpec;
import dev.meshgate.core.view.HeaderOps;
import dev.meshgate.core.view.ListenerSpec;
import dev.meshgate.core.view.LoadBalancerSpec;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.core.view.RouteSpec;
import dev.meshgate.core.view.RouteSpec.RouteAction;
import dev.meshgate.core.view.RouteSpec.WeightedCluster;
import dev.meshgate.core.view.TrafficPolicySpec;
import dev.meshgate.core.view.VirtualHostSpec;
import dev.meshgate.proxy.stream.StreamInfo;

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
    public static final String LISTENER = StreamInfo.INBOUND_LISTENER;
    /**
     * The listener of inbound connections sniffed as HTTP on a port with no declared protocol (Istio's inbound
     * passthrough filter chains): its requests go to the app on the port the connection was for.
     */
    public static final String PASSTHROUGH_LISTENER = StreamInfo.INBOUND_PASSTHROUGH_LISTENER;
    /** Istio's name of the cluster of inbound passthrough traffic (Envoy's ORIGINAL_DST). */
    static final String PASSTHROUGH_CLUSTER = "InboundPassthroughCluster";

    private static final ListenerSpec PASSTHROUGH_LISTENER_SPEC = listener(PASSTHROUGH_LISTENER,
            PASSTHROUGH_LISTENER, "inbound.passthrough", PASSTHROUGH_CLUSTER);
    // no endpoints: each request goes to the app at its connection's PassthroughTarget
    private static final ClusterSpec PASSTHROUGH_CLUSTER_SPEC = new ClusterSpec(PASSTHROUGH_CLUSTER,
            PASSTHROUGH_CLUSTER, 0, null, ClusterSpec.Discovery.STATIC, List.of(), new TrafficPolicySpec(
                    new LoadBalancerSpec(LoadBalancerSpec.Simple.PASSTHROUGH, null), ConnectionPoolSpec.DEFAULT, null))
            .withUpstreamProtocol(ClusterSpec.UpstreamProtocol.USE_DOWNSTREAM);

    private final String clusterName;
    private final ClusterSpec cluster;
    private final boolean passthrough;
    private final int appPort;
    private final Map<String, String> labels;
    private final IntSupplier inboundPort;

    /** A route whose app port's protocol is not looked up (no labels). */
    public InboundRoute(String appAddress, int appPort) {
        this(appAddress, appPort, Map.of(), () -> -1, false);
    }

    /** A route of a sidecar whose inbound connections are not sniffed (no interception). */
    public InboundRoute(String appAddress, int appPort, Map<String, String> labels, IntSupplier inboundPort) {
        this(appAddress, appPort, labels, inboundPort, false);
    }

    /**
     * @param labels the workload's labels
     * @param inboundPort the inbound listener's port
     * @param passthrough whether inbound connections are sniffed (interception): the view then has the inbound
     *     passthrough listener and cluster too
     */
    public InboundRoute(String appAddress, int appPort, Map<String, String> labels, IntSupplier inboundPort,
            boolean passthrough) {
        this.passthrough = passthrough;
        this.appPort = appPort;
        this.labels = Map.copyOf(labels);
        this.inboundPort = inboundPort;
        this.clusterName = "inbound|" + appPort + "||";
        this.cluster = new ClusterSpec(clusterName, appAddress, appPort, null, ClusterSpec.Discovery.STATIC,
                List.of(new EndpointSpec(appAddress, appPort, Map.of(), 1, null, null)))
                // The app port's protocol is not known here: as Istio's inbound cluster of a sniffed port, the
                // app is spoken to in the client's HTTP version (HTTP/2 for gRPC).
                .withUpstreamProtocol(ClusterSpec.UpstreamProtocol.USE_DOWNSTREAM);
    }

    private static ListenerSpec listener(String name, String virtualHost, String routeName, String cluster) {
        RouteSpec route = new RouteSpec(routeName, null, List.of(),
                new RouteAction(List.of(new WeightedCluster(cluster, 100, HeaderOps.NONE, HeaderOps.NONE))),
                null, null, null, HeaderOps.NONE, HeaderOps.NONE);
        return new ListenerSpec(name, 0, ListenerSpec.Direction.INBOUND,
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
     * The pushed view with the inbound listener and cluster added, and the inbound passthrough ones when inbound
     * connections are sniffed (replacing any of the same names). The inbound virtual host is named after the
     * workload's first service port ({@code <host>:<port>}) when the view has one: pilot names the inbound route's
     * decorator, hence the server span, after the instance's service, not after the Host the caller sent.
     */
    public ProxyView addTo(ProxyView pushed) {
        List<ClusterSpec> own = ownServices(pushed);
        List<ListenerSpec> listeners = new ArrayList<>(pushed.listeners().size() + 2);
        pushed.listeners().stream().filter(l -> !l.name().equals(LISTENER) && !l.name().equals(PASSTHROUGH_LISTENER))
                .forEach(listeners::add);
        listeners.add(listener(LISTENER, own.isEmpty() ? LISTENER : own.get(0).host() + ":" + own.get(0).port(),
                "inbound.default", clusterName));
        if (passthrough) {
            listeners.add(PASSTHROUGH_LISTENER_SPEC);
        }
        List<ClusterSpec> clusters = new ArrayList<>(pushed.clusters().size() + 2);
        pushed.clusters().stream().filter(c -> !c.name().equals(cluster.name())
                && !c.name().equals(PASSTHROUGH_CLUSTER)).forEach(clusters::add);
        clusters.add(own.stream().anyMatch(ClusterSpec::grpcWeb) ? cluster.withGrpcWeb(true)
                .withUpstreamProtocol(ClusterSpec.UpstreamProtocol.HTTP2) : cluster);
        if (passthrough) {
            clusters.add(PASSTHROUGH_CLUSTER_SPEC);
        }
        return pushed.withRouting(listeners, clusters, pushed.tcpListeners());
    }
}
