package dev.meshgate.core.translate.cluster;

import org.jspecify.annotations.Nullable;

import dev.meshgate.core.networking.Durations;
import dev.meshgate.core.networking.destinationrule.OutlierDetection;
import dev.meshgate.core.view.OutlierDetectionSpec;

/**
 * Implements {@code trafficPolicy.outlierDetection}: {@code consecutive5xxErrors}, {@code consecutiveGatewayErrors},
 * the legacy {@code consecutiveErrors}, {@code interval}, {@code baseEjectionTime}, {@code maxEjectionPercent}
 * and {@code minHealthPercent}, with the defaults Istio's {@code applyOutlierDetection} leaves to Envoy.
 *
 * <ul>
 *   <li>{@code consecutive5xxErrors}: 5 when absent; an explicit 0 turns the check off.
 *   <li>{@code consecutiveGatewayErrors}: off (0) when absent.
 *   <li>{@code consecutiveErrors} (legacy, when above 0): counts gateway errors (502, 503, 504) and turns the 5xx
 *       check off, as Istio translated it (istio/api#617); the explicit fields win over it.
 *   <li>{@code interval} 10 s, {@code baseEjectionTime} 30 s, {@code maxEjectionPercent} 10 (also for an explicit
 *       0, which Istio cannot tell from absent), {@code minHealthPercent} 0 (panic mode off, Istio's choice).
 * </ul>
 * Not supported (validation reports them): {@code splitExternalLocalOriginErrors},
 * {@code consecutiveLocalOriginFailures}.
 */
public final class OutlierDetectionTranslator {

    static final int DEFAULT_CONSECUTIVE_5XX_ERRORS = 5;
    static final long DEFAULT_INTERVAL_MILLIS = 10_000;
    static final long DEFAULT_BASE_EJECTION_TIME_MILLIS = 30_000;
    static final int DEFAULT_MAX_EJECTION_PERCENT = 10;

    private OutlierDetectionTranslator() {
    }

    /** The outlier detection of a cluster, or null when {@code outlier} is null (none, as in Istio). */
    public static @Nullable OutlierDetectionSpec translate(@Nullable OutlierDetection outlier) {
        if (outlier == null) {
            return null;
        }
        int legacy = outlier.consecutiveErrors() == null ? 0 : outlier.consecutiveErrors();
        int consecutive5xx = legacy > 0 ? 0 : DEFAULT_CONSECUTIVE_5XX_ERRORS;
        int consecutiveGateway = legacy > 0 ? legacy : 0;
        if (outlier.consecutive5xxErrors() != null) {
            consecutive5xx = Math.max(0, outlier.consecutive5xxErrors());
        }
        if (outlier.consecutiveGatewayErrors() != null) {
            consecutiveGateway = Math.max(0, outlier.consecutiveGatewayErrors());
        }
        long interval = positive(Durations.millis(outlier.interval(), 0), DEFAULT_INTERVAL_MILLIS);
        long baseEjectionTime = positive(Durations.millis(outlier.baseEjectionTime(), 0),
                DEFAULT_BASE_EJECTION_TIME_MILLIS);
        Integer max = outlier.maxEjectionPercent();
        int maxEjectionPercent = max == null || max <= 0 ? DEFAULT_MAX_EJECTION_PERCENT : Math.min(100, max);
        Integer min = outlier.minHealthPercent();
        int minHealthPercent = min == null || min < 0 ? 0 : Math.min(100, min);
        return new OutlierDetectionSpec(consecutive5xx, consecutiveGateway, interval, baseEjectionTime,
                maxEjectionPercent, minHealthPercent);
    }

    private static long positive(long value, long fallback) {
        return value <= 0 ? fallback : value;
    }
}
