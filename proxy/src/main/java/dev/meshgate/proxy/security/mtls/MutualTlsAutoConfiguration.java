package dev.meshgate.proxy.security.mtls;

import dev.meshgate.proxy.route.MeshRouteTable;
import dev.meshgate.proxy.route.MeshRoutingAutoConfiguration;
import dev.meshgate.proxy.security.SecurityAutoConfiguration;
import dev.meshgate.proxy.security.WorkloadCertificateHolder;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.context.annotation.Bean;

/**
 * Mutual TLS on a proxy's inbound side: the peer identity resolver authorization uses, the filter recording the
 * peer's principal, and {@link InboundMutualTls} for the sidecar's inbound listener; on the outbound side,
 * {@link UpstreamMutualTls} (auto mutual TLS, DestinationRule {@code tls}).
 */
@AutoConfiguration(after = {MeshRoutingAutoConfiguration.class, SecurityAutoConfiguration.class},
        beforeName = "dev.meshgate.proxy.authz.AuthzAutoConfiguration")
@ConditionalOnBean(MeshRouteTable.class)
public class MutualTlsAutoConfiguration {

    @Bean
    public MutualTlsPeers meshMutualTlsPeers() {
        return new MutualTlsPeers();
    }

    @Bean
    public PeerPrincipalWebFilter meshPeerPrincipalWebFilter(MutualTlsPeers peers) {
        return new PeerPrincipalWebFilter(peers);
    }

    @Bean
    public InboundMutualTls meshInboundMutualTls(MeshRouteTable table,
            ObjectProvider<WorkloadCertificateHolder> certificates) {
        return new InboundMutualTls(table::current, certificates.getIfAvailable());
    }

    @Bean
    public UpstreamMutualTls meshUpstreamMutualTls(ObjectProvider<WorkloadCertificateHolder> certificates) {
        return new UpstreamMutualTls(certificates.getIfAvailable());
    }
}
