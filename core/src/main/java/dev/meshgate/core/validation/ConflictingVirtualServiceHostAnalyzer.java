package dev.meshgate.core.validation;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import dev.meshgate.core.networking.virtualservice.VirtualService;
import dev.meshgate.core.resource.Kind;
import dev.meshgate.core.resource.Resource;

/**
 * Warns when several VirtualServices route the same host on the same gateway (Istio's IST0109
 * ConflictingMeshGatewayVirtualServiceHosts). Istio keeps the oldest; a directory has no creation time, so
 * meshgate concatenates their routes in namespace/name order, and the first match wins.
 */
final class ConflictingVirtualServiceHostAnalyzer implements Analyzer {

    @Override
    public void analyze(List<Resource<?>> resources, Consumer<Diagnostic> report) {
        Map<String, Resource<?>> first = new HashMap<>();
        resources.stream().filter(r -> r.kind() == Kind.VirtualService).sorted(Comparator.comparing(Resource::key))
                .forEach(resource -> {
                    VirtualService spec = (VirtualService) resource.spec();
                    String namespace = resource.metadata().namespace();
                    List<String> gateways = spec.gateways().isEmpty() ? List.of("mesh") : spec.gateways();
                    for (String gateway : gateways.stream().distinct().toList()) {
                        String gatewayKey = gateway.equals("mesh") || gateway.contains("/") ? gateway
                                : namespace + "/" + gateway;
                        for (int i = 0; i < spec.hosts().size(); i++) {
                            String host = Analyzer.resolve(spec.hosts().get(i), namespace);
                            Resource<?> earlier = first.putIfAbsent(gatewayKey + " " + host, resource);
                            if (earlier != null && earlier != resource) {
                                report.accept(DiagnosticCode.CONFLICTING_VIRTUAL_SERVICE_HOSTS.diagnostic(
                                        resource.kind().name(), resource.key(), "spec.hosts[" + i + "]",
                                        "host \"" + host + "\" on gateway " + gatewayKey
                                                + " is also routed by VirtualService " + earlier.key()
                                                + "; their routes are concatenated in namespace/name order",
                                        resource.source()));
                            }
                        }
                    }
                });
    }
}
