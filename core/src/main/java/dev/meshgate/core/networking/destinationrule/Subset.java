package dev.meshgate.core.networking.destinationrule;

import java.util.Map;

import dev.meshgate.core.networking.Immutable;

import org.jspecify.annotations.Nullable;

/**
 * Istio's {@code Subset}: the endpoints of a service that carry {@code labels}.
 *
 * @param name required, unique within the rule
 * @param trafficPolicy overrides the rule's for this subset
 */
public record Subset(@Nullable String name, Map<String, String> labels, @Nullable TrafficPolicy trafficPolicy) {

    public Subset {
        labels = Immutable.map(labels);
    }
}
