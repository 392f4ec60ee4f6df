package dev.meshgate.proxy.discovery;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Delay before the n-th consecutive attempt to reach the control plane: doubling from the initial delay up to
 * the maximum, each drawn at random from its upper half so that proxies restarted together do not reconnect in
 * lockstep.
 */
final class ReconnectBackoff {

    private final Duration initial;
    private final Duration max;

    ReconnectBackoff(Duration initial, Duration max) {
        if (initial.isNegative() || initial.isZero()) {
            throw new IllegalArgumentException("initialBackoff: " + initial + " (expected: > 0)");
        }
        if (max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("maxBackoff: " + max + " (expected: >= initialBackoff " + initial + ")");
        }
        this.initial = initial;
        this.max = max;
    }

    /** The delay before attempt {@code failures + 1}, after {@code failures} consecutive failures (0 or more). */
    Duration delay(int failures) {
        long ceiling = max.toNanos();
        long nanos = initial.toNanos();
        for (int i = 0; i < failures && nanos < ceiling; i++) {
            nanos *= 2;
        }
        nanos = Math.min(nanos, ceiling);
        return Duration.ofNanos(nanos / 2 + ThreadLocalRandom.current().nextLong(nanos / 2 + 1));
    }
}
