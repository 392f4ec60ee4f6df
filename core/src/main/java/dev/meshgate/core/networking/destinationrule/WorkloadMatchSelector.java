package dev.meshgate.core.networking.destinationrule;

import java.util.Map;

import dev.meshgate.core.networking.Immutable;

/**
 * Istio's {@code istio.type.v1beta1.WorkloadSelector} ({@code matchLabels}), which DestinationRule uses, as
 * opposed to the networking {@code WorkloadSelector} ({@code labels}) of ServiceEntry and Sidecar.
 */
public record WorkloadMatchSelector(Map<String, String> matchLabels) {

    public WorkloadMatchSelector {
        matchLabels = Immutable.map(matchLabels);
    }
}
