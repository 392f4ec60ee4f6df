package dev.meshgate.proxy.loadbalancer;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;

import dev.meshgate.core.view.EndpointSpec;
import dev.meshgate.proxy.listener.PassthroughTarget;

/**
 * Istio's {@code PASSTHROUGH} (Envoy's ORIGINAL_DST cluster): the request goes to the destination the caller asked
 * for, with no load balancing. meshgate's proxies receive requests as an HTTP proxy (or redirected to one), so the
 * original destination is the request's authority (Host): {@code host:port}, or the cluster's port when the Host
 * names none, as Envoy's {@code use_http_header} mode reads it. An authority that is one of the cluster's own
 * endpoints resolves to that endpoint (so its in-flight count and outlier state apply); any other gets an endpoint
 * of its own, cached up to {@value #CACHE_LIMIT} authorities. A request without Host has no destination (null:
 * the proxy answers 503 UH). Retries go to the same destination: there is no other. A connection whose listener
 * recorded where it passes through ({@link PassthroughTarget}: the sidecar's inbound connections sniffed as HTTP on
 * an undeclared port) goes there, as Envoy's ORIGINAL_DST reads the connection's original destination.
 */
final class PassthroughLoadBalancer implements LoadBalancer {

    static final int CACHE_LIMIT = 1024;

    private final Map<String, LbEndpoint> known;
    private final Map<String, LbEndpoint> others = new ConcurrentHashMap<>();
    private final int clusterPort;

    PassthroughLoadBalancer(List<LbEndpoint> endpoints, int clusterPort) {
        Map<String, LbEndpoint> map = new HashMap<>();
        for (LbEndpoint endpoint : endpoints) {
            map.put(endpoint.hostPort(), endpoint);
        }
        this.known = Map.copyOf(map);
        this.clusterPort = clusterPort;
    }

    @Override
    public @Nullable LbEndpoint choose(ServerWebExchange exchange, List<LbEndpoint> excluded, boolean includeEjected) {
        InetSocketAddress target = PassthroughTarget.of(exchange.getRequest());
        String host = target != null ? authority(target) : exchange.getRequest().getHeaders().getFirst(HttpHeaders.HOST);
        if (host == null || host.isEmpty()) {
            host = exchange.getRequest().getURI().getRawAuthority();
        }
        if (host == null || host.isEmpty()) {
            return null;
        }
        LbEndpoint endpoint = known.get(host);
        if (endpoint == null) {
            endpoint = others.get(host);
        }
        if (endpoint == null) {
            endpoint = create(host);
            if (endpoint == null) {
                return null;
            }
            if (others.size() < CACHE_LIMIT) {
                LbEndpoint raced = others.putIfAbsent(host, endpoint);
                endpoint = raced != null ? raced : endpoint;
            }
        }
        // The caller named this destination: ejection does not redirect it elsewhere.
        return endpoint;
    }

    private static String authority(InetSocketAddress target) {
        String host = target.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + target.getPort();
    }

    private @Nullable LbEndpoint create(String authority) {
        int colon = authority.lastIndexOf(':');
        boolean hasPort = colon > 0 && authority.indexOf(']', colon) < 0;
        String host = hasPort ? authority.substring(0, colon) : authority;
        int port = clusterPort;
        if (hasPort) {
            try {
                port = Integer.parseInt(authority.substring(colon + 1));
            } catch (NumberFormatException e) {
                return null;
            }
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.isEmpty() || port <= 0 || port > 65535) {
            return null;
        }
        LbEndpoint endpoint = known.get(new LbEndpoint(new EndpointSpec(host, port, Map.of(), 1, null, null)).hostPort());
        return endpoint != null ? endpoint : new LbEndpoint(new EndpointSpec(host, port, Map.of(), 1, null, null));
    }
}
