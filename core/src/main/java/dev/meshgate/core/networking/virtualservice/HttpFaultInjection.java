package dev.meshgate.core.networking.virtualservice;

import dev.meshgate.core.networking.Percent;

import org.jspecify.annotations.Nullable;

/** Istio's {@code HTTPFaultInjection}: delay and/or abort a share of the requests. */
public record HttpFaultInjection(@Nullable Delay delay, @Nullable Abort abort) {

    /**
     * Istio's {@code HTTPFaultInjection.Delay}.
     *
     * @param fixedDelay a duration, required
     * @param percent deprecated integer form of {@code percentage}
     */
    public record Delay(@Nullable String fixedDelay, @Nullable String exponentialDelay, @Nullable Percent percentage,
            @Nullable Integer percent) {
    }

    /**
     * Istio's {@code HTTPFaultInjection.Abort}: one of {@code httpStatus}, {@code grpcStatus}, {@code http2Error}.
     *
     * @param percent Istio 1.0's integer form of {@code percentage}, which tutorials still use; honoured with a
     *     deprecation warning
     */
    public record Abort(@Nullable Integer httpStatus, @Nullable String grpcStatus, @Nullable String http2Error,
            @Nullable Percent percentage, @Nullable Integer percent) {

        /** An abort without the legacy {@code percent}. */
        public Abort(@Nullable Integer httpStatus, @Nullable String grpcStatus, @Nullable String http2Error,
                @Nullable Percent percentage) {
            this(httpStatus, grpcStatus, http2Error, percentage, null);
        }
    }
}
