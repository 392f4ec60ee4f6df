package dev.meshgate.proxy.security.mtls;

import java.nio.file.Path;
import java.time.Duration;

import dev.meshgate.proxy.route.MeshRouteTable;
import dev.meshgate.proxy.route.MeshRoutingAutoConfiguration;
import dev.meshgate.proxy.security.SecurityAutoConfiguration;
import dev.meshgate.proxy.security.WorkloadCertificateHolder;
import dev.meshgate.proxy.security.origination.UpstreamTlsOrigination;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

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
        WorkloadCertificateHolder holder = certificates.getIfAvailable();
        if (holder != null) {
            // MeshConfig trustDomainAliases reach the peer checks of every side through the view applied now.
            holder.trustDomains(() -> {
                var view = table.current();
                return view == null ? java.util.List.of() : view.auth().trustDomains();
            });
        }
        return new InboundMutualTls(table::current, holder);
    }

    /**
     * SIMPLE and MUTUAL origination; {@code credentialName} directories are under
     * {@code meshgate.proxy.tls-credentials-root}, else the gateway's {@code meshgate.gateway.credentials-root}, else
     * {@code credentials} (the gateway's default), so that a gateway originates with the same credentials it serves.
     * The files are read when a view is applied, before it serves, and again every
     * {@code meshgate.proxy.tls-credentials-poll-interval} (default 5 s, as the gateway's credentials).
     */
    @Bean
    public UpstreamTlsOrigination meshUpstreamTlsOrigination(Environment environment, MeshRouteTable table) {
        String root = environment.getProperty("meshgate.proxy.tls-credentials-root",
                environment.getProperty("meshgate.gateway.credentials-root", "credentials"));
        Duration poll = DurationStyle.detectAndParse(
                environment.getProperty("meshgate.proxy.tls-credentials-poll-interval", "5s"));
        UpstreamTlsOrigination origination = new UpstreamTlsOrigination(Path.of(root), poll);
        table.beforeServing(origination::prepare);
        return origination;
    }

    @Bean
    public UpstreamMutualTls meshUpstreamMutualTls(ObjectProvider<WorkloadCertificateHolder> certificates,
            UpstreamTlsOrigination origination) {
        return new UpstreamMutualTls(certificates.getIfAvailable(), origination);
    }
}
