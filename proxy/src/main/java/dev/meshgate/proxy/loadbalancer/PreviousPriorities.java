package dev.meshgate.proxy.loadbalancer;

/**
 * The priority levels one request's tries went to, for {@code VirtualService.spec.http[].retries
 * .retryRemoteLocalities}: Envoy's {@code envoy.retry_priorities.previous_priorities} plugin, which pilot configures
 * with {@code update_frequency: 2}. One per request, used by its tries one after the other (not thread-safe).
 *
 * <ul>
 *   <li>Fewer than {@code updateFrequency} tries made: the cluster's own priority load (so under Istio's setting
 *       the first retry still follows it; the second retry is the first to avoid the levels tried).
 *   <li>After every {@code updateFrequency}-th try: every level tried so far is excluded, and the load is
 *       distributed over the remaining levels by their health, as Envoy's priority load is; between updates the
 *       last exclusion holds.
 *   <li>When the levels left have no health, the tried levels are forgotten and the cluster's load applies again
 *       (Envoy's reset: retries cycle through the levels).
 * </ul>
 *
 * <p>Levels are told apart by the endpoint's {@code priority} (0..62; higher priorities share one bit, which only
 * pilot-sized meshes with more than 62 failover levels would notice).
 */
public final class PreviousPriorities {

    /** Pilot's {@code update_frequency} for {@code retryRemoteLocalities}. */
    public static final int ISTIO_UPDATE_FREQUENCY = 2;

    private final int updateFrequency;
    private int attempted;
    private long attemptedLevels;
    private long excluded;

    /** @param updateFrequency how many tries share one priority load, at least 1 */
    public PreviousPriorities(int updateFrequency) {
        if (updateFrequency < 1) {
            throw new IllegalArgumentException("updateFrequency: " + updateFrequency + " (expected: >= 1)");
        }
        this.updateFrequency = updateFrequency;
    }

    /** Istio's plugin: the load is updated every two tries. */
    public static PreviousPriorities istio() {
        return new PreviousPriorities(ISTIO_UPDATE_FREQUENCY);
    }

    /** Records the endpoint a try went to. */
    public void attempted(LbEndpoint endpoint) {
        attempted++;
        attemptedLevels |= bit(endpoint.spec().priority());
    }

    /** The priorities (as bits, see {@link #bit}) the next try avoids; 0 for the cluster's own load. */
    long excluded() {
        if (attempted < updateFrequency) {
            return 0;
        }
        if (attempted % updateFrequency == 0) {
            excluded |= attemptedLevels;
        }
        return excluded;
    }

    /** Forgets the levels tried: every level was, or the ones left have no health. */
    void reset() {
        attempted = 0;
        attemptedLevels = 0;
        excluded = 0;
    }

    static long bit(int priority) {
        return 1L << Math.min(62, Math.max(0, priority));
    }
}
