package dev.meshgate.core.networking.destinationrule;

import java.util.List;

import dev.meshgate.core.networking.Immutable;

import org.jspecify.annotations.Nullable;

/**
 * The spec of an Istio {@code DestinationRule}: policies applied to traffic for {@code host} after routing.
 *
 * @param host a registry host, short or fully qualified, wildcards allowed; required
 * @param subsets named versions of the service, selected by endpoint labels
 * @param exportTo namespaces the rule is visible in
 * @param workloadSelector the workloads the rule applies to (only in the rule's namespace)
 */
public record DestinationRule(@Nullable String host, @Nullable TrafficPolicy trafficPolicy, List<Subset> subsets,
        List<String> exportTo, @Nullable WorkloadMatchSelector workloadSelector) {

    public DestinationRule {
        subsets = Immutable.list(subsets);
        exportTo = Immutable.list(exportTo);
    }
}
