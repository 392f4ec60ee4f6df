package dev.meshgate.bench.scenario;

import java.time.Duration;

import dev.meshgate.bench.BenchSettings;

/**
 * Warms a target up until its throughput stops changing: closed-loop rounds (wrk, or the gRPC generator's) of {@link #ROUND} until two
 * successive rounds agree within {@link #TOLERANCE}, after at least {@link #MINIMUM} (a JIT can pause on a plateau
 * for two rounds) and at most the settings' warm-up time. A fixed ten seconds was not
 * enough: a sidecar's C2 compiler was still compiling after 50,000 requests, so the figures measured the JIT, not the
 * proxy (docs/performance.md, December 2026). The time it took is reported beside the figures.
 */
public final class WarmUp {

    /** The length of one round. */
    public static final Duration ROUND = Duration.ofSeconds(5);

    /** The shortest warm-up (or the settings' warm-up, if shorter). */
    public static final Duration MINIMUM = Duration.ofSeconds(30);

    /** How far apart two successive rounds' throughputs may be, as a share of the earlier, to count as steady. */
    public static final double TOLERANCE = 0.05;

    private WarmUp() {
    }

    /** Runs the rounds of {@code load}'s closed loop and returns the seconds they took. */
    static double run(Load load, BenchSettings settings) throws InterruptedException {
        Duration round = settings.warmup().compareTo(ROUND) < 0 ? settings.warmup() : ROUND;
        Duration minimum = settings.warmup().compareTo(MINIMUM) < 0 ? settings.warmup() : MINIMUM;
        long start = System.nanoTime();
        double previous = Double.NaN;
        while (true) {
            double current = load.saturate(round).requestsPerSecond();
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            boolean longEnough = elapsed.compareTo(minimum) >= 0;
            if (longEnough && steady(previous, current) || elapsed.plus(round).compareTo(settings.warmup()) > 0) {
                return elapsed.toMillis() / 1000.0;
            }
            previous = current;
        }
    }

    /** Whether {@code current} is within {@link #TOLERANCE} of {@code previous} (NaN: no earlier round). */
    static boolean steady(double previous, double current) {
        return previous > 0 && Math.abs(current - previous) <= TOLERANCE * previous;
    }
}
