package dev.meshgate.core.networking.virtualservice;

import java.util.List;
import java.util.Map;

import dev.meshgate.core.networking.Immutable;
import dev.meshgate.core.networking.StringMatch;

import org.jspecify.annotations.Nullable;

/**
 * Istio's {@code HTTPMatchRequest}: every condition set must hold.
 *
 * @param headers keys are header names (lower-case in Istio); an empty StringMatch means "present"
 * @param port the port the request was addressed to
 * @param sourceLabels labels of the calling workload
 * @param gateways restricts this match to these gateways (overrides the VirtualService's)
 * @param withoutHeaders the request must not carry a header matching any of these
 */
public record HttpMatchRequest(@Nullable String name, @Nullable StringMatch uri, @Nullable StringMatch scheme,
        @Nullable StringMatch method, @Nullable StringMatch authority, Map<String, StringMatch> headers,
        @Nullable Integer port, Map<String, String> sourceLabels, List<String> gateways,
        Map<String, StringMatch> queryParams, @Nullable Boolean ignoreUriCase,
        Map<String, StringMatch> withoutHeaders, @Nullable String sourceNamespace, @Nullable String statPrefix) {

    public HttpMatchRequest {
        headers = Immutable.map(headers);
        sourceLabels = Immutable.map(sourceLabels);
        gateways = Immutable.list(gateways);
        queryParams = Immutable.map(queryParams);
        withoutHeaders = Immutable.map(withoutHeaders);
    }
}
