package dev.meshgate.core.registry;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import dev.meshgate.core.networking.Port;
import dev.meshgate.core.networking.serviceentry.ServiceEntry;
import dev.meshgate.core.networking.serviceentry.WorkloadEntry;
import dev.meshgate.core.resource.IdentityMemo;
import dev.meshgate.core.resource.Resource;

/**
 * Builds the {@link ServiceRegistry} of ServiceEntries and WorkloadEntries, as Istio's ServiceEntry controller
 * does. Kubernetes Services, EndpointSlices and Pods will have their own builder onto the same records.
 *
 * <ul>
 *   <li>Every host of a ServiceEntry is one {@link Service}, keyed by the host as written (lower-case): Istio
 *       takes ServiceEntry hosts literally, even short names. A host declared by several ServiceEntries keeps
 *       the first by namespace/name.
 *   <li>{@code endpoints} are used as written; {@code workloadSelector} selects the WorkloadEntries of the
 *       ServiceEntry's namespace carrying all its labels.
 *   <li>An endpoint's port for a service port is the endpoint's {@code ports[<port name>]}, else the port's
 *       {@code targetPort}, else its number.
 *   <li>{@code resolution} DNS (or DNS_ROUND_ROBIN) with no endpoints resolves the host itself; NONE has no
 *       endpoints. Absent resolution is NONE and absent location MESH_EXTERNAL, as in Istio.
 * </ul>
 * Not supported: {@code addresses} (no virtual IPs: the Host header picks the service),
 * {@code subjectAltNames}, endpoint {@code network} (recorded, not used), {@code unix://} addresses.
 */
public final class ServiceEntryRegistry {

    /**
     * What a ServiceEntry with inline endpoints (no workloadSelector) gives, derived once per resource object: a
     * rebuild after a one-file change derives that file's entries only.
     */
    private static final IdentityMemo<List<HostEntry>> INLINE = new IdentityMemo<>(
            (Resource<ServiceEntry> entry) -> hosts(entry, entry.spec().endpoints()));

    private ServiceEntryRegistry() {
    }

    /** One host of a ServiceEntry (lower-case) with its service and endpoints. */
    private record HostEntry(String host, Service service, List<Endpoint> endpoints) {
    }

    private static List<HostEntry> hosts(Resource<ServiceEntry> entry, List<WorkloadEntry> instances) {
        ServiceEntry spec = entry.spec();
        List<ServicePort> ports = ports(spec.ports());
        Resolution resolution = spec.resolution() == null ? Resolution.NONE
                : Resolution.valueOf(spec.resolution().name());
        Location location = spec.location() == null ? Location.MESH_EXTERNAL
                : Location.valueOf(spec.location().name());
        List<HostEntry> hosts = new ArrayList<>();
        for (String written : spec.hosts()) {
            String host = written.toLowerCase(Locale.ROOT);
            hosts.add(new HostEntry(host, new Service(host, entry.metadata().namespace(), ports, resolution, location,
                    spec.exportTo(), entry.metadata().labels()), List.copyOf(endpoints(host, ports, resolution,
                            instances))));
        }
        return List.copyOf(hosts);
    }

    /**
     * The registry of these ServiceEntries and WorkloadEntries, in any order.
     */
    public static ServiceRegistry build(List<Resource<ServiceEntry>> serviceEntries,
            List<Resource<WorkloadEntry>> workloadEntries) {
        List<Resource<ServiceEntry>> entries = new ArrayList<>(serviceEntries);
        entries.sort(Comparator.comparing(ServiceEntryRegistry::key));
        List<Resource<WorkloadEntry>> workloads = new ArrayList<>(workloadEntries);
        workloads.sort(Comparator.comparing(ServiceEntryRegistry::key));
        // selectors only look within their namespace, and each workload's labels are merged once
        Map<String, List<WorkloadEntry>> workloadsByNamespace = new HashMap<>();
        for (Resource<WorkloadEntry> workload : workloads) {
            WorkloadEntry we = workload.spec();
            workloadsByNamespace.computeIfAbsent(workload.metadata().namespace(), k -> new ArrayList<>())
                    .add(new WorkloadEntry(we.address(), we.ports(), labels(workload), we.network(), we.locality(),
                            we.weight(), we.serviceAccount()));
        }

        List<Service> services = new ArrayList<>();
        Map<String, List<Endpoint>> endpoints = new HashMap<>();
        for (Resource<ServiceEntry> entry : entries) {
            List<HostEntry> hosts = entry.spec().workloadSelector() == null ? INLINE.get(entry)
                    : hosts(entry, instances(entry, workloadsByNamespace));
            for (HostEntry host : hosts) {
                if (endpoints.containsKey(host.host())) {
                    continue;
                }
                services.add(host.service());
                endpoints.put(host.host(), host.endpoints());
            }
        }
        return ServiceRegistry.of(services, endpoints);
    }

    private static String key(Resource<?> resource) {
        return resource.metadata().namespace() + "/" + resource.metadata().name();
    }

    private static List<ServicePort> ports(List<Port> ports) {
        List<ServicePort> out = new ArrayList<>();
        for (Port port : ports) {
            if (port.number() == null) {
                continue;
            }
            String name = port.name() != null ? port.name() : Integer.toString(port.number());
            out.add(new ServicePort(name, port.number(), port.protocol(), port.targetPort()));
        }
        return out;
    }

    /** The inline endpoints, or the WorkloadEntries the selector picks in the ServiceEntry's namespace. */
    private static List<WorkloadEntry> instances(Resource<ServiceEntry> entry,
            Map<String, List<WorkloadEntry>> workloadsByNamespace) {
        ServiceEntry spec = entry.spec();
        if (spec.workloadSelector() == null) {
            return spec.endpoints();
        }
        Map<String, String> selector = spec.workloadSelector().labels();
        List<WorkloadEntry> selected = new ArrayList<>();
        for (WorkloadEntry workload : workloadsByNamespace.getOrDefault(entry.metadata().namespace(), List.of())) {
            if (workload.labels().entrySet().containsAll(selector.entrySet())) {
                selected.add(workload);
            }
        }
        return selected;
    }

    /** A WorkloadEntry's labels are its spec labels; Istio also reads them from its metadata. */
    private static Map<String, String> labels(Resource<WorkloadEntry> workload) {
        Map<String, String> labels = new LinkedHashMap<>(workload.metadata().labels());
        labels.putAll(workload.spec().labels());
        return labels;
    }

    private static List<Endpoint> endpoints(String host, List<ServicePort> ports, Resolution resolution,
            List<WorkloadEntry> instances) {
        List<Endpoint> out = new ArrayList<>();
        for (WorkloadEntry instance : instances) {
            if (instance.address() == null || instance.address().isEmpty()) {
                continue;
            }
            out.add(endpoint(instance.address(), instance, ports));
        }
        boolean dns = resolution == Resolution.DNS || resolution == Resolution.DNS_ROUND_ROBIN;
        if (out.isEmpty() && dns && !host.startsWith("*")) {
            out.add(endpoint(host, null, ports));
        }
        return out;
    }

    private static Endpoint endpoint(String address, @Nullable WorkloadEntry instance, List<ServicePort> ports) {
        Map<String, Integer> resolved = new LinkedHashMap<>();
        for (ServicePort port : ports) {
            Integer own = instance == null ? null : instance.ports().get(port.name());
            resolved.put(port.name(), own != null ? own
                    : port.targetPort() != null ? port.targetPort() : port.number());
        }
        if (instance == null) {
            return new Endpoint(address, resolved, Map.of(), 1, null, null, null);
        }
        int weight = instance.weight() == null ? 1 : instance.weight();
        return new Endpoint(address, resolved, instance.labels(), weight, instance.locality(),
                instance.serviceAccount(), instance.network());
    }
}
