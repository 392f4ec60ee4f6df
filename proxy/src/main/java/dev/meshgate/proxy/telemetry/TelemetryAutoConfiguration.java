package dev.meshgate.proxy.telemetry;

import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.core.view.ProxyKind;
import dev.meshgate.proxy.route.MeshRouteTable;
import dev.meshgate.proxy.route.MeshRoutingAutoConfiguration;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Istio's metrics and peer metadata exchange for a proxy with an identity; off with
 * {@code meshgate.proxy.telemetry.metrics.enabled=false}.
 */
@AutoConfiguration(after = MeshRoutingAutoConfiguration.class)
@EnableConfigurationProperties(TelemetryProperties.class)
@ConditionalOnProperty(name = TelemetryProperties.METRICS_ENABLED, havingValue = "true", matchIfMissing = true)
public class TelemetryAutoConfiguration {

    @Bean
    IstioMetrics meshgateIstioMetrics() {
        return new IstioMetrics();
    }

    @Bean
    PeerMetadata meshgatePeerMetadata() {
        return new PeerMetadata();
    }

    @Bean
    @ConditionalOnBean(ProxyIdentity.class)
    PeerMetadataExchange meshgatePeerMetadataExchange(ProxyIdentity proxy, TelemetryProperties properties) {
        String workload = properties.workloadNameOf(proxy.name());
        return new PeerMetadataExchange(PeerMetadata.nodeId(proxy.kind() == ProxyKind.GATEWAY, proxy.name(),
                proxy.namespace()), PeerMetadata.encode(proxy.name(), proxy.namespace(), workload, proxy.labels(),
                        properties.clusterId(), properties.meshId(), proxy.serviceAccount()));
    }

    @Bean
    @ConditionalOnBean(ProxyIdentity.class)
    IstioMetricsSink meshgateIstioMetricsSink(IstioMetrics metrics, PeerMetadata peers, ProxyIdentity proxy,
            TelemetryProperties properties, MeshRouteTable table) {
        WorkloadLabels self = WorkloadLabels.of(properties.workloadNameOf(proxy.name()), proxy.namespace(),
                proxy.labels(), properties.clusterId());
        String principal = "spiffe://" + properties.trustDomain() + "/ns/" + proxy.namespace() + "/sa/"
                + (proxy.serviceAccount() == null ? "default" : proxy.serviceAccount());
        return new IstioMetricsSink(metrics, peers, self, principal, "cluster.local", table::current);
    }

    @Bean
    @ConditionalOnBean(ProxyIdentity.class)
    IstioTcpMetrics meshgateIstioTcpMetrics(IstioMetrics metrics, ProxyIdentity proxy, TelemetryProperties properties) {
        return new IstioTcpMetrics(metrics, WorkloadLabels.of(properties.workloadNameOf(proxy.name()),
                proxy.namespace(), proxy.labels(), properties.clusterId()));
    }

    @Bean
    PrometheusEndpoint meshgatePrometheusEndpoint(IstioMetrics metrics) {
        return new PrometheusEndpoint(metrics);
    }
}
