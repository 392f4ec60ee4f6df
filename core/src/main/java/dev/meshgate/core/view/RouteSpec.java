package dev.meshgate.core.view;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * One {@code VirtualService.spec.http[]} entry, compiled. Exactly one of {@code route}, {@code redirect} and
 * {@code directResponse} is set.
 *
 * @param id stable: {@code <namespace>.<virtual-service>.<http-index>}, or {@code default.<cluster>} for the
 *     route of a service that no VirtualService routes
 * @param name the Istio {@code http[].name}, when given
 * @param matches OR of the {@code match} conditions; empty matches every request
 * @param route weighted destinations
 * @param redirect a redirect answered by the proxy
 * @param directResponse a response answered by the proxy
 * @param rewrite applied before forwarding
 * @param requestHeaders {@code headers.request} operations for every destination
 * @param responseHeaders {@code headers.response} operations for every destination
 * @param timeoutMillis {@code http[].timeout}: the whole request, retries included; 0 for none (Istio's
 *     default)
 * @param retries {@code http[].retries} (Istio's default policy when absent), null when retries are off
 * @param fault {@code http[].fault}, when set
 * @param mirrors {@code http[].mirror} and {@code mirrors[]}
 * @param cors {@code http[].corsPolicy}, when set
 */
public record RouteSpec(String id, @Nullable String name, List<MatchSpec> matches, @Nullable RouteAction route,
        @Nullable RedirectAction redirect, @Nullable DirectResponse directResponse, @Nullable RewriteSpec rewrite,
        HeaderOps requestHeaders, HeaderOps responseHeaders, long timeoutMillis, @Nullable RetrySpec retries,
        @Nullable FaultSpec fault, List<MirrorSpec> mirrors, @Nullable CorsSpec cors) {

    public RouteSpec {
        matches = matches == null ? List.of() : List.copyOf(matches);
        requestHeaders = requestHeaders == null ? HeaderOps.NONE : requestHeaders;
        responseHeaders = responseHeaders == null ? HeaderOps.NONE : responseHeaders;
        mirrors = mirrors == null ? List.of() : List.copyOf(mirrors);
    }

    /** A route without timeout, retries, fault, mirrors or CORS. */
    public RouteSpec(String id, @Nullable String name, List<MatchSpec> matches, @Nullable RouteAction route,
            @Nullable RedirectAction redirect, @Nullable DirectResponse directResponse, @Nullable RewriteSpec rewrite,
            HeaderOps requestHeaders, HeaderOps responseHeaders) {
        this(id, name, matches, route, redirect, directResponse, rewrite, requestHeaders, responseHeaders, 0, null,
                null, List.of(), null);
    }

    /** {@code http[].route}: where the request goes, by weight. Weights sum to 100. */
    public record RouteAction(List<WeightedCluster> clusters) {
        public RouteAction {
            clusters = clusters == null ? List.of() : List.copyOf(clusters);
        }
    }

    /** {@code http[].route[]}: one destination, its weight and its own header operations. */
    public record WeightedCluster(String cluster, int weight, HeaderOps requestHeaders, HeaderOps responseHeaders) {
        public WeightedCluster {
            requestHeaders = requestHeaders == null ? HeaderOps.NONE : requestHeaders;
            responseHeaders = responseHeaders == null ? HeaderOps.NONE : responseHeaders;
        }
    }

    /**
     * {@code http[].redirect}. Null fields keep the request's value.
     *
     * @param code the redirect status (301 by default, as in Istio)
     */
    public record RedirectAction(@Nullable String uri, @Nullable String authority, @Nullable String scheme,
            @Nullable Integer port, int code) {
    }

    /** {@code http[].directResponse}: status and optional body answered by the proxy. */
    public record DirectResponse(int status, @Nullable String body) {
    }

    /**
     * {@code http[].rewrite}. {@code uri} replaces the part of the path matched by a prefix match (or the whole
     * path for other matches), as Envoy's prefix_rewrite does.
     */
    public record RewriteSpec(@Nullable String uri, @Nullable String authority) {
    }
}
