package dev.meshgate.core.registry;

import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * One instance of a {@link Service}: a workload (WorkloadEntry, inline ServiceEntry endpoint, later a Pod
 * address of an EndpointSlice).
 *
 * @param address IP address, or a host name for DNS-resolved services
 * @param ports the port to connect to for each service port name, already resolved by the registry builder
 *     (the endpoint's own port for that name, else the service port's targetPort, else its number), so it is
 *     complete for every port of the service
 * @param labels the workload's labels: DestinationRule subsets select on them
 * @param weight load-balancing weight, at least 1
 * @param locality {@code region/zone/subzone}, when known
 * @param serviceAccount the workload's service account, when known
 * @param network the network the endpoint is on, when known
 */
public record Endpoint(String address, Map<String, Integer> ports, Map<String, String> labels, int weight,
        @Nullable String locality, @Nullable String serviceAccount, @Nullable String network) {

    public Endpoint {
        ports = ports == null ? Map.of() : Map.copyOf(ports);
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        weight = Math.max(weight, 1);
    }

    /** The port to connect to for {@code servicePort}. */
    public int port(ServicePort servicePort) {
        Integer own = ports.get(servicePort.name());
        if (own != null) {
            return own;
        }
        return servicePort.targetPort() != null ? servicePort.targetPort() : servicePort.number();
    }

    /** Whether this endpoint carries every label of {@code selector} (an empty selector selects all). */
    public boolean hasLabels(Map<String, String> selector) {
        return labels.entrySet().containsAll(selector.entrySet());
    }
}
