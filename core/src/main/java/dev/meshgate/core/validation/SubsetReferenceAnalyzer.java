package dev.meshgate.core.validation;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
        DefinedSubsets defined = DefinedSubsets.of(resources);
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
                    if (!defined.contains(host, destination.subset())) {
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

    /**
     * The subset names the DestinationRules define, by resolved host: a map lookup for exact hosts, a scan of the
     * few wildcard ones only (with 1,000 rules and 2,000 subset routes, scanning every rule per route was most of
     * a validation).
     */
    private record DefinedSubsets(Map<String, Set<String>> exact, Map<String, Set<String>> wildcards) {

        static DefinedSubsets of(List<Resource<?>> resources) {
            Map<String, Set<String>> exact = new HashMap<>();
            Map<String, Set<String>> wildcards = new HashMap<>();
            for (Resource<?> resource : resources) {
                if (resource.kind() != Kind.DestinationRule) {
                    continue;
                }
                DestinationRule spec = (DestinationRule) resource.spec();
                if (spec.host() == null) {
                    continue;
                }
                String host = Analyzer.resolve(spec.host(), resource.metadata().namespace());
                Set<String> names = (host.startsWith("*") ? wildcards : exact).computeIfAbsent(host,
                        h -> new HashSet<>());
                for (Subset subset : spec.subsets()) {
                    names.add(subset.name());
                }
            }
            return new DefinedSubsets(exact, wildcards);
        }

        boolean contains(String host, String subset) {
            if (exact.getOrDefault(host, Set.of()).contains(subset)) {
                return true;
            }
            for (Map.Entry<String, Set<String>> wildcard : wildcards.entrySet()) {
                if (wildcard.getValue().contains(subset) && Analyzer.covers(wildcard.getKey(), host)) {
                    return true;
                }
            }
            return false;
        }
    }
}
