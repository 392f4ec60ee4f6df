package dev.meshgate.core.networking.virtualservice;

import java.util.List;
import java.util.Map;

import dev.meshgate.core.networking.Immutable;

import org.jspecify.annotations.Nullable;

/** Istio's {@code TLSMatchAttributes}. */
public record TlsMatchAttributes(List<String> sniHosts, List<String> destinationSubnets, @Nullable Integer port,
        Map<String, String> sourceLabels, List<String> gateways, @Nullable String sourceNamespace) {

    public TlsMatchAttributes {
        sniHosts = Immutable.list(sniHosts);
        destinationSubnets = Immutable.list(destinationSubnets);
        sourceLabels = Immutable.map(sourceLabels);
        gateways = Immutable.list(gateways);
    }
}
