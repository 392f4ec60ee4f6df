package dev.meshgate.core.validation;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import dev.meshgate.core.index.CreationOrder;
import dev.meshgate.core.index.MeshIndex;
import dev.meshgate.core.networking.virtualservice.VirtualService;
import dev.meshgate.core.resource.Kind;
import dev.meshgate.core.resource.Resource;

/**
 * Warns when several VirtualServices route the same host on the same gateway (Istio's IST0109
 * ConflictingMeshGatewayVirtualServiceHosts), saying what happens: on sidecars ({@code mesh}) the oldest one
 * serves the host and the others' routes for it are left out; on a Gateway their routes are concatenated, the
 * oldest one's first. Oldest is {@link CreationOrder} ({@code metadata.creationTimestamp}, then name, then
 * namespace); a VirtualService private to a proxy's namespace still comes first for proxies there.
 */
final class ConflictingVirtualServiceHostAnalyzer implements Analyzer {

    @Override
    public void analyze(List<Resource<?>> resources, Consumer<Diagnostic> report) {
        Map<String, Resource<?>> first = new HashMap<>();
        resources.stream().filter(r -> r.kind() == Kind.VirtualService).sorted(CreationOrder.OLDEST_FIRST)
                .forEach(resource -> {
                    VirtualService spec = (VirtualService) resource.spec();
                    String namespace = resource.metadata().namespace();
                    List<String> gateways = spec.gateways().isEmpty() ? List.of("mesh") : spec.gateways();
                    for (String gateway : gateways.stream().distinct().toList()) {
                        String gatewayKey = gateway.equals(MeshIndex.MESH_GATEWAY) ? gateway
                                : MeshIndex.gatewayKey(gateway, namespace);
                        for (int i = 0; i < spec.hosts().size(); i++) {
                            String host = Analyzer.resolve(spec.hosts().get(i), namespace);
                            Resource<?> earlier = first.putIfAbsent(gatewayKey + " " + host, resource);
                            if (earlier != null && earlier != resource) {
                                report.accept(DiagnosticCode.CONFLICTING_VIRTUAL_SERVICE_HOSTS.diagnostic(
                                        resource.kind().name(), resource.key(), "spec.hosts[" + i + "]",
                                        message(host, gatewayKey, earlier), resource.source()));
                            }
                        }
                    }
                });
    }

    private static String message(String host, String gatewayKey, Resource<?> earlier) {
        if (gatewayKey.equals(MeshIndex.MESH_GATEWAY)) {
            return "host \"" + host + "\" on sidecars (mesh) is also routed by the older VirtualService "
                    + earlier.key() + ", which wins: this one's routes for the host are ignored";
        }
        return "host \"" + host + "\" on gateway " + gatewayKey + " is also routed by the older VirtualService "
                + earlier.key() + "; their routes are concatenated, " + earlier.key() + "'s first";
    }
}
