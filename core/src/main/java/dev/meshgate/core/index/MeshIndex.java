package dev.meshgate.core.index;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
import dev.meshgate.core.security.AuthorizationPolicy;
import dev.meshgate.core.security.PeerAuthentication;
import dev.meshgate.core.security.RequestAuthentication;
import dev.meshgate.core.resource.IdentityMemo;
import dev.meshgate.core.resource.Resource;
import dev.meshgate.core.telemetry.Telemetry;
import dev.meshgate.core.translate.HostResolver;
import dev.meshgate.core.view.ProxyIdentity;

/**
 * An immutable snapshot of the mesh, indexed for translation (Istio's PushContext): services and endpoints
 * by host, VirtualServices by gateway and host, DestinationRules by host, Gateways by selector.
 *
 * <p>Every list is ordered by namespace/name, so the same resources in any order give the same index and the same
 * {@link #version()}. Where Istio ranks resources by age (several DestinationRules or VirtualServices for one
 * host) the lookups use {@link CreationOrder}, which depends on content only, not on the files.
 */
public final class MeshIndex {

    private static final IdentityMemo<String> CANONICAL_JSON = new IdentityMemo<>(
            (Resource<?> resource) -> ContentHash.canonicalJson(canonicalForm(resource)));
    private static final IdentityMemo<String> CONTENT_HASH = new IdentityMemo<>(
            (Resource<?> resource) -> ContentHash.ofText(canonicalJson(resource)));

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
    private final DestinationRuleIndex destinationRules;
    private final List<Resource<Gateway>> gateways;
    private final List<Resource<Telemetry>> telemetries;
    private final String version;
    private final List<Resource<AuthorizationPolicy>> authorizationPolicies;
    private final List<Resource<RequestAuthentication>> requestAuthentications;
    private final List<Resource<PeerAuthentication>> peerAuthentications;
    private final Set<String> proxyLabelKeys;

    private MeshIndex(MeshSettings settings, ServiceRegistry registry, List<Resource<VirtualService>> mesh,
            Map<String, List<Resource<VirtualService>>> byGateway, DestinationRuleIndex destinationRules,
            List<Resource<Gateway>> gateways, List<Resource<Telemetry>> telemetries, String version,
            List<Resource<AuthorizationPolicy>> authorizationPolicies,
            List<Resource<RequestAuthentication>> requestAuthentications,
            List<Resource<PeerAuthentication>> peerAuthentications, Set<String> proxyLabelKeys) {
        this.peerAuthentications = peerAuthentications;
        this.proxyLabelKeys = proxyLabelKeys;
        this.authorizationPolicies = authorizationPolicies;
        this.requestAuthentications = requestAuthentications;
        this.settings = settings;
        this.registry = registry;
        this.meshVirtualServices = mesh;
        this.virtualServicesByGateway = byGateway;
        this.destinationRules = destinationRules;
        this.gateways = gateways;
        this.telemetries = telemetries;
        this.version = version;
    }

    /**
     * Indexes resources that passed validation.
     *
     * @param resources accepted resources, in any order (the index orders them stably)
     */
    public static MeshIndex of(List<Resource<?>> resources, MeshSettings settings) {
        return of(resources, settings, ServiceRegistry.EMPTY);
    }

    /**
     * Indexes resources that passed validation together with a platform registry (Kubernetes Services and
     * EndpointSlices): its services come first, ServiceEntry hosts it already has are left out, as Istio's
     * aggregate registry lists the Kubernetes registry first.
     *
     * @param resources accepted resources, in any order (the index orders them stably)
     * @param platform the services and endpoints of the platform; part of the version
     */
    public static MeshIndex of(List<Resource<?>> resources, MeshSettings settings, ServiceRegistry platform) {
        List<Resource<?>> sorted = new ArrayList<>(resources);
        // the canonical form breaks ties between duplicates so that input order never shows; by identity, since a
        // record's hashCode walks its whole spec
        Map<Resource<?>, String> canonical = new IdentityHashMap<>();
        for (Resource<?> resource : sorted) {
            canonical.put(resource, canonicalJson(resource));
        }
        sorted.sort(BY_KEY.thenComparing(canonical::get));

        List<Resource<ServiceEntry>> serviceEntries = ofKind(sorted, Kind.ServiceEntry);
        List<Resource<WorkloadEntry>> workloadEntries = ofKind(sorted, Kind.WorkloadEntry);
        ServiceRegistry registry = platform.services().isEmpty()
                ? ServiceEntryRegistry.build(serviceEntries, workloadEntries)
                : platform.merge(ServiceEntryRegistry.build(serviceEntries, workloadEntries));

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

        DestinationRuleIndex rules = DestinationRuleIndex.of(ofKind(sorted, Kind.DestinationRule), settings);

        // a hash of each resource's hash: hashing the canonical JSON of all of them (5 MB at 1,000 services) took
        // half of a one-file rebuild's CPU, while each resource object's hash is computed once
        List<String> content = new ArrayList<>();
        for (Resource<?> resource : sorted) {
            content.add(contentHash(resource));
        }
        if (!platform.services().isEmpty()) {
            for (Service service : platform.services()) {
                content.add(ContentHash.ofText(
                        ContentHash.canonicalJson(List.of(service, platform.endpoints(service.hostname())))));
            }
        }
        String version = ContentHash.of(List.of(settings, content));

        return new MeshIndex(settings, registry, List.copyOf(mesh), freeze(byGateway), rules,
                List.copyOf(MeshIndex.<Gateway>ofKind(sorted, Kind.Gateway)),
                List.copyOf(MeshIndex.<Telemetry>ofKind(sorted, Kind.Telemetry)), version,
                List.copyOf(MeshIndex.<AuthorizationPolicy>ofKind(sorted, Kind.AuthorizationPolicy)),
                List.copyOf(MeshIndex.<RequestAuthentication>ofKind(sorted, Kind.RequestAuthentication)),
                List.copyOf(MeshIndex.<PeerAuthentication>ofKind(sorted, Kind.PeerAuthentication)),
                ProxyLabelKeys.of(sorted, settings));
    }

    /**
     * The canonical JSON of {@link #canonicalForm}, written once per resource object: a rebuild after a one-file
     * change writes that file's resources only (the rest are the objects of the build before).
     */
    static String canonicalJson(Resource<?> resource) {
        return CANONICAL_JSON.get(resource);
    }

    /** The content hash of {@link #canonicalJson}, computed once per resource object. */
    static String contentHash(Resource<?> resource) {
        return CONTENT_HASH.get(resource);
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

    /**
     * {@code ns/name} of a gateway named in {@code gateways}, as Istio's {@code resolveGatewayName}: {@code ns/name}
     * as written, a bare name in the VirtualService's namespace, and the legacy form {@code name.ns[.svc...]}
     * (a name with a dot) as {@code ns/name}.
     */
    public static String gatewayKey(String gateway, String namespace) {
        if (gateway.contains("/")) {
            return gateway;
        }
        int dot = gateway.indexOf('.');
        if (dot < 0) {
            return namespace + "/" + gateway;
        }
        String rest = gateway.substring(dot + 1);
        int next = rest.indexOf('.');
        return (next < 0 ? rest : rest.substring(0, next)) + "/" + gateway.substring(0, dot);
    }

    /**
     * The order in which VirtualServices for one host take precedence for a proxy in {@code proxyNamespace}, as
     * Istio's {@code VirtualServicesForGateway} lists them: those private to the proxy's namespace
     * ({@code exportTo} {@code .} or the namespace itself), then those exported to it by name, then public ones;
     * within each, oldest first ({@link CreationOrder}).
     */
    public static Comparator<Resource<VirtualService>> virtualServicePrecedence(String proxyNamespace) {
        return Comparator.<Resource<VirtualService>>comparingInt(vs -> visibilityRank(vs, proxyNamespace))
                .thenComparing(CreationOrder.OLDEST_FIRST);
    }

    private static int visibilityRank(Resource<VirtualService> vs, String proxyNamespace) {
        List<String> exportTo = vs.spec().exportTo();
        String namespace = vs.metadata().namespace();
        if (exportTo.isEmpty() || exportTo.contains("*")) {
            return 2;
        }
        if (namespace.equals(proxyNamespace) && (exportTo.contains(".") || exportTo.contains(namespace))) {
            return 0;
        }
        return 1;
    }

    /** Content hash of the resources and settings: equal inputs, equal version, whatever their order. */
    public String version() {
        return version;
    }

    /**
     * What translation reads of {@code proxy} in this mesh: its namespace, kind, service account and locality, and
     * only the labels some selector of the mesh names ({@link ProxyLabelKeys}); never its name. Proxies with equal
     * keys have equal views, so a view is translated once per key: 200 workloads that differ only in labels no
     * resource selects on are one translation.
     */
    public ProxyIdentity translationKey(ProxyIdentity proxy) {
        Map<String, String> read = new HashMap<>();
        for (Map.Entry<String, String> label : proxy.labels().entrySet()) {
            if (proxyLabelKeys.contains(label.getKey())) {
                read.put(label.getKey(), label.getValue());
            }
        }
        return new ProxyIdentity("", proxy.namespace(), proxy.kind(), read, proxy.serviceAccount(), proxy.locality());
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

    /** Every Telemetry, by namespace/name. */
    public List<Resource<Telemetry>> telemetries() {
        return telemetries;
    }

    /** Every AuthorizationPolicy, by namespace/name. */
    public List<Resource<AuthorizationPolicy>> authorizationPolicies() {
        return authorizationPolicies;
    }

    /** Every RequestAuthentication, by namespace/name. */
    public List<Resource<RequestAuthentication>> requestAuthentications() {
        return requestAuthentications;
    }

    /** Every PeerAuthentication, by namespace/name. */
    public List<Resource<PeerAuthentication>> peerAuthentications() {
        return peerAuthentications;
    }

    /** Every Gateway, by namespace/name. */
    public List<Resource<Gateway>> gateways() {
        return gateways;
    }

    /**
     * The DestinationRule that applies to {@code host} for a proxy in {@code proxyNamespace}, or null: Istio's
     * lookup (the proxy's namespace, then the service's, then the root namespace; exact host before the most
     * specific wildcard; several rules for one host merged), as {@link DestinationRuleIndex} describes. A merged
     * rule carries the oldest rule's metadata. For a host the registry does not know, the service's namespace
     * is the one its name spells ({@code reviews.prod.svc.cluster.local}: {@code prod}), if it spells one.
     */
    public @Nullable Resource<DestinationRule> destinationRule(String host, String proxyNamespace) {
        return destinationRule(host, proxyNamespace, Map.of());
    }

    /**
     * As {@link #destinationRule(String, String)} for a proxy with {@code proxyLabels}: a rule of the proxy's
     * namespace whose {@code workloadSelector} the labels match comes before the namespace's rules without one.
     */
    public @Nullable Resource<DestinationRule> destinationRule(String host, String proxyNamespace,
            Map<String, String> proxyLabels) {
        Service service = registry.service(host);
        return destinationRules.lookup(host, proxyNamespace, proxyLabels,
                service != null ? service.namespace() : namespaceSpelledBy(host));
    }

    private @Nullable String namespaceSpelledBy(String host) {
        String suffix = "." + settings.domainSuffix();
        if (!host.endsWith(suffix)) {
            return null;
        }
        String[] labels = host.substring(0, host.length() - suffix.length()).split("\\.");
        return labels.length == 2 ? labels[1] : null;
    }
}
