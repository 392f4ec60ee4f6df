package dev.meshgate.core.networking.virtualservice;

import java.util.List;

import dev.meshgate.core.networking.Destination;
import dev.meshgate.core.networking.Immutable;
import dev.meshgate.core.networking.Percent;

import org.jspecify.annotations.Nullable;

/**
 * Istio's {@code HTTPRoute}: conditions and actions for HTTP/1.1, HTTP2 and gRPC traffic.
 *
 * @param match all conditions of one entry must hold (AND); entries are alternatives (OR); none matches all
 * @param route weighted destinations; exclusive with {@code redirect}, {@code directResponse}, {@code delegate}
 * @param timeout a duration, e.g. {@code 1.5s}
 * @param mirror deprecated single mirror, see {@code mirrors}
 * @param mirrorPercentage share of requests mirrored to {@code mirror}
 * @param mirrorPercent deprecated integer form of {@code mirrorPercentage}
 */
public record HttpRoute(@Nullable String name, List<HttpMatchRequest> match, List<HttpRouteDestination> route,
        @Nullable HttpRedirect redirect, @Nullable HttpDirectResponse directResponse, @Nullable Delegate delegate,
        @Nullable HttpRewrite rewrite, @Nullable String timeout, @Nullable HttpRetry retries,
        @Nullable HttpFaultInjection fault, @Nullable Destination mirror, List<HttpMirrorPolicy> mirrors,
        @Nullable Percent mirrorPercentage, @Nullable Integer mirrorPercent, @Nullable CorsPolicy corsPolicy,
        @Nullable Headers headers) {

    public HttpRoute {
        match = Immutable.list(match);
        route = Immutable.list(route);
        mirrors = Immutable.list(mirrors);
    }
}
