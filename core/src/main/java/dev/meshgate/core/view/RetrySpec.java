package dev.meshgate.core.view;

import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code VirtualService.spec.http[].retries}, compiled. The translator fills in Istio's default policy when
 * {@code retries} is absent; a route with {@code attempts: 0} has no RetrySpec at all.
 *
 * @param attempts retries after the first try (Istio counts retries, as Envoy's num_retries does), at least 1
 * @param perTryTimeoutMillis each try's timeout, 0 for none (the route's timeout still bounds all tries)
 * @param retryOn Envoy's retry-on tokens as written (validated against Istio's list, case-sensitive):
 *     {@code 5xx}, {@code gateway-error}, {@code reset}, {@code reset-before-request}, {@code connect-failure},
 *     {@code envoy-ratelimited}, {@code refused-stream}, {@code retriable-4xx}, {@code retriable-status-codes},
 *     {@code retriable-headers}, {@code http3-post-connect-failure}, {@code unavailable}, {@code cancelled},
 *     {@code deadline-exceeded}, {@code resource-exhausted}, {@code internal}; sorted
 * @param retriableStatusCodes the numeric codes of {@code retryOn} (Istio lets codes stand among the tokens);
 *     they are retried when {@code retriable-status-codes} is on, which the translator adds when codes are given;
 *     sorted
 * @param retryRemoteLocalities whether retries may go to endpoints of other localities
 * @param retryIgnorePreviousHosts whether a retry prefers an endpoint not tried yet for this request (Envoy's
 *     {@code previous_hosts} predicate, Istio's default); false lets the load balancer pick any endpoint
 * @param backoffMillis the base interval of Envoy's back-off between retries ({@code retries.backoff}; Envoy's
 *     25 ms when absent); the cap is ten times it
 */
public record RetrySpec(int attempts, long perTryTimeoutMillis, Set<String> retryOn, Set<Integer> retriableStatusCodes,
        boolean retryRemoteLocalities, boolean retryIgnorePreviousHosts, long backoffMillis) {

    /** Envoy's base back-off interval when {@code retries.backoff} is absent. */
    public static final long DEFAULT_BACKOFF_MILLIS = 25;

    public RetrySpec {
        // sorted, so that the view's serialized form (and its content-hash version) is the same in every JVM
        retryOn = retryOn == null ? Set.of() : Collections.unmodifiableSortedSet(new TreeSet<>(retryOn));
        retriableStatusCodes = retriableStatusCodes == null ? Set.of()
                : Collections.unmodifiableSortedSet(new TreeSet<>(retriableStatusCodes));
    }

    /** A policy with Istio's defaults for the previous-hosts predicate (on) and back-off (Envoy's 25 ms). */
    public RetrySpec(int attempts, long perTryTimeoutMillis, Set<String> retryOn, Set<Integer> retriableStatusCodes,
            boolean retryRemoteLocalities) {
        this(attempts, perTryTimeoutMillis, retryOn, retriableStatusCodes, retryRemoteLocalities, true,
                DEFAULT_BACKOFF_MILLIS);
    }
}
