package dev.meshgate.core.translate.cluster;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import org.jspecify.annotations.Nullable;

import dev.meshgate.core.networking.destinationrule.LoadBalancerSettings.LocalityLoadBalancerSetting;
import dev.meshgate.core.registry.Locality;
import dev.meshgate.core.view.EndpointSpec;

/**
 * Implements {@code trafficPolicy.loadBalancer.localityLbSetting} and MeshConfig's {@code localityLbSetting} for one
 * proxy, as pilot's {@code ApplyLocalityLoadBalancer} does: it gives each endpoint of a cluster a priority level
 * (failover) or its locality a weight (distribute), relative to the proxy's own locality. The proxy's load
 * balancer then keeps traffic on the best priority while it is healthy enough and spills over as outlier detection
 * ejects endpoints (Envoy's priority levels with overprovisioning factor 1.4), or picks localities by weight.
 *
 * <ul>
 *   <li>Which setting: the DestinationRule's (after the subset and port merge) when it has one, unless its
 *       {@code enabled} is false (then none); else the mesh's, unless its {@code enabled} is false. Istio's mesh
 *       default is enabled with no rules, i.e. default failover.
 *   <li>{@code distribute}: the first entry whose {@code from} matches the proxy's locality; each {@code to}
 *       locality (wildcards allowed) takes the endpoints of the localities it matches and not matched by an
 *       earlier one (in the rule's order), their locality weights splitting its percentage in proportion to their
 *       endpoints' weights (rounded up, as pilot does). Endpoints of a locality no {@code to} names are left out.
 *       No matching entry: every locality weighs the sum of its endpoints' weights.
 *   <li>Failover, only when the cluster has outlier detection (Istio's rule: without ejections the proxy would
 *       never leave priority 0) and no {@code distribute}: with {@code failoverPriority}, an endpoint whose labels
 *       agree with the proxy's on every listed label is priority 0, one differing first at label {@code j} of
 *       {@code n} is priority {@code n - j} ({@code label=value} compares with that value instead of the proxy's);
 *       the region, zone and subzone labels of a locality count as labels. Without {@code failoverPriority}, or
 *       with it and {@code failover}: same subzone 0, same zone 1, same region 2, another region 3, or 4 when a
 *       {@code failover} entry from the proxy's region names another region than the endpoint's. Both together
 *       combine as {@code labels * 5 + locality}. Levels are then renumbered 0, 1, 2 ... without gaps.
 * </ul>
 * A proxy whose locality is unknown counts as the locality with empty region (so endpoints without locality are
 * its nearest), as in Istio.
 */
public final class LocalityLbSettingTranslator {

    private LocalityLbSettingTranslator() {
    }

    /**
     * The setting in force: {@code rule}'s, else {@code mesh}'s (null: Istio's default, enabled with no rules);
     * null when the one chosen is disabled.
     */
    static @Nullable LocalityLoadBalancerSetting effective(@Nullable LocalityLoadBalancerSetting rule,
            @Nullable LocalityLoadBalancerSetting mesh) {
        if (rule != null) {
            return Boolean.FALSE.equals(rule.enabled()) ? null : rule;
        }
        if (mesh == null) {
            return new LocalityLoadBalancerSetting(List.of(), List.of(), List.of(), true);
        }
        return Boolean.FALSE.equals(mesh.enabled()) ? null : mesh;
    }

    /**
     * {@code endpoints} with the priorities or locality weights of {@code setting} for a proxy at
     * {@code proxyLocality} with {@code proxyLabels}.
     *
     * @param setting from {@link #effective}; null leaves the endpoints as they are
     * @param outlierDetection whether the cluster's traffic policy has outlier detection (failover needs it)
     */
    public static List<EndpointSpec> apply(List<EndpointSpec> endpoints, @Nullable LocalityLoadBalancerSetting setting,
            boolean outlierDetection, Locality proxyLocality, Map<String, String> proxyLabels) {
        if (setting == null || endpoints.isEmpty()) {
            return endpoints;
        }
        if (!setting.distribute().isEmpty()) {
            return distribute(endpoints, setting.distribute(), proxyLocality);
        }
        if (!outlierDetection) {
            return endpoints;
        }
        int n = endpoints.size();
        int[] priorities = new int[n];
        boolean byLabels = !setting.failoverPriority().isEmpty();
        if (byLabels) {
            Map<String, String> proxy = withTopology(proxyLabels, proxyLocality);
            for (int i = 0; i < n; i++) {
                EndpointSpec e = endpoints.get(i);
                priorities[i] = labelPriority(setting.failoverPriority(), proxy,
                        withTopology(e.labels(), locality(e)));
            }
        }
        if (!byLabels || !setting.failover().isEmpty()) {
            for (int i = 0; i < n; i++) {
                priorities[i] = priorities[i] * 5 + localityPriority(proxyLocality, locality(endpoints.get(i)),
                        setting.failover());
            }
        }
        TreeSet<Integer> levels = new TreeSet<>();
        for (int p : priorities) {
            levels.add(p);
        }
        if (levels.size() == 1) {
            return endpoints; // everything at one level: priority 0
        }
        Map<Integer, Integer> rank = new HashMap<>();
        for (int level : levels) {
            rank.put(level, rank.size());
        }
        List<EndpointSpec> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(endpoints.get(i).withPriority(rank.get(priorities[i]), 0));
        }
        return out;
    }

    /** The endpoint's locality: its {@code locality}, else its {@code istio-locality} or topology labels. */
    static Locality locality(EndpointSpec endpoint) {
        return Locality.of(endpoint.locality(), endpoint.labels());
    }

    private static int localityPriority(Locality proxy, Locality endpoint,
            List<LocalityLoadBalancerSetting.Failover> failover) {
        int priority = proxy.distanceTo(endpoint);
        if (priority == 3) {
            for (LocalityLoadBalancerSetting.Failover f : failover) {
                if (f != null && proxy.region().equals(f.from())) {
                    if (!endpoint.region().equals(f.to())) {
                        priority = 4;
                    }
                    break;
                }
            }
        }
        return priority;
    }

    private static int labelPriority(List<String> failoverPriority, Map<String, String> proxy,
            Map<String, String> endpoint) {
        int n = failoverPriority.size();
        for (int j = 0; j < n; j++) {
            String entry = failoverPriority.get(j) == null ? "" : failoverPriority.get(j);
            int eq = entry.indexOf('=');
            String label = eq < 0 ? entry : entry.substring(0, eq);
            String wanted = eq < 0 ? proxy.getOrDefault(label, "") : entry.substring(eq + 1);
            if (!wanted.equals(endpoint.getOrDefault(label, ""))) {
                return n - j;
            }
        }
        return 0;
    }

    /** {@code labels} plus the topology labels of {@code locality} (as Istio augments workload labels). */
    private static Map<String, String> withTopology(Map<String, String> labels, Locality locality) {
        if (locality.isUnknown()) {
            return labels;
        }
        Map<String, String> out = new HashMap<>(labels);
        out.putIfAbsent(Locality.REGION_LABEL, locality.region());
        if (!locality.zone().isEmpty()) {
            out.putIfAbsent(Locality.ZONE_LABEL, locality.zone());
        }
        if (!locality.subzone().isEmpty()) {
            out.putIfAbsent(Locality.SUBZONE_LABEL, locality.subzone());
        }
        return out;
    }

    private static List<EndpointSpec> distribute(List<EndpointSpec> endpoints,
            List<LocalityLoadBalancerSetting.Distribute> rules, Locality proxyLocality) {
        // Envoy's LocalityLbEndpoints: the endpoints grouped by locality, in order of first appearance.
        Map<String, List<Integer>> groups = new LinkedHashMap<>();
        Map<String, Long> groupWeights = new HashMap<>();
        for (int i = 0; i < endpoints.size(); i++) {
            String key = locality(endpoints.get(i)).toString();
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(i);
            groupWeights.merge(key, (long) Math.max(1, endpoints.get(i).weight()), Long::sum);
        }
        Map<String, Integer> localityWeights = new HashMap<>();
        LocalityLoadBalancerSetting.Distribute rule = null;
        for (LocalityLoadBalancerSetting.Distribute candidate : rules) {
            if (candidate != null && candidate.from() != null && proxyLocality.matches(candidate.from())) {
                rule = candidate;
                break;
            }
        }
        if (rule == null) {
            groupWeights.forEach((key, weight) -> localityWeights.put(key, (int) Math.min(Integer.MAX_VALUE, weight)));
        } else {
            for (Map.Entry<String, Integer> to : rule.to().entrySet()) {
                int percent = to.getValue() == null ? 0 : to.getValue();
                List<String> matched = new ArrayList<>();
                long total = 0;
                for (String key : groups.keySet()) {
                    if (!localityWeights.containsKey(key) && !matched.contains(key)
                            && Locality.parse(key).matches(to.getKey())) {
                        matched.add(key);
                        total += groupWeights.get(key);
                    }
                }
                for (String key : matched) {
                    long weight = (groupWeights.get(key) * percent + total - 1) / total;
                    // A weight of 0 cannot pass validation; keep the locality at its own weight as pilot would.
                    localityWeights.put(key, (int) Math.max(1, weight > 0 ? weight : groupWeights.get(key)));
                }
            }
        }
        List<EndpointSpec> out = new ArrayList<>(endpoints.size());
        for (EndpointSpec e : endpoints) {
            Integer weight = localityWeights.get(locality(e).toString());
            if (weight != null) {
                out.add(e.withPriority(0, weight));
            }
        }
        return out;
    }
}
