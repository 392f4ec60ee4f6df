package dev.meshgate.controlplane.ca;

import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.meshgate.core.security.identity.SpiffeId;
import dev.meshgate.core.security.pki.Pem;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;

/**
 * The CA's endpoints (docs/protocol.md, "Identities and certificates"): {@code POST /v1/certificates} signs a CSR
 * for the identity the requester proves (its current workload certificate over TLS, or a bearer token one of the
 * {@link TokenAuthenticator}s recognizes: a bootstrap token, or in Kubernetes mode a service-account token checked by
 * a TokenReview), TLS only; {@code GET /v1/trust-bundle} gives the roots to trust now;
 * {@code POST /admin/workload-credentials} hands {@code meshctl workload credential} what
 * a proxy needs to join, to loopback clients only.
 */
@RestController
class CaController {

    private static final Logger log = LoggerFactory.getLogger(CaController.class);

    private final MeshCa ca;
    private final BootstrapTokens tokens;
    private final CaProperties properties;
    private final SecureDiscoveryListener listener;
    private final Clock clock;
    /** The bootstrap tokens' authenticator first, then the others (Kubernetes mode: TokenReview). */
    private final List<TokenAuthenticator> authenticators;

    CaController(MeshCa ca, BootstrapTokens tokens, CaProperties properties, SecureDiscoveryListener listener,
            org.springframework.beans.factory.ObjectProvider<TokenAuthenticator> others) {
        this.ca = ca;
        this.tokens = tokens;
        this.properties = properties;
        this.listener = listener;
        this.clock = ca.clock();
        List<TokenAuthenticator> all = new java.util.ArrayList<>();
        all.add(new BootstrapTokenAuthenticator(tokens, clock));
        others.orderedStream().forEach(all::add);
        this.authenticators = List.copyOf(all);
    }

    /** A CSR: {@code csr} in PEM, {@code ttlSeconds} optional. */
    record CertificateSigningRequest(@Nullable String csr, @Nullable Long ttlSeconds) {
    }

    /**
     * The signed certificate followed by the chain up to the root, and the trust bundle (every root proxies trust
     * now, which is how a running proxy learns of a root rotation), PEM.
     */
    record CertificateSigningResponse(String certificateChain, String rootCert) {
    }

    /** The trust bundle, PEM. */
    record TrustBundle(String rootCert) {
    }

    /** What {@code meshctl workload credential} asks for. */
    record CredentialRequest(@Nullable String name, @Nullable String namespace, @Nullable String serviceAccount) {
    }

    /** A proxy's bootstrap credentials (the token is a secret: only written to the credentials directory). */
    record Credential(String identity, String token, Instant expiresAt, String rootCert, String discoveryAddress,
            String trustDomain) {
    }

    @PostMapping("/v1/certificates")
    Mono<ResponseEntity<?>> sign(@RequestBody CertificateSigningRequest request, ServerWebExchange exchange) {
        // A token may be checked by an API call (TokenReview): off the event loop.
        return Mono.<ResponseEntity<?>>fromCallable(() -> signNow(request, exchange))
                .subscribeOn(Schedulers.boundedElastic());
    }

    private ResponseEntity<?> signNow(CertificateSigningRequest request, ServerWebExchange exchange) {
        try {
            if (!PeerIdentityWebFilter.secure(exchange)) {
                throw new MeshCa.Refusal(MeshCa.Refusal.Reason.FORBIDDEN,
                        "certificates are signed over TLS only (meshgate.control-plane.tls-port)");
            }
            if (request.csr() == null || request.csr().isBlank()) {
                throw new MeshCa.Refusal(MeshCa.Refusal.Reason.BAD_REQUEST, "csr: missing (expected: a PEM CSR)");
            }
            SpiffeId proven = proven(exchange);
            List<X509Certificate> chain = ca.sign(request.csr(), proven,
                    request.ttlSeconds() == null ? null : Duration.ofSeconds(request.ttlSeconds()));
            return ResponseEntity.ok(new CertificateSigningResponse(Pem.encodeCertificates(chain),
                    Pem.encodeCertificates(ca.roots())));
        } catch (MeshCa.Refusal e) {
            log.warn("CA: refused a CSR from {}: {}", exchange.getRequest().getRemoteAddress(), e.getMessage());
            HttpStatus status = switch (e.reason()) {
                case BAD_REQUEST -> HttpStatus.BAD_REQUEST;
                case UNAUTHENTICATED -> HttpStatus.UNAUTHORIZED;
                case FORBIDDEN -> HttpStatus.FORBIDDEN;
            };
            return ResponseEntity.status(status).body(Map.of("error", e.getMessage()));
        }
    }

    /**
     * The roots proxies trust now: every proxy reads it periodically, so that during a root rotation the new root is
     * trusted everywhere before certificates of it are presented. Public (roots are no secret), TLS or not.
     */
    @org.springframework.web.bind.annotation.GetMapping("/v1/trust-bundle")
    TrustBundle trustBundle() {
        return new TrustBundle(Pem.encodeCertificates(ca.roots()));
    }

    /** The identity the requester proves: its certificate's, else its bearer token's. */
    private SpiffeId proven(ServerWebExchange exchange) {
        SpiffeId peer = PeerIdentityWebFilter.peer(exchange);
        if (peer != null) {
            return peer;
        }
        String authorization = exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            throw new MeshCa.Refusal(MeshCa.Refusal.Reason.UNAUTHENTICATED, "no proof of identity (expected: a "
                    + "workload certificate, or Authorization: Bearer <bootstrap or service-account token>)");
        }
        String token = authorization.substring("Bearer ".length()).trim();
        for (TokenAuthenticator authenticator : authenticators) {
            if (authenticator.recognizes(token)) {
                TokenAuthenticator.Subject subject = authenticator.authenticate(token);
                return ca.identity(subject.namespace(), subject.serviceAccount());
            }
        }
        throw new MeshCa.Refusal(MeshCa.Refusal.Reason.UNAUTHENTICATED, authenticators.size() == 1
                ? "malformed bootstrap token"
                : "a token of no known format (expected: a bootstrap token or a Kubernetes service-account token)");
    }

    /** Bootstrap tokens, as a {@link TokenAuthenticator}: {@code <payload>.<mac>}, one dot. */
    private record BootstrapTokenAuthenticator(BootstrapTokens tokens, Clock clock) implements TokenAuthenticator {

        @Override
        public boolean recognizes(String token) {
            int dot = token.indexOf('.');
            return dot == token.lastIndexOf('.');
        }

        @Override
        public Subject authenticate(String token) {
            try {
                BootstrapTokens.Claims claims = tokens.verify(token, clock.instant());
                return new Subject(claims.namespace(), claims.serviceAccount());
            } catch (BootstrapTokens.InvalidTokenException e) {
                throw new MeshCa.Refusal(MeshCa.Refusal.Reason.UNAUTHENTICATED, e.getMessage());
            }
        }
    }

    @PostMapping("/admin/workload-credentials")
    ResponseEntity<?> credential(@RequestBody CredentialRequest request, ServerWebExchange exchange) {
        InetSocketAddress remote = exchange.getRequest().getRemoteAddress();
        if (remote == null || remote.getAddress() == null || !remote.getAddress().isLoopbackAddress()) {
            return ResponseEntity.status(HttpStatus.FORBIDDEN)
                    .body(Map.of("error", "workload credentials are given to loopback clients only"));
        }
        String name = request.name();
        String namespace = request.namespace() == null || request.namespace().isBlank() ? "default"
                : request.namespace();
        String serviceAccount = request.serviceAccount() == null || request.serviceAccount().isBlank() ? "default"
                : request.serviceAccount();
        SpiffeId identity;
        try {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("name: missing (expected: the workload's name)");
            }
            identity = ca.identity(namespace, serviceAccount);
        } catch (IllegalArgumentException e) {
            return ResponseEntity.badRequest().body(Map.of("error", e.getMessage()));
        }
        Instant expiry = clock.instant().plus(properties.bootstrapTokenTtl());
        BootstrapTokens.Token token = tokens.issue(name, namespace, serviceAccount, expiry);
        log.info("CA: bootstrap credentials for {} ({}) issued, valid until {}", name + "." + namespace,
                identity.uri(), expiry);
        return ResponseEntity.ok(new Credential(identity.uri(), token.value(), expiry,
                Pem.encodeCertificates(ca.roots()), listener.address(), ca.trustDomain()));
    }
}
