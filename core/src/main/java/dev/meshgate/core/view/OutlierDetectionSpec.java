package dev.meshgate.core.view;

/**
 * {@code trafficPolicy.outlierDetection}, compiled, with Istio's defaults filled in.
 *
 * @param consecutive5xxErrors 5xx responses (and local failures: connect failure, reset, timeout) in a row
 *     that eject an endpoint; 0 disables this check (Istio default 5)
 * @param consecutiveGatewayErrors 502, 503 and 504 responses (and local failures) in a row that eject an
 *     endpoint; 0 disables (Istio default 0). The legacy {@code consecutiveErrors} arrives here
 * @param intervalMillis how often ejections are reconsidered (Istio default 10 s)
 * @param baseEjectionTimeMillis an ejection lasts this long times the number of times the endpoint was
 *     ejected (Istio default 30 s)
 * @param maxEjectionPercent at most this share of the cluster's endpoints is ejected at once (Istio default
 *     10)
 * @param minHealthPercent below this share of healthy endpoints the cluster is in panic and uses every
 *     endpoint (Istio default 0: never)
 */
public record OutlierDetectionSpec(int consecutive5xxErrors, int consecutiveGatewayErrors, long intervalMillis,
        long baseEjectionTimeMillis, int maxEjectionPercent, int minHealthPercent) {
}
