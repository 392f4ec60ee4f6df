package dev.meshgate.controlplane.ca;

import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;

import dev.meshgate.controlplane.push.DiscoveryWebSocketHandler;
import dev.meshgate.core.security.identity.SpiffeId;
import dev.meshgate.core.security.pki.CertificateChains;

import org.jspecify.annotations.Nullable;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.SslInfo;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Who is on the other end of a request: on the TLS port, the SPIFFE ID of the client certificate (already verified
 * against the CA's roots by the handshake), kept in the exchange attribute
 * {@link DiscoveryWebSocketHandler#PEER_IDENTITY}. Guards the discovery stream: over TLS only with a workload
 * certificate of this trust domain or one of MeshConfig's {@code trustDomainAliases}; in plaintext only when
 * {@code meshgate.control-plane.plaintext} is on.
 */
final class PeerIdentityWebFilter implements WebFilter, Ordered {

    private final MeshCa ca;
    private final boolean plaintext;

    PeerIdentityWebFilter(MeshCa ca, boolean plaintext) {
        this.ca = ca;
        this.plaintext = plaintext;
    }

    /** The verified SPIFFE ID of the request's client certificate, or null (plaintext, no certificate, no SPIFFE ID). */
    static @Nullable SpiffeId peer(ServerWebExchange exchange) {
        return exchange.getAttribute(DiscoveryWebSocketHandler.PEER_IDENTITY);
    }

    static boolean secure(ServerWebExchange exchange) {
        return exchange.getRequest().getSslInfo() != null;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        SslInfo ssl = exchange.getRequest().getSslInfo();
        SpiffeId peer = null;
        if (ssl != null && ssl.getPeerCertificates() != null && ssl.getPeerCertificates().length > 0) {
            X509Certificate leaf = ssl.getPeerCertificates()[0];
            peer = CertificateChains.spiffeId(leaf);
            if (peer != null && !ca.ofMesh(peer.trustDomain())) {
                return refuse(exchange, HttpStatus.FORBIDDEN, "certificate of " + peer.uri() + " is not of trust domain "
                        + ca.trustDomain() + " or one of its trustDomainAliases");
            }
            if (peer != null) {
                exchange.getAttributes().put(DiscoveryWebSocketHandler.PEER_IDENTITY, peer);
            }
        }
        if (exchange.getRequest().getPath().value().equals(DiscoveryWebSocketHandler.PATH)) {
            if (ssl == null && !plaintext) {
                return refuse(exchange, HttpStatus.FORBIDDEN, "plaintext discovery is disabled: connect over TLS with "
                        + "a workload certificate (meshgate.proxy.credentials), or start the control plane with "
                        + "--meshgate.control-plane.plaintext=true (development only)");
            }
            if (ssl != null && peer == null) {
                return refuse(exchange, HttpStatus.UNAUTHORIZED,
                        "the discovery stream over TLS needs a workload certificate with a SPIFFE ID");
            }
        }
        return chain.filter(exchange);
    }

    private static Mono<Void> refuse(ServerWebExchange exchange, HttpStatus status, String reason) {
        var response = exchange.getResponse();
        response.setStatusCode(status);
        response.getHeaders().setContentType(MediaType.TEXT_PLAIN);
        return response.writeWith(Mono.just(response.bufferFactory()
                .wrap(("meshgate: " + reason + "\n").getBytes(StandardCharsets.UTF_8))));
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }
}
