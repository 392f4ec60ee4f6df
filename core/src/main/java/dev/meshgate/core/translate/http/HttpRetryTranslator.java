package dev.meshgate.core.translate.http;

import java.util.LinkedHashSet;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import dev.meshgate.core.networking.Durations;
import dev.meshgate.core.networking.virtualservice.HttpRetry;
import dev.meshgate.core.view.RetrySpec;

/**
 * Implements {@code VirtualService.spec.http[].retries}: {@code attempts}, {@code perTryTimeout}, {@code retryOn}
 * (Envoy's tokens and numeric status codes) and {@code retryRemoteLocalities}, as Istio's
 * {@code retry.ConvertPolicy} does.
 *
 * <ul>
 *   <li>{@code retries} absent: Istio's default policy, 2 retries on
 *       {@code connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes} with 503 retriable.
 *   <li>{@code attempts: 0}: no retries (null).
 *   <li>Otherwise the default policy with the given fields overriding it: without {@code retryOn} the default
 *       tokens and codes stay; with it, numeric tokens become retriable status codes and
 *       {@code retriable-status-codes} is added when codes are given.
 * </ul>
 * Not supported (validation reports them): {@code backoff}, {@code retryIgnorePreviousHosts} (a retry always
 * prefers an endpoint not yet tried, Istio's default).
 */
public final class HttpRetryTranslator {

    /** Istio's default {@code retryOn}. */
    public static final Set<String> DEFAULT_RETRY_ON =
            Set.of("connect-failure", "refused-stream", "unavailable", "cancelled", "retriable-status-codes");

    /** Istio's default retriable status codes (unless PILOT_EXCLUDE_503_FROM_DEFAULT_RETRIES is set). */
    public static final Set<Integer> DEFAULT_RETRIABLE_STATUS_CODES = Set.of(503);

    /** Istio's default number of retries. */
    public static final int DEFAULT_ATTEMPTS = 2;

    /** Istio's retry policy for a route without {@code retries}. */
    public static final RetrySpec DEFAULT =
            new RetrySpec(DEFAULT_ATTEMPTS, 0, DEFAULT_RETRY_ON, DEFAULT_RETRIABLE_STATUS_CODES, false);

    private static final String RETRIABLE_STATUS_CODES = "retriable-status-codes";

    private HttpRetryTranslator() {
    }

    /** The retry policy of a route with {@code retries}; null when retries are disabled. */
    public static @Nullable RetrySpec translate(@Nullable HttpRetry retries) {
        if (retries == null) {
            return DEFAULT;
        }
        if (retries.attempts() == null || retries.attempts() <= 0) {
            // Istio reads an absent attempts as 0, which disables retries (validation warns about it)
            return null;
        }
        Set<String> retryOn = DEFAULT_RETRY_ON;
        Set<Integer> codes = DEFAULT_RETRIABLE_STATUS_CODES;
        if (retries.retryOn() != null && !retries.retryOn().isBlank()) {
            retryOn = new LinkedHashSet<>();
            codes = new LinkedHashSet<>();
            for (String part : retries.retryOn().split(",")) {
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
        long perTryTimeout = Durations.millis(retries.perTryTimeout(), 0);
        boolean remote = Boolean.TRUE.equals(retries.retryRemoteLocalities());
        return new RetrySpec(retries.attempts(), perTryTimeout, retryOn, codes, remote);
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
