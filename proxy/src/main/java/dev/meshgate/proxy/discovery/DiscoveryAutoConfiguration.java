package dev.meshgate.proxy.discovery;

import java.util.List;
import java.util.Map;

import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.proxy.admin.MeshgateEndpoint;
import dev.meshgate.proxy.admin.MeshgateHealthIndicator;
import dev.meshgate.proxy.listener.ListenerPorts;
import dev.meshgate.proxy.route.MeshRouteTable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Connects a proxy to its control plane: active in an app that declares its {@link ProxyIdentity} bean (built
 * from {@link ProxyProperties}). Supplies the discovery client, the {@code meshgate} health indicator and the
 * {@code /actuator/meshgate} endpoint.
 */
@AutoConfiguration
@ConditionalOnBean(ProxyIdentity.class)
@EnableConfigurationProperties(ProxyProperties.class)
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

    @Bean
    DiscoveryClient discoveryClient(ProxyProperties properties, ProxyIdentity identity, ViewApplier applier) {
        return new DiscoveryClient(DiscoveryClient.webSocketClient(), properties.discoveryUri(), identity, applier,
                properties.reconnect().initialBackoff(), properties.reconnect().maxBackoff(), properties.keepalive());
    }

    @Bean
    MeshgateHealthIndicator meshgateHealthIndicator(DiscoveryClient discovery) {
        return new MeshgateHealthIndicator(discovery);
    }

    @Bean
    MeshgateEndpoint meshgateEndpoint(DiscoveryClient discovery, ObjectProvider<ListenerPorts> ports,
            ObjectProvider<MeshRouteTable> routeTable) {
        return new MeshgateEndpoint(discovery, ports.getIfAvailable(() -> Map::of), () -> {
            MeshRouteTable table = routeTable.getIfAvailable();
            return table == null ? List.of() : table.clusters();
        });
    }
}
