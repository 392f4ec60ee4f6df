package dev.meshgate.proxy.loadbalancer;

/**
 * One priority level of a cluster as the proxy balances over it now, for the admin endpoint (Envoy's per-priority
 * figures of its clusters view).
 *
 * @param priority the endpoints' {@code priority} (0 the nearest)
 * @param endpoints endpoints at this level
 * @param healthy of them, not ejected by outlier detection
 * @param health {@code min(100, 140 × healthy / endpoints)}, in percent
 * @param load the share of requests the level takes, in percent (the levels sum to 100)
 * @param panic whether fewer than {@code minHealthPercent} of its endpoints are healthy: the level then balances
 *     over all of them, ejected or not
 */
public record PriorityLevelStatus(int priority, int endpoints, int healthy, int health, int load, boolean panic) {
}
