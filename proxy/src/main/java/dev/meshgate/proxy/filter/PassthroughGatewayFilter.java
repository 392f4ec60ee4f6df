package dev.meshgate.proxy.filter;

import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_REQUEST_URL_ATTR;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.PRESERVE_HOST_HEADER_ATTRIBUTE;

import java.net.InetSocketAddress;

import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.server.ServerWebExchange;

import reactor.core.publisher.Mono;

/**
 * Implements {@code outboundTrafficPolicy: ALLOW_ANY} for a host no virtual host serves (Istio's
 * PassthroughCluster): the request goes to the host and port its Host header names, port 80 when it names
 * none. A Host naming the proxy's own listener is refused rather than looped.
 */
public final class PassthroughGatewayFilter implements GatewayFilter, Ordered {

    private static final LocalResponse NO_HOST = new LocalResponse(400, ResponseFlag.NR, "request has no Host to pass through to");
    private static final LocalResponse LOOP = new LocalResponse(502, ResponseFlag.NR, "pass-through host is this proxy's own listener");

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        ServerHttpRequest request = exchange.getRequest();
        String host = request.getHeaders().getFirst(HttpHeaders.HOST);
        if (host == null || host.isEmpty()) {
            return NO_HOST.write(exchange);
        }
        int colon = host.lastIndexOf(':');
        boolean hasPort = colon > 0 && host.indexOf(']', colon) < 0;
        String hostPort = hasPort ? host : host + ":80";
        if (isOwnListener(request, hasPort ? host.substring(0, colon) : host, hasPort ? host.substring(colon + 1) : "80")) {
            return LOOP.write(exchange);
        }
        exchange.getAttributes().put(GATEWAY_REQUEST_URL_ATTR, UpstreamUrl.of(hostPort, request));
        exchange.getAttributes().put(PRESERVE_HOST_HEADER_ATTRIBUTE, true);
        return chain.filter(exchange);
    }

    private static boolean isOwnListener(ServerHttpRequest request, String host, String port) {
        InetSocketAddress local = request.getLocalAddress();
        if (local == null || !port.equals(Integer.toString(local.getPort()))) {
            return false;
        }
        String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        return h.equalsIgnoreCase("localhost") || h.startsWith("127.") || h.equals("::1")
                || (local.getAddress() != null && h.equals(local.getAddress().getHostAddress()));
    }

    @Override
    public int getOrder() {
        return MeshFilterOrder.CLUSTER;
    }

    @Override
    public String toString() {
        return "Passthrough";
    }
}
