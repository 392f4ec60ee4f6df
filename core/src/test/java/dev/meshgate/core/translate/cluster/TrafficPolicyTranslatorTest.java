package dev.meshgate.core.translate.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.meshgate.core.networking.destinationrule.DestinationRule;
import dev.meshgate.core.view.ConnectionPoolSpec;
import dev.meshgate.core.view.LoadBalancerSpec;
import dev.meshgate.core.view.LoadBalancerSpec.Simple;
import dev.meshgate.core.view.OutlierDetectionSpec;
import dev.meshgate.core.view.TrafficPolicySpec;
import dev.meshgate.core.yaml.ResourceReader;

/** How the rule's, the port's and the subset's policies combine, as Istio's MergeSubsetTrafficPolicy. */
class TrafficPolicyTranslatorTest {

    private static final String RULE = """
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: web}
            spec:
              host: web
              trafficPolicy:
                loadBalancer: {simple: ROUND_ROBIN}
                connectionPool: {tcp: {maxConnections: 7}}
                outlierDetection: {consecutive5xxErrors: 2}
                portLevelSettings:
                - port: {number: 81}
                  loadBalancer: {simple: RANDOM}
              subsets:
              - name: plain
                labels: {v: plain}
              - name: lb-only
                labels: {v: lb}
                trafficPolicy:
                  loadBalancer: {simple: LEAST_CONN}
              - name: port-level
                labels: {v: port}
                trafficPolicy:
                  connectionPool: {http: {maxRetries: 9}}
                  portLevelSettings:
                  - port: {number: 80}
                    outlierDetection: {consecutiveGatewayErrors: 4}
            """;

    private static DestinationRule rule(String yaml) {
        return (DestinationRule) ResourceReader.read("t.yaml", yaml).resources().get(0).spec();
    }

    @Test
    void withoutRuleTheClusterHasIstiosDefaultPolicy() {
        assertThat(TrafficPolicyTranslator.translate(null, 80, null)).isEqualTo(TrafficPolicySpec.DEFAULT);
        assertThat(TrafficPolicySpec.DEFAULT.loadBalancer().simple()).isEqualTo(Simple.LEAST_REQUEST);
        assertThat(TrafficPolicySpec.DEFAULT.outlierDetection()).isNull();
    }

    @Test
    void theRulesPolicyAppliesToEveryPortWithoutPortLevelSettings() {
        TrafficPolicySpec policy = TrafficPolicyTranslator.translate(rule(RULE), 80, null);
        assertThat(policy.loadBalancer().simple()).isEqualTo(Simple.ROUND_ROBIN);
        assertThat(policy.connectionPool().maxConnections()).isEqualTo(7);
        assertThat(policy.outlierDetection().consecutive5xxErrors()).isEqualTo(2);
    }

    @Test
    void portLevelSettingsReplaceTheRulesPolicyWholeSoOmittedSettingsTakeDefaults() {
        TrafficPolicySpec policy = TrafficPolicyTranslator.translate(rule(RULE), 81, null);
        assertThat(policy.loadBalancer().simple()).isEqualTo(Simple.RANDOM);
        assertThat(policy.connectionPool()).isEqualTo(ConnectionPoolSpec.DEFAULT);
        assertThat(policy.outlierDetection()).isNull();
    }

    @Test
    void aSubsetWithoutPolicyInheritsTheRulesPolicyForItsPort() {
        assertThat(TrafficPolicyTranslator.translate(rule(RULE), 80, "plain"))
                .isEqualTo(TrafficPolicyTranslator.translate(rule(RULE), 80, null));
        assertThat(TrafficPolicyTranslator.translate(rule(RULE), 81, "plain").loadBalancer().simple())
                .isEqualTo(Simple.RANDOM);
    }

    @Test
    void aSubsetsSettingReplacesOnlyThatSetting() {
        TrafficPolicySpec policy = TrafficPolicyTranslator.translate(rule(RULE), 80, "lb-only");
        assertThat(policy.loadBalancer().simple()).isEqualTo(Simple.LEAST_REQUEST);
        assertThat(policy.connectionPool().maxConnections()).isEqualTo(7);
        assertThat(policy.outlierDetection().consecutive5xxErrors()).isEqualTo(2);
    }

    @Test
    void aSubsetsPortLevelEntryReplacesAllThreeSettings() {
        TrafficPolicySpec atPort = TrafficPolicyTranslator.translate(rule(RULE), 80, "port-level");
        assertThat(atPort.loadBalancer()).isEqualTo(LoadBalancerSpec.DEFAULT);
        assertThat(atPort.connectionPool()).isEqualTo(ConnectionPoolSpec.DEFAULT);
        assertThat(atPort.outlierDetection().consecutiveGatewayErrors()).isEqualTo(4);
        assertThat(atPort.outlierDetection().consecutive5xxErrors()).isEqualTo(5);

        TrafficPolicySpec otherPort = TrafficPolicyTranslator.translate(rule(RULE), 82, "port-level");
        assertThat(otherPort.loadBalancer().simple()).isEqualTo(Simple.ROUND_ROBIN);
        assertThat(otherPort.connectionPool().maxConnections()).isEqualTo(ConnectionPoolSpec.DEFAULT.maxConnections());
        assertThat(otherPort.connectionPool().maxRetries()).isEqualTo(9);
        assertThat(otherPort.outlierDetection().consecutive5xxErrors()).isEqualTo(2);
    }

    @Test
    void aSubsetPolicyWithoutRulePolicyStandsAlone() {
        DestinationRule onlySubset = rule("""
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: web}
                spec:
                  host: web
                  subsets:
                  - name: v1
                    labels: {v: "1"}
                    trafficPolicy: {outlierDetection: {}}
                """);
        TrafficPolicySpec policy = TrafficPolicyTranslator.translate(onlySubset, 80, "v1");
        assertThat(policy.outlierDetection())
                .isEqualTo(new OutlierDetectionSpec(5, 0, 10_000, 30_000, 10, 0));
        assertThat(TrafficPolicyTranslator.translate(onlySubset, 80, null)).isEqualTo(TrafficPolicySpec.DEFAULT);
        assertThat(TrafficPolicyTranslator.translate(onlySubset, 80, "unknown")).isEqualTo(TrafficPolicySpec.DEFAULT);
    }
}
