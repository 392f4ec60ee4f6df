package dev.meshgate.proxy.route;

import dev.meshgate.core.mesh.MeshConfig.ProxyPathNormalization.NormalizationType;
import dev.meshgate.core.mesh.PathNormalizer;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.proxy.server.MeshWebFilter;

import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilterChain;

import reactor.core.publisher.Mono;

/**
 * Normalizes the path of every request on a mesh listener by the view's {@code meshConfig.pathNormalization}
 * ({@link PathNormalizer}), once, before anything else: route matching, the filters and the upstream URL all see
 * the normalized path, as with Envoy's {@code normalize_path}. A path that cannot be normalized (a malformed escape,
 * {@code %00}) is answered 400, as Envoy does. Requests on other ports (actuator) pass unchanged.
 */
final class MeshPathNormalizationWebFilter extends MeshWebFilter {

    private final MeshRouteTable table;
    private final ListenerBinding binding;

    MeshPathNormalizationWebFilter(MeshRouteTable table, ListenerBinding binding) {
        this.table = table;
        this.binding = binding;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        ProxyView view = table.current();
        NormalizationType type = view == null ? NormalizationType.BASE : view.pathNormalization();
        if (type == NormalizationType.NONE) {
            return chain.filter(exchange);
        }
        ServerHttpRequest request = exchange.getRequest();
        if (binding.listenerFor(request) == null) {
            return chain.filter(exchange);
        }
        String path = request.getURI().getRawPath();
        if (path == null || path.isEmpty()) {
            return chain.filter(exchange);
        }
        String normalized = PathNormalizer.normalize(path, type);
        if (normalized == null) {
            exchange.getResponse().setStatusCode(HttpStatus.BAD_REQUEST);
            return exchange.getResponse().setComplete();
        }
        if (normalized.equals(path)) {
            return chain.filter(exchange);
        }
        return chain.filter(exchange.mutate().request(r -> r.path(normalized)).build());
    }

    @Override
    public int getOrder() {
        // Before MeshDispatchWebFilter, which looks the route up.
        return Ordered.HIGHEST_PRECEDENCE + 50;
    }
}
