package dev.meshgate.core.view;

import org.jspecify.annotations.Nullable;

/**
 * {@code VirtualService.spec.http[].fault}, compiled: faults the proxy injects before forwarding.
 *
 * @param delay delays a share of requests, when set
 * @param abort answers a share of requests with a status, without forwarding them, when set
 */
public record FaultSpec(@Nullable Delay delay, @Nullable Abort abort) {

    /**
     * @param fixedDelayMillis how long the request is held before it is forwarded
     * @param percentage share of requests delayed, 0..100 (Istio's {@code percentage.value}, or the legacy
     *     integer {@code percent}; 100 when neither is given)
     */
    public record Delay(long fixedDelayMillis, double percentage) {
    }

    /**
     * @param httpStatus the status answered
     * @param percentage share of requests aborted, 0..100 (100 when not given)
     */
    public record Abort(int httpStatus, double percentage) {
    }
}
