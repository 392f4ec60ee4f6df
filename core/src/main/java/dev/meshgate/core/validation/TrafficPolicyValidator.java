package dev.meshgate.core.validation;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.meshgate.core.networking.Percent;
import dev.meshgate.core.networking.destinationrule.ConnectionPoolSettings;
import dev.meshgate.core.networking.destinationrule.LoadBalancerSettings;
import dev.meshgate.core.networking.destinationrule.LoadBalancerSettings.ConsistentHashLB;
import dev.meshgate.core.networking.destinationrule.OutlierDetection;
import dev.meshgate.core.networking.destinationrule.TrafficPolicy;

import org.jspecify.annotations.Nullable;

/**
 * Validates a DestinationRule {@code trafficPolicy} (top level or a subset's), after Istio's
 * {@code validateTrafficPolicy}: load balancer (its {@code localityLbSetting} by {@link LocalityLbSettingValidator}), connection pool, outlier detection and {@code portLevelSettings}.
 * Reported unsupported (MG0001): {@code tls} other than DISABLE/ISTIO_MUTUAL ({@link ClientTlsValidator}), {@code tunnel}, {@code proxyProtocol}, {@code retryBudget},
 * {@code loadBalancer.warmupDurationSecs}, {@code loadBalancer.warmup},
 * {@code consistentHash.httpCookie.attributes},
 * {@code outlierDetection.splitExternalLocalOriginErrors}, {@code outlierDetection.consecutiveLocalOriginFailures}.
 */
final class TrafficPolicyValidator {

    /** Envoy's limit on a Maglev table (Istio's {@code validateLoadBalancer}). */
    private static final long MAGLEV_TABLE_LIMIT = 5_000_011;

    private TrafficPolicyValidator() {
    }

    static void validate(Problems problems, String field, @Nullable TrafficPolicy policy) {
        if (policy == null) {
            return;
        }
        loadBalancer(problems, field + ".loadBalancer", policy.loadBalancer(), policy.outlierDetection() != null);
        connectionPool(problems, field + ".connectionPool", policy.connectionPool());
        outlierDetection(problems, field + ".outlierDetection", policy.outlierDetection());
        ClientTlsValidator.validate(problems, field + ".tls", policy.tls());
        Map<Integer, Integer> ports = new HashMap<>();
        for (int i = 0; i < policy.portLevelSettings().size(); i++) {
            TrafficPolicy.PortTrafficPolicy portPolicy = policy.portLevelSettings().get(i);
            String at = field + ".portLevelSettings[" + i + "]";
            if (portPolicy == null) {
                continue;
            }
            Integer number = portPolicy.port() == null ? null : portPolicy.port().number();
            if (number == null) {
                problems.add(DiagnosticCode.DR_INVALID_PORT_TRAFFIC_POLICY, at + ".port",
                        "port.number is required (expected the service port this entry applies to)");
            } else {
                FieldChecks.port(problems, at + ".port.number", number);
                Integer first = ports.putIfAbsent(number, i);
                if (first != null) {
                    problems.add(DiagnosticCode.DR_INVALID_PORT_TRAFFIC_POLICY, at + ".port.number", "port "
                            + number + " already has settings in portLevelSettings[" + first + "]");
                }
            }
            if (portPolicy.loadBalancer() == null && portPolicy.connectionPool() == null
                    && portPolicy.outlierDetection() == null && portPolicy.tls() == null) {
                problems.add(DiagnosticCode.DR_INVALID_PORT_TRAFFIC_POLICY, at,
                        "a port traffic policy must set at least one of loadBalancer, connectionPool, "
                                + "outlierDetection, tls");
            }
            loadBalancer(problems, at + ".loadBalancer", portPolicy.loadBalancer(),
                    portPolicy.outlierDetection() != null);
            connectionPool(problems, at + ".connectionPool", portPolicy.connectionPool());
            outlierDetection(problems, at + ".outlierDetection", portPolicy.outlierDetection());
            ClientTlsValidator.validate(problems, at + ".tls", portPolicy.tls());
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

    private static void loadBalancer(Problems problems, String field, @Nullable LoadBalancerSettings lb,
            boolean outlierDetection) {
        if (lb == null) {
            return;
        }
        LocalityLbSettingValidator.validate(problems, field + ".localityLbSetting", lb.localityLbSetting(),
                DiagnosticCode.DR_INVALID_LOCALITY_LB_SETTING, outlierDetection);
        problems.unsupported(field + ".warmupDurationSecs", lb.warmupDurationSecs());
        FieldChecks.duration(problems, field + ".warmupDurationSecs", lb.warmupDurationSecs());
        problems.unsupported(field + ".warmup", lb.warmup());
        if (lb.warmup() != null) {
            FieldChecks.duration(problems, field + ".warmup.duration", lb.warmup().duration());
        }
        ConsistentHashLB hash = lb.consistentHash();
        if (hash == null) {
            return;
        }
        if (lb.simple() != null) {
            problems.add(DiagnosticCode.DR_INVALID_LOAD_BALANCER, field, "simple (" + lb.simple()
                    + ") and consistentHash cannot both be set (expected one of them)");
        }
        String at = field + ".consistentHash";
        List<String> keys = new ArrayList<>();
        if (hash.httpHeaderName() != null) {
            keys.add("httpHeaderName");
        }
        if (hash.httpCookie() != null) {
            keys.add("httpCookie");
        }
        if (Boolean.TRUE.equals(hash.useSourceIp())) {
            keys.add("useSourceIp");
        }
        if (hash.httpQueryParameterName() != null) {
            keys.add("httpQueryParameterName");
        }
        if (keys.isEmpty()) {
            problems.add(DiagnosticCode.DR_INVALID_LOAD_BALANCER, at, "consistentHash needs a hash key (expected "
                    + "one of httpHeaderName, httpCookie, useSourceIp: true, httpQueryParameterName)");
        } else if (keys.size() > 1) {
            problems.add(DiagnosticCode.DR_INVALID_LOAD_BALANCER, at, "only one hash key may be set (got "
                    + String.join(", ", keys) + ")");
        }
        if (hash.httpHeaderName() != null && hash.httpHeaderName().isBlank()) {
            problems.add(DiagnosticCode.DR_INVALID_LOAD_BALANCER, at + ".httpHeaderName",
                    "httpHeaderName must not be empty");
        }
        if (hash.httpQueryParameterName() != null && hash.httpQueryParameterName().isBlank()) {
            problems.add(DiagnosticCode.DR_INVALID_LOAD_BALANCER, at + ".httpQueryParameterName",
                    "httpQueryParameterName must not be empty");
        }
        ConsistentHashLB.HttpCookie cookie = hash.httpCookie();
        if (cookie != null) {
            if (cookie.name() == null || cookie.name().isBlank()) {
                problems.add(DiagnosticCode.DR_INVALID_LOAD_BALANCER, at + ".httpCookie.name",
                        "name is required for httpCookie");
            }
            FieldChecks.duration(problems, at + ".httpCookie.ttl", cookie.ttl());
            problems.unsupported(at + ".httpCookie.attributes", cookie.attributes());
        }
        if (hash.ringHash() != null && hash.maglev() != null) {
            problems.add(DiagnosticCode.DR_INVALID_LOAD_BALANCER, at,
                    "ringHash and maglev cannot both be set (expected one hash algorithm)");
        }
        if (hash.minimumRingSize() != null && (hash.ringHash() != null || hash.maglev() != null)) {
            problems.add(DiagnosticCode.DR_INVALID_LOAD_BALANCER, at + ".minimumRingSize",
                    "the deprecated minimumRingSize cannot be set with ringHash or maglev");
        }
        problems.deprecated(at + ".minimumRingSize", hash.minimumRingSize(), "ringHash: {minimumRingSize: ...}");
        if (hash.minimumRingSize() != null && hash.minimumRingSize() < 0) {
            problems.add(DiagnosticCode.DR_INVALID_LOAD_BALANCER, at + ".minimumRingSize",
                    "minimumRingSize must not be negative (got " + hash.minimumRingSize() + ")");
        }
        if (hash.ringHash() != null && hash.ringHash().minimumRingSize() != null
                && hash.ringHash().minimumRingSize() < 0) {
            problems.add(DiagnosticCode.DR_INVALID_LOAD_BALANCER, at + ".ringHash.minimumRingSize",
                    "minimumRingSize must not be negative (got " + hash.ringHash().minimumRingSize() + ")");
        }
        if (hash.maglev() != null) {
            Long size = hash.maglev().tableSize();
            if (size == null || size <= 0 || size >= MAGLEV_TABLE_LIMIT || !isPrime(size)) {
                problems.add(DiagnosticCode.DR_INVALID_LOAD_BALANCER, at + ".maglev.tableSize", "tableSize must be "
                        + "a prime below " + MAGLEV_TABLE_LIMIT + " (got " + (size == null ? "none" : size)
                        + "; Envoy's default is 65537)");
            }
        }
    }

    /** Checks the durations of a Sidecar's connection pool (a setting meshgate does not implement there). */
    static void connectionPoolDurations(Problems problems, String field, @Nullable ConnectionPoolSettings pool) {
        if (pool == null) {
            return;
        }
        if (pool.tcp() != null) {
            FieldChecks.duration(problems, field + ".tcp.connectTimeout", pool.tcp().connectTimeout());
            FieldChecks.duration(problems, field + ".tcp.maxConnectionDuration", pool.tcp().maxConnectionDuration());
            FieldChecks.duration(problems, field + ".tcp.idleTimeout", pool.tcp().idleTimeout());
        }
        if (pool.http() != null) {
            FieldChecks.duration(problems, field + ".http.idleTimeout", pool.http().idleTimeout());
        }
    }

    private static void connectionPool(Problems problems, String field, @Nullable ConnectionPoolSettings pool) {
        if (pool == null) {
            return;
        }
        if (pool.tcp() == null && pool.http() == null) {
            problems.add(DiagnosticCode.DR_INVALID_CONNECTION_POOL, field,
                    "connection pool must set tcp, http or both");
        }
        ConnectionPoolSettings.TcpSettings tcp = pool.tcp();
        if (tcp != null) {
            nonNegative(problems, field + ".tcp.maxConnections", tcp.maxConnections());
            FieldChecks.timeout(problems, field + ".tcp.connectTimeout", tcp.connectTimeout());
            FieldChecks.timeout(problems, field + ".tcp.maxConnectionDuration", tcp.maxConnectionDuration());
            // 0s turns the idle timeout off, which Istio accepts here only
            if (tcp.idleTimeout() != null && !FieldChecks.isZero(tcp.idleTimeout())) {
                FieldChecks.timeout(problems, field + ".tcp.idleTimeout", tcp.idleTimeout());
            }
            if (tcp.tcpKeepalive() != null) {
                FieldChecks.timeout(problems, field + ".tcp.tcpKeepalive.time", tcp.tcpKeepalive().time());
                FieldChecks.timeout(problems, field + ".tcp.tcpKeepalive.interval", tcp.tcpKeepalive().interval());
            }
        }
        ConnectionPoolSettings.HttpSettings http = pool.http();
        if (http != null) {
            nonNegative(problems, field + ".http.http1MaxPendingRequests", http.http1MaxPendingRequests());
            nonNegative(problems, field + ".http.http2MaxRequests", http.http2MaxRequests());
            nonNegative(problems, field + ".http.maxRequestsPerConnection", http.maxRequestsPerConnection());
            nonNegative(problems, field + ".http.maxRetries", http.maxRetries());
            nonNegative(problems, field + ".http.maxConcurrentStreams", http.maxConcurrentStreams());
            FieldChecks.timeout(problems, field + ".http.idleTimeout", http.idleTimeout());
        }
    }

    private static void outlierDetection(Problems problems, String field, @Nullable OutlierDetection outlier) {
        if (outlier == null) {
            return;
        }
        nonNegativeErrors(problems, field + ".consecutive5xxErrors", outlier.consecutive5xxErrors());
        nonNegativeErrors(problems, field + ".consecutiveGatewayErrors", outlier.consecutiveGatewayErrors());
        nonNegativeErrors(problems, field + ".consecutiveErrors", outlier.consecutiveErrors());
        problems.deprecated(field + ".consecutiveErrors", outlier.consecutiveErrors(),
                "consecutiveGatewayErrors (what it counts) or consecutive5xxErrors");
        nonNegativeErrors(problems, field + ".consecutiveLocalOriginFailures",
                outlier.consecutiveLocalOriginFailures());
        FieldChecks.timeout(problems, field + ".interval", outlier.interval());
        FieldChecks.timeout(problems, field + ".baseEjectionTime", outlier.baseEjectionTime());
        FieldChecks.percent(problems, field + ".maxEjectionPercent", outlier.maxEjectionPercent());
        FieldChecks.percent(problems, field + ".minHealthPercent", outlier.minHealthPercent());
        problems.unsupported(field + ".splitExternalLocalOriginErrors", outlier.splitExternalLocalOriginErrors());
        problems.unsupported(field + ".consecutiveLocalOriginFailures", outlier.consecutiveLocalOriginFailures());
    }

    private static void nonNegative(Problems problems, String field, @Nullable Integer value) {
        if (value != null && value < 0) {
            problems.add(DiagnosticCode.DR_INVALID_CONNECTION_POOL, field,
                    "must not be negative (got " + value + "; 0 or absent means Istio's default, unlimited)");
        }
    }

    private static void nonNegativeErrors(Problems problems, String field, @Nullable Integer value) {
        if (value != null && value < 0) {
            problems.add(DiagnosticCode.DR_INVALID_OUTLIER_DETECTION, field,
                    "must not be negative (got " + value + "; 0 turns this check off)");
        }
    }

    /** Whether {@code n} is prime, as Envoy checks Maglev table sizes. */
    static boolean isPrime(long n) {
        if (n < 2) {
            return false;
        }
        if (n < 4) {
            return true;
        }
        if (n % 2 == 0) {
            return false;
        }
        for (long factor = 3; factor * factor <= n; factor += 2) {
            if (n % factor == 0) {
                return false;
            }
        }
        return true;
    }
}
