package dev.meshgate.proxy.telemetry;

import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.core.view.ProxyKind;
import dev.meshgate.proxy.route.MeshRouteTable;
import dev.meshgate.proxy.route.MeshRoutingAutoConfiguration;

import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Istio's metrics and peer metadata exchange for a proxy with an identity; off with
 * {@code meshgate.proxy.telemetry.metrics.enabled=false}. The switch is read when the beans are created, not by a
 * condition: a condition would be decided once at build time by Spring AOT (docs/performance.md, "Spring AOT"), so
 * the beans are always defined and are {@code null} (Spring's {@code NullBean}, which {@code ObjectProvider} and
 * collection injection skip) when metrics are off.
 */
@AutoConfiguration(after = MeshRoutingAutoConfiguration.class)
@EnableConfigurationProperties(TelemetryProperties.class)
public class TelemetryAutoConfiguration {

    @Bean
    @Nullable IstioMetrics meshgateIstioMetrics(TelemetryProperties properties) {
        return properties.metrics().enabled() ? new IstioMetrics() : null;
    }

    @Bean
    @Nullable PeerMetadata meshgatePeerMetadata(TelemetryProperties properties) {
        return properties.metrics().enabled() ? new PeerMetadata() : null;
    }

    @Bean
    @ConditionalOnBean(ProxyIdentity.class)
    @Nullable PeerMetadataExchange meshgatePeerMetadataExchange(ProxyIdentity proxy, TelemetryProperties properties) {
        if (!properties.metrics().enabled()) {
            return null;
        }
        String workload = properties.workloadNameOf(proxy.name());
        return new PeerMetadataExchange(PeerMetadata.nodeId(proxy.kind() == ProxyKind.GATEWAY, proxy.name(),
                proxy.namespace()), PeerMetadata.encode(proxy.name(), proxy.namespace(), workload, proxy.labels(),
                        properties.clusterId(), properties.meshId(), proxy.serviceAccount()));
    }

    @Bean
    @ConditionalOnBean(ProxyIdentity.class)
    @Nullable IstioMetricsSink meshgateIstioMetricsSink(ObjectProvider<IstioMetrics> metricsProvider,
            ObjectProvider<PeerMetadata> peers, ProxyIdentity proxy, TelemetryProperties properties,
            MeshRouteTable table) {
        IstioMetrics metrics = metricsProvider.getIfAvailable();
        if (metrics == null) {
            return null;
        }
        WorkloadLabels self = WorkloadLabels.of(properties.workloadNameOf(proxy.name()), proxy.namespace(),
                proxy.labels(), properties.clusterId());
        String principal = "spiffe://" + properties.trustDomain() + "/ns/" + proxy.namespace() + "/sa/"
                + (proxy.serviceAccount() == null ? "default" : proxy.serviceAccount());
        return new IstioMetricsSink(metrics, peers.getObject(), self, principal, "cluster.local", table::current);
    }

    @Bean
    @ConditionalOnBean(ProxyIdentity.class)
    @Nullable IstioTcpMetrics meshgateIstioTcpMetrics(ObjectProvider<IstioMetrics> metricsProvider, ProxyIdentity proxy,
            TelemetryProperties properties) {
        IstioMetrics metrics = metricsProvider.getIfAvailable();
        return metrics == null ? null : new IstioTcpMetrics(metrics, WorkloadLabels.of(
                properties.workloadNameOf(proxy.name()), proxy.namespace(), proxy.labels(), properties.clusterId()));
    }

    /** Always an endpoint (actuator calls its bean, so it cannot be null): without metrics it answers 404. */
    @Bean
    PrometheusEndpoint meshgatePrometheusEndpoint(ObjectProvider<IstioMetrics> metrics) {
        return new PrometheusEndpoint(metrics.getIfAvailable());
    }
}
