package dev.meshgate.core.view;

import java.util.List;
import java.util.Locale;

import org.jspecify.annotations.Nullable;

/**
 * One route of a {@link TcpListenerSpec}: conditions on the connection, and the weighted clusters it goes to.
 * The conditions that depend on the proxy alone ({@code sourceLabels}, {@code sourceNamespace}, {@code gateways},
 * {@code port}) were decided when the view was computed; what is left is decided per connection.
 *
 * @param name stable id, {@code <ns>.<vs>.tcp.<i>} / {@code <ns>.<vs>.tls.<i>} or {@code default.<cluster>}
 * @param sniHosts server names of the TLS ClientHello this route takes ({@code *.example.com} wildcards); empty
 *     for any connection, TLS or not
 * @param destinationSubnets CIDRs or addresses the connection's destination (the listener's local address)
 *     must be in; empty for any
 * @param clusters where the connection goes, chosen by relative weight
 */
public record TcpRouteSpec(String name, List<String> sniHosts, List<String> destinationSubnets,
        List<WeightedCluster> clusters) {

    public TcpRouteSpec {
        sniHosts = sniHosts == null ? List.of() : List.copyOf(sniHosts);
        destinationSubnets = destinationSubnets == null ? List.of() : List.copyOf(destinationSubnets);
        clusters = clusters == null ? List.of() : List.copyOf(clusters);
    }

    /**
     * Whether {@code serverName} (the ClientHello's SNI, null when the client sent none or spoke no TLS)
     * satisfies {@link #sniHosts}: an exact name, case-insensitive, or a {@code *.} wildcard covering it.
     */
    public boolean matchesSni(@Nullable String serverName) {
        if (sniHosts.isEmpty()) {
            return true;
        }
        if (serverName == null) {
            return false;
        }
        String name = serverName.toLowerCase(Locale.ROOT);
        for (String host : sniHosts) {
            String pattern = host.toLowerCase(Locale.ROOT);
            if (pattern.equals(name) || pattern.equals("*")
                    || pattern.startsWith("*.") && name.endsWith(pattern.substring(1))) {
                return true;
            }
        }
        return false;
    }

    /**
     * A cluster of a TCP route and its share.
     *
     * @param cluster the name of a cluster of the view
     * @param weight relative weight (0 takes no connection)
     */
    public record WeightedCluster(String cluster, int weight) {
    }
}
