package dev.meshgate.proxy.discovery;

import java.net.URI;
import java.util.List;
import java.util.Map;

import dev.meshgate.core.security.identity.BootstrapCredentials;
import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.proxy.admin.MeshgateEndpoint;
import dev.meshgate.proxy.admin.MeshgateHealthIndicator;
import dev.meshgate.proxy.admin.ProbePorts;
import dev.meshgate.proxy.admin.ProbePortsProperties;
import dev.meshgate.proxy.listener.ListenerPorts;
import dev.meshgate.proxy.route.MeshRouteTable;
import dev.meshgate.proxy.security.CertificateRotator;
import dev.meshgate.proxy.security.WorkloadCertificateHolder;
import dev.meshgate.proxy.telemetry.IstioMetrics;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Connects a proxy to its control plane: active in an app that declares its {@link ProxyIdentity} bean (built
 * from {@link ProxyProperties}). Supplies the discovery client, the {@code meshgate} health indicator, the
 * {@code /actuator/meshgate} endpoint and Istio's probe ports ({@link ProbePorts}).
 */
@AutoConfiguration
@ConditionalOnBean(ProxyIdentity.class)
@EnableConfigurationProperties({ProxyProperties.class, ProbePortsProperties.class})
public class DiscoveryAutoConfiguration {

    /** Without an app-specific applier, a pushed view goes to the route table as it is. */
    @Bean
    @ConditionalOnMissingBean
    ViewApplier viewApplier(MeshRouteTable table) {
        return view -> {
            table.apply(view);
            return view;
        };
    }

    /** The admin server's address each hello carries, and when it is known. */
    @Bean
    AdminAddress meshAdminAddress(Environment environment) {
        return new AdminAddress(environment);
    }

    /**
     * The discovery client: plaintext to {@code discovery-address}, or, with {@code meshgate.proxy.credentials}, over
     * TLS to the credentials' address, presenting the workload certificate (and waiting for the first one).
     */
    @Bean
    DiscoveryClient discoveryClient(ProxyProperties properties, ProxyIdentity identity, ViewApplier applier,
            AdminAddress adminAddress, ObjectProvider<BootstrapCredentials> credentials,
            ObjectProvider<WorkloadCertificateHolder> holder, ObjectProvider<CertificateRotator> rotator) {
        BootstrapCredentials secure = credentials.getIfAvailable();
        if (secure == null) {
            return new DiscoveryClient(DiscoveryClient.webSocketClient(), properties.discoveryUri(), identity,
                    adminAddress.address(), applier, properties.reconnect().initialBackoff(),
                    properties.reconnect().maxBackoff(), properties.keepalive());
        }
        DiscoveryClient client = new DiscoveryClient(
                DiscoveryClient.webSocketClient(holder.getObject().clientContext()),
                URI.create("wss://" + secure.discoveryAddress() + "/v1/discovery"), identity,
                adminAddress.address(), applier, properties.reconnect().initialBackoff(),
                properties.reconnect().maxBackoff(), properties.keepalive());
        client.connectAfter(rotator.getObject().firstCertificate());
        client.onTrustBundle(rotator.getObject()::trustBundleAnnounced);
        return client;
    }

    /** Istio's 15021 readiness and 15090 metrics ports, when configured (the injector does). */
    @Bean
    ProbePorts probePorts(ProbePortsProperties properties, DiscoveryClient discovery,
            ObjectProvider<IstioMetrics> metrics) {
        return new ProbePorts(properties, () -> discovery.state().appliedVersion() != null, () -> {
            IstioMetrics m = metrics.getIfAvailable();
            return m == null ? null : m.scrape();
        });
    }

    @Bean
    MeshgateHealthIndicator meshgateHealthIndicator(DiscoveryClient discovery) {
        return new MeshgateHealthIndicator(discovery);
    }

    @Bean
    MeshgateEndpoint meshgateEndpoint(DiscoveryClient discovery, ObjectProvider<ListenerPorts> ports,
            ObjectProvider<MeshRouteTable> routeTable, ObjectProvider<CertificateRotator> rotator) {
        MeshgateEndpoint endpoint = new MeshgateEndpoint(discovery, ports.getIfAvailable(() -> Map::of), () -> {
            MeshRouteTable table = routeTable.getIfAvailable();
            return table == null ? List.of() : table.clusters();
        });
        CertificateRotator certificates = rotator.getIfAvailable();
        return certificates == null ? endpoint : endpoint.withCertificate(certificates::status);
    }
}
