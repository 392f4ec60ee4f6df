package dev.meshgate.core.view;

import org.jspecify.annotations.Nullable;

import com.fasterxml.jackson.annotation.JsonInclude;

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
     *     integer {@code percent}; 0 when neither is given: as in Istio and Envoy's fault filter, an unset
     *     percentage delays no request, and validation warns, MG0117)
     */
    public record Delay(long fixedDelayMillis, double percentage) {
    }

    /**
     * @param httpStatus the status answered (for a {@code grpcStatus} abort, Envoy's HTTP status for that code,
     *     answered to a request that is not gRPC)
     * @param percentage share of requests aborted, 0..100 (0 when not given, as in Istio; validation warns)
     * @param grpcStatus {@code abort.grpcStatus} as its code, answered to a gRPC request as {@code grpc-status}
     *     in a trailers-only HTTP 200 response; null when the abort is by {@code httpStatus}
     */
    public record Abort(int httpStatus, double percentage,
            @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable Integer grpcStatus) {

        /** An abort by {@code httpStatus}. */
        public Abort(int httpStatus, double percentage) {
            this(httpStatus, percentage, null);
        }
    }
}
