package dev.meshgate.core.translate.http;

import java.util.LinkedHashSet;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import dev.meshgate.core.networking.Durations;
import dev.meshgate.core.networking.virtualservice.HttpRetry;
import dev.meshgate.core.view.RetrySpec;

/**
 * Implements {@code VirtualService.spec.http[].retries}: {@code attempts}, {@code perTryTimeout}, {@code retryOn}
 * (Envoy's tokens and numeric status codes), {@code retryRemoteLocalities}, {@code retryIgnorePreviousHosts} and
 * {@code backoff}, as Istio's {@code retry.ConvertPolicy} does.
 *
 * <ul>
 *   <li>{@code retries} absent: MeshConfig's {@code defaultHttpRetryPolicy} when one is given, else Istio's default
 *       policy ({@link #DEFAULT}): 2 retries on {@code connect-failure,refused-stream,unavailable,cancelled}. Since
 *       Istio 1.24 no status code is retriable by default: an application's 503 may come from a request that was
 *       processed, and retrying it (a POST included) is not safe (Istio's
 *       {@code EXCLUDE_UNSAFE_503_FROM_DEFAULT_RETRY}; its Envoy policy keeps the {@code retriable-status-codes}
 *       token with an empty code list, which retries nothing, so it is left out here).
 *   <li>{@code attempts: 0} (or absent): no retries (null).
 *   <li>Otherwise the default policy with the given fields overriding it: without {@code retryOn} the default
 *       tokens stay; with it, numeric tokens become retriable status codes and {@code retriable-status-codes} is
 *       added when codes are given; {@code backoff} is the base interval of Envoy's back-off (25 ms when absent);
 *       {@code retryIgnorePreviousHosts} defaults to true.
 * </ul>
 */
public final class HttpRetryTranslator {

    /** Istio's default {@code retryOn} (1.24 and later). */
    public static final Set<String> DEFAULT_RETRY_ON =
            Set.of("connect-failure", "refused-stream", "unavailable", "cancelled");

    /** Istio's default number of retries. */
    public static final int DEFAULT_ATTEMPTS = 2;

    /**
     * Istio's retry policy for a route without {@code retries} when MeshConfig gives no
     * {@code defaultHttpRetryPolicy}: the one definition of the default, which that field replaces.
     */
    public static final RetrySpec DEFAULT = new RetrySpec(DEFAULT_ATTEMPTS, 0, DEFAULT_RETRY_ON, Set.of(), false,
            true, RetrySpec.DEFAULT_BACKOFF_MILLIS);

    private static final String RETRIABLE_STATUS_CODES = "retriable-status-codes";

    private HttpRetryTranslator() {
    }

    /** The retry policy of a route, with Istio's default policy when {@code retries} is absent. */
    public static @Nullable RetrySpec translate(@Nullable HttpRetry retries) {
        return translate(retries, null);
    }

    /**
     * The retry policy of a route; null when retries are disabled.
     *
     * @param retries the route's {@code retries}
     * @param meshDefault MeshConfig's {@code defaultHttpRetryPolicy}, used when the route has no {@code retries}
     *     (as Istio does); null for Istio's built-in default
     */
    public static @Nullable RetrySpec translate(@Nullable HttpRetry retries, @Nullable HttpRetry meshDefault) {
        HttpRetry policy = retries != null ? retries : meshDefault;
        if (policy == null) {
            return DEFAULT;
        }
        if (policy.attempts() == null || policy.attempts() <= 0) {
            // Istio reads an absent attempts as 0, which disables retries (validation warns about it)
            return null;
        }
        Set<String> retryOn = DEFAULT_RETRY_ON;
        Set<Integer> codes = DEFAULT.retriableStatusCodes();
        if (policy.retryOn() != null && !policy.retryOn().isBlank()) {
            retryOn = new LinkedHashSet<>();
            codes = new LinkedHashSet<>();
            for (String part : policy.retryOn().split(",")) {
                String token = part.strip();
                if (token.isEmpty()) {
                    continue;
                }
                Integer code = statusCode(token);
                if (code != null) {
                    codes.add(code);
                } else {
                    retryOn.add(token);
                }
            }
            if (!codes.isEmpty()) {
                retryOn.add(RETRIABLE_STATUS_CODES);
            }
        }
        long perTryTimeout = Durations.millis(policy.perTryTimeout(), 0);
        boolean remote = Boolean.TRUE.equals(policy.retryRemoteLocalities());
        boolean ignorePrevious = !Boolean.FALSE.equals(policy.retryIgnorePreviousHosts());
        long backoff = Math.max(1, Durations.millis(policy.backoff(), RetrySpec.DEFAULT_BACKOFF_MILLIS));
        return new RetrySpec(policy.attempts(), perTryTimeout, retryOn, codes, remote, ignorePrevious, backoff);
    }

    /** The status code {@code token} names (an integer in 100..599), or null when it is a condition name. */
    static @Nullable Integer statusCode(String token) {
        if (token.isEmpty() || token.length() > 3 || !token.chars().allMatch(Character::isDigit)) {
            return null;
        }
        int code = Integer.parseInt(token);
        return code >= 100 && code <= 599 ? code : null;
    }
}
