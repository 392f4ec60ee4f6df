package dev.meshgate.proxy.upstream;

/**
 * Envoy's two timers of one routed request, for every kind of upstream call: the route's timeout, which runs from the
 * request's start across all tries and back-offs (504 UT when it fires), and each try's per-try timeout (which ends
 * that try only). Says which of the two bounds the next try, and caps a back-off at what the route has left.
 */
final class TryTimer {

    /** When the route's timeout fires ({@link System#nanoTime()}), 0 for no route timeout. */
    private final long deadlineNanos;
    private boolean global;

    /** @param timeoutMillis the route's timeout, 0 for none */
    TryTimer(long timeoutMillis, long startNanos) {
        this.deadlineNanos = timeoutMillis > 0 ? startNanos + timeoutMillis * 1_000_000 : 0;
    }

    /**
     * The next try's timeout in ms given the per-try timeout ({@code 0} for none): -1 for no timeout at all, 0 when
     * the route's timeout has passed already.
     */
    long nextTryMillis(long perTryMillis) {
        if (deadlineNanos == 0) {
            global = false;
            return perTryMillis > 0 ? perTryMillis : -1;
        }
        long remaining = (deadlineNanos - System.nanoTime()) / 1_000_000;
        if (remaining <= 0) {
            global = true;
            return 0;
        }
        global = perTryMillis <= 0 || perTryMillis >= remaining;
        return global ? remaining : perTryMillis;
    }

    /** Whether the last try's timeout was the route's (a timeout then ends the request) rather than the per-try one. */
    boolean lastTryBoundByRoute() {
        return global;
    }

    /**
     * What is left of the route's timeout in ms for a response still streaming: -1 for no route timeout, at least
     * 1 otherwise (a deadline passing as the headers arrive still cuts the body at once, not never).
     */
    long remainingMillis() {
        return deadlineNanos == 0 ? -1 : Math.max(1, (deadlineNanos - System.nanoTime()) / 1_000_000);
    }

    /** A back-off of {@code delayMillis}, cut to what is left of the route's timeout. */
    long backoffMillis(long delayMillis) {
        return deadlineNanos == 0 ? delayMillis
                : Math.min(delayMillis, Math.max(0, (deadlineNanos - System.nanoTime()) / 1_000_000));
    }
}
