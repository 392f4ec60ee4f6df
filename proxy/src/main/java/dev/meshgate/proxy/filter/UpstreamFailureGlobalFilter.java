package dev.meshgate.proxy.filter;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;

import javax.net.ssl.SSLHandshakeException;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;

import io.netty.channel.ConnectTimeoutException;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.PrematureCloseException;

/**
 * Answers upstream failures the way Envoy does instead of Spring's 500 error page: a failed connect (refused,
 * unreachable, unresolvable, timed out) is 503 UF, a connection closed before the response 503 UC, a response
 * timeout 504 UT. Errors after the response is committed cannot be answered and pass through.
 */
public final class UpstreamFailureGlobalFilter implements GlobalFilter, Ordered {

    private static final Logger log = LoggerFactory.getLogger(UpstreamFailureGlobalFilter.class);

    public static final LocalResponse CONNECT_FAILURE = new LocalResponse(503, ResponseFlag.UF, "upstream connect error");
    public static final LocalResponse CONNECTION_TERMINATED =
            new LocalResponse(503, ResponseFlag.UC, "upstream connection terminated before the response");
    public static final LocalResponse TIMEOUT = new LocalResponse(504, ResponseFlag.UT, "upstream request timeout");

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        return chain.filter(exchange).onErrorResume(error -> {
            LocalResponse answer = classify(error);
            if (answer == null || exchange.getResponse().isCommitted()) {
                return Mono.error(error);
            }
            if (log.isDebugEnabled()) {
                log.debug("{} {}: {} ({})", exchange.getRequest().getMethod(), exchange.getRequest().getURI(),
                        answer.flag(), error.toString());
            }
            exchange.getResponse().getHeaders().clear();
            return answer.write(exchange);
        });
    }

    public static @Nullable LocalResponse classify(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ConnectException || t instanceof ConnectTimeoutException
                    || t instanceof UnknownHostException || t instanceof UnresolvedAddressException
                    || t instanceof NoRouteToHostException || t instanceof SSLHandshakeException) {
                // A failed TLS handshake is a connect failure, as Envoy counts it (UF, outlier detection, retryOn).
                return CONNECT_FAILURE;
            }
            if (t instanceof PrematureCloseException) {
                return CONNECTION_TERMINATED;
            }
            if (t instanceof ResponseStatusException rse && rse.getStatusCode().value() == HttpStatus.GATEWAY_TIMEOUT.value()) {
                return TIMEOUT;
            }
        }
        return null;
    }

    @Override
    public int getOrder() {
        return MeshFilterOrder.UPSTREAM_FAILURE;
    }
}
