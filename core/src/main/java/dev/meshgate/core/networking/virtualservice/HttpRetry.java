package dev.meshgate.core.networking.virtualservice;

import org.jspecify.annotations.Nullable;

/**
 * Istio's {@code HTTPRetry}.
 *
 * @param attempts retries allowed for a request
 * @param perTryTimeout a duration
 * @param retryOn comma-separated conditions: {@code 5xx,gateway-error,connect-failure,retriable-4xx,503,...}
 * @param backoff base interval between retries, a duration
 */
public record HttpRetry(@Nullable Integer attempts, @Nullable String perTryTimeout, @Nullable String retryOn,
        @Nullable Boolean retryRemoteLocalities, @Nullable Boolean retryIgnorePreviousHosts,
        @Nullable String backoff) {
}
