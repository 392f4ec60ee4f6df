package dev.meshgate.core.validation;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.meshgate.core.networking.Percent;
import dev.meshgate.core.networking.destinationrule.ConnectionPoolSettings;
import dev.meshgate.core.networking.destinationrule.DestinationRule;
import dev.meshgate.core.networking.destinationrule.LoadBalancerSettings;
import dev.meshgate.core.networking.destinationrule.OutlierDetection;
import dev.meshgate.core.networking.destinationrule.Subset;
import dev.meshgate.core.networking.destinationrule.TrafficPolicy;
import dev.meshgate.core.networking.destinationrule.WorkloadMatchSelector;

import org.jspecify.annotations.Nullable;

/**
 * Validates a {@code DestinationRule}: host, subsets (name, labels), exportTo, the traffic policies
 * {@link TrafficPolicyValidator} checks, and {@code workloadSelector} as pilot's {@code ValidateDestinationRule}
 * does (labels without empty keys or wildcards, a warning when there are none; with a selector, {@code exportTo}
 * names this namespace only, as {@code .} or by name).
 */
final class DestinationRuleValidator {

    private DestinationRuleValidator() {
    }

    static void validate(DestinationRule spec, String namespace, Problems problems) {
        if (spec.host() == null || spec.host().isBlank()) {
            problems.add(DiagnosticCode.DR_HOST_REQUIRED, "spec.host", "host is required");
        } else {
            FieldChecks.host(problems, "spec.host", spec.host());
        }
        Map<String, Integer> firstIndex = new HashMap<>();
        for (int i = 0; i < spec.subsets().size(); i++) {
            Subset subset = spec.subsets().get(i);
            String field = "spec.subsets[" + i + "]";
            String name = subset.name();
            if (name == null || name.isEmpty()) {
                problems.add(DiagnosticCode.DR_SUBSET_NAME_REQUIRED, field + ".name", "subset name is required");
            } else {
                Integer first = firstIndex.putIfAbsent(name, i);
                if (first != null) {
                    problems.add(DiagnosticCode.DR_DUPLICATE_SUBSET, field + ".name", "duplicate subset name \""
                            + name + "\" (also spec.subsets[" + first + "])");
                }
                if (!FieldChecks.isDnsLabel(name)) {
                    problems.add(DiagnosticCode.DR_INVALID_SUBSET_NAME, field + ".name", "invalid subset name \""
                            + name + "\" (expected a DNS-1123 label: lower-case letters, digits, '-')");
                }
            }
            TrafficPolicyValidator.validate(problems, field + ".trafficPolicy", subset.trafficPolicy());
        }
        TrafficPolicyValidator.validate(problems, "spec.trafficPolicy", spec.trafficPolicy());
        FieldChecks.exportTo(problems, "spec.exportTo", spec.exportTo());
        workloadSelector(spec, namespace, problems);
    }

    private static void workloadSelector(DestinationRule spec, String namespace, Problems problems) {
        WorkloadMatchSelector selector = spec.workloadSelector();
        if (selector == null) {
            return;
        }
        String field = "spec.workloadSelector.matchLabels";
        if (selector.matchLabels().isEmpty()) {
            problems.add(DiagnosticCode.DR_WORKLOAD_SELECTOR_WITHOUT_LABELS, field, "workloadSelector without labels "
                    + "selects every workload of namespace " + namespace + " (expected e.g. matchLabels: {app: web})");
        }
        for (Map.Entry<String, String> label : selector.matchLabels().entrySet()) {
            String key = label.getKey();
            String value = label.getValue() == null ? "" : label.getValue();
            if (key.isEmpty()) {
                problems.add(DiagnosticCode.DR_INVALID_WORKLOAD_SELECTOR, field, "empty label key (with value \""
                        + value + "\") is not supported in a selector");
            } else if (key.contains("*") || value.contains("*")) {
                problems.add(DiagnosticCode.DR_INVALID_WORKLOAD_SELECTOR, FieldChecks.key(field, key), "wildcard in \""
                        + key + "=" + value + "\" is not supported in a selector (expected exact label values)");
            }
        }
        List<String> exportTo = spec.exportTo();
        Set<String> targets = new LinkedHashSet<>();
        for (String entry : exportTo) {
            targets.add(entry.equals(".") ? namespace : entry);
        }
        if (!targets.isEmpty() && !targets.contains(namespace)) {
            problems.add(DiagnosticCode.DR_WORKLOAD_SELECTOR_EXPORT_TO, "spec.exportTo", "exportTo " + exportTo
                    + " goes beyond namespace " + namespace + ": a rule with a workloadSelector applies to workloads "
                    + "of its own namespace only (expected exportTo [\".\"] or none)");
        } else if (targets.size() > 1) {
            problems.add(DiagnosticCode.DR_WORKLOAD_SELECTOR_EXPORT_TO, "spec.exportTo", "exportTo " + exportTo
                    + " has several entries: a rule with a workloadSelector applies to workloads of its own "
                    + "namespace only (expected exportTo [\".\"] or none)");
        }
    }
}
