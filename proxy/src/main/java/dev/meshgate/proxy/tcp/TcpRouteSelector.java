package dev.meshgate.proxy.tcp;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import org.jspecify.annotations.Nullable;

import dev.meshgate.core.security.Cidr;
import dev.meshgate.core.view.TcpListenerSpec;
import dev.meshgate.core.view.TcpRouteSpec;

/**
 * Chooses, for one connection, the route of a TCP listener (first match: server name, destination subnets) and
 * then one of its clusters by weight, or the TLS-terminating listener of the same port ({@link TlsTermination})
 * when that one names the server more specifically. Built once per listener spec; thread-safe.
 */
final class TcpRouteSelector {

    private final TcpListenerSpec spec;
    private final List<List<Cidr>> subnets;
    private final @Nullable TlsTermination termination;
    private final TlsTermination.@Nullable Matcher terminated;

    TcpRouteSelector(TcpListenerSpec spec, @Nullable TlsTermination termination) {
        this.spec = spec;
        this.termination = termination;
        this.terminated = termination == null ? null : termination.matcher();
        List<List<Cidr>> all = new ArrayList<>(spec.routes().size());
        for (TcpRouteSpec route : spec.routes()) {
            List<Cidr> cidrs = new ArrayList<>();
            for (String subnet : route.destinationSubnets()) {
                Cidr cidr = Cidr.parse(subnet);
                if (cidr != null) { // ProxyViewCheck refused views with one that does not parse
                    cidrs.add(cidr);
                }
            }
            all.add(List.copyOf(cidrs));
        }
        this.subnets = List.copyOf(all);
    }

    TcpListenerSpec spec() {
        return spec;
    }

    @Nullable TlsTermination termination() {
        return termination;
    }

    /** Whether the listener must read the ClientHello's server name before choosing. */
    boolean readsSni() {
        return termination != null || spec.readsSni();
    }

    /**
     * Whether a connection naming {@code serverName}, which {@code route} (null: none) would take, goes to the
     * terminating listener instead: Envoy picks the filter chain whose server name is the most specific (an exact
     * name, then the longest wildcard, then {@code *}); on a tie the terminating server wins, and a route without
     * server names ranks below every name.
     */
    boolean terminates(@Nullable String serverName, @Nullable TcpRouteSpec route) {
        if (terminated == null) {
            return false;
        }
        int mine = terminated.specificity(serverName);
        if (mine == TlsTermination.NONE) {
            return false;
        }
        return route == null || mine >= TlsTermination.specificity(route.sniHosts(), serverName);
    }

    /** The first route that takes a connection to {@code destination} with this server name; null when none. */
    @Nullable TcpRouteSpec route(@Nullable String serverName, InetAddress destination) {
        for (int i = 0; i < spec.routes().size(); i++) {
            TcpRouteSpec route = spec.routes().get(i);
            if (route.matchesSni(serverName) && inSubnets(subnets.get(i), destination)) {
                return route;
            }
        }
        return null;
    }

    /** One cluster of {@code route}, with probability weight / total weight. */
    static String cluster(TcpRouteSpec route) {
        List<TcpRouteSpec.WeightedCluster> clusters = route.clusters();
        if (clusters.size() == 1) {
            return clusters.get(0).cluster();
        }
        int total = 0;
        for (TcpRouteSpec.WeightedCluster cluster : clusters) {
            total += Math.max(0, cluster.weight());
        }
        int pick = ThreadLocalRandom.current().nextInt(Math.max(1, total));
        for (TcpRouteSpec.WeightedCluster cluster : clusters) {
            pick -= Math.max(0, cluster.weight());
            if (pick < 0) {
                return cluster.cluster();
            }
        }
        return clusters.get(clusters.size() - 1).cluster();
    }

    private static boolean inSubnets(List<Cidr> cidrs, InetAddress destination) {
        if (cidrs.isEmpty()) {
            return true;
        }
        byte[] address = destination.getAddress();
        for (Cidr cidr : cidrs) {
            if (cidr.contains(address)) {
                return true;
            }
        }
        return false;
    }
}
