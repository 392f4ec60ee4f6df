package dev.meshgate.core.validation;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import dev.meshgate.core.networking.destinationrule.LoadBalancerSettings.LocalityLoadBalancerSetting;
import dev.meshgate.core.registry.Locality;

/**
 * Validates a {@code localityLbSetting} (a DestinationRule's {@code loadBalancer}, or MeshConfig's), after Istio's
 * {@code ValidateLocalityLbSetting}: {@code distribute} and {@code failover} exclusive; every {@code distribute[]}
 * entry's weights between 1 and 100 summing to 100; localities without empty parts, with at most one {@code *},
 * last, and not overlapping one another; {@code failover} naming two different regions (no {@code /}, no
 * {@code *}); no topology label in {@code failoverPriority} together with {@code failover}; and, as a warning,
 * failover without outlier detection (Istio's rule: without it the proxy never leaves the first priority).
 */
final class LocalityLbSettingValidator {

    private static final Set<String> TOPOLOGY_LABELS =
            Set.of(Locality.REGION_LABEL, Locality.ZONE_LABEL, Locality.SUBZONE_LABEL);

    private LocalityLbSettingValidator() {
    }

    /**
     * @param code the code of an invalid setting (a DestinationRule's or MeshConfig's)
     * @param outlierDetection whether the traffic policy holding the setting configures outlier detection (true for
     *     MeshConfig, whose setting applies to rules that may)
     */
    static void validate(Problems problems, String field, @Nullable LocalityLoadBalancerSetting lb,
            DiagnosticCode code, boolean outlierDetection) {
        if (lb == null) {
            return;
        }
        if (!lb.distribute().isEmpty() && !lb.failover().isEmpty()) {
            problems.add(code, field, "distribute and failover cannot both be set (expected one of them)");
            return;
        }
        if (!lb.failover().isEmpty()) {
            for (int i = 0; i < lb.failoverPriority().size(); i++) {
                String label = lb.failoverPriority().get(i);
                if (label != null && TOPOLOGY_LABELS.contains(label)) {
                    problems.add(code, field + ".failoverPriority[" + i + "]", "topology label " + label
                            + " cannot be used with failover (expected failover or the topology labels, not both)");
                }
            }
        }
        List<String> sources = new ArrayList<>();
        for (int i = 0; i < lb.distribute().size(); i++) {
            LocalityLoadBalancerSetting.Distribute distribute = lb.distribute().get(i);
            String at = field + ".distribute[" + i + "]";
            if (distribute == null) {
                continue;
            }
            sources.add(distribute.from() == null ? "" : distribute.from());
            long total = 0;
            for (Map.Entry<String, Integer> to : distribute.to().entrySet()) {
                int weight = to.getValue() == null ? 0 : to.getValue();
                if (weight < 1 || weight > 100) {
                    problems.add(code, at + ".to[" + to.getKey() + "]", "locality weight " + weight
                            + " out of range (expected 1-100)");
                }
                total += weight;
            }
            if (total != 100) {
                problems.add(code, at + ".to", "locality weights must sum to 100 (got " + total + ")");
            }
            localities(problems, at + ".to", new ArrayList<>(distribute.to().keySet()), code);
        }
        localities(problems, field + ".distribute[].from", sources, code);
        for (int i = 0; i < lb.failover().size(); i++) {
            LocalityLoadBalancerSetting.Failover failover = lb.failover().get(i);
            String at = field + ".failover[" + i + "]";
            if (failover == null) {
                continue;
            }
            String from = failover.from() == null ? "" : failover.from();
            String to = failover.to() == null ? "" : failover.to();
            if (from.equals(to)) {
                problems.add(code, at, "from and to must be different regions (got " + from + " for both)");
            }
            if (from.contains("/") || to.contains("/")) {
                problems.add(code, at, "failover names regions only (got from " + from + ", to " + to
                        + "; expected no zone or subzone)");
            }
            if (from.contains("*") || to.contains("*")) {
                problems.add(code, at, "failover regions cannot contain '*' (got from " + from + ", to " + to
                        + ")");
            }
        }
        if ((!lb.failover().isEmpty() || !lb.failoverPriority().isEmpty()) && !outlierDetection) {
            problems.add(DiagnosticCode.DR_LOCALITY_FAILOVER_WITHOUT_OUTLIER_DETECTION, field,
                    "failover takes effect only with outlierDetection in the same traffic policy (Istio's rule: "
                            + "without it endpoints are never ejected, so traffic never leaves the nearest locality)");
        }
    }

    /** Istio's {@code validateLocalities}: well-formed wildcards and no locality covering one listed before. */
    private static void localities(Problems problems, String field, List<String> localities, DiagnosticCode code) {
        Set<String> seen = new HashSet<>();
        for (String locality : localities) {
            int stars = (int) locality.chars().filter(c -> c == '*').count();
            if (stars > 1 || stars == 1 && !locality.endsWith("*")) {
                problems.add(code, field, "locality " + locality
                        + ": at most one '*' wildcard, and only at the end (e.g. us-east/*)");
                continue;
            }
            String[] parts = locality.split("/", -1);
            boolean empty = parts.length > 3;
            for (String part : parts) {
                empty |= part.isEmpty();
            }
            if (empty) {
                problems.add(code, field, "locality \"" + locality
                        + "\" has an empty region, zone or subzone (expected region[/zone[/subzone]])");
                continue;
            }
            // A locality overlaps an earlier one when one is a prefix of the other, '*' covering the rest.
            String normalized = locality.endsWith("/*") ? locality.substring(0, locality.length() - 2) : locality;
            for (String earlier : seen) {
                if (earlier.equals("*") || normalized.equals("*") || covers(earlier, normalized)
                        || covers(normalized, earlier)) {
                    problems.add(code, field, "locality " + locality + " overlaps " + earlier
                            + " listed before it (expected disjoint localities)");
                    break;
                }
            }
            seen.add(normalized);
        }
    }

    private static boolean covers(String prefix, String locality) {
        return locality.equals(prefix) || locality.startsWith(prefix + "/");
    }
}
