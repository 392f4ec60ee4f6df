package dev.meshgate.it.harness;

import static org.awaitility.Awaitility.await;

import java.time.Duration;

import org.awaitility.core.ConditionFactory;

/** How long and how often the harness waits for the programs: generous, because two busy cores run them all. */
public final class Readiness {

    /**
     * From {@code java -jar} to a healthy program. A proxy starts in about 10 s alone; six JVMs starting at once
     * on two cores that other builds also use took 80 s here (load average 24), and an ingress gateway 163 s at load
     * average 40 to 60 and 274 s at 65 to 70 (builds and other meshes beside the test run), hence the margin: a
     * program that exits fails the wait at once, so the bound only matters for one that hangs.
     */
    public static final Duration START = Duration.ofSeconds(600);

    /** For proxies to (re)connect and ack a view; covers the proxies' 5 s maximum reconnect backoff. */
    public static final Duration SYNC = Duration.ofSeconds(30);

    private Readiness() {
    }

    /**
     * An Awaitility wait that polls often (a short poll interval keeps measured latencies honest) and stops at
     * once when a process it depends on has died, instead of waiting out the timeout.
     */
    public static ConditionFactory waitUpTo(Duration atMost) {
        return await().atMost(atMost)
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(20))
                .ignoreExceptionsMatching(e -> !(e instanceof ProcessExitedException));
    }

    /** Waits until {@code GET 127.0.0.1:<port><path>} answers 200. */
    static void awaitHttpOk(JavaProcess process, int port, String path) {
        waitUpTo(START).pollInterval(Duration.ofMillis(50))
                .alias(process.name() + " answering 200 on 127.0.0.1:" + port + path)
                .until(() -> {
                    process.assertAlive();
                    return AdminClient.status(port, path) == 200;
                });
        System.out.printf("%s ready %d ms after start%n", process.name(), process.millisSinceStart());
    }
}
