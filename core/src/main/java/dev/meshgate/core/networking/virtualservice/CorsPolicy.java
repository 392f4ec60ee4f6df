package dev.meshgate.core.networking.virtualservice;

import java.util.List;

import dev.meshgate.core.networking.Immutable;
import dev.meshgate.core.networking.StringMatch;

import org.jspecify.annotations.Nullable;

/**
 * Istio's {@code CorsPolicy}.
 *
 * @param allowOrigin deprecated exact origins, see {@code allowOrigins}
 * @param maxAge a duration
 * @param unmatchedPreflights what to do with a preflight whose origin does not match
 */
public record CorsPolicy(List<StringMatch> allowOrigins, List<String> allowOrigin, List<String> allowMethods,
        List<String> allowHeaders, List<String> exposeHeaders, @Nullable String maxAge,
        @Nullable Boolean allowCredentials, @Nullable UnmatchedPreflights unmatchedPreflights) {

    public CorsPolicy {
        allowOrigins = Immutable.list(allowOrigins);
        allowOrigin = Immutable.list(allowOrigin);
        allowMethods = Immutable.list(allowMethods);
        allowHeaders = Immutable.list(allowHeaders);
        exposeHeaders = Immutable.list(exposeHeaders);
    }

    /** Istio's {@code CorsPolicy.UnmatchedPreflights}. */
    public enum UnmatchedPreflights {
        UNSPECIFIED,
        FORWARD,
        IGNORE
    }
}
