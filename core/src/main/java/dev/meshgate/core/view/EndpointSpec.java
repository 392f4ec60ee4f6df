package dev.meshgate.core.view;

import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * One destination of a cluster.
 *
 * @param address IP address or host name
 * @param port the port to connect to (the workload's sidecar inbound port in local mode)
 * @param labels the workload's labels: subsets select on them, and they reach the proxy for later policies
 * @param weight relative load-balancing weight, 1 by default
 * @param locality {@code region/zone/subzone}, when known
 * @param serviceAccount the workload's service account, when known
 */
public record EndpointSpec(String address, int port, Map<String, String> labels, int weight,
        @Nullable String locality, @Nullable String serviceAccount) {

    public EndpointSpec {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }
}
