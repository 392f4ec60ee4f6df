package dev.meshgate.core.networking;

import java.util.Locale;

import org.jspecify.annotations.Nullable;

/**
 * gRPC's status codes, by the names Istio's API spells them ({@code HTTPFaultInjection.Abort.grpcStatus}), with
 * the HTTP status Envoy maps each one to ({@code grpcToHttpStatus}) for a client that does not speak gRPC.
 */
public enum GrpcStatus {
    OK(200),
    CANCELLED(499),
    UNKNOWN(500),
    INVALID_ARGUMENT(400),
    DEADLINE_EXCEEDED(504),
    NOT_FOUND(404),
    ALREADY_EXISTS(409),
    PERMISSION_DENIED(403),
    RESOURCE_EXHAUSTED(429),
    FAILED_PRECONDITION(400),
    ABORTED(409),
    OUT_OF_RANGE(400),
    UNIMPLEMENTED(501),
    INTERNAL(500),
    UNAVAILABLE(503),
    DATA_LOSS(500),
    UNAUTHENTICATED(401);

    private final int httpStatus;

    GrpcStatus(int httpStatus) {
        this.httpStatus = httpStatus;
    }

    /** The code on the wire ({@code grpc-status}). */
    public int code() {
        return ordinal();
    }

    /** The HTTP status Envoy answers a non-gRPC request with in place of this code. */
    public int httpStatus() {
        return httpStatus;
    }

    /** The status named {@code name} (case-insensitively), or null when gRPC has no such code. */
    public static @Nullable GrpcStatus named(@Nullable String name) {
        if (name == null) {
            return null;
        }
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
