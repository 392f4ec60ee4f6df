package dev.meshgate.controlplane.ca;

import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

import dev.meshgate.core.security.identity.SpiffeId;
import dev.meshgate.core.security.pki.CertificateIssuer;
import dev.meshgate.core.security.pki.CertificateRequest;
import dev.meshgate.core.security.pki.PemException;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mesh's CA: signs a CSR into a workload certificate for the identity its requester proved, never another.
 * TTLs follow Istio's CA: the request's when it names one, at most {@code maxTtl} (a longer one is refused), the
 * default otherwise. The trust domain is MeshConfig's, read at each signing. The signing certificate and the trust
 * bundle may be replaced while it runs ({@link #reload}, Istio's plug-in CA rotation): what it signs from then on
 * comes from the new one, and listeners (the control plane's own TLS listeners, the root-cert publisher) are told.
 */
public final class MeshCa {

    /** The control plane's own identity, as istiod's. */
    static final String CONTROL_PLANE_NAMESPACE = "istio-system";
    static final String CONTROL_PLANE_SERVICE_ACCOUNT = "istiod";

    private static final Logger log = LoggerFactory.getLogger(MeshCa.class);

    /** The signing certificate with its chain, and the roots proxies trust, swapped as one. */
    private record Signing(CertificateIssuer issuer, List<X509Certificate> roots) {
    }

    private volatile Signing signing;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final Supplier<String> trustDomain;
    private volatile Supplier<List<String>> trustDomainAliases = List::of;
    private final Duration defaultTtl;
    private final Duration maxTtl;
    private final Clock clock;

    MeshCa(CertificateIssuer issuer, Supplier<String> trustDomain, Duration defaultTtl, Duration maxTtl, Clock clock) {
        this(issuer, List.of(issuer.root()), trustDomain, defaultTtl, maxTtl, clock);
    }

    /** @param roots the trust bundle: the signing chain's root first, then the other roots trusted (a rotation) */
    MeshCa(CertificateIssuer issuer, List<X509Certificate> roots, Supplier<String> trustDomain, Duration defaultTtl,
            Duration maxTtl, Clock clock) {
        this.signing = new Signing(issuer, List.copyOf(roots));
        this.trustDomain = trustDomain;
        this.defaultTtl = defaultTtl;
        this.maxTtl = maxTtl;
        this.clock = clock;
    }

    Clock clock() {
        return clock;
    }

    /** The roots proxies trust (every root of root-cert.pem). */
    public List<X509Certificate> roots() {
        return signing.roots();
    }

    /** The CA's own signing certificate (the chain's first). */
    X509Certificate signingCertificate() {
        return signing.issuer().certificate();
    }

    /**
     * Signs with {@code issuer} from now on and hands proxies {@code roots}; tells the listeners. Certificates signed
     * before stay valid as long as a root of the bundle still leads to them.
     */
    void reload(CertificateIssuer issuer, List<X509Certificate> roots) {
        signing = new Signing(issuer, List.copyOf(roots));
        listeners.forEach(Runnable::run);
    }

    /** Runs {@code listener} after every {@link #reload}. */
    public void addListener(Runnable listener) {
        listeners.add(listener);
    }

    /** Stops running {@code listener} after reloads. */
    public void removeListener(Runnable listener) {
        listeners.remove(listener);
    }

    public String trustDomain() {
        return trustDomain.get();
    }

    /** Where MeshConfig's {@code trustDomainAliases} are read from (at each check). */
    void trustDomainAliases(Supplier<List<String>> aliases) {
        this.trustDomainAliases = aliases;
    }

    /** Whether {@code domain} is the mesh's trust domain or one of its aliases (Istio's trust domain migration). */
    boolean ofMesh(String domain) {
        return domain.equals(trustDomain()) || trustDomainAliases.get().contains(domain);
    }

    /** The identity of the workload {@code namespace}/{@code serviceAccount} in this mesh's trust domain. */
    public SpiffeId identity(String namespace, String serviceAccount) {
        return new SpiffeId(trustDomain(), namespace, serviceAccount);
    }

    /**
     * Signs {@code csrPem} for {@code proven}: the CSR must ask for exactly that identity's URI SAN.
     *
     * @param requestedTtl the TTL asked for, or null for the default
     * @return the certificate followed by the CA's chain up to the root
     */
    public List<X509Certificate> sign(String csrPem, SpiffeId proven, @Nullable Duration requestedTtl) {
        CertificateRequest request;
        try {
            request = CertificateRequest.parse(csrPem);
        } catch (PemException e) {
            throw new Refusal(Refusal.Reason.BAD_REQUEST, "invalid CSR: " + e.getMessage());
        }
        if (!request.uriSans().equals(List.of(proven.uri()))) {
            throw new Refusal(Refusal.Reason.FORBIDDEN, "the CSR asks for " + request.uriSans()
                    + " but the requester proved " + proven.uri());
        }
        Duration ttl = requestedTtl == null || requestedTtl.isZero() || requestedTtl.isNegative() ? defaultTtl
                : requestedTtl;
        if (ttl.compareTo(maxTtl) > 0) {
            throw new Refusal(Refusal.Reason.BAD_REQUEST, "requested TTL " + ttl
                    + " is greater than the max allowed TTL " + maxTtl);
        }
        List<X509Certificate> chain = signing.issuer().issue(request.publicKey(), proven, clock.instant(), ttl);
        log.info("CA: signed a certificate for {} valid until {}", proven.uri(), chain.get(0).getNotAfter().toInstant());
        return chain;
    }

    /** A key and certificate for the control plane's TLS listener (DNS localhost, IP 127.0.0.1, istiod's SPIFFE ID). */
    ServingCredentials servingCredentials(Duration ttl) {
        KeyPair keys = CertificateRequest.generateKeyPair();
        List<X509Certificate> chain = signing.issuer().issueServer(keys.getPublic(),
                identity(CONTROL_PLANE_NAMESPACE, CONTROL_PLANE_SERVICE_ACCOUNT),
                List.of("localhost", "istiod." + CONTROL_PLANE_NAMESPACE + ".svc"), List.of("127.0.0.1"),
                clock.instant(), ttl);
        return new ServingCredentials(keys, chain);
    }

    /**
     * A key and certificate for another of the control plane's HTTPS listeners (the admission webhooks), for the
     * DNS names the API server dials ({@code istiod.istio-system.svc}) and loopback, as istiod's webhook certificate.
     */
    public ServingCredentials servingCredentials(List<String> dnsNames, Duration ttl) {
        KeyPair keys = CertificateRequest.generateKeyPair();
        List<X509Certificate> chain = signing.issuer().issueServer(keys.getPublic(),
                identity(CONTROL_PLANE_NAMESPACE, CONTROL_PLANE_SERVICE_ACCOUNT), dnsNames, List.of("127.0.0.1"),
                clock.instant(), ttl);
        return new ServingCredentials(keys, chain);
    }

    /** The control plane's own key and certificate chain. */
    public record ServingCredentials(KeyPair keys, List<X509Certificate> chain) {
    }

    /** A CSR the CA will not sign; {@link Reason} says which HTTP status tells it. */
    public static final class Refusal extends RuntimeException {

        /** Why: a malformed request, missing proof of identity, or an identity not proven. */
        public enum Reason { BAD_REQUEST, UNAUTHENTICATED, FORBIDDEN }

        private final Reason reason;

        public Refusal(Reason reason, String message) {
            super(message);
            this.reason = reason;
        }

        public Reason reason() {
            return reason;
        }
    }
}
