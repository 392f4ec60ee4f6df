package dev.meshgate.proxy.upstream;

import org.jspecify.annotations.Nullable;
import dev.meshgate.proxy.telemetry.PeerMetadataExchange;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR;

import java.util.List;

import org.springframework.beans.factory.ObjectProvider;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.NettyRoutingFilter;
import org.springframework.cloud.gateway.filter.NettyWriteResponseFilter;
import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;

import reactor.core.publisher.Mono;

import dev.meshgate.proxy.cluster.ClusterRuntime;
import dev.meshgate.proxy.filter.MeshFilterOrder;
import dev.meshgate.proxy.stream.StreamInfo;

/**
 * Sends a request whose route picked a mesh cluster to that cluster, and writes the answer: the mesh's router,
 * in place of Spring Cloud Gateway's {@link NettyRoutingFilter} and {@link NettyWriteResponseFilter}.
 *
 * <p>Why not Spring Cloud Gateway's routing filter with a retry filter around it: Istio's retries are Envoy's,
 * and they need what that pair does not give. A retry must go to another endpoint (the load balancer is asked
 * again per try), must be decided on the status and headers before the response is committed (Spring Cloud
 * Gateway's pair copies the upstream headers into the response and writes it after the whole chain; its retry
 * filter re-runs the chain and resets the exchange), must replay a buffered body, wait Envoy's jittered
 * back-off, respect the cluster's {@code maxRetries} budget, and report every try to outlier detection. The
 * connection pool is per cluster ({@code DestinationRule} limits, overflow answered 503 UO before any
 * endpoint is touched), where Spring Cloud Gateway has one HttpClient for all routes. Doing it here, the way
 * Envoy's router does (see {@link UpstreamCall}), is also the leaner path: no second header map per response,
 * no exchange attributes handed between two filters, no URI object per request.
 *
 * <p>resilience4j-reactor is not used: its Retry re-subscribes one publisher (no per-try endpoint choice, no
 * decision before commit, no replayed body), and its reactive Bulkhead rejects instead of queueing, while
 * Envoy's {@code http1MaxPendingRequests} queues up to a bound; the back-off is Reactor's {@code Mono.delay}.
 *
 * <p>WebSocket upgrades to a cluster take the mesh path too ({@link WebSocketCall}). Left to Spring Cloud Gateway's
 * routing filter: requests of the pass-through route (no cluster, ALLOW_ANY).
 */
public final class UpstreamGlobalFilter implements GlobalFilter, Ordered {

    private final UpstreamHeaders headers;
    private final long retryBufferBytes;
    private final UpstreamTransport transport;

    public UpstreamGlobalFilter(ObjectProvider<List<HttpHeadersFilter>> headersFilters,
            UpstreamProperties properties) {
        this(headersFilters, properties, null);
    }

    /** @param peerMetadata Istio's peer metadata exchange on upstream calls, or null when metrics are off */
    public UpstreamGlobalFilter(ObjectProvider<List<HttpHeadersFilter>> headersFilters,
            UpstreamProperties properties, @Nullable PeerMetadataExchange peerMetadata) {
        this(headersFilters, properties, peerMetadata, UpstreamTransport.PLAINTEXT);
    }

    /** @param transport TLS towards the endpoints that need it (mutual TLS between sidecars) */
    public UpstreamGlobalFilter(ObjectProvider<List<HttpHeadersFilter>> headersFilters,
            UpstreamProperties properties, @Nullable PeerMetadataExchange peerMetadata, UpstreamTransport transport) {
        this.headers = new UpstreamHeaders(headersFilters, peerMetadata);
        this.retryBufferBytes = properties.retryBufferBytes().toBytes();
        this.transport = transport;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        StreamInfo info = StreamInfo.of(exchange);
        ClusterRuntime cluster = info.cluster();
        if (cluster == null) {
            return chain.filter(exchange);
        }
        Route route = exchange.getAttribute(GATEWAY_ROUTE_ATTR);
        UpstreamPolicy policy = UpstreamPolicy.NONE;
        String routeId = "";
        if (route != null) {
            routeId = route.getId();
            if (route.getMetadata().get(UpstreamPolicy.METADATA_KEY) instanceof UpstreamPolicy p) {
                policy = p;
            }
        }
        if (WebSocketCall.isUpgrade(exchange)) {
            return WebSocketCall.forward(exchange, info, cluster, policy, headers.requestHeaders(exchange), headers,
                    transport);
        }
        return UpstreamCall.forward(exchange, info, cluster, policy, headers.forTries(exchange), headers,
                retryBufferBytes, routeId, transport);
    }

    @Override
    public int getOrder() {
        return MeshFilterOrder.CLUSTER;
    }
}
