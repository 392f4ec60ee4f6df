package dev.meshgate.proxy.security.mtls;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;

import javax.net.ssl.SSLPeerUnverifiedException;

import dev.meshgate.core.security.identity.SpiffeId;
import dev.meshgate.core.security.pki.CertificateChains;
import dev.meshgate.proxy.authz.PeerIdentity;
import dev.meshgate.proxy.authz.PeerIdentityResolver;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import org.jspecify.annotations.Nullable;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.web.server.ServerWebExchange;

import reactor.netty.Connection;

/**
 * The downstream peer's identity on a connection terminated with mesh mutual TLS: the SPIFFE URI SAN of the client
 * certificate, read once per connection and kept on the channel. A connection {@link PeerAuthenticationHandler}
 * terminated is looked at on its first request; another listener verifying clients against the mesh roots (a
 * gateway's ISTIO_MUTUAL server) records its peer with {@link #record} when the handshake completes. Plaintext
 * connections, and TLS verified against any other CA (a gateway's MUTUAL server), have none: a SPIFFE id signed by
 * a user's CA is not a mesh identity.
 */
public final class MutualTlsPeers implements PeerIdentityResolver {

    /** What the channel holds once looked at: the identity, or {@link #NONE} for a peer without one. */
    private static final AttributeKey<Object> PEER = AttributeKey.valueOf("meshgate.mtls.peer");
    private static final Object NONE = new Object();

    @Override
    public @Nullable PeerIdentity peer(ServerWebExchange exchange) {
        Object nativeRequest = ServerHttpRequestDecorator.getNativeRequest(exchange.getRequest());
        if (!(nativeRequest instanceof Connection connection)) {
            return null;
        }
        return peer(connection.channel());
    }

    /** The peer of {@code channel} (or of its parent, for an HTTP/2 stream); null when not mutual TLS. */
    public static @Nullable PeerIdentity peer(Channel channel) {
        // An HTTP/2 stream's channel is a child of the connection's, which holds the TLS handler.
        Channel parent = channel.parent();
        Channel connection = parent != null && (parent.hasAttr(PEER)
                || parent.pipeline().get(PeerAuthenticationHandler.SSL_HANDLER) != null) ? parent : channel;
        var attribute = connection.attr(PEER);
        Object known = attribute.get();
        if (known == null) {
            known = identityOf(connection);
            attribute.set(known);
        }
        return known instanceof PeerIdentity identity ? identity : null;
    }

    /**
     * Records the peer of {@code channel}, whose handshake {@code ssl} completed after verifying the client's chain
     * against the mesh roots.
     */
    public static void record(Channel channel, SslHandler ssl) {
        channel.attr(PEER).set(identityOf(ssl));
    }

    private static Object identityOf(Channel channel) {
        if (!(channel.pipeline().get(PeerAuthenticationHandler.SSL_HANDLER) instanceof SslHandler ssl)) {
            return NONE;
        }
        return identityOf(ssl);
    }

    private static Object identityOf(SslHandler ssl) {
        try {
            Certificate[] chain = ssl.engine().getSession().getPeerCertificates();
            if (chain.length == 0 || !(chain[0] instanceof X509Certificate certificate)) {
                return NONE;
            }
            SpiffeId id = CertificateChains.spiffeId(certificate);
            PeerIdentity identity = id == null ? null : PeerIdentity.ofSpiffe(id.uri());
            return identity == null ? NONE : identity;
        } catch (SSLPeerUnverifiedException e) {
            return NONE;
        }
    }
}
