package dev.meshgate.proxy.security;

import java.time.Clock;

import dev.meshgate.core.security.identity.BootstrapCredentials;
import dev.meshgate.core.security.identity.SpiffeId;
import dev.meshgate.core.security.pki.Pem;
import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.proxy.discovery.ProxyProperties;

import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.context.annotation.Bean;

/**
 * A proxy started with {@code --meshgate.proxy.credentials=DIR}: reads the bootstrap credentials, and supplies the
 * {@link WorkloadCertificateHolder} and the {@link CertificateRotator} that fills it. The discovery client then
 * connects over TLS with that certificate. Without the property the three beans are {@code null} (a
 * {@code NullBean}): decided when they are created, not by a condition, which Spring AOT would fix at build time
 * (without credentials), so that an AOT-built proxy given credentials would start without them and fail open.
 */
@AutoConfiguration(beforeName = "dev.meshgate.proxy.discovery.DiscoveryAutoConfiguration")
@ConditionalOnBean(ProxyIdentity.class)
@EnableConfigurationProperties(SecurityProperties.class)
public class SecurityAutoConfiguration {

    @Bean
    @Nullable BootstrapCredentials bootstrapCredentials(SecurityProperties properties, ProxyIdentity proxy,
            ProxyProperties proxyProperties) {
        if (properties.credentials() == null) {
            return null;
        }
        String serviceAccount = proxy.serviceAccount() == null ? "default" : proxy.serviceAccount();
        BootstrapCredentials credentials = CredentialsDirectory.read(properties.credentials(),
                new SpiffeId(properties.trustDomainOrDefault(), proxy.namespace(), serviceAccount),
                proxyProperties.discoveryAddress());
        SpiffeId granted = credentials.identity();
        if (!granted.namespace().equals(proxy.namespace()) || !granted.serviceAccount().equals(serviceAccount)) {
            throw new InvalidConfigurationPropertyValueException(CredentialsDirectory.PROPERTY,
                    properties.credentials().toString(), "holds credentials of " + granted.uri()
                            + " but this proxy is namespace " + proxy.namespace() + ", service account "
                            + serviceAccount + " (set meshgate.proxy.namespace and meshgate.proxy.service-account "
                            + "to match)");
        }
        return credentials;
    }

    /** An app's own holder (a test's certificates) replaces this one, as before, when no credentials are set. */
    @Bean
    @ConditionalOnMissingBean
    @Nullable WorkloadCertificateHolder workloadCertificateHolder(ObjectProvider<BootstrapCredentials> credentials) {
        BootstrapCredentials bootstrap = credentials.getIfAvailable();
        return bootstrap == null ? null : new WorkloadCertificateHolder(Pem.certificates(bootstrap.rootCert()));
    }

    @Bean
    @Nullable CertificateRotator certificateRotator(ObjectProvider<WorkloadCertificateHolder> holders,
            ObjectProvider<BootstrapCredentials> bootstraps, SecurityProperties properties) {
        WorkloadCertificateHolder holder = holders.getIfAvailable();
        BootstrapCredentials credentials = bootstraps.getIfAvailable();
        if (holder == null || credentials == null) {
            return null;
        }
        return new CertificateRotator(holder, credentials, CredentialsDirectory.token(properties.credentials(),
                credentials.token()), credentials.identity(), properties.certTtl(),
                Clock.systemUTC(), properties.trustBundleIntervalOrDefault());
    }
}
