package dev.meshgate.core.view;

import java.util.List;

import org.jspecify.annotations.Nullable;

import dev.meshgate.core.view.MatchSpec.StringMatchSpec;

/**
 * {@code VirtualService.spec.http[].corsPolicy}, compiled. The proxy answers preflight requests whose origin
 * matches and adds the CORS response headers to actual requests whose origin matches.
 *
 * @param allowOrigins origins as string matches ({@code allowOrigin}, the deprecated exact list, becomes EXACT
 *     matches)
 * @param allowMethods methods, as given
 * @param allowHeaders request headers, as given
 * @param exposeHeaders response headers, as given
 * @param maxAgeSeconds {@code Access-Control-Max-Age}, or -1 when not set
 * @param allowCredentials {@code Access-Control-Allow-Credentials}, when set
 * @param forwardUnmatchedPreflights {@code unmatchedPreflights}: true (FORWARD, Istio's default) passes a
 *     preflight whose origin does not match on to the upstream; false (IGNORE) answers it without CORS headers
 */
public record CorsSpec(List<StringMatchSpec> allowOrigins, List<String> allowMethods, List<String> allowHeaders,
        List<String> exposeHeaders, long maxAgeSeconds, @Nullable Boolean allowCredentials,
        boolean forwardUnmatchedPreflights) {

    public CorsSpec {
        allowOrigins = allowOrigins == null ? List.of() : List.copyOf(allowOrigins);
        allowMethods = allowMethods == null ? List.of() : List.copyOf(allowMethods);
        allowHeaders = allowHeaders == null ? List.of() : List.copyOf(allowHeaders);
        exposeHeaders = exposeHeaders == null ? List.of() : List.copyOf(exposeHeaders);
    }
}
