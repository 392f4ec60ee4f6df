package dev.meshgate.sidecar.inbound;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.meshgate.core.view.ClusterSpec;
import dev.meshgate.core.view.EndpointSpec;
import dev.meshgate.core.view.ListenerSpec;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.core.view.TcpListenerSpec;
import dev.meshgate.core.view.TcpRouteSpec;

/**
 * The sidecar's inbound TCP listeners as a view: each configured local port forwards every connection to one app
 * port (Istio's {@code inbound|<port>||} cluster). Added to each pushed view, as {@link InboundRoute} is, since
 * only the sidecar knows its app's ports.
 */
public final class InboundTcpRoutes {

    private final List<TcpListenerSpec> listeners = new ArrayList<>();
    private final List<ClusterSpec> clusters = new ArrayList<>();

    /** @param ports local inbound port to app port */
    public InboundTcpRoutes(String appAddress, Map<Integer, Integer> ports) {
        new TreeMap<>(ports).forEach((local, app) -> {
            String cluster = "inbound|" + app + "||tcp";
            clusters.add(new ClusterSpec(cluster, appAddress, app, null, ClusterSpec.Discovery.STATIC,
                    List.of(new EndpointSpec(appAddress, app, Map.of(), 1, null, null))));
            listeners.add(new TcpListenerSpec("inbound-tcp/" + local, local, ListenerSpec.Direction.INBOUND,
                    List.of(new TcpRouteSpec("inbound.tcp." + local, List.of(), List.of(),
                            List.of(new TcpRouteSpec.WeightedCluster(cluster, 100))))));
        });
    }

    /** The pushed view with the inbound TCP listeners and their clusters added (replacing any of the same names). */
    public ProxyView addTo(ProxyView pushed) {
        if (listeners.isEmpty()) {
            return pushed;
        }
        List<TcpListenerSpec> tcp = new ArrayList<>();
        pushed.tcpListeners().stream().filter(l -> listeners.stream().noneMatch(m -> m.name().equals(l.name())))
                .forEach(tcp::add);
        tcp.addAll(listeners);
        List<ClusterSpec> all = new ArrayList<>();
        pushed.clusters().stream().filter(c -> clusters.stream().noneMatch(m -> m.name().equals(c.name())))
                .forEach(all::add);
        all.addAll(clusters);
        return pushed.withRouting(pushed.listeners(), all, tcp);
    }
}
