package dev.meshgate.proxy.upstream;

import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Envoy's back-off between retries ({@code retries.backoff} is its base interval, 25 ms when absent): fully
 * jittered exponential, as Envoy's router computes it ({@code JitteredExponentialBackOffStrategy}): retry N waits
 * a uniform random time in {@code [0, bound(N))}, where the bound starts at the base and doubles while it is below
 * half the cap, then is the cap, ten times the base (Envoy's default {@code max_interval}): with the 25 ms default,
 * 25, 50, 100, 200, then 250 ms. The retries of many clients spread out instead of arriving together. (Envoy's
 * router documentation still gives the older series {@code (2^N - 1) * base}; its code, which decides, doubles.)
 *
 * <p>Not resilience4j's {@code IntervalFunction.ofExponentialRandomBackoff}: it draws around
 * {@code initial * multiplier^(N-1)} in {@code [1, 2 * interval]} (never 0, the bound included) and caps the drawn
 * value rather than the bound, piling the long waits on the cap; see docs/protocol.md, "resilience4j".
 */
final class RetryBackoff {

    /** Envoy's default back-off: base 25 ms, cap 250 ms. */
    static final RetryBackoff DEFAULT = new RetryBackoff(25);

    private final long baseMillis;
    /** The bound of retry N at index N - 1, up to the first that is the cap (which every later retry keeps). */
    private final long[] bounds;

    RetryBackoff(long baseMillis) {
        if (baseMillis < 1) {
            throw new IllegalArgumentException("baseMillis: " + baseMillis + " (expected: >= 1)");
        }
        this.baseMillis = baseMillis;
        long max = baseMillis * 10;
        long[] b = new long[8];
        int n = 0;
        long bound = baseMillis;
        while (true) {
            b[n++] = bound;
            if (bound == max) {
                break;
            }
            // Envoy doubles the interval while it is below max_interval / 2, else jumps to max_interval.
            bound = bound < max / 2 ? bound * 2 : max;
        }
        this.bounds = Arrays.copyOf(b, n);
    }

    /** The back-off for a policy's base interval; Envoy's default when it is 0 or less (not given). */
    static RetryBackoff of(long baseMillis) {
        return baseMillis <= 0 || baseMillis == DEFAULT.baseMillis ? DEFAULT : new RetryBackoff(baseMillis);
    }

    long baseMillis() {
        return baseMillis;
    }

    /** The exclusive upper bound of the wait before retry number {@code retry} (1 for the first retry). */
    long boundMillis(int retry) {
        return bounds[Math.min(Math.max(1, retry), bounds.length) - 1];
    }

    /** The wait before retry number {@code retry} (1 for the first retry), in milliseconds. */
    long delayMillis(int retry) {
        return ThreadLocalRandom.current().nextLong(boundMillis(retry));
    }
}
