package dev.meshgate.core.translate.cluster;

import org.jspecify.annotations.Nullable;

/**
 * Names a cluster: a host, a port and optionally a DestinationRule subset.
 *
 * @param host the FQDN or ServiceEntry host
 */
public record ClusterKey(String host, int port, @Nullable String subset) implements Comparable<ClusterKey> {

    /** Istio's cluster name, {@code outbound|<port>|<subset>|<host>}. */
    public String name() {
        return "outbound|" + port + "|" + (subset == null ? "" : subset) + "|" + host;
    }

    @Override
    public int compareTo(ClusterKey other) {
        return name().compareTo(other.name());
    }
}
