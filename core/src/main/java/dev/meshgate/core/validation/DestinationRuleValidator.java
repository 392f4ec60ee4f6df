package dev.meshgate.core.validation;

import java.util.HashMap;
import java.util.Map;

import dev.meshgate.core.networking.Percent;
import dev.meshgate.core.networking.destinationrule.ConnectionPoolSettings;
import dev.meshgate.core.networking.destinationrule.DestinationRule;
import dev.meshgate.core.networking.destinationrule.LoadBalancerSettings;
import dev.meshgate.core.networking.destinationrule.OutlierDetection;
import dev.meshgate.core.networking.destinationrule.Subset;
import dev.meshgate.core.networking.destinationrule.TrafficPolicy;

import org.jspecify.annotations.Nullable;

/**
 * Validates a {@code DestinationRule}. meshgate implements host, subsets (name, labels) and exportTo; traffic
 * policies (load balancer, connection pool, outlier detection, TLS, port-level settings, tunnel, proxy
 * protocol, retry budget) and workloadSelector are reported unsupported, their durations and ports still checked.
 */
final class DestinationRuleValidator {

    private DestinationRuleValidator() {
    }

    static void validate(DestinationRule spec, Problems problems) {
        if (spec.host() == null || spec.host().isBlank()) {
            problems.add(DiagnosticCode.DR_HOST_REQUIRED, "spec.host", "host is required");
        } else {
            FieldChecks.host(problems, "spec.host", spec.host());
        }
        Map<String, Integer> firstIndex = new HashMap<>();
        for (int i = 0; i < spec.subsets().size(); i++) {
            Subset subset = spec.subsets().get(i);
            String field = "spec.subsets[" + i + "]";
            String name = subset.name();
            if (name == null || name.isEmpty()) {
                problems.add(DiagnosticCode.DR_SUBSET_NAME_REQUIRED, field + ".name", "subset name is required");
            } else {
                Integer first = firstIndex.putIfAbsent(name, i);
                if (first != null) {
                    problems.add(DiagnosticCode.DR_DUPLICATE_SUBSET, field + ".name", "duplicate subset name \""
                            + name + "\" (also spec.subsets[" + first + "])");
                }
                if (!FieldChecks.isDnsLabel(name)) {
                    problems.add(DiagnosticCode.DR_INVALID_SUBSET_NAME, field + ".name", "invalid subset name \""
                            + name + "\" (expected a DNS-1123 label: lower-case letters, digits, '-')");
                }
            }
            trafficPolicy(problems, field + ".trafficPolicy", subset.trafficPolicy());
        }
        trafficPolicy(problems, "spec.trafficPolicy", spec.trafficPolicy());
        FieldChecks.exportTo(problems, "spec.exportTo", spec.exportTo());
        problems.unsupported("spec.workloadSelector", spec.workloadSelector());
    }

    private static void trafficPolicy(Problems problems, String field, @Nullable TrafficPolicy policy) {
        if (policy == null) {
            return;
        }
        loadBalancer(problems, field + ".loadBalancer", policy.loadBalancer());
        connectionPool(problems, field + ".connectionPool", policy.connectionPool());
        outlierDetection(problems, field + ".outlierDetection", policy.outlierDetection());
        problems.unsupported(field + ".tls", policy.tls());
        problems.unsupported(field + ".portLevelSettings", policy.portLevelSettings());
        for (int i = 0; i < policy.portLevelSettings().size(); i++) {
            TrafficPolicy.PortTrafficPolicy portPolicy = policy.portLevelSettings().get(i);
            String at = field + ".portLevelSettings[" + i + "]";
            if (portPolicy.port() != null) {
                FieldChecks.port(problems, at + ".port.number", portPolicy.port().number());
            }
            checkLoadBalancer(problems, at + ".loadBalancer", portPolicy.loadBalancer());
            checkConnectionPool(problems, at + ".connectionPool", portPolicy.connectionPool());
            checkOutlierDetection(problems, at + ".outlierDetection", portPolicy.outlierDetection());
        }
        problems.unsupported(field + ".tunnel", policy.tunnel());
        if (policy.tunnel() != null) {
            FieldChecks.port(problems, field + ".tunnel.targetPort", policy.tunnel().targetPort());
        }
        problems.unsupported(field + ".proxyProtocol", policy.proxyProtocol());
        problems.unsupported(field + ".retryBudget", policy.retryBudget());
        if (policy.retryBudget() != null) {
            FieldChecks.duration(problems, field + ".retryBudget.budgetInterval", policy.retryBudget().budgetInterval());
            if (policy.retryBudget().percent() != null) {
                FieldChecks.percent(problems, field + ".retryBudget.percent",
                        new Percent(policy.retryBudget().percent()));
            }
        }
    }

    private static void loadBalancer(Problems problems, String field, @Nullable LoadBalancerSettings lb) {
        problems.unsupported(field, lb);
        checkLoadBalancer(problems, field, lb);
    }

    private static void checkLoadBalancer(Problems problems, String field, @Nullable LoadBalancerSettings lb) {
        if (lb == null) {
            return;
        }
        FieldChecks.duration(problems, field + ".warmupDurationSecs", lb.warmupDurationSecs());
        if (lb.warmup() != null) {
            FieldChecks.duration(problems, field + ".warmup.duration", lb.warmup().duration());
        }
        if (lb.consistentHash() != null && lb.consistentHash().httpCookie() != null) {
            FieldChecks.duration(problems, field + ".consistentHash.httpCookie.ttl",
                    lb.consistentHash().httpCookie().ttl());
        }
    }

    private static void connectionPool(Problems problems, String field, @Nullable ConnectionPoolSettings pool) {
        problems.unsupported(field, pool);
        checkConnectionPool(problems, field, pool);
    }

    /** Checks the durations of a connection pool; shared with Sidecar's connection pools. */
    static void checkConnectionPool(Problems problems, String field, @Nullable ConnectionPoolSettings pool) {
        if (pool == null) {
            return;
        }
        ConnectionPoolSettings.TcpSettings tcp = pool.tcp();
        if (tcp != null) {
            FieldChecks.duration(problems, field + ".tcp.connectTimeout", tcp.connectTimeout());
            FieldChecks.duration(problems, field + ".tcp.maxConnectionDuration", tcp.maxConnectionDuration());
            FieldChecks.duration(problems, field + ".tcp.idleTimeout", tcp.idleTimeout());
            if (tcp.tcpKeepalive() != null) {
                FieldChecks.duration(problems, field + ".tcp.tcpKeepalive.time", tcp.tcpKeepalive().time());
                FieldChecks.duration(problems, field + ".tcp.tcpKeepalive.interval", tcp.tcpKeepalive().interval());
            }
        }
        if (pool.http() != null) {
            FieldChecks.duration(problems, field + ".http.idleTimeout", pool.http().idleTimeout());
        }
    }

    private static void outlierDetection(Problems problems, String field, @Nullable OutlierDetection outlier) {
        problems.unsupported(field, outlier);
        checkOutlierDetection(problems, field, outlier);
    }

    private static void checkOutlierDetection(Problems problems, String field, @Nullable OutlierDetection outlier) {
        if (outlier == null) {
            return;
        }
        FieldChecks.duration(problems, field + ".interval", outlier.interval());
        FieldChecks.duration(problems, field + ".baseEjectionTime", outlier.baseEjectionTime());
        FieldChecks.percent(problems, field + ".maxEjectionPercent", outlier.maxEjectionPercent());
        FieldChecks.percent(problems, field + ".minHealthPercent", outlier.minHealthPercent());
    }
}
