package dev.meshgate.core.registry;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.jspecify.annotations.Nullable;

/**
 * The services of the mesh and their endpoints, keyed by hostname. Immutable. Origins (ServiceEntry today,
 * Kubernetes later) each build one and {@link #merge} combines them.
 */
public final class ServiceRegistry {

    public static final ServiceRegistry EMPTY = new ServiceRegistry(Map.of(), Map.of());

    private final Map<String, Service> services;
    private final Map<String, List<Endpoint>> endpoints;

    private ServiceRegistry(Map<String, Service> services, Map<String, List<Endpoint>> endpoints) {
        this.services = services;
        this.endpoints = endpoints;
    }

    /**
     * A registry of these services and endpoints. Endpoints are put in a stable order (address, then ports);
     * a hostname declared twice keeps the first service (the callers pass them ordered by namespace/name).
     */
    public static ServiceRegistry of(List<Service> services, Map<String, List<Endpoint>> endpointsByHost) {
        Map<String, Service> byHost = new TreeMap<>();
        for (Service service : services) {
            byHost.putIfAbsent(service.hostname(), service);
        }
        Map<String, List<Endpoint>> endpoints = new LinkedHashMap<>();
        for (String host : byHost.keySet()) {
            List<Endpoint> list = new ArrayList<>(endpointsByHost.getOrDefault(host, List.of()));
            list.sort(ENDPOINT_ORDER);
            endpoints.put(host, List.copyOf(list));
        }
        return new ServiceRegistry(java.util.Collections.unmodifiableMap(new LinkedHashMap<>(byHost)),
                java.util.Collections.unmodifiableMap(endpoints));
    }

    /** A stable order of endpoints, independent of the order the origin listed them in. */
    static final Comparator<Endpoint> ENDPOINT_ORDER = Comparator.comparing(Endpoint::address)
            .thenComparing(e -> new TreeMap<>(e.ports()).toString())
            .thenComparing(e -> new TreeMap<>(e.labels()).toString());

    /** Every service, ordered by hostname. */
    public Collection<Service> services() {
        return services.values();
    }

    /** The service with exactly this hostname, or null. */
    public @Nullable Service service(String hostname) {
        return services.get(hostname);
    }

    /** The endpoints of the service with this hostname, in a stable order; empty when unknown. */
    public List<Endpoint> endpoints(String hostname) {
        return endpoints.getOrDefault(hostname, List.of());
    }

    /** This registry's services plus those of {@code other} whose hostname this one does not have. */
    public ServiceRegistry merge(ServiceRegistry other) {
        List<Service> all = new ArrayList<>(services.values());
        all.addAll(other.services.values());
        Map<String, List<Endpoint>> allEndpoints = new LinkedHashMap<>(other.endpoints);
        allEndpoints.putAll(endpoints);
        return of(all, allEndpoints);
    }
}
