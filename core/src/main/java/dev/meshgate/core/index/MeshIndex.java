package dev.meshgate.core.index;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import dev.meshgate.core.networking.destinationrule.DestinationRule;
import dev.meshgate.core.networking.gateway.Gateway;
import dev.meshgate.core.networking.serviceentry.ServiceEntry;
import dev.meshgate.core.networking.serviceentry.WorkloadEntry;
import dev.meshgate.core.networking.virtualservice.VirtualService;
import dev.meshgate.core.registry.Service;
import dev.meshgate.core.registry.ServiceEntryRegistry;
import dev.meshgate.core.registry.ServiceRegistry;
import dev.meshgate.core.registry.Visibility;
import dev.meshgate.core.resource.Kind;
import dev.meshgate.core.resource.Resource;
import dev.meshgate.core.translate.HostResolver;

/**
 * An immutable snapshot of the mesh, indexed for translation (Istio's PushContext): services and endpoints
 * by host, VirtualServices by gateway and host, DestinationRules by host, Gateways by selector.
 *
 * <p>Every list is ordered by namespace/name (Istio orders by creation time, which a directory of YAML does
 * not have), so the same resources in any order give the same index and the same {@link #version()}.
 */
public final class MeshIndex {

    /** The reserved gateway name of sidecars in {@code VirtualService.spec.gateways}. */
    public static final String MESH_GATEWAY = "mesh";

    private static final Comparator<Resource<?>> BY_KEY = Comparator
            .comparing((Resource<?> r) -> r.kind().name())
            .thenComparing(r -> r.metadata().namespace())
            .thenComparing(r -> r.metadata().name());

    private final MeshSettings settings;
    private final ServiceRegistry registry;
    private final List<Resource<VirtualService>> meshVirtualServices;
    private final Map<String, List<Resource<VirtualService>>> virtualServicesByGateway;
    private final Map<String, List<Resource<DestinationRule>>> destinationRulesByHost;
    private final List<Resource<DestinationRule>> wildcardDestinationRules;
    private final List<Resource<Gateway>> gateways;
    private final String version;

    private MeshIndex(MeshSettings settings, ServiceRegistry registry, List<Resource<VirtualService>> mesh,
            Map<String, List<Resource<VirtualService>>> byGateway, Map<String, List<Resource<DestinationRule>>> rules,
            List<Resource<DestinationRule>> wildcardRules, List<Resource<Gateway>> gateways, String version) {
        this.settings = settings;
        this.registry = registry;
        this.meshVirtualServices = mesh;
        this.virtualServicesByGateway = byGateway;
        this.destinationRulesByHost = rules;
        this.wildcardDestinationRules = wildcardRules;
        this.gateways = gateways;
        this.version = version;
    }

    /**
     * Indexes resources that passed validation.
     *
     * @param resources accepted resources, in any order (the index orders them stably)
     */
    public static MeshIndex of(List<Resource<?>> resources, MeshSettings settings) {
        List<Resource<?>> sorted = new ArrayList<>(resources);
        // the canonical form breaks ties between duplicates so that input order never shows
        Map<Resource<?>, String> canonical = new HashMap<>();
        for (Resource<?> resource : sorted) {
            canonical.put(resource, ContentHash.canonicalJson(canonicalForm(resource)));
        }
        sorted.sort(BY_KEY.thenComparing(canonical::get));

        List<Resource<ServiceEntry>> serviceEntries = ofKind(sorted, Kind.ServiceEntry);
        List<Resource<WorkloadEntry>> workloadEntries = ofKind(sorted, Kind.WorkloadEntry);
        ServiceRegistry registry = ServiceEntryRegistry.build(serviceEntries, workloadEntries);

        List<Resource<VirtualService>> mesh = new ArrayList<>();
        Map<String, List<Resource<VirtualService>>> byGateway = new LinkedHashMap<>();
        for (Resource<VirtualService> vs : MeshIndex.<VirtualService>ofKind(sorted, Kind.VirtualService)) {
            List<String> bound = vs.spec().gateways().isEmpty() ? List.of(MESH_GATEWAY) : vs.spec().gateways();
            for (String gateway : bound.stream().distinct().toList()) {
                if (gateway.equals(MESH_GATEWAY)) {
                    mesh.add(vs);
                } else {
                    byGateway.computeIfAbsent(gatewayKey(gateway, vs.metadata().namespace()), k -> new ArrayList<>())
                            .add(vs);
                }
            }
        }

        Map<String, List<Resource<DestinationRule>>> rules = new LinkedHashMap<>();
        List<Resource<DestinationRule>> wildcardRules = new ArrayList<>();
        for (Resource<DestinationRule> rule : MeshIndex.<DestinationRule>ofKind(sorted, Kind.DestinationRule)) {
            if (rule.spec().host() == null) {
                continue;
            }
            String host = HostResolver.resolve(rule.spec().host(), rule.metadata().namespace(),
                    settings.domainSuffix());
            if (host.startsWith("*")) {
                wildcardRules.add(rule);
            } else {
                rules.computeIfAbsent(host, k -> new ArrayList<>()).add(rule);
            }
        }

        List<Object> content = new ArrayList<>();
        for (Resource<?> resource : sorted) {
            content.add(canonical.get(resource));
        }
        String version = ContentHash.of(List.of(settings, content));

        return new MeshIndex(settings, registry, List.copyOf(mesh), freeze(byGateway), freeze(rules),
                List.copyOf(wildcardRules), List.copyOf(MeshIndex.<Gateway>ofKind(sorted, Kind.Gateway)), version);
    }

    /** What identifies a resource's content: not where it was read from, nor which API version spelled it. */
    private static Map<String, Object> canonicalForm(Resource<?> resource) {
        Map<String, Object> form = new LinkedHashMap<>();
        form.put("kind", resource.kind().name());
        form.put("metadata", resource.metadata());
        form.put("spec", resource.spec());
        return form;
    }

    @SuppressWarnings("unchecked")
    private static <S> List<Resource<S>> ofKind(List<Resource<?>> resources, Kind kind) {
        List<Resource<S>> out = new ArrayList<>();
        for (Resource<?> resource : resources) {
            if (resource.kind() == kind) {
                out.add((Resource<S>) resource);
            }
        }
        return out;
    }

    private static <V> Map<String, List<V>> freeze(Map<String, List<V>> map) {
        Map<String, List<V>> out = new LinkedHashMap<>();
        map.forEach((k, v) -> out.put(k, List.copyOf(v)));
        return Collections.unmodifiableMap(out);
    }

    /** {@code ns/name} of a gateway named in {@code gateways}: a bare name is in the VirtualService's namespace. */
    public static String gatewayKey(String gateway, String namespace) {
        return gateway.contains("/") ? gateway : namespace + "/" + gateway;
    }

    /** Content hash of the resources and settings: equal inputs, equal version, whatever their order. */
    public String version() {
        return version;
    }

    /** The mesh-wide settings the index was built with. */
    public MeshSettings settings() {
        return settings;
    }

    /** The services and endpoints of the mesh. */
    public ServiceRegistry registry() {
        return registry;
    }

    /** VirtualServices bound to sidecars ({@code gateways} absent or naming {@code mesh}), by namespace/name. */
    public List<Resource<VirtualService>> meshVirtualServices() {
        return meshVirtualServices;
    }

    /** VirtualServices whose {@code gateways} name the Gateway {@code ns/name}, by namespace/name. */
    public List<Resource<VirtualService>> virtualServicesOfGateway(String gatewayKey) {
        return virtualServicesByGateway.getOrDefault(gatewayKey, List.of());
    }

    /** Every Gateway, by namespace/name. */
    public List<Resource<Gateway>> gateways() {
        return gateways;
    }

    /**
     * The DestinationRule that applies to {@code host} for a proxy in {@code proxyNamespace}, or null. As in
     * Istio: rules for the exact host before the most specific wildcard rule; among rules exported to the
     * proxy's namespace, the one in the proxy's namespace, then in the service's namespace, then in the root
     * namespace, then the first by namespace/name.
     */
    public @Nullable Resource<DestinationRule> destinationRule(String host, String proxyNamespace) {
        List<Resource<DestinationRule>> candidates = visible(destinationRulesByHost.getOrDefault(host, List.of()),
                proxyNamespace);
        if (candidates.isEmpty()) {
            Resource<DestinationRule> best = null;
            int bestLength = -1;
            for (Resource<DestinationRule> rule : visible(wildcardDestinationRules, proxyNamespace)) {
                String pattern = HostResolver.resolve(rule.spec().host(), rule.metadata().namespace(),
                        settings.domainSuffix());
                if (HostResolver.covers(pattern, host) && pattern.length() > bestLength) {
                    best = rule;
                    bestLength = pattern.length();
                }
            }
            return best;
        }
        Service service = registry.service(host);
        List<String> preferred = new ArrayList<>();
        preferred.add(proxyNamespace);
        if (service != null) {
            preferred.add(service.namespace());
        }
        preferred.add(settings.rootNamespace());
        for (String namespace : preferred) {
            for (Resource<DestinationRule> rule : candidates) {
                if (rule.metadata().namespace().equals(namespace)) {
                    return rule;
                }
            }
        }
        return candidates.get(0);
    }

    private static List<Resource<DestinationRule>> visible(List<Resource<DestinationRule>> rules, String namespace) {
        List<Resource<DestinationRule>> out = new ArrayList<>();
        for (Resource<DestinationRule> rule : rules) {
            if (Visibility.isExportedTo(rule.spec().exportTo(), rule.metadata().namespace(), namespace)) {
                out.add(rule);
            }
        }
        return out;
    }
}
