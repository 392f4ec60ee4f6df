package dev.meshgate.proxy.telemetry;

import org.jspecify.annotations.Nullable;

/**
 * What distinguishes one series of Istio's metrics from another on this proxy: the few values that vary per
 * request. The peer and the service are shared objects (compared by value, hashed from cached strings), so the
 * key is one small allocation and the lookup hashes no label text.
 *
 * @param config the view's metrics config the series were computed under
 * @param host {@code request.host}, only when a tag override uses it (else null)
 */
record SeriesKey(MetricsConfig config, boolean destination, WorkloadLabels peer, ServiceLabels service, int code,
        int flags, boolean grpc, String grpcStatus, boolean mtls, @Nullable String principal, @Nullable String host,
        @Nullable String method, @Nullable String scheme) {
}
