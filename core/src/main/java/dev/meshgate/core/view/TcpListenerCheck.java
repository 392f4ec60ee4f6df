package dev.meshgate.core.view;

import java.util.List;
import java.util.Set;

import dev.meshgate.core.security.Cidr;

/**
 * The part of {@link ProxyViewCheck} for a {@link TcpListenerSpec}: port range, at least one route with a
 * cluster, known clusters, weights not negative and not all 0, destination subnets that parse.
 */
final class TcpListenerCheck {

    private TcpListenerCheck() {
    }

    static void check(TcpListenerSpec listener, Set<String> clusters, List<ProxyViewCheck.Problem> problems) {
        String subject = "listener " + listener.name();
        if (listener.port() < 0 || listener.port() > 65535) {
            problems.add(new ProxyViewCheck.Problem(subject, "port", listener.port() + " (expected: 0-65535)"));
        }
        if (listener.direction() == null) {
            problems.add(new ProxyViewCheck.Problem(subject, "direction", "missing"));
        }
        for (TcpRouteSpec route : listener.routes()) {
            String at = "route " + route.name();
            if (route.clusters().isEmpty()) {
                problems.add(new ProxyViewCheck.Problem(at, "clusters", "empty (expected: at least one cluster)"));
            }
            long total = 0;
            for (TcpRouteSpec.WeightedCluster cluster : route.clusters()) {
                if (!clusters.contains(cluster.cluster())) {
                    problems.add(new ProxyViewCheck.Problem(at, "clusters",
                            "unknown cluster " + cluster.cluster()));
                }
                if (cluster.weight() < 0) {
                    problems.add(new ProxyViewCheck.Problem(at, "clusters", "weight " + cluster.weight()
                            + " of " + cluster.cluster() + " (expected: >= 0)"));
                }
                total += Math.max(0, cluster.weight());
            }
            if (!route.clusters().isEmpty() && total == 0) {
                problems.add(new ProxyViewCheck.Problem(at, "clusters", "total weight 0 (expected: > 0)"));
            }
            for (String subnet : route.destinationSubnets()) {
                if (Cidr.parse(subnet) == null) {
                    problems.add(new ProxyViewCheck.Problem(at, "destinationSubnets",
                            subnet + " (expected: an IP address or CIDR)"));
                }
            }
        }
    }
}
