package dev.meshgate.controlplane.ca;

import java.nio.file.Path;
import java.time.Duration;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The CA's and the secure discovery listener's settings ({@code meshgate.control-plane.*}, docs/protocol.md).
 *
 * @param caDir where the CA's files live, in Istio's {@code cacerts} layout ({@code ca-cert.pem}, {@code ca-key.pem},
 *     {@code root-cert.pem}, {@code cert-chain.pem}): read when present (a plug-in CA, intermediates allowed),
 *     otherwise a self-signed root is generated there on first start and reused. Null: a root in memory only (its
 *     certificates do not survive a restart)
 * @param workloadCertTtl the TTL of a workload certificate when the request names none (Istio's
 *     DEFAULT_WORKLOAD_CERT_TTL, 24 h)
 * @param maxWorkloadCertTtl the longest TTL a request may ask for (Istio's MAX_WORKLOAD_CERT_TTL, 90 days); a longer
 *     one is refused
 * @param rootCertTtl the validity of a generated self-signed root (Istio's CITADEL_SELF_SIGNED_CA_CERT_TTL, 10 years)
 * @param bootstrapTokenTtl how long a bootstrap token of {@code meshctl workload credential} is accepted (as
 *     {@code istioctl x workload entry configure --tokenDuration}, 1 h)
 * @param tlsPort the discovery stream and certificate signing over TLS (Istio's 15012; 0: any free port)
 * @param tlsAddress the address the TLS listener binds (loopback in local mode)
 * @param plaintext whether the plaintext port also serves the discovery stream (development only)
 * @param servingCertTtl how long the TLS port's own certificate lasts; it is renewed at half of it, and when the CA
 *     is reloaded
 * @param caReloadInterval how often {@code caDir} is read for a replaced CA (Istio's plug-in CA rotation)
 */
@ConfigurationProperties("meshgate.control-plane")
public record CaProperties(@Nullable Path caDir, @DefaultValue("24h") Duration workloadCertTtl,
        @DefaultValue("90d") Duration maxWorkloadCertTtl, @DefaultValue("3650d") Duration rootCertTtl,
        @DefaultValue("1h") Duration bootstrapTokenTtl, @DefaultValue("15012") int tlsPort,
        @DefaultValue("127.0.0.1") String tlsAddress, @DefaultValue("false") boolean plaintext,
        @DefaultValue("365d") Duration servingCertTtl, @DefaultValue("5s") Duration caReloadInterval) {

    public CaProperties {
        positive("workload-cert-ttl", workloadCertTtl);
        positive("max-workload-cert-ttl", maxWorkloadCertTtl);
        positive("root-cert-ttl", rootCertTtl);
        positive("bootstrap-token-ttl", bootstrapTokenTtl);
        positive("serving-cert-ttl", servingCertTtl);
        positive("ca-reload-interval", caReloadInterval);
        if (workloadCertTtl.compareTo(maxWorkloadCertTtl) > 0) {
            throw new IllegalArgumentException("meshgate.control-plane.workload-cert-ttl: " + workloadCertTtl
                    + " (expected: <= max-workload-cert-ttl " + maxWorkloadCertTtl + ")");
        }
    }

    private static void positive(String name, Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("meshgate.control-plane." + name + ": " + value + " (expected: > 0)");
        }
    }
}
