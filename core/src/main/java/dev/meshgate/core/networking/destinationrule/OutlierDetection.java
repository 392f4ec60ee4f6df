package dev.meshgate.core.networking.destinationrule;

import org.jspecify.annotations.Nullable;

/**
 * Istio's {@code OutlierDetection}: ejection of endpoints that keep failing.
 *
 * @param interval a duration
 * @param baseEjectionTime a duration
 * @param consecutiveErrors deprecated, see {@code consecutive5xxErrors}
 */
public record OutlierDetection(@Nullable Boolean splitExternalLocalOriginErrors,
        @Nullable Integer consecutiveLocalOriginFailures, @Nullable Integer consecutiveGatewayErrors,
        @Nullable Integer consecutive5xxErrors, @Nullable String interval, @Nullable String baseEjectionTime,
        @Nullable Integer maxEjectionPercent, @Nullable Integer minHealthPercent,
        @Nullable Integer consecutiveErrors) {
}
