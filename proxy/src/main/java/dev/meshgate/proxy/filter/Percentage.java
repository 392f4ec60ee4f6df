package dev.meshgate.proxy.filter;

import java.util.concurrent.ThreadLocalRandom;

/** Istio's {@code Percent} (0..100, fractions allowed) as a per-request draw. */
public final class Percentage {

    private Percentage() {
    }

    /** Whether this request falls in {@code percentage} % of requests: never at 0, always at 100. */
    public static boolean sample(double percentage) {
        if (percentage >= 100) {
            return true;
        }
        return percentage > 0 && ThreadLocalRandom.current().nextDouble(100) < percentage;
    }
}
