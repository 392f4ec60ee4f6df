package dev.meshgate.core.validation;

import java.util.HashMap;
import java.util.Map;

import dev.meshgate.core.networking.Percent;
import dev.meshgate.core.networking.destinationrule.ConnectionPoolSettings;
import dev.meshgate.core.networking.destinationrule.DestinationRule;
import dev.meshgate.core.networking.destinationrule.LoadBalancerSettings;
import dev.meshgate.core.networking.destinationrule.OutlierDetection;
import dev.meshgate.core.networking.destinationrule.Subset;
import dev.meshgate.core.networking.destinationrule.TrafficPolicy;

import org.jspecify.annotations.Nullable;

/**
 * Validates a {@code DestinationRule}. meshgate implements host, subsets (name, labels), exportTo and the traffic
 * policies {@link TrafficPolicyValidator} checks; workloadSelector is reported unsupported.
 */
final class DestinationRuleValidator {

    private DestinationRuleValidator() {
    }

    static void validate(DestinationRule spec, Problems problems) {
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
        problems.unsupported("spec.workloadSelector", spec.workloadSelector());
    }
}
