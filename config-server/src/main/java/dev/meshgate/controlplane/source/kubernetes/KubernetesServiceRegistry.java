package dev.meshgate.controlplane.source.kubernetes;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.meshgate.core.registry.Endpoint;
import dev.meshgate.core.registry.Locality;
import dev.meshgate.core.registry.Location;
import dev.meshgate.core.registry.Resolution;
import dev.meshgate.core.registry.Service;
import dev.meshgate.core.registry.ServicePort;
import dev.meshgate.core.registry.ServiceRegistry;

import io.kubernetes.client.openapi.models.DiscoveryV1EndpointPort;
import io.kubernetes.client.openapi.models.V1Endpoint;
import io.kubernetes.client.openapi.models.V1EndpointConditions;
import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1ObjectReference;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodCondition;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServicePort;

import org.jspecify.annotations.Nullable;

/**
 * Builds the platform {@link ServiceRegistry} of Kubernetes Services, EndpointSlices, Pods and Namespaces, onto the
 * same records as ServiceEntries (Istio's Kubernetes service registry):
 * <ul>
 *   <li>A Service is the host {@code name.namespace.<domainSuffix>} (domainSuffix {@code svc.cluster.local}), MESH_INTERNAL, with its labels and the
 *       {@code networking.istio.io/exportTo} annotation as exportTo. An ExternalName Service is MESH_EXTERNAL with
 *       DNS resolution of its external name.
 *   <li>Each port keeps its name (its number when unnamed), its number, an integer {@code targetPort}, and the
 *       protocol {@link PortProtocol} selects from {@code appProtocol} and the name.
 *   <li>Endpoints come from the EndpointSlices labelled {@code kubernetes.io/service-name} with the Service's name
 *       in its namespace; each address of an endpoint is one {@link Endpoint}, its ports mapped by port name.
 *   <li>Readiness: an endpoint is in the view only when ready ({@code conditions.ready} not false, as Kubernetes
 *       reads an absent condition) and not terminating, unless the Service publishes not-ready addresses. A
 *       terminating endpoint drains: new requests stop going to it. An endpoint whose Pod is known and reports
 *       {@code Ready} false, or is being deleted, leaves the view too, even before its slice is updated.
 *   <li>From the Pod: its labels (which DestinationRule subsets select on) and service account; the network is the
 *       Pod's {@code topology.istio.io/network} label, else its Namespace's.
 *   <li>Locality, as pilot's {@code getPodLocality}: the Pod's {@code istio-locality} label
 *       ({@code region.zone.subzone}), else the labels of its Node ({@code spec.nodeName}, else the slice
 *       endpoint's {@code nodeName}): {@code topology.kubernetes.io/region}/{@code zone} (or the deprecated
 *       {@code failure-domain.beta.kubernetes.io/*}) and {@code topology.istio.io/subzone}. As pilot's
 *       {@code AugmentLabels}, the endpoint's labels then carry the topology labels of that locality, so that
 *       {@code failoverPriority} can name them.
 * </ul>
 * Not supported: dual-stack slices beyond their addresses, {@code hints}.
 */
final class KubernetesServiceRegistry {

    static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
    static final String EXPORT_TO_ANNOTATION = "networking.istio.io/exportTo";
    static final String NETWORK_LABEL = "topology.istio.io/network";
    /** Deprecated node labels pilot still reads when the GA ones are absent. */
    static final String BETA_REGION_LABEL = "failure-domain.beta.kubernetes.io/region";
    static final String BETA_ZONE_LABEL = "failure-domain.beta.kubernetes.io/zone";

    private KubernetesServiceRegistry() {
    }

    static ServiceRegistry build(List<V1Service> services, List<V1EndpointSlice> slices, List<V1Pod> pods,
            List<V1Namespace> namespaces, List<V1Node> nodes, String domainSuffix) {
        Map<String, Map<String, String>> nodeLabels = new HashMap<>();
        for (V1Node node : nodes) {
            if (node.getMetadata() != null && node.getMetadata().getName() != null) {
                nodeLabels.put(node.getMetadata().getName(), labels(node.getMetadata()));
            }
        }
        Map<String, V1Pod> podsByKey = new HashMap<>();
        for (V1Pod pod : pods) {
            podsByKey.put(key(pod.getMetadata()), pod);
        }
        Map<String, Map<String, String>> namespaceLabels = new HashMap<>();
        for (V1Namespace namespace : namespaces) {
            if (namespace.getMetadata() != null && namespace.getMetadata().getName() != null) {
                namespaceLabels.put(namespace.getMetadata().getName(), labels(namespace.getMetadata()));
            }
        }
        Map<String, List<V1EndpointSlice>> slicesByService = new HashMap<>();
        List<V1EndpointSlice> sortedSlices = new ArrayList<>(slices);
        sortedSlices.sort(Comparator.comparing(slice -> key(slice.getMetadata())));
        for (V1EndpointSlice slice : sortedSlices) {
            String service = labels(slice.getMetadata()).get(SERVICE_NAME_LABEL);
            if (service != null) {
                slicesByService.computeIfAbsent(namespace(slice.getMetadata()) + "/" + service,
                        k -> new ArrayList<>()).add(slice);
            }
        }

        List<Service> out = new ArrayList<>();
        Map<String, List<Endpoint>> endpoints = new HashMap<>();
        for (V1Service service : services) {
            V1ObjectMeta meta = service.getMetadata();
            if (meta == null || meta.getName() == null || service.getSpec() == null) {
                continue;
            }
            String namespace = namespace(meta);
            String host = (meta.getName() + "." + namespace + "." + domainSuffix).toLowerCase(Locale.ROOT);
            List<ServicePort> ports = ports(service.getSpec().getPorts());
            String externalName = service.getSpec().getExternalName();
            boolean external = "ExternalName".equals(service.getSpec().getType()) && externalName != null;
            out.add(new Service(host, namespace, ports, external ? Resolution.DNS : Resolution.STATIC,
                    external ? Location.MESH_EXTERNAL : Location.MESH_INTERNAL, exportTo(meta), labels(meta)));
            if (external) {
                Map<String, Integer> resolved = new LinkedHashMap<>();
                ports.forEach(port -> resolved.put(port.name(), port.number()));
                endpoints.put(host, List.of(new Endpoint(externalName, resolved, Map.of(), 1, null, null, null)));
                continue;
            }
            boolean publishNotReady = Boolean.TRUE.equals(service.getSpec().getPublishNotReadyAddresses());
            List<Endpoint> instances = new ArrayList<>();
            for (V1EndpointSlice slice : slicesByService.getOrDefault(namespace + "/" + meta.getName(), List.of())) {
                instances.addAll(endpoints(service, ports, slice, publishNotReady, podsByKey,
                        namespaceLabels.getOrDefault(namespace, Map.of()), nodeLabels));
            }
            endpoints.put(host, instances);
        }
        return ServiceRegistry.of(out, endpoints);
    }

    private static List<ServicePort> ports(@Nullable List<V1ServicePort> ports) {
        List<ServicePort> out = new ArrayList<>();
        if (ports == null) {
            return out;
        }
        for (V1ServicePort port : ports) {
            if (port.getPort() == null) {
                continue;
            }
            String name = port.getName() == null || port.getName().isEmpty() ? Integer.toString(port.getPort())
                    : port.getName();
            Integer target = port.getTargetPort() != null && port.getTargetPort().isInteger()
                    ? port.getTargetPort().getIntValue() : null;
            out.add(new ServicePort(name, port.getPort(),
                    PortProtocol.of(port.getPort(), port.getName(), port.getProtocol(), port.getAppProtocol()), target));
        }
        return out;
    }

    private static List<Endpoint> endpoints(V1Service service, List<ServicePort> ports, V1EndpointSlice slice,
            boolean publishNotReady, Map<String, V1Pod> pods, Map<String, String> namespaceLabels,
            Map<String, Map<String, String>> nodeLabels) {
        // The slice's ports by the Service port name they serve (an unnamed port is "" in both).
        Map<String, Integer> slicePorts = new HashMap<>();
        if (slice.getPorts() != null) {
            for (DiscoveryV1EndpointPort port : slice.getPorts()) {
                if (port.getPort() != null) {
                    slicePorts.put(port.getName() == null ? "" : port.getName(), port.getPort());
                }
            }
        }
        Map<String, Integer> resolved = new LinkedHashMap<>();
        List<V1ServicePort> declared = service.getSpec().getPorts() == null ? List.of() : service.getSpec().getPorts();
        for (int i = 0; i < declared.size() && i < ports.size(); i++) {
            Integer number = slicePorts.get(declared.get(i).getName() == null ? "" : declared.get(i).getName());
            if (number != null) {
                resolved.put(ports.get(i).name(), number);
            }
        }
        List<Endpoint> out = new ArrayList<>();
        if (slice.getEndpoints() == null) {
            return out;
        }
        for (V1Endpoint endpoint : slice.getEndpoints()) {
            V1Pod pod = pod(endpoint.getTargetRef(), pods);
            if (!publishNotReady && !isReady(endpoint.getConditions(), pod)) {
                continue;
            }
            Map<String, String> podLabels = pod == null ? Map.of() : labels(pod.getMetadata());
            String serviceAccount = pod == null || pod.getSpec() == null ? null : pod.getSpec().getServiceAccountName();
            String network = podLabels.getOrDefault(NETWORK_LABEL, namespaceLabels.get(NETWORK_LABEL));
            String nodeName = pod != null && pod.getSpec() != null && pod.getSpec().getNodeName() != null
                    ? pod.getSpec().getNodeName() : endpoint.getNodeName();
            Locality locality = locality(podLabels, nodeName == null ? null : nodeLabels.get(nodeName));
            Map<String, String> labels = withTopology(podLabels, locality);
            for (String address : endpoint.getAddresses() == null ? List.<String>of() : endpoint.getAddresses()) {
                out.add(new Endpoint(address, resolved, labels, 1,
                        locality.isUnknown() && locality.zone().isEmpty() && locality.subzone().isEmpty() ? null
                                : locality.toString(), serviceAccount, network));
            }
        }
        return out;
    }

    /**
     * The Pod's {@code istio-locality} label, else its Node's topology labels (GA names first, then the deprecated
     * beta ones), as pilot's {@code getPodLocality}; unknown when neither says.
     */
    static Locality locality(Map<String, String> podLabels, @Nullable Map<String, String> nodeLabels) {
        String label = podLabels.get(Locality.LABEL);
        if (label != null && !label.isBlank()) {
            return Locality.parse(label.replace('.', '/'));
        }
        if (nodeLabels == null) {
            return Locality.UNKNOWN;
        }
        return new Locality(firstOf(nodeLabels, Locality.REGION_LABEL, BETA_REGION_LABEL),
                firstOf(nodeLabels, Locality.ZONE_LABEL, BETA_ZONE_LABEL),
                nodeLabels.getOrDefault(Locality.SUBZONE_LABEL, ""));
    }

    /** The labels with the topology labels of {@code locality} set (pilot's {@code AugmentLabels}). */
    private static Map<String, String> withTopology(Map<String, String> labels, Locality locality) {
        if (locality.region().isEmpty() && locality.zone().isEmpty() && locality.subzone().isEmpty()) {
            return labels;
        }
        Map<String, String> out = new HashMap<>(labels);
        if (!locality.region().isEmpty()) {
            out.put(Locality.REGION_LABEL, locality.region());
        }
        if (!locality.zone().isEmpty()) {
            out.put(Locality.ZONE_LABEL, locality.zone());
        }
        if (!locality.subzone().isEmpty()) {
            out.put(Locality.SUBZONE_LABEL, locality.subzone());
        }
        return out;
    }

    private static String firstOf(Map<String, String> labels, String name, String fallback) {
        String value = labels.get(name);
        return value != null && !value.isEmpty() ? value : labels.getOrDefault(fallback, "");
    }

    /** Ready and not terminating, by the slice's conditions and, when the Pod is known, by the Pod. */
    private static boolean isReady(@Nullable V1EndpointConditions conditions, @Nullable V1Pod pod) {
        if (conditions != null && (Boolean.FALSE.equals(conditions.getReady())
                || Boolean.TRUE.equals(conditions.getTerminating()))) {
            return false;
        }
        if (pod == null) {
            return true;
        }
        if (pod.getMetadata() != null && pod.getMetadata().getDeletionTimestamp() != null) {
            return false;
        }
        if (pod.getStatus() != null && pod.getStatus().getConditions() != null) {
            for (V1PodCondition condition : pod.getStatus().getConditions()) {
                if ("Ready".equals(condition.getType())) {
                    return "True".equals(condition.getStatus());
                }
            }
        }
        return true;
    }

    private static @Nullable V1Pod pod(@Nullable V1ObjectReference ref, Map<String, V1Pod> pods) {
        if (ref == null || !"Pod".equals(ref.getKind()) || ref.getName() == null) {
            return null;
        }
        return pods.get((ref.getNamespace() == null ? "default" : ref.getNamespace()) + "/" + ref.getName());
    }

    private static List<String> exportTo(V1ObjectMeta meta) {
        String annotation = meta.getAnnotations() == null ? null : meta.getAnnotations().get(EXPORT_TO_ANNOTATION);
        if (annotation == null || annotation.isBlank()) {
            return List.of();
        }
        return Arrays.stream(annotation.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    private static Map<String, String> labels(@Nullable V1ObjectMeta meta) {
        return meta == null || meta.getLabels() == null ? Map.of() : meta.getLabels();
    }

    private static String namespace(@Nullable V1ObjectMeta meta) {
        return meta == null || meta.getNamespace() == null ? "default" : meta.getNamespace();
    }

    private static String key(@Nullable V1ObjectMeta meta) {
        return namespace(meta) + "/" + (meta == null ? "" : meta.getName());
    }
}
