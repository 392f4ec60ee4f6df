package dev.meshgate.core.validation;

import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import dev.meshgate.core.index.MeshIndex;
import dev.meshgate.core.networking.virtualservice.VirtualService;
import dev.meshgate.core.resource.Kind;
import dev.meshgate.core.resource.Resource;

/**
 * Warns about a VirtualService (or one of its HTTP, TCP or TLS matches) bound to a Gateway that does not exist (Istio's
 * IST0101 ReferencedResourceNotFound): the routes would apply nowhere. References are resolved as translation
 * resolves them ({@link MeshIndex#gatewayKey}: {@code name}, {@code ns/name}, legacy {@code name.ns...});
 * {@code mesh} always exists.
 */
final class GatewayReferenceAnalyzer implements Analyzer {

    @Override
    public void analyze(List<Resource<?>> resources, Consumer<Diagnostic> report) {
        Set<String> gateways = resources.stream().filter(r -> r.kind() == Kind.Gateway).map(Resource::key)
                .collect(Collectors.toSet());
        for (Resource<?> resource : resources) {
            if (resource.kind() != Kind.VirtualService) {
                continue;
            }
            VirtualService spec = (VirtualService) resource.spec();
            check(resource, "spec.gateways", spec.gateways(), gateways, report);
            for (int i = 0; i < spec.http().size(); i++) {
                for (int j = 0; j < spec.http().get(i).match().size(); j++) {
                    List<String> references = spec.http().get(i).match().get(j).gateways();
                    if (!references.isEmpty()) { // most matches name none: no field name built for them
                        check(resource, "spec.http[" + i + "].match[" + j + "].gateways", references, gateways,
                                report);
                    }
                }
            }
            for (int i = 0; i < spec.tcp().size(); i++) {
                for (int j = 0; j < spec.tcp().get(i).match().size(); j++) {
                    List<String> references = spec.tcp().get(i).match().get(j).gateways();
                    if (!references.isEmpty()) { // most matches name none: no field name built for them
                        check(resource, "spec.tcp[" + i + "].match[" + j + "].gateways", references, gateways,
                                report);
                    }
                }
            }
            for (int i = 0; i < spec.tls().size(); i++) {
                for (int j = 0; j < spec.tls().get(i).match().size(); j++) {
                    List<String> references = spec.tls().get(i).match().get(j).gateways();
                    if (!references.isEmpty()) { // most matches name none: no field name built for them
                        check(resource, "spec.tls[" + i + "].match[" + j + "].gateways", references, gateways,
                                report);
                    }
                }
            }
        }
    }

    private static void check(Resource<?> resource, String field, List<String> references, Set<String> gateways,
            Consumer<Diagnostic> report) {
        for (int i = 0; i < references.size(); i++) {
            String reference = references.get(i);
            if (reference.equals(MeshIndex.MESH_GATEWAY)) {
                continue;
            }
            String key = MeshIndex.gatewayKey(reference, resource.metadata().namespace());
            if (!gateways.contains(key)) {
                report.accept(DiagnosticCode.GATEWAY_NOT_FOUND.diagnostic(resource.kind().name(), resource.key(),
                        field + "[" + i + "]", "gateway \"" + key + "\" not found", resource.source()));
            }
        }
    }
}
