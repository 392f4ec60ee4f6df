package dev.meshgate.controlplane.ca;

import java.time.Clock;

import dev.meshgate.controlplane.push.DiscoveryServer;
import dev.meshgate.controlplane.snapshot.SnapshotBuilder;
import dev.meshgate.core.security.pki.CertificateIssuer;

import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.server.reactive.HttpHandler;

/** Wires the CA: its root, bootstrap tokens, the TLS listener and the filter that reads peers' certificates. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(CaProperties.class)
class CaConfiguration {

    @Bean
    MeshCa meshCa(CaProperties properties, SnapshotBuilder builder) {
        Clock caClock = Clock.systemUTC();
        CertificateIssuer issuer;
        if (properties.caDir() == null) {
            issuer = CertificateIssuer.selfSignedRoot("meshgate", caClock.instant(), properties.rootCertTtl());
            LoggerFactory.getLogger(MeshCa.class).info("CA: self-signed root in memory (set meshgate.control-plane"
                    + ".ca-dir to keep it, and the certificates it signed, across restarts)");
        } else {
            issuer = CaDirectory.loadOrCreate(properties.caDir(), caClock.instant(), properties.rootCertTtl());
        }
        MeshCa ca = new MeshCa(issuer, CaDirectory.trustBundle(properties.caDir(), issuer),
                () -> builder.meshConfig().meshConfig().trustDomainOrDefault(),
                properties.workloadCertTtl(), properties.maxWorkloadCertTtl(), caClock);
        ca.trustDomainAliases(() -> builder.meshConfig().meshConfig().trustDomainAliases());
        return ca;
    }

    /** With a CA directory: a replaced CA on disk is taken up while the control plane runs. */
    @Bean
    @org.springframework.boot.autoconfigure.condition.ConditionalOnProperty("meshgate.control-plane.ca-dir")
    CaDirectoryWatcher caDirectoryWatcher(MeshCa ca, CaProperties properties) {
        return new CaDirectoryWatcher(ca, properties.caDir(), properties.caReloadInterval(), ca.clock());
    }

    @Bean
    TrustBundleAnnouncer trustBundleAnnouncer(MeshCa ca, DiscoveryServer discovery) {
        return new TrustBundleAnnouncer(ca, discovery);
    }

    @Bean
    BootstrapTokens bootstrapTokens(CaProperties properties) {
        return BootstrapTokens.of(properties.caDir());
    }

    @Bean
    SecureDiscoveryListener secureDiscoveryListener(MeshCa ca, HttpHandler httpHandler, CaProperties properties) {
        return new SecureDiscoveryListener(ca, httpHandler, properties.tlsAddress(), properties.tlsPort(),
                properties.servingCertTtl());
    }

    @Bean
    PeerIdentityWebFilter peerIdentityWebFilter(MeshCa ca, CaProperties properties) {
        return new PeerIdentityWebFilter(ca, properties.plaintext());
    }
}
