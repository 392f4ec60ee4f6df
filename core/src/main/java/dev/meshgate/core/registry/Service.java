package dev.meshgate.core.registry;

import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * A service as the mesh sees it, whatever declared it (a ServiceEntry host today, a Kubernetes Service later).
 *
 * @param hostname the key of the service in the registry, lower-case: a Kubernetes-style FQDN
 *     ({@code reviews.default.svc.cluster.local}), or a ServiceEntry host taken as written ({@code httpbin.org},
 *     {@code *.example.com}, even a short name)
 * @param namespace the namespace of the resource that declared it
 * @param ports in declaration order, HTTP or not
 * @param resolution how its endpoints are found
 * @param location inside or outside the mesh
 * @param exportTo namespaces that see the service: empty or {@code *} for every namespace, {@code .} for its own
 * @param labels the declaring resource's labels
 */
public record Service(String hostname, String namespace, List<ServicePort> ports, Resolution resolution,
        Location location, List<String> exportTo, Map<String, String> labels) {

    public Service {
        ports = ports == null ? List.of() : List.copyOf(ports);
        exportTo = exportTo == null ? List.of() : List.copyOf(exportTo);
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }

    /** The port with this number, or null. */
    public @Nullable ServicePort port(int number) {
        for (ServicePort port : ports) {
            if (port.number() == number) {
                return port;
            }
        }
        return null;
    }

    /** Whether a proxy in {@code namespace} sees this service ({@code exportTo}). */
    public boolean isVisibleTo(String namespace) {
        return Visibility.isExportedTo(exportTo, this.namespace, namespace);
    }

    /** Whether the hostname is a wildcard ({@code *.example.com}). */
    @JsonIgnore // derived, not part of the JSON form
    public boolean isWildcard() {
        return hostname.startsWith("*");
    }
}
