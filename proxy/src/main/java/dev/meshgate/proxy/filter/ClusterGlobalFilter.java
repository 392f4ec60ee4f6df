package dev.meshgate.proxy.filter;

import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_REQUEST_URL_ATTR;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.PRESERVE_HOST_HEADER_ATTRIBUTE;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;

import reactor.core.publisher.Mono;

import dev.meshgate.proxy.cluster.ClusterRuntime;
import dev.meshgate.proxy.loadbalancer.LbEndpoint;

/**
 * Turns the cluster a route picked into the upstream URL: the cluster's load balancer picks an endpoint and
 * the request goes to {@code http://address:port} with its path and query. Runs where Spring Cloud Gateway's
 * load-balancer filter runs, before the Netty routing filter. The upstream sees the request's Host header (as
 * Envoy forwards {@code :authority}), not the endpoint address. A cluster without endpoints gets 503 UH.
 */
public final class ClusterGlobalFilter implements GlobalFilter, Ordered {

    static final LocalResponse NO_HEALTHY_UPSTREAM = new LocalResponse(503, ResponseFlag.UH, "no healthy upstream");

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        ClusterRuntime cluster = exchange.getAttribute(MeshExchangeAttributes.CLUSTER);
        if (cluster == null) {
            return chain.filter(exchange);
        }
        LbEndpoint endpoint = cluster.choose(exchange);
        if (endpoint == null) {
            return NO_HEALTHY_UPSTREAM.write(exchange);
        }
        exchange.getAttributes().put(MeshExchangeAttributes.ENDPOINT, endpoint);
        exchange.getAttributes().put(GATEWAY_REQUEST_URL_ATTR, UpstreamUrl.of(endpoint.hostPort(), exchange.getRequest()));
        exchange.getAttributes().put(PRESERVE_HOST_HEADER_ATTRIBUTE, true);
        endpoint.requestStarted();
        return chain.filter(exchange)
                .doOnSuccess(done -> cluster.report(endpoint, statusOf(exchange)))
                .doOnError(error -> {
                    LocalResponse answer = UpstreamFailureGlobalFilter.classify(error);
                    cluster.report(endpoint, answer == null ? 503 : answer.status().value());
                })
                .doFinally(signal -> endpoint.requestCompleted());
    }

    private static int statusOf(ServerWebExchange exchange) {
        var status = exchange.getResponse().getStatusCode();
        return status == null ? 200 : status.value();
    }

    @Override
    public int getOrder() {
        return MeshFilterOrder.CLUSTER;
    }
}
