package dev.meshgate.core.translate.cluster;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import dev.meshgate.core.index.MeshIndex;
import dev.meshgate.core.networking.destinationrule.DestinationRule;
import dev.meshgate.core.networking.destinationrule.LoadBalancerSettings;
import dev.meshgate.core.networking.destinationrule.LoadBalancerSettings.LocalityLoadBalancerSetting;
import dev.meshgate.core.networking.destinationrule.Subset;
import dev.meshgate.core.registry.Endpoint;
import dev.meshgate.core.registry.Resolution;
import dev.meshgate.core.registry.Service;
import dev.meshgate.core.registry.ServicePort;
import dev.meshgate.core.resource.Resource;
import dev.meshgate.core.translate.security.PeerAuthenticationTranslator;
import dev.meshgate.core.networking.destinationrule.ClientTlsSettings.TlsMode;
import dev.meshgate.core.view.ClientTlsSpec;
import dev.meshgate.core.view.ClusterSpec;
import dev.meshgate.core.view.ClusterSpec.Discovery;
import dev.meshgate.core.view.EndpointSpec;
import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.core.view.ProxyKind;
import dev.meshgate.core.view.TrafficPolicySpec;

/**
 * Implements {@code DestinationRule.spec.subsets[]} ({@code name}, {@code labels}) and the endpoints of a
 * cluster {@code outbound|<port>|<subset>|<host>}: the service's endpoints at their port for that service port,
 * narrowed to those carrying every label of the subset.
 *
 * <ul>
 *   <li>A service resolved by DNS gives a DNS cluster whose endpoints are host names.
 *   <li>A service with resolution NONE (passthrough) gives a DNS cluster to the host itself (not for wildcard
 *       hosts, which get no endpoint).
 *   <li>A host not in the registry gives a DNS cluster to that host and port (Istio would need a ServiceEntry;
 *       the validator warns).
 *   <li>A subset no DestinationRule defines gives a cluster without endpoints (the proxy answers 503 UH).
 * </ul>
 * The cluster's traffic policy ({@code trafficPolicy}, {@code portLevelSettings}, {@code subsets[].trafficPolicy})
 * comes from {@link TrafficPolicyTranslator}, whichever way the cluster is reached (sidecar or gateway), its
 * (MeshConfig {@code enableAutoMtls: false} turning a policy without {@code tls} into DISABLE), its
 * upstream protocol from {@link UpstreamProtocolTranslator} (HTTP/1.1 for a host not in the registry), the
 * endpoints' locality priorities and weights for the proxy from {@link LocalityLbSettingTranslator}. The
 * DestinationRule is the one for the proxy's namespace and labels ({@code workloadSelector}, see
 * {@link MeshIndex#destinationRule(String, String, Map)}).
 */
public final class ClusterTranslator {

    private ClusterTranslator() {
    }

    /**
     * The cluster named by {@code key}, as seen by a proxy in {@code proxyNamespace} whose locality is unknown and
     * that has no labels.
     */
    public static ClusterSpec translate(ClusterKey key, MeshIndex index, String proxyNamespace) {
        return translate(key, index, new ProxyIdentity("", proxyNamespace, ProxyKind.SIDECAR, Map.of(), null));
    }

    /**
     * The cluster named by {@code key}, as seen by {@code proxy}: its namespace and labels pick the DestinationRule, its
     * locality and labels the endpoints' priorities and locality weights ({@link LocalityLbSettingTranslator}).
     */
    public static ClusterSpec translate(ClusterKey key, MeshIndex index, ProxyIdentity proxy) {
        String proxyNamespace = proxy.namespace();
        Resource<DestinationRule> rule = index.destinationRule(key.host(), proxyNamespace, proxy.labels());
        TrafficPolicySpec policy = TrafficPolicyTranslator.translate(rule == null ? null : rule.spec(), key.port(),
                key.subset());
        if (policy.tls() == null && !index.settings().autoMtls()) {
            // MeshConfig enableAutoMtls: false: without a DestinationRule tls, Istio's client sends plaintext.
            policy = new TrafficPolicySpec(policy.loadBalancer(), policy.connectionPool(), policy.outlierDetection(),
                    ClientTlsSpec.DISABLE);
        }
        Service service = index.registry().service(key.host());
        if (service == null) {
            return dns(key, List.of(hostItself(key)), policy);
        }
        ServicePort port = service.port(key.port());
        if (port == null) {
            // a destination port the service does not declare: endpoints keep their address, at that port
            port = new ServicePort("", key.port(), "", null);
        }
        if (service.resolution() == Resolution.NONE) {
            return dns(key, service.isWildcard() ? List.of() : List.of(hostItself(key)), policy)
                    .withUpstreamProtocol(UpstreamProtocolTranslator.translate(port.protocol(),
                            policy.connectionPool()))
                    .withGrpcWeb(isGrpcWeb(port));
        }
        Map<String, String> subsetLabels = Map.of();
        if (key.subset() != null) {
            Map<String, String> labels = rule == null ? null : subsetLabels(rule.spec(), key.subset());
            if (labels == null) {
                return new ClusterSpec(key.name(), key.host(), key.port(), key.subset(), discovery(service),
                        List.of(), policy, UpstreamProtocolTranslator.translate(port.protocol(),
                                policy.connectionPool()), isGrpcWeb(port));
            }
            subsetLabels = labels;
        }
        List<EndpointSpec> endpoints = new ArrayList<>();
        for (Endpoint endpoint : index.registry().endpoints(service.hostname())) {
            if (endpoint.hasLabels(subsetLabels)) {
                int target = endpoint.port(port);
                endpoints.add(new EndpointSpec(endpoint.address(), target,
                        autoMtlsLabels(index, service, endpoint, target, policy), endpoint.weight(),
                        endpoint.locality(), endpoint.serviceAccount()));
            }
        }
        endpoints = localityLb(endpoints, rule, key, policy, index, proxy);
        return new ClusterSpec(key.name(), key.host(), key.port(), key.subset(), discovery(service), endpoints,
                policy, UpstreamProtocolTranslator.translate(port.protocol(), policy.connectionPool()),
                isGrpcWeb(port), serviceAccounts(index, service, policy));
    }

    /**
     * The identities a server of {@code service} may present under ISTIO_MUTUAL (auto or written) without
     * {@code subjectAltNames}, as pilot's cluster builder gives Envoy the service's accounts: every endpoint's service
     * account in the service's namespace (the workloads' namespace: a Kubernetes Service's pods, a ServiceEntry's
     * WorkloadEntries), in the mesh's trust domain and each alias. Sorted, for a stable view.
     */
    private static List<String> serviceAccounts(MeshIndex index, Service service, TrafficPolicySpec policy) {
        ClientTlsSpec tls = policy.tls();
        if (tls != null && (tls.mode() != TlsMode.ISTIO_MUTUAL || !tls.subjectAltNames().isEmpty())) {
            return List.of();
        }
        java.util.TreeSet<String> identities = new java.util.TreeSet<>();
        var trustDomains = index.settings().trustDomains();
        for (Endpoint endpoint : index.registry().endpoints(service.hostname())) {
            String serviceAccount = endpoint.serviceAccount();
            if (serviceAccount != null && !serviceAccount.isBlank() && serviceAccount.indexOf('/') < 0
                    && serviceAccount.chars().noneMatch(Character::isWhitespace)) {
                identities.addAll(trustDomains.uris(service.namespace(), serviceAccount));
            }
        }
        return List.copyOf(identities);
    }

    /**
     * The endpoint's labels, without {@code security.istio.io/tlsMode} when auto mutual TLS applies (no
     * DestinationRule {@code tls}) and the workload's PeerAuthentication for {@code targetPort} is DISABLE: pilot's
     * endpoint builder drops the endpoint's {@code tlsMode} metadata then, so the client sends plaintext to a server
     * that would refuse TLS. The workload's namespace is the service's (a Kubernetes Service's endpoints, a
     * ServiceEntry's WorkloadEntries).
     */
    private static Map<String, String> autoMtlsLabels(MeshIndex index, Service service, Endpoint endpoint,
            int targetPort, TrafficPolicySpec policy) {
        Map<String, String> labels = endpoint.labels();
        if (policy.tls() != null || !ClientTlsSpec.meshEnabled(labels)
                || !PeerAuthenticationTranslator.disables(index, service.namespace(), labels, targetPort)) {
            return labels;
        }
        Map<String, String> plaintext = new LinkedHashMap<>(labels);
        plaintext.remove(ClientTlsSpec.TLS_MODE_LABEL);
        return plaintext;
    }

    /** Istio adds Envoy's gRPC-Web filter to the listener of a {@code GRPC-WEB} port. */
    private static boolean isGrpcWeb(ServicePort port) {
        return "GRPC-WEB".equals(port.protocol());
    }

    private static List<EndpointSpec> localityLb(List<EndpointSpec> endpoints, @Nullable Resource<DestinationRule> rule,
            ClusterKey key, TrafficPolicySpec policy, MeshIndex index, ProxyIdentity proxy) {
        TrafficPolicyTranslator.Settings merged = rule == null ? null
                : TrafficPolicyTranslator.merge(rule.spec(), key.port(), key.subset());
        LoadBalancerSettings lb = merged == null ? null : merged.loadBalancer();
        LocalityLoadBalancerSetting setting = LocalityLbSettingTranslator.effective(
                lb == null ? null : lb.localityLbSetting(), index.settings().localityLbSetting());
        return LocalityLbSettingTranslator.apply(endpoints, setting, policy.outlierDetection() != null,
                proxy.localityOrLabels(), proxy.labels());
    }

    private static @Nullable Map<String, String> subsetLabels(DestinationRule rule, String subsetName) {
        for (Subset subset : rule.subsets()) {
            if (subsetName.equals(subset.name())) {
                return subset.labels();
            }
        }
        return null;
    }

    private static Discovery discovery(Service service) {
        return service.resolution() == Resolution.STATIC ? Discovery.STATIC : Discovery.DNS;
    }

    private static EndpointSpec hostItself(ClusterKey key) {
        return new EndpointSpec(key.host(), key.port(), Map.of(), 1, null, null);
    }

    private static ClusterSpec dns(ClusterKey key, List<EndpointSpec> endpoints, TrafficPolicySpec policy) {
        return new ClusterSpec(key.name(), key.host(), key.port(), key.subset(), Discovery.DNS, endpoints, policy);
    }
}
