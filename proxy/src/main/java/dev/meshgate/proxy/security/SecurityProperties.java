package dev.meshgate.proxy.security;

import java.nio.file.Path;
import java.time.Duration;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The proxy's identity settings ({@code meshgate.proxy.*}).
 *
 * @param credentials the directory {@code meshctl workload credential} wrote (token, root certificate, discovery
 *     address); when set, the proxy gets a workload certificate and speaks to the control plane over TLS
 * @param certTtl the certificate TTL to ask the CA for (Istio's SECRET_TTL); null: the CA's default (24 h). A short
 *     one makes rotation observable in tests
 * @param trustDomain the mesh's trust domain, for the identity of a credentials directory without an
 *     {@code identity} file (an injected pod's); null: {@code cluster.local}, Istio's default
 * @param trustBundleInterval how often the control plane's trust bundle is read (a root rotation reaches the proxy
 *     within it); null: 30 s
 */
@ConfigurationProperties("meshgate.proxy")
public record SecurityProperties(@Nullable Path credentials, @Nullable Duration certTtl,
        @Nullable String trustDomain, @Nullable Duration trustBundleInterval) {

    /** Istio's default trust domain. */
    public static final String DEFAULT_TRUST_DOMAIN = "cluster.local";

    public SecurityProperties {
        if (certTtl != null && (certTtl.isNegative() || certTtl.isZero())) {
            throw new IllegalArgumentException("meshgate.proxy.cert-ttl: " + certTtl + " (expected: > 0)");
        }
        if (trustBundleInterval != null && (trustBundleInterval.isNegative() || trustBundleInterval.isZero())) {
            throw new IllegalArgumentException("meshgate.proxy.trust-bundle-interval: " + trustBundleInterval
                    + " (expected: > 0)");
        }
    }

    /** {@code trustBundleInterval}, 30 s when unset. */
    public Duration trustBundleIntervalOrDefault() {
        return trustBundleInterval == null ? CertificateRotator.DEFAULT_TRUST_BUNDLE_INTERVAL : trustBundleInterval;
    }

    /** The trust domain, {@code cluster.local} when unset. */
    public String trustDomainOrDefault() {
        return trustDomain == null || trustDomain.isBlank() ? DEFAULT_TRUST_DOMAIN : trustDomain;
    }
}
