package dev.meshgate.core.validation;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import dev.meshgate.core.networking.Destination;
import dev.meshgate.core.networking.serviceentry.ServiceEntry;
import dev.meshgate.core.networking.virtualservice.VirtualService;
import dev.meshgate.core.resource.Kind;
import dev.meshgate.core.resource.Resource;

/**
 * Warns about a VirtualService route (or mirror) to a host that no ServiceEntry declares (Istio's IST0101
 * ReferencedResourceNotFound): meshgate then sends the requests to that name by DNS, which is rarely meant for
 * a mesh service. The registry here is the ServiceEntries, as in directory mode; a configuration that declares
 * no ServiceEntry at all relies on DNS throughout and is not warned about. When Kubernetes services join the
 * registry this analyzer must be given them too.
 */
final class DestinationHostAnalyzer implements Analyzer {

    @Override
    public void analyze(List<Resource<?>> resources, Consumer<Diagnostic> report) {
        Set<String> exact = new HashSet<>();
        Set<String> wildcards = new HashSet<>();
        for (Resource<?> resource : resources) {
            if (resource.kind() == Kind.ServiceEntry) {
                for (String host : ((ServiceEntry) resource.spec()).hosts()) {
                    // ServiceEntry hosts are taken literally, short names included, as Istio does.
                    String name = host.toLowerCase(Locale.ROOT);
                    (name.startsWith("*") ? wildcards : exact).add(name);
                }
            }
        }
        if (exact.isEmpty() && wildcards.isEmpty()) {
            return;
        }
        for (Resource<?> resource : resources) {
            if (resource.kind() != Kind.VirtualService) {
                continue;
            }
            VirtualService spec = (VirtualService) resource.spec();
            Set<String> reported = new HashSet<>();
            for (int i = 0; i < spec.http().size(); i++) {
                for (Map.Entry<String, Destination> entry : Analyzer.destinations(spec.http().get(i), i).entrySet()) {
                    String host = Analyzer.resolve(entry.getValue().host(), resource.metadata().namespace())
                            .toLowerCase(Locale.ROOT);
                    // Once per host and VirtualService, at its first route: the same cause, not a new problem.
                    if (!exact.contains(host) && wildcards.stream().noneMatch(w -> Analyzer.covers(w, host))
                            && reported.add(host)) {
                        report.accept(DiagnosticCode.DESTINATION_HOST_NOT_FOUND.diagnostic(resource.kind().name(),
                                resource.key(), entry.getKey() + ".host",
                                "host \"" + host + "\" is not declared by any ServiceEntry; requests go to it by DNS",
                                resource.source()));
                    }
                }
            }
        }
    }
}
