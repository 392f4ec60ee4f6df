package dev.meshgate.proxy.upstream;

/** How a try that got no response from the upstream ended. */
public enum TryFailure {
    /** The connect failed: refused, unreachable, unresolvable, or timed out ({@code tcp.connectTimeout}). */
    CONNECT_FAILURE,
    /** The connection was closed or reset before the response headers. */
    RESET,
    /** The try's {@code perTryTimeout} passed before the response headers. */
    PER_TRY_TIMEOUT
}
