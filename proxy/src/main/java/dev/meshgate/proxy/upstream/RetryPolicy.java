package dev.meshgate.proxy.upstream;

import io.netty.handler.codec.http.HttpHeaders;

import dev.meshgate.core.view.RetrySpec;

/**
 * Implements {@code VirtualService.spec.http[].retries} at request time: which outcomes of a try are retried, as
 * Envoy's {@code retry_on} decides them, precomputed into bits and a status table.
 *
 * <ul>
 * <li>{@code 5xx}: any 5xx response, and a try with no response (connect failure, reset, per-try timeout);</li>
 * <li>{@code gateway-error}: 502, 503, 504, and a try with no response;</li>
 * <li>{@code reset}: a try with no response (connect failure, reset, per-try timeout);</li>
 * <li>{@code connect-failure}: a failed connect (refused, unreachable, connect timeout);</li>
 * <li>{@code reset-before-request}: a try that failed before its request was sent, i.e. a failed connect (a reset
 * after connecting cannot be told apart from one after sending, so it is not retried under this token);</li>
 * <li>{@code envoy-ratelimited}: a response carrying {@code x-envoy-ratelimited} (set by an Envoy upstream);</li>
 * <li>{@code retriable-4xx}: 409;</li>
 * <li>{@code retriable-status-codes}: the numeric codes of {@code retryOn};</li>
 * <li>{@code cancelled}, {@code deadline-exceeded}, {@code internal}, {@code resource-exhausted},
 * {@code unavailable}: a response whose headers carry that {@code grpc-status} (a gRPC trailers-only answer);</li>
 * <li>{@code refused-stream}, {@code http3-post-connect-failure}: HTTP/2 and HTTP/3 conditions; upstream
 * connections are HTTP/1.1, so they never apply;</li>
 * <li>{@code retriable-headers}: Istio has no field for Envoy's {@code retriable_headers}, so it matches
 * nothing.</li>
 * </ul>
 * Between tries it waits Envoy's jittered back-off ({@code retries.backoff}, see {@link RetryBackoff}); a retry
 * prefers an endpoint not tried yet unless {@code retryIgnorePreviousHosts} is false, and, with
 * {@code retryRemoteLocalities}, from the second retry on a priority level (locality) not tried yet.
 */
public final class RetryPolicy {

    private static final int ON_5XX = 1;
    private static final int ON_GATEWAY_ERROR = 1 << 1;
    private static final int ON_RESET = 1 << 2;
    private static final int ON_CONNECT_FAILURE = 1 << 3;
    private static final int ON_RETRIABLE_4XX = 1 << 4;
    private static final int ON_STATUS_CODES = 1 << 5;
    private static final int ON_RESET_BEFORE_REQUEST = 1 << 6;
    private static final int ON_RATELIMITED = 1 << 7;
    private static final int NO_RESPONSE = ON_5XX | ON_GATEWAY_ERROR | ON_RESET;

    private final int attempts;
    private final long perTryTimeoutMillis;
    private final int on;
    /** Indexed by status code (100..599): retried when true. */
    private final boolean[] statuses = new boolean[600];
    /** Indexed by gRPC status code (0..16): retried when true. */
    private final boolean[] grpcStatuses = new boolean[17];
    private final boolean anyGrpc;
    private final boolean ignorePreviousHosts;
    private final boolean remoteLocalities;
    private final RetryBackoff backoff;

    private RetryPolicy(RetrySpec spec) {
        this.attempts = spec.attempts();
        this.perTryTimeoutMillis = spec.perTryTimeoutMillis();
        this.ignorePreviousHosts = spec.retryIgnorePreviousHosts();
        this.remoteLocalities = spec.retryRemoteLocalities();
        this.backoff = RetryBackoff.of(spec.backoffMillis());
        int bits = 0;
        for (String token : spec.retryOn()) {
            switch (token) {
                case "5xx" -> bits |= ON_5XX;
                case "gateway-error" -> bits |= ON_GATEWAY_ERROR;
                case "reset" -> bits |= ON_RESET;
                case "connect-failure" -> bits |= ON_CONNECT_FAILURE;
                case "reset-before-request" -> bits |= ON_RESET_BEFORE_REQUEST;
                case "envoy-ratelimited" -> bits |= ON_RATELIMITED;
                case "retriable-4xx" -> bits |= ON_RETRIABLE_4XX;
                case "retriable-status-codes" -> bits |= ON_STATUS_CODES;
                case "cancelled" -> grpcStatuses[1] = true;
                case "deadline-exceeded" -> grpcStatuses[4] = true;
                case "resource-exhausted" -> grpcStatuses[8] = true;
                case "internal" -> grpcStatuses[13] = true;
                case "unavailable" -> grpcStatuses[14] = true;
                default -> {
                    // refused-stream, http3-post-connect-failure, retriable-headers: see the class comment.
                    // Unknown tokens do not reach here: core validation rejects them.
                }
            }
        }
        this.on = bits;
        for (int s = 500; s < 600 && (bits & ON_5XX) != 0; s++) {
            statuses[s] = true;
        }
        if ((bits & ON_GATEWAY_ERROR) != 0) {
            statuses[502] = statuses[503] = statuses[504] = true;
        }
        if ((bits & ON_RETRIABLE_4XX) != 0) {
            statuses[409] = true;
        }
        if ((bits & ON_STATUS_CODES) != 0) {
            for (int code : spec.retriableStatusCodes()) {
                if (code >= 0 && code < statuses.length) {
                    statuses[code] = true;
                }
            }
        }
        boolean grpc = false;
        for (boolean g : grpcStatuses) {
            grpc |= g;
        }
        this.anyGrpc = grpc;
    }

    /** The policy of a route's retries, or null when the route does not retry (no RetrySpec, or 0 attempts). */
    public static RetryPolicy of(RetrySpec spec) {
        return new RetryPolicy(spec);
    }

    /** Retries after the first try. */
    public int attempts() {
        return attempts;
    }

    /** Each try's timeout; 0 for none. */
    public long perTryTimeoutMillis() {
        return perTryTimeoutMillis;
    }

    /** Whether a retry prefers an endpoint not tried yet (Envoy's {@code previous_hosts} predicate). */
    public boolean ignorePreviousHosts() {
        return ignorePreviousHosts;
    }

    /**
     * Whether retries avoid the priority levels (localities) already tried ({@code retryRemoteLocalities}: Envoy's
     * {@code previous_priorities} plugin as pilot configures it, see {@link
     * dev.meshgate.proxy.loadbalancer.PreviousPriorities}).
     */
    public boolean remoteLocalities() {
        return remoteLocalities;
    }

    /** The wait before retry number {@code retry} (1 for the first retry), in milliseconds. */
    public long backoffMillis(int retry) {
        return backoff.delayMillis(retry);
    }

    /** Whether a response with this status and headers is retried. */
    public boolean retriesResponse(int status, HttpHeaders headers) {
        if (status >= 0 && status < statuses.length && statuses[status]) {
            return true;
        }
        if ((on & ON_RATELIMITED) != 0 && headers.contains("x-envoy-ratelimited")) {
            return true;
        }
        if (anyGrpc) {
            String grpc = headers.get("grpc-status");
            if (grpc != null && grpc.length() <= 2) {
                try {
                    int code = Integer.parseInt(grpc);
                    return code >= 0 && code < grpcStatuses.length && grpcStatuses[code];
                } catch (NumberFormatException e) {
                    return false;
                }
            }
        }
        return false;
    }

    /** Whether a try that got no response is retried. */
    public boolean retriesFailure(TryFailure failure) {
        return switch (failure) {
            case CONNECT_FAILURE -> (on & (NO_RESPONSE | ON_CONNECT_FAILURE | ON_RESET_BEFORE_REQUEST)) != 0;
            case RESET, PER_TRY_TIMEOUT -> (on & NO_RESPONSE) != 0;
        };
    }

    @Override
    public String toString() {
        return "RetryPolicy[attempts=" + attempts + ", perTryTimeout=" + perTryTimeoutMillis + "ms, backoff="
                + backoff.baseMillis() + "ms, ignorePreviousHosts=" + ignorePreviousHosts
                + ", remoteLocalities=" + remoteLocalities + "]";
    }
}
