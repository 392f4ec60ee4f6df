package dev.meshgate.proxy.upstream;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Envoy's default back-off between retries: fully jittered exponential, the n-th retry waits a random time in
 * {@code [0, (2^n - 1) * 25 ms]}, capped at 250 ms (ten times the base), so that retries of many clients
 * spread instead of arriving together.
 */
final class RetryBackoff {

    static final long BASE_MILLIS = 25;
    static final long MAX_MILLIS = 250;

    private RetryBackoff() {
    }

    /** The wait before retry number {@code retry} (1 for the first retry), in milliseconds. */
    static long delayMillis(int retry) {
        long upper = retry >= 4 ? MAX_MILLIS : Math.min(MAX_MILLIS, BASE_MILLIS * ((1L << retry) - 1));
        return ThreadLocalRandom.current().nextLong(upper + 1);
    }
}
