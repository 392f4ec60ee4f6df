package dev.meshgate.core.translate.http;

import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

import dev.meshgate.core.networking.Durations;
import dev.meshgate.core.networking.StringMatch;
import dev.meshgate.core.networking.virtualservice.CorsPolicy;
import dev.meshgate.core.view.CorsSpec;
import dev.meshgate.core.view.MatchSpec.StringMatchSpec;

/**
 * Implements {@code VirtualService.spec.http[].corsPolicy}: {@code allowOrigins} (exact, prefix, regex), the
 * deprecated {@code allowOrigin} (exact origins, used when {@code allowOrigins} is empty, as in Istio),
 * {@code allowMethods}, {@code allowHeaders}, {@code exposeHeaders}, {@code maxAge} (whole seconds),
 * {@code allowCredentials} and {@code unmatchedPreflights} (FORWARD, Istio's default, or IGNORE). All sub-fields
 * supported. An origin {@code "*"} is kept as an exact match of {@code *}, which Envoy reads as "any origin".
 */
public final class CorsPolicyTranslator {

    private CorsPolicyTranslator() {
    }

    /** The CORS policy of a route, or null when it has none. */
    public static @Nullable CorsSpec translate(@Nullable CorsPolicy cors) {
        if (cors == null) {
            return null;
        }
        List<StringMatchSpec> origins = new ArrayList<>();
        if (!cors.allowOrigins().isEmpty()) {
            for (StringMatch origin : cors.allowOrigins()) {
                if (origin != null && origin.setCount() > 0) {
                    origins.add(HttpMatchRequestTranslator.of(origin));
                }
            }
        } else {
            for (String origin : cors.allowOrigin()) {
                if (origin != null) {
                    origins.add(new StringMatchSpec(StringMatchSpec.Type.EXACT, origin));
                }
            }
        }
        long maxAgeSeconds = cors.maxAge() == null ? -1 : Durations.millis(cors.maxAge(), -1000) / 1000;
        boolean forward = cors.unmatchedPreflights() != CorsPolicy.UnmatchedPreflights.IGNORE;
        return new CorsSpec(origins, cors.allowMethods(), cors.allowHeaders(), cors.exposeHeaders(), maxAgeSeconds,
                cors.allowCredentials(), forward);
    }
}
