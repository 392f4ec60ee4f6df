package dev.meshgate.proxy.authz;

import java.util.List;

import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLSession;

import org.jspecify.annotations.Nullable;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;

import reactor.netty.Connection;

/**
 * Istio's {@code connection.sni} (Envoy's {@code requested_server_name}): the server name the client sent in the
 * TLS handshake of the downstream connection the request came on; null on plaintext and without SNI.
 */
final class RequestedServerName {

    private RequestedServerName() {
    }

    static @Nullable String of(ServerHttpRequest request) {
        if (!(ServerHttpRequestDecorator.getNativeRequest(request) instanceof Connection connection)) {
            return null;
        }
        Channel channel = connection.channel();
        SslHandler ssl = channel.pipeline().get(SslHandler.class);
        if (ssl == null && channel.parent() != null) {
            // an HTTP/2 stream: the connection's channel holds the TLS handler
            ssl = channel.parent().pipeline().get(SslHandler.class);
        }
        SSLSession session = ssl == null ? null : ssl.engine().getSession();
        if (!(session instanceof ExtendedSSLSession extended)) {
            return null;
        }
        List<SNIServerName> names = extended.getRequestedServerNames();
        for (SNIServerName name : names) {
            if (name instanceof SNIHostName host) {
                return host.getAsciiName();
            }
        }
        return null;
    }
}
