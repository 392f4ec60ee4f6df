package dev.meshgate.core.translate.cluster;

import dev.meshgate.core.networking.destinationrule.ClientTlsSettings;

import org.jspecify.annotations.Nullable;

import dev.meshgate.core.networking.destinationrule.ConnectionPoolSettings;
import dev.meshgate.core.networking.destinationrule.DestinationRule;
import dev.meshgate.core.networking.destinationrule.LoadBalancerSettings;
import dev.meshgate.core.networking.destinationrule.OutlierDetection;
import dev.meshgate.core.networking.destinationrule.Subset;
import dev.meshgate.core.networking.destinationrule.TrafficPolicy;
import dev.meshgate.core.view.TrafficPolicySpec;

/**
 * Implements {@code DestinationRule.spec.trafficPolicy}, its {@code portLevelSettings} and
 * {@code subsets[].trafficPolicy}: the policy in force for one cluster, merged as Istio's
 * {@code MergeSubsetTrafficPolicy} does.
 *
 * <ol>
 *   <li>The rule's policy, or the {@code portLevelSettings} entry for the cluster's port when there is one. A
 *       port-level entry replaces the rule's policy as a whole: a setting it leaves out takes Istio's default,
 *       not the rule's value.
 *   <li>For a subset with a policy: each setting (loadBalancer, connectionPool, outlierDetection) the subset
 *       sets replaces the one from step 1; when the subset's policy has a {@code portLevelSettings} entry for
 *       the port, that entry replaces all three (absent ones becoming defaults).
 * </ol>
 * The settings themselves are translated by {@link LoadBalancerSettingsTranslator},
 * {@link ConnectionPoolSettingsTranslator} and {@link OutlierDetectionTranslator}. Not supported (validation
 * reports them): {@code tls}, {@code tunnel}, {@code proxyProtocol}, {@code retryBudget}.
 */
public final class TrafficPolicyTranslator {

    private TrafficPolicyTranslator() {
    }

    /**
     * The policy for the cluster of {@code rule}'s host at {@code port}, narrowed to {@code subset} when not
     * null; {@link TrafficPolicySpec#DEFAULT} when no rule applies.
     */
    public static TrafficPolicySpec translate(@Nullable DestinationRule rule, int port, @Nullable String subset) {
        if (rule == null) {
            return TrafficPolicySpec.DEFAULT;
        }
        Settings merged = merge(rule, port, subset);
        if (merged == null) {
            return TrafficPolicySpec.DEFAULT;
        }
        return new TrafficPolicySpec(LoadBalancerSettingsTranslator.translate(merged.loadBalancer()),
                ConnectionPoolSettingsTranslator.translate(merged.connectionPool()),
                OutlierDetectionTranslator.translate(merged.outlierDetection()),
                ClientTlsSettingsTranslator.translate(merged.tls()));
    }

    /** The settings in force, before translation; null when neither the rule nor the subset has a policy. */
    static @Nullable Settings merge(DestinationRule rule, int port, @Nullable String subset) {
        Settings original = atPort(rule.trafficPolicy(), port);
        TrafficPolicy subsetPolicy = subset == null ? null : subsetPolicy(rule, subset);
        if (subsetPolicy == null) {
            return original;
        }
        Settings override = atPort(subsetPolicy, port);
        boolean portLevel = portEntry(subsetPolicy, port) != null;
        if (original == null) {
            return override;
        }
        return new Settings(
                override.loadBalancer() != null || portLevel ? override.loadBalancer() : original.loadBalancer(),
                override.connectionPool() != null || portLevel ? override.connectionPool()
                        : original.connectionPool(),
                override.outlierDetection() != null || portLevel ? override.outlierDetection()
                        : original.outlierDetection(),
                override.tls() != null || portLevel ? override.tls() : original.tls());
    }

    private static @Nullable TrafficPolicy subsetPolicy(DestinationRule rule, String subset) {
        for (Subset candidate : rule.subsets()) {
            if (subset.equals(candidate.name())) {
                return candidate.trafficPolicy();
            }
        }
        return null;
    }

    /** {@code policy}'s settings for {@code port}: its port-level entry for that port when it has one. */
    private static @Nullable Settings atPort(@Nullable TrafficPolicy policy, int port) {
        if (policy == null) {
            return null;
        }
        TrafficPolicy.PortTrafficPolicy entry = portEntry(policy, port);
        if (entry != null) {
            return new Settings(entry.loadBalancer(), entry.connectionPool(), entry.outlierDetection(), entry.tls());
        }
        return new Settings(policy.loadBalancer(), policy.connectionPool(), policy.outlierDetection(),
                policy.tls());
    }

    private static TrafficPolicy.@Nullable PortTrafficPolicy portEntry(TrafficPolicy policy, int port) {
        for (TrafficPolicy.PortTrafficPolicy entry : policy.portLevelSettings()) {
            if (entry != null && entry.port() != null && entry.port().number() != null
                    && entry.port().number() == port) {
                return entry;
            }
        }
        return null;
    }

    /** The settings meshgate implements, as written in the rule (null: Istio's default). */
    record Settings(@Nullable LoadBalancerSettings loadBalancer, @Nullable ConnectionPoolSettings connectionPool,
            @Nullable OutlierDetection outlierDetection, @Nullable ClientTlsSettings tls) {
    }
}
