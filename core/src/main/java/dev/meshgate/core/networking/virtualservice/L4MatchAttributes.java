package dev.meshgate.core.networking.virtualservice;

import java.util.List;
import java.util.Map;

import dev.meshgate.core.networking.Immutable;

import org.jspecify.annotations.Nullable;

/** Istio's {@code L4MatchAttributes}. */
public record L4MatchAttributes(List<String> destinationSubnets, @Nullable Integer port,
        @Nullable String sourceSubnet, Map<String, String> sourceLabels, List<String> gateways,
        @Nullable String sourceNamespace) {

    public L4MatchAttributes {
        destinationSubnets = Immutable.list(destinationSubnets);
        sourceLabels = Immutable.map(sourceLabels);
        gateways = Immutable.list(gateways);
    }
}
