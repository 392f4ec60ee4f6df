package dev.meshgate.proxy.upstream;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Envoy's back-off between retries ({@code retries.backoff} is its base interval, 25 ms when absent): fully
 * jittered exponential, retry number N waits a random time in {@code [0, (2^N - 1) * base)}, the bound capped at
 * ten times the base (Envoy's default {@code max_interval}), so that the retries of many clients spread out
 * instead of arriving together.
 *
 * <p>Not resilience4j's {@code IntervalFunction.ofExponentialRandomBackoff}: it draws around
 * {@code initial * multiplier^(N-1)} (never full jitter down to 0 with Envoy's {@code 2^N - 1} bound) and caps
 * the drawn value rather than the range, piling the long waits at the cap; see docs/protocol.md.
 */
final class RetryBackoff {

    /** Envoy's default back-off: base 25 ms, cap 250 ms. */
    static final RetryBackoff DEFAULT = new RetryBackoff(25);

    private final long baseMillis;
    private final long maxMillis;

    RetryBackoff(long baseMillis) {
        if (baseMillis < 1) {
            throw new IllegalArgumentException("baseMillis: " + baseMillis + " (expected: >= 1)");
        }
        this.baseMillis = baseMillis;
        this.maxMillis = baseMillis * 10;
    }

    /** The back-off for a policy's base interval; Envoy's default when it is 0 or less (not given). */
    static RetryBackoff of(long baseMillis) {
        return baseMillis <= 0 || baseMillis == DEFAULT.baseMillis ? DEFAULT : new RetryBackoff(baseMillis);
    }

    long baseMillis() {
        return baseMillis;
    }

    /** The wait before retry number {@code retry} (1 for the first retry), in milliseconds. */
    long delayMillis(int retry) {
        // (2^N - 1) * base reaches the cap (10 * base) from N = 4 on
        long upper = retry >= 4 ? maxMillis : Math.min(maxMillis, baseMillis * ((1L << Math.max(1, retry)) - 1));
        return ThreadLocalRandom.current().nextLong(upper);
    }
}
