package dev.meshgate.core.validation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import dev.meshgate.core.index.CreationOrder;
import dev.meshgate.core.index.DestinationRuleMerge;
import dev.meshgate.core.networking.destinationrule.DestinationRule;
import dev.meshgate.core.resource.Kind;
import dev.meshgate.core.resource.Resource;

/**
 * Says what becomes of several DestinationRules for one host in one namespace, as {@link DestinationRuleMerge}
 * (the index's own merge) decides: merged into the oldest (MG0903, naming whose traffic policy applies), a
 * subset name defined again and ignored (MG0908), or kept apart because {@code exportTo} differs (MG0903).
 * Rules for one host in different namespaces are not duplicates: a proxy picks by namespace. Neither are rules
 * with a {@code workloadSelector}: they are meant to stand beside the namespace's rule for other workloads.
 */
final class DuplicateDestinationRuleAnalyzer implements Analyzer {

    @Override
    @SuppressWarnings("unchecked")
    public void analyze(List<Resource<?>> resources, Consumer<Diagnostic> report) {
        Map<String, List<Resource<DestinationRule>>> byNamespaceAndHost = new LinkedHashMap<>();
        resources.stream().filter(r -> r.kind() == Kind.DestinationRule).sorted(CreationOrder.OLDEST_FIRST)
                .map(r -> (Resource<DestinationRule>) r)
                .filter(rule -> rule.spec().host() != null && rule.spec().workloadSelector() == null)
                .forEach(rule -> byNamespaceAndHost.computeIfAbsent(rule.metadata().namespace() + " "
                        + Analyzer.resolve(rule.spec().host(), rule.metadata().namespace()),
                        k -> new ArrayList<>()).add(rule));
        for (List<Resource<DestinationRule>> rules : byNamespaceAndHost.values()) {
            if (rules.size() > 1) {
                analyzeHost(rules, report);
            }
        }
    }

    private static void analyzeHost(List<Resource<DestinationRule>> rules, Consumer<Diagnostic> report) {
        DestinationRuleMerge merge = new DestinationRuleMerge();
        Map<Resource<DestinationRule>, Boolean> policyIgnored = new LinkedHashMap<>();
        for (Resource<DestinationRule> rule : rules) {
            merge.add(rule, ignored -> {
                policyIgnored.merge(rule, ignored.trafficPolicy(), Boolean::logicalOr);
                for (String subset : ignored.subsets()) {
                    int index = indexOf(rule.spec(), subset);
                    report.accept(DiagnosticCode.MERGED_SUBSET_IGNORED.diagnostic(rule.kind().name(), rule.key(),
                            "spec.subsets[" + index + "].name", "subset \"" + subset + "\" of host \""
                                    + host(rule) + "\" is already defined by the older DestinationRule "
                                    + ignored.into().key() + "; this definition is ignored",
                            rule.source()));
                }
            });
        }
        Resource<DestinationRule> oldest = rules.get(0);
        for (Resource<DestinationRule> rule : rules.subList(1, rules.size())) {
            Resource<DestinationRule> into = null;
            for (DestinationRuleMerge.Merged merged : merge.merged()) {
                if (merged.from().contains(rule) && merged.from().get(0) != rule) {
                    into = merged.from().get(0);
                    break;
                }
            }
            String message;
            if (into != null) {
                String policy = "";
                if (policyIgnored.getOrDefault(rule, false)) {
                    policy = "; this one's trafficPolicy is ignored (the older one's applies)";
                } else if (rule.spec().trafficPolicy() != null) {
                    policy = "; this one's trafficPolicy applies (no older one has any)";
                }
                message = "host \"" + host(rule) + "\" also has the older DestinationRule " + into.key()
                        + "; they are merged, this one's subsets appended to the older one's" + policy;
            } else {
                message = "host \"" + host(rule) + "\" also has the older DestinationRule " + oldest.key()
                        + " with another exportTo; they are not merged: where both are visible, this newer one applies";
            }
            report.accept(DiagnosticCode.DUPLICATE_DESTINATION_RULE.diagnostic(rule.kind().name(), rule.key(),
                    "spec.host", message, rule.source()));
        }
    }

    private static String host(Resource<DestinationRule> rule) {
        return Analyzer.resolve(rule.spec().host(), rule.metadata().namespace());
    }

    private static int indexOf(DestinationRule rule, String subset) {
        for (int i = 0; i < rule.subsets().size(); i++) {
            if (subset.equals(rule.subsets().get(i).name())) {
                return i;
            }
        }
        return -1;
    }
}
