package dev.meshgate.core.validation;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import dev.meshgate.core.networking.Destination;
import dev.meshgate.core.networking.destinationrule.DestinationRule;
import dev.meshgate.core.networking.destinationrule.Subset;
import dev.meshgate.core.networking.virtualservice.VirtualService;
import dev.meshgate.core.resource.Kind;
import dev.meshgate.core.resource.Resource;

/**
 * Warns about a VirtualService route (or mirror) to a subset that no DestinationRule for its host defines (Istio's
 * IST0101 ReferencedResourceNotFound): such a route would have no endpoints.
 */
final class SubsetReferenceAnalyzer implements Analyzer {

    @Override
    public void analyze(List<Resource<?>> resources, Consumer<Diagnostic> report) {
        List<Resource<?>> rules = resources.stream().filter(r -> r.kind() == Kind.DestinationRule).toList();
        for (Resource<?> resource : resources) {
            if (resource.kind() != Kind.VirtualService) {
                continue;
            }
            VirtualService spec = (VirtualService) resource.spec();
            for (int i = 0; i < spec.http().size(); i++) {
                for (Map.Entry<String, Destination> entry : Analyzer.destinations(spec.http().get(i), i).entrySet()) {
                    Destination destination = entry.getValue();
                    if (destination.subset() == null) {
                        continue;
                    }
                    String host = Analyzer.resolve(destination.host(), resource.metadata().namespace());
                    if (!defined(rules, host, destination.subset())) {
                        report.accept(DiagnosticCode.SUBSET_NOT_FOUND.diagnostic(resource.kind().name(),
                                resource.key(), entry.getKey() + ".subset",
                                "subset \"" + destination.subset() + "\" of host \"" + host
                                        + "\" is not defined by any DestinationRule",
                                resource.source()));
                    }
                }
            }
        }
    }

    private static boolean defined(List<Resource<?>> rules, String host, String subset) {
        for (Resource<?> rule : rules) {
            DestinationRule spec = (DestinationRule) rule.spec();
            if (spec.host() == null
                    || !Analyzer.covers(Analyzer.resolve(spec.host(), rule.metadata().namespace()), host)) {
                continue;
            }
            for (Subset candidate : spec.subsets()) {
                if (subset.equals(candidate.name())) {
                    return true;
                }
            }
        }
        return false;
    }
}
