package dev.meshgate.proxy.discovery;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.meshgate.core.view.ClusterSpec;
import dev.meshgate.core.view.EndpointSpec;
import dev.meshgate.core.view.HeaderOps;
import dev.meshgate.core.view.ListenerSpec;
import dev.meshgate.core.view.MatchSpec;
import dev.meshgate.core.view.MatchSpec.StringMatchSpec;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.core.view.ProxyView.OutboundTrafficPolicy;
import dev.meshgate.core.view.RouteSpec;
import dev.meshgate.core.view.RouteSpec.DirectResponse;
import dev.meshgate.core.view.RouteSpec.RouteAction;
import dev.meshgate.core.view.RouteSpec.WeightedCluster;
import dev.meshgate.core.view.VirtualHostSpec;

/** Small views, as the control plane would push them, for the proxies' tests. */
public final class TestViews {

    private TestViews() {
    }

    /** A view with no listeners and no clusters. */
    public static ProxyView empty(String version) {
        return new ProxyView(version, "s-" + version, List.of(), List.of(), OutboundTrafficPolicy.REGISTRY_ONLY);
    }

    /** A view with no listeners and {@code count} clusters of one endpoint each: a large push. */
    public static ProxyView withClusters(String version, int count) {
        List<ClusterSpec> clusters = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String host = "service-" + i + ".default.svc.cluster.local";
            clusters.add(new ClusterSpec("outbound|80||" + host, host, 80, null, ClusterSpec.Discovery.STATIC,
                    List.of(new EndpointSpec("127.0.0.1", 10_000 + i, Map.of("app", "service-" + i), 1, null, null))));
        }
        return new ProxyView(version, "s-" + version, List.of(), clusters, OutboundTrafficPolicy.REGISTRY_ONLY);
    }

    /** A sidecar view: requests for {@code host} on the outbound listener go to 127.0.0.1:{@code endpointPort}. */
    public static ProxyView outbound(String version, String host, int endpointPort) {
        return outbound(version, host, endpointPort, List.of());
    }

    /**
     * The same with a URI regex the route must match: an invalid regex ("[a-") makes a view that cannot be
     * applied.
     */
    public static ProxyView outboundWithUriRegex(String version, String host, int endpointPort, String regex) {
        MatchSpec match = new MatchSpec(new StringMatchSpec(StringMatchSpec.Type.REGEX, regex), null, null, null,
                Map.of(), Map.of(), Map.of(), null, false);
        return outbound(version, host, endpointPort, List.of(match));
    }

    private static ProxyView outbound(String version, String host, int endpointPort, List<MatchSpec> matches) {
        String cluster = "outbound|80||" + host + ".default.svc.cluster.local";
        RouteSpec route = new RouteSpec("default." + host, null, matches,
                new RouteAction(List.of(new WeightedCluster(cluster, 100, HeaderOps.NONE, HeaderOps.NONE))),
                null, null, null, HeaderOps.NONE, HeaderOps.NONE);
        ListenerSpec listener = new ListenerSpec("outbound", 0, ListenerSpec.Direction.OUTBOUND,
                List.of(new VirtualHostSpec(host + ".default.svc.cluster.local:80",
                        List.of(host, host + ":80"), List.of(route))));
        ClusterSpec clusterSpec = new ClusterSpec(cluster, host + ".default.svc.cluster.local", 80, null,
                ClusterSpec.Discovery.STATIC,
                List.of(new EndpointSpec("127.0.0.1", endpointPort, Map.of(), 1, null, null)));
        return new ProxyView(version, "s-" + version, List.of(listener), List.of(clusterSpec),
                OutboundTrafficPolicy.REGISTRY_ONLY);
    }

    /**
     * A gateway view with one listener per {@code Gateway} server port, each answering every request itself with
     * 200 and the body {@code gateway port <port>}.
     */
    public static ProxyView gateway(String version, int... ports) {
        List<ListenerSpec> listeners = new ArrayList<>();
        for (int port : ports) {
            RouteSpec route = new RouteSpec("default.direct-" + port, null, List.of(), null, null,
                    new DirectResponse(200, "gateway port " + port), null, HeaderOps.NONE, HeaderOps.NONE);
            listeners.add(new ListenerSpec("gateway/" + port, port, ListenerSpec.Direction.GATEWAY,
                    List.of(new VirtualHostSpec("gateway/" + port + "/*", List.of("*"), List.of(route)))));
        }
        return new ProxyView(version, "s-" + version, listeners, List.of(), OutboundTrafficPolicy.REGISTRY_ONLY);
    }
}
