package dev.meshgate.proxy.loadbalancer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;
import org.springframework.web.server.ServerWebExchange;

/**
 * Envoy's priority levels and locality-weighted load balancing, over the priorities and locality weights the
 * control plane computed for this proxy ({@code localityLbSetting}): the cluster's own policy (round robin, least
 * request, random, consistent hash) then picks within one locality of one level.
 *
 * <ul>
 *   <li>Priority load: a level's health is {@code min(100, 140 * un-ejected / endpoints)} (integer percent; the
 *       overprovisioning factor 1.4), the normalized total health {@code min(100, sum of healths)}. Level
 *       {@code i} takes {@code min(what is left, health_i * 100 / normalized total)} percent of requests, and the
 *       rounding remainder goes to the first level with any health. So P0 keeps all traffic until fewer than
 *       ~72 % of its endpoints remain, then spills to P1, and so on; when every level is partly unhealthy the
 *       loads are scaled up to 100 %. When no level has health left (every endpoint ejected: outlier detection's
 *       panic, or the cluster answers 503 UH) the load follows the levels' sizes (Envoy's total panic).
 *   <li>Panic, per level as Envoy's: while fewer than {@code minHealthPercent} of a level's endpoints are
 *       un-ejected, a try sent to that level picks among all of its endpoints, ejected ones included; the loads
 *       still follow the healths. (A cluster without levels keeps the cluster-wide panic of its outlier detector.)
 *   <li>Locality weights ({@code distribute}): within a level, a locality is drawn with probability proportional
 *       to {@code weight * min(100, 140 * un-ejected / endpoints)}, so an unhealthy locality sheds its share to
 *       the others of the level.
 * </ul>
 *
 * <p>The loads and locality weights are recomputed when outlier detection ejects or returns an endpoint (rare),
 * not per request: a choice is one volatile read, two random draws over arrays of a few entries, and the
 * policy's own choice. When the chosen locality has no eligible endpoint (ejected or already tried by a retry),
 * the other localities of its level are tried, then the other levels that take load, best priority first; a level
 * with no load is never a fallback, so a retry stays in the local level unless {@code retryRemoteLocalities} asks
 * for the levels not tried yet ({@link PreviousPriorities}, loads recomputed over the remaining levels' health).
 */
final class PriorityLoadBalancer implements LoadBalancer {

    /** Envoy's default overprovisioning factor, 1.4, in percent. */
    static final int OVERPROVISIONING = 140;

    /** Every locality group, by level then locality, in priority order. */
    private final Group[][] levels;
    /** Each level's {@code priority}, ascending. */
    private final int[] priorities;
    private final boolean localityWeighted;
    /** {@code minHealthPercent}: a level with fewer healthy endpoints balances over all of its endpoints. */
    private final int panicThreshold;
    private final AtomicInteger version = new AtomicInteger();
    private volatile Loads loads;

    private PriorityLoadBalancer(Group[][] levels, int[] priorities, boolean localityWeighted, int panicThreshold) {
        this.levels = levels;
        this.priorities = priorities;
        this.panicThreshold = panicThreshold;
        this.localityWeighted = localityWeighted;
        this.loads = compute();
    }

    /**
     * A balancer over {@code endpoints} grouped by their priority (and, when any has a locality weight, by
     * locality within a level), each group balanced by a policy from {@code policy}.
     */
    static PriorityLoadBalancer of(List<LbEndpoint> endpoints, Function<List<LbEndpoint>, LoadBalancer> policy) {
        return of(endpoints, policy, 0);
    }

    /**
     * As {@link #of(List, Function)}, each level in panic while fewer than {@code panicThreshold} percent of its
     * endpoints are healthy (Envoy's per-priority panic; 0 never).
     */
    static PriorityLoadBalancer of(List<LbEndpoint> endpoints, Function<List<LbEndpoint>, LoadBalancer> policy,
            int panicThreshold) {
        boolean weighted = false;
        for (LbEndpoint e : endpoints) {
            weighted |= e.spec().localityWeight() > 0;
        }
        Map<Integer, Map<String, List<LbEndpoint>>> byLevel = new TreeMap<>();
        for (LbEndpoint e : endpoints) {
            String locality = weighted && e.spec().locality() != null ? e.spec().locality() : "";
            byLevel.computeIfAbsent(Math.max(0, e.spec().priority()), k -> new LinkedHashMap<>())
                    .computeIfAbsent(locality, k -> new ArrayList<>()).add(e);
        }
        Group[][] levels = new Group[byLevel.size()][];
        int[] priorities = byLevel.keySet().stream().mapToInt(Integer::intValue).toArray();
        int i = 0;
        for (Map<String, List<LbEndpoint>> localities : byLevel.values()) {
            List<Group> groups = new ArrayList<>();
            for (List<LbEndpoint> members : localities.values()) {
                int weight = 0;
                for (LbEndpoint e : members) {
                    weight = Math.max(weight, e.spec().localityWeight());
                }
                groups.add(new Group(policy.apply(members), members.size(), Math.max(1, weight)));
            }
            levels[i++] = groups.toArray(Group[]::new);
        }
        PriorityLoadBalancer balancer = new PriorityLoadBalancer(levels, priorities, weighted, panicThreshold);
        for (Group[] level : levels) {
            for (Group group : level) {
                group.owner = balancer;
            }
        }
        int l = 0;
        for (Map<String, List<LbEndpoint>> localities : byLevel.values()) {
            int g = 0;
            for (List<LbEndpoint> members : localities.values()) {
                Group group = levels[l][g++];
                for (LbEndpoint e : members) {
                    e.healthListener(group);
                }
            }
            l++;
        }
        return balancer;
    }

    @Override
    public @Nullable LbEndpoint choose(ServerWebExchange exchange, List<LbEndpoint> excluded, boolean includeEjected) {
        return choose(exchange, excluded, includeEjected, null);
    }

    @Override
    public @Nullable LbEndpoint choose(ServerWebExchange exchange, List<LbEndpoint> excluded, boolean includeEjected,
            @Nullable PreviousPriorities priorities) {
        Loads current = loads;
        int[] cumulativeLoad = current.cumulativeLoad;
        if (priorities != null) {
            long skip = priorities.excluded();
            if (skip != 0) {
                int[] adjusted = loadExcluding(current, skip);
                if (adjusted == null) {
                    priorities.reset();
                } else {
                    cumulativeLoad = adjusted;
                }
            }
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int level = pick(cumulativeLoad, random.nextInt(100));
        Group[] groups = levels[level];
        // the level in panic (minHealthPercent) balances over all of its endpoints
        boolean levelEjectedToo = includeEjected || current.panic[level];
        int first = 0;
        if (groups.length > 1) {
            long[] cumulative = current.cumulativeWeight[level];
            long total = cumulative[cumulative.length - 1];
            first = total > 0 ? pick(cumulative, random.nextLong(total)) : random.nextInt(groups.length);
        }
        LbEndpoint endpoint = groups[first].balancer.choose(exchange, excluded, levelEjectedToo);
        if (endpoint != null) {
            return endpoint;
        }
        // The chosen locality has nothing eligible: the rest of its level, then the other levels that take load.
        for (int g = 0; g < groups.length; g++) {
            if (g != first) {
                endpoint = groups[g].balancer.choose(exchange, excluded, levelEjectedToo);
                if (endpoint != null) {
                    return endpoint;
                }
            }
        }
        for (int l = 0; l < levels.length; l++) {
            if (l == level || cumulativeLoad[l] == (l == 0 ? 0 : cumulativeLoad[l - 1])) {
                // A level without load is not a fallback: a retry that tried every endpoint of the local level
                // goes back to one of them (the caller drops the tried list), as Envoy's previous_hosts predicate
                // does once its host selection attempts run out; leaving the level is retryRemoteLocalities' job.
                continue;
            }
            for (Group group : levels[l]) {
                endpoint = group.balancer.choose(exchange, excluded, includeEjected || current.panic[l]);
                if (endpoint != null) {
                    return endpoint;
                }
            }
        }
        return null;
    }

    /**
     * The cumulative priority load over the levels whose priority is not in {@code skip}, distributed by their
     * health as the cluster's own load is; null when those levels have no health left.
     */
    private int @Nullable [] loadExcluding(Loads current, long skip) {
        int n = levels.length;
        int[] health = new int[n];
        int sum = 0;
        for (int l = 0; l < n; l++) {
            if ((skip & PreviousPriorities.bit(priorities[l])) == 0) {
                health[l] = current.health[l];
                sum += health[l];
            }
        }
        if (sum == 0) {
            return null;
        }
        int[] load = distribute(health, Math.min(100, sum));
        int total = 0;
        for (int l = 0; l < n; l++) {
            total += load[l];
            load[l] = total;
        }
        return load;
    }

    /** The priority load per level, in percent summing to 100 (for the admin endpoint and tests). */
    int[] priorityLoad() {
        int[] cumulative = loads.cumulativeLoad;
        int[] load = new int[cumulative.length];
        for (int i = 0; i < load.length; i++) {
            load[i] = cumulative[i] - (i == 0 ? 0 : cumulative[i - 1]);
        }
        return load;
    }

    @Override
    public List<PriorityLevelStatus> priorityLevels() {
        Loads current = loads;
        int[] cumulative = current.cumulativeLoad;
        List<PriorityLevelStatus> out = new ArrayList<>(levels.length);
        for (int l = 0; l < levels.length; l++) {
            out.add(new PriorityLevelStatus(priorities[l], current.total[l], current.healthy[l], current.health[l],
                    cumulative[l] - (l == 0 ? 0 : cumulative[l - 1]), current.panic[l]));
        }
        return out;
    }

    private static int pick(int[] cumulative, int draw) {
        for (int i = 0; i < cumulative.length; i++) {
            if (draw < cumulative[i]) {
                return i;
            }
        }
        return 0;
    }

    private static int pick(long[] cumulative, long draw) {
        for (int i = 0; i < cumulative.length; i++) {
            if (draw < cumulative[i]) {
                return i;
            }
        }
        return 0;
    }

    /**
     * A level's (or locality's) health in percent: un-ejected share times the overprovisioning factor, capped at
     * 100, in Envoy's integer arithmetic.
     */
    static int health(int healthy, int total) {
        return total <= 0 ? 0 : (int) Math.min(100, (long) OVERPROVISIONING * healthy / total);
    }

    /**
     * Envoy's priority load for levels with {@code healthy} of {@code total} endpoints un-ejected each: the
     * percentage of requests each level takes (see the class comment).
     */
    static int[] priorityLoad(int[] healthy, int[] total) {
        int n = healthy.length;
        int[] health = new int[n];
        int sum = 0;
        for (int i = 0; i < n; i++) {
            health[i] = health(healthy[i], total[i]);
            sum += health[i];
        }
        int normalized = Math.min(100, sum);
        if (normalized == 0) {
            // Total panic: by the levels' sizes.
            int[] load = new int[n];
            long hosts = 0;
            for (int t : total) {
                hosts += t;
            }
            int left = 100;
            for (int i = 0; i < n && hosts > 0; i++) {
                load[i] = (int) Math.min(left, 100L * total[i] / hosts);
                left -= load[i];
            }
            load[0] += left;
            return load;
        }
        return distribute(health, normalized);
    }

    /**
     * Envoy's distribution of 100 % over levels by their health: level {@code i} takes
     * {@code min(what is left, health_i * 100 / normalized)}, the rounding remainder going to the first level with
     * any health.
     */
    private static int[] distribute(int[] health, int normalized) {
        int n = health.length;
        int[] load = new int[n];
        int left = 100;
        int firstAvailable = -1;
        for (int i = 0; i < n; i++) {
            load[i] = Math.min(left, health[i] * 100 / normalized);
            left -= load[i];
            if (firstAvailable < 0 && health[i] > 0) {
                firstAvailable = i;
            }
        }
        load[firstAvailable] += left;
        return load;
    }

    /** Recomputes the loads from the groups' counters; the last writer always publishes what it last read. */
    private void recompute() {
        while (true) {
            int seen = version.get();
            loads = compute();
            if (version.get() == seen) {
                return;
            }
        }
    }

    private Loads compute() {
        int n = levels.length;
        int[] healthy = new int[n];
        int[] total = new int[n];
        long[][] weights = new long[n][];
        for (int l = 0; l < n; l++) {
            Group[] groups = levels[l];
            weights[l] = new long[groups.length];
            long cumulative = 0;
            for (int g = 0; g < groups.length; g++) {
                Group group = groups[g];
                int up = Math.max(0, group.size - group.ejected.get());
                healthy[l] += up;
                total[l] += group.size;
                if (localityWeighted) {
                    cumulative += (long) group.weight * health(up, group.size);
                }
                weights[l][g] = cumulative;
            }
        }
        int[] load = priorityLoad(healthy, total);
        int[] health = new int[n];
        boolean[] panic = new boolean[n];
        for (int l = 0; l < n; l++) {
            health[l] = health(healthy[l], total[l]);
            panic[l] = panicThreshold > 0 && 100L * healthy[l] < (long) panicThreshold * total[l];
        }
        int[] cumulativeLoad = new int[n];
        int sum = 0;
        for (int i = 0; i < n; i++) {
            sum += load[i];
            cumulativeLoad[i] = sum;
        }
        return new Loads(cumulativeLoad, health, panic, healthy, total, weights);
    }

    /**
     * What a choice reads: the priority loads as cumulative percentages, each level's health (for a retry that
     * avoids levels already tried) and panic (with its counts, for the admin endpoint), and per level the
     * cumulative effective
     * locality weights (all 0 without locality weighting, or when every locality of the level is ejected: then
     * localities are drawn uniformly).
     */
    private record Loads(int[] cumulativeLoad, int[] health, boolean[] panic, int[] healthy, int[] total,
            long[][] cumulativeWeight) {
    }

    /** The endpoints of one locality at one level, with their own balancer and ejection count. */
    private static final class Group implements LbEndpoint.HealthListener {
        final LoadBalancer balancer;
        final int size;
        final int weight;
        final AtomicInteger ejected = new AtomicInteger();
        @Nullable PriorityLoadBalancer owner;

        Group(LoadBalancer balancer, int size, int weight) {
            this.balancer = balancer;
            this.size = size;
            this.weight = weight;
        }

        @Override
        public void ejectedChanged(boolean value) {
            ejected.addAndGet(value ? 1 : -1);
            PriorityLoadBalancer balancer = owner;
            if (balancer != null) {
                balancer.version.incrementAndGet();
                balancer.recompute();
            }
        }
    }
}
