package dev.meshgate.proxy.security.mtls;

import dev.meshgate.proxy.authz.PeerIdentity;
import dev.meshgate.proxy.authz.PeerIdentityResolver;
import dev.meshgate.proxy.server.MeshWebFilter;
import dev.meshgate.proxy.stream.StreamInfo;

import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilterChain;

import reactor.core.publisher.Mono;

/**
 * Writes the mutual TLS peer's SPIFFE id into the request's {@link StreamInfo} ({@code downstreamPrincipal}), where
 * metrics ({@code source_principal}, {@code connection_security_policy}) and access logs read it.
 */
public final class PeerPrincipalWebFilter extends MeshWebFilter {

    private final PeerIdentityResolver peers;

    public PeerPrincipalWebFilter(PeerIdentityResolver peers) {
        this.peers = peers;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (exchange.getAttribute(StreamInfo.ATTRIBUTE) instanceof StreamInfo info) {
            PeerIdentity peer = peers.peer(exchange);
            if (peer != null) {
                info.downstreamPrincipal("spiffe://" + peer.principal());
            }
        }
        return chain.filter(exchange);
    }

    @Override
    public int getOrder() {
        // Right after StreamInfoWebFilter opens the record, before anything may answer.
        return Ordered.HIGHEST_PRECEDENCE + 11;
    }
}
