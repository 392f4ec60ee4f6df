package dev.meshgate.proxy.loadbalancer;

import org.jspecify.annotations.Nullable;
import org.springframework.web.server.ServerWebExchange;

/**
 * Picks the endpoint of a cluster that serves one request. Implementations are created per cluster runtime and
 * are thread-safe; they must not block. The exchange is given so that policies that hash on the request
 * (consistent hash on a header, cookie or source address) can read it.
 */
public interface LoadBalancer {

    /** The endpoint for this request, or null if the cluster has none. */
    @Nullable LbEndpoint choose(ServerWebExchange exchange);
}
