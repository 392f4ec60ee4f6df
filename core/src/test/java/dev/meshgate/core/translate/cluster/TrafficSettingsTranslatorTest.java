package dev.meshgate.core.translate.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.meshgate.core.networking.destinationrule.DestinationRule;
import dev.meshgate.core.view.ConnectionPoolSpec;
import dev.meshgate.core.view.LoadBalancerSpec;
import dev.meshgate.core.view.LoadBalancerSpec.Algorithm;
import dev.meshgate.core.view.LoadBalancerSpec.ConsistentHashSpec;
import dev.meshgate.core.view.LoadBalancerSpec.HashKey;
import dev.meshgate.core.view.LoadBalancerSpec.Simple;
import dev.meshgate.core.view.OutlierDetectionSpec;
import dev.meshgate.core.view.TrafficPolicySpec;
import dev.meshgate.core.yaml.ResourceReader;

/** Istio's defaults and aliases for load balancer, connection pool and outlier detection settings. */
class TrafficSettingsTranslatorTest {

    private static TrafficPolicySpec policy(String trafficPolicy) {
        String yaml = "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: web}\n"
                + "spec:\n  host: web\n  trafficPolicy: " + trafficPolicy + "\n";
        DestinationRule rule = (DestinationRule) ResourceReader.read("t.yaml", yaml).resources().get(0).spec();
        return TrafficPolicyTranslator.translate(rule, 80, null);
    }

    @Test
    void leastConnAndUnspecifiedAreLeastRequest() {
        assertThat(policy("{loadBalancer: {simple: LEAST_CONN}}").loadBalancer().simple())
                .isEqualTo(Simple.LEAST_REQUEST);
        assertThat(policy("{loadBalancer: {simple: UNSPECIFIED}}").loadBalancer().simple())
                .isEqualTo(Simple.LEAST_REQUEST);
        assertThat(policy("{loadBalancer: {simple: PASSTHROUGH}}").loadBalancer().simple())
                .isEqualTo(Simple.PASSTHROUGH);
    }

    @Test
    void aConsistentHashWithoutAlgorithmIsARingOf1024() {
        assertThat(policy("{loadBalancer: {consistentHash: {httpHeaderName: User}}}").loadBalancer())
                .isEqualTo(new LoadBalancerSpec(Simple.LEAST_REQUEST,
                        new ConsistentHashSpec(HashKey.HEADER, "User", null, 0, Algorithm.RING_HASH, 1024)));
    }

    @Test
    void ringSizesAndMaglevTablesComeFromEitherForm() {
        assertThat(policy("{loadBalancer: {consistentHash: {useSourceIp: true, minimumRingSize: 64}}}")
                .loadBalancer().consistentHash().tableSize()).isEqualTo(64);
        assertThat(policy("{loadBalancer: {consistentHash: {useSourceIp: true, ringHash: {minimumRingSize: 128}}}}")
                .loadBalancer().consistentHash().tableSize()).isEqualTo(128);
        assertThat(policy("{loadBalancer: {consistentHash: {useSourceIp: true, ringHash: {}}}}")
                .loadBalancer().consistentHash().tableSize()).isEqualTo(1024);
        ConsistentHashSpec maglev = policy("{loadBalancer: {consistentHash: {httpQueryParameterName: u, maglev: {}}}}")
                .loadBalancer().consistentHash();
        assertThat(maglev.algorithm()).isEqualTo(Algorithm.MAGLEV);
        assertThat(maglev.tableSize()).isEqualTo(65537);
        assertThat(maglev.key()).isEqualTo(HashKey.QUERY_PARAMETER);
    }

    @Test
    void aCookieWithoutTtlGivesASessionCookie() {
        ConsistentHashSpec cookie = policy("{loadBalancer: {consistentHash: {httpCookie: {name: user}}}}")
                .loadBalancer().consistentHash();
        assertThat(cookie).isEqualTo(new ConsistentHashSpec(HashKey.COOKIE, "user", null, 0, Algorithm.RING_HASH, 1024));
        assertThat(policy("{loadBalancer: {consistentHash: {httpCookie: {name: u, path: /a, ttl: 90s}}}}")
                .loadBalancer().consistentHash().cookieTtlMillis()).isEqualTo(90_000);
    }

    @Test
    void zeroOrAbsentPoolLimitsMeanUnlimitedAsInIstio() {
        assertThat(policy("{connectionPool: {tcp: {maxConnections: 0}, http: {http1MaxPendingRequests: 0}}}")
                .connectionPool()).isEqualTo(ConnectionPoolSpec.DEFAULT);
        ConnectionPoolSpec pool = policy("{connectionPool: {tcp: {maxConnections: 1, connectTimeout: 2s}, "
                + "http: {http1MaxPendingRequests: 2, http2MaxRequests: 3, maxRequestsPerConnection: 4, "
                + "maxRetries: 5, idleTimeout: 6s}}}").connectionPool();
        assertThat(pool).isEqualTo(new ConnectionPoolSpec(1, 2_000, 2, 3, 4, 5, 6_000));
    }

    @Test
    void theTcpIdleTimeoutAppliesWhenHttpHasNoneAndZeroTurnsItOff() {
        assertThat(policy("{connectionPool: {tcp: {idleTimeout: 5m}}}").connectionPool().idleTimeoutMillis())
                .isEqualTo(300_000);
        assertThat(policy("{connectionPool: {tcp: {idleTimeout: 5m}, http: {idleTimeout: 1s}}}").connectionPool()
                .idleTimeoutMillis()).isEqualTo(1_000);
        assertThat(policy("{connectionPool: {tcp: {idleTimeout: 0s}}}").connectionPool().idleTimeoutMillis())
                .isZero();
    }

    @Test
    void outlierDetectionFillsInEnvoysDefaults() {
        assertThat(policy("{outlierDetection: {}}").outlierDetection())
                .isEqualTo(new OutlierDetectionSpec(5, 0, 10_000, 30_000, 10, 0));
        assertThat(policy("{outlierDetection: {consecutive5xxErrors: 0, maxEjectionPercent: 0}}").outlierDetection())
                .isEqualTo(new OutlierDetectionSpec(0, 0, 10_000, 30_000, 10, 0));
        assertThat(policy("{outlierDetection: {consecutive5xxErrors: 3, consecutiveGatewayErrors: 1, interval: 2s, "
                + "baseEjectionTime: 5s, maxEjectionPercent: 100, minHealthPercent: 60}}").outlierDetection())
                .isEqualTo(new OutlierDetectionSpec(3, 1, 2_000, 5_000, 100, 60));
    }

    @Test
    void legacyConsecutiveErrorsCountGatewayErrorsAndTurnThe5xxCheckOff() {
        assertThat(policy("{outlierDetection: {consecutiveErrors: 2}}").outlierDetection())
                .isEqualTo(new OutlierDetectionSpec(0, 2, 10_000, 30_000, 10, 0));
        assertThat(policy("{outlierDetection: {consecutiveErrors: 2, consecutive5xxErrors: 4, "
                + "consecutiveGatewayErrors: 3}}").outlierDetection().consecutive5xxErrors()).isEqualTo(4);
        assertThat(policy("{outlierDetection: {consecutiveErrors: 2, consecutiveGatewayErrors: 3}}")
                .outlierDetection().consecutiveGatewayErrors()).isEqualTo(3);
    }
}
