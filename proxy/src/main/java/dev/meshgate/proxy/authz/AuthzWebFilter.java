package dev.meshgate.proxy.authz;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilterChain;

import dev.meshgate.core.view.ClusterSpec;
import dev.meshgate.core.view.ListenerSpec;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.core.view.RouteSpec;
import dev.meshgate.proxy.listener.PassthroughTarget;
import dev.meshgate.proxy.route.ListenerBinding;
import dev.meshgate.proxy.route.MeshRouteTable;
import dev.meshgate.proxy.server.MeshWebFilter;

import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

/**
 * Enforces the view's {@link dev.meshgate.core.view.AuthSpec} on the listeners that receive traffic (a sidecar's
 * inbound listener, every gateway listener; never the sidecar's outbound one), in Envoy's filter order as Istio
 * configures it: JWT verification (an invalid token: 401 with Envoy's message), then the CUSTOM policies (the
 * authorizer decides), then DENY, then ALLOW; AUDIT policies are logged. A denial is Envoy's {@code 403} with body
 * {@code RBAC: access denied}.
 *
 * <p>The policies are compiled once per applied view (the first request after a push compiles them); a request
 * only evaluates precompiled matchers. It runs after path normalization (policies see the normalized path, as with
 * Envoy) and before anything routes or answers (CORS preflights included, as Envoy's RBAC filter precedes CORS).
 * {@code destination.port} is the app's port on a sidecar's inbound listener and the local port on a gateway.
 */
public final class AuthzWebFilter extends MeshWebFilter {

    private static final Logger log = LoggerFactory.getLogger(AuthzWebFilter.class);

    private final MeshRouteTable table;
    private final ListenerBinding binding;
    private final PeerIdentityResolver peers;
    private final JwksCache jwks;
    private final HttpClient client = HttpClient.create();
    private volatile @Nullable Compiled compiled;

    private record Target(ListenerSpec.Direction direction, int destinationPort) {
    }

    private record Compiled(ProxyView view, AuthzEngine engine, Map<String, Target> listeners) {
    }

    public AuthzWebFilter(MeshRouteTable table, ListenerBinding binding, PeerIdentityResolver peers, JwksCache jwks) {
        this.table = table;
        this.binding = binding;
        this.peers = peers;
        this.jwks = jwks;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        ProxyView view = table.current();
        if (view == null) {
            return chain.filter(exchange);
        }
        Compiled current = compiledFor(view);
        if (current.engine().isEmpty()) {
            return chain.filter(exchange);
        }
        InetSocketAddress local = exchange.getRequest().getLocalAddress();
        String listener = local == null ? null : binding.listenerFor(exchange.getRequest());
        Target target = listener == null ? null : current.listeners().get(listener);
        if (target == null || target.direction() == ListenerSpec.Direction.OUTBOUND) {
            return chain.filter(exchange);
        }
        AuthzEngine engine = current.engine();
        if (engine.denyEverything()) {
            return forbidden(exchange);
        }
        // a connection passed through to another app port (sniffed on the inbound listener) is for that port
        InetSocketAddress passthrough = PassthroughTarget.of(exchange.getRequest());
        int port = passthrough != null ? passthrough.getPort()
                : target.destinationPort() > 0 ? target.destinationPort() : local.getPort();
        PeerIdentity peer = peers.peer(exchange);
        int trustedProxies = view.auth().numTrustedProxiesOrDefault();
        JwtAuthenticator jwt = engine.jwt();
        if (jwt == null) {
            return authorize(engine, exchange, new AuthzRequest(exchange.getRequest(), target.direction(), port, peer,
                    null, trustedProxies), chain);
        }
        return jwt.authenticate(exchange.getRequest()).flatMap(outcome -> {
            if (outcome.failure() != null) {
                return unauthorized(exchange, outcome.failure());
            }
            ServerWebExchange authenticated = outcome.mutated() == null ? exchange
                    : exchange.mutate().request(outcome.mutated()).build();
            return authorize(engine, authenticated, new AuthzRequest(authenticated.getRequest(), target.direction(),
                    port, peer, outcome.auth(), trustedProxies), chain);
        });
    }

    private Mono<Void> authorize(AuthzEngine engine, ServerWebExchange exchange, AuthzRequest request,
            WebFilterChain chain) {
        List<AuthzEngine.CustomPolicy> custom = engine.custom();
        for (int i = 0, n = custom.size(); i < n; i++) {
            AuthzEngine.CustomPolicy policy = custom.get(i);
            if (!policy.policy().matches(request)) {
                continue;
            }
            ExtAuthzClient authorizer = policy.client();
            if (authorizer == null) {
                log.debug("CUSTOM {} has no provider: denied", policy.policy().name());
                return forbidden(exchange);
            }
            return authorizer.check(exchange.getRequest()).flatMap(answer -> {
                if (!answer.allowed()) {
                    return externalDenial(exchange, authorizer, answer);
                }
                ServerWebExchange allowed = exchange;
                if (!authorizer.headersToUpstreamOnAllow().isEmpty()) {
                    allowed = exchange.mutate().request(r -> r.headers(h -> copy(answer.headers(), h,
                            authorizer.headersToUpstreamOnAllow()))).build();
                }
                copy(answer.headers(), exchange.getResponse().getHeaders(), authorizer.headersToDownstreamOnAllow());
                return rbac(engine, allowed, request, chain);
            });
        }
        return rbac(engine, exchange, request, chain);
    }

    private Mono<Void> rbac(AuthzEngine engine, ServerWebExchange exchange, AuthzRequest request,
            WebFilterChain chain) {
        String deniedBy = engine.decide(request);
        if (deniedBy != null) {
            log.debug("Denied {} {}: {}", request.method(), request.path(), deniedBy);
            return forbidden(exchange);
        }
        return chain.filter(exchange);
    }

    private static void copy(HttpHeaders from, HttpHeaders to, List<String> names) {
        for (String name : names) {
            List<String> values = from.get(name);
            if (values != null) {
                to.put(name, values);
            }
        }
    }

    private Compiled compiledFor(ProxyView view) {
        Compiled current = compiled;
        if (current != null && current.view() == view) {
            return current;
        }
        synchronized (this) {
            current = compiled;
            if (current == null || current.view() != view) {
                current = compile(view);
                compiled = current;
            }
            return current;
        }
    }

    private Compiled compile(ProxyView view) {
        Map<String, Target> listeners = new HashMap<>();
        for (ListenerSpec listener : view.listeners()) {
            listeners.put(listener.name(), new Target(listener.direction(), appPort(listener, view)));
        }
        AuthzEngine engine;
        try {
            engine = AuthzEngine.compile(view.auth(), jwks, client);
        } catch (RuntimeException e) {
            // the view passed ProxyViewCheck, so this is a bug; fail closed rather than open
            log.error("Authorization of view {} does not compile, denying every request: {}", view.version(),
                    e.toString());
            engine = AuthzEngine.denyAll();
        }
        return new Compiled(view, engine, Map.copyOf(listeners));
    }

    /** The port of the app behind a sidecar's inbound listener (its one route's endpoint), or 0. */
    private static int appPort(ListenerSpec listener, ProxyView view) {
        if (listener.direction() != ListenerSpec.Direction.INBOUND || listener.virtualHosts().isEmpty()
                || listener.virtualHosts().get(0).routes().isEmpty()) {
            return 0;
        }
        RouteSpec route = listener.virtualHosts().get(0).routes().get(0);
        if (route.route() == null || route.route().clusters().isEmpty()) {
            return 0;
        }
        String name = route.route().clusters().get(0).cluster();
        for (ClusterSpec cluster : view.clusters()) {
            if (cluster.name().equals(name) && !cluster.endpoints().isEmpty()) {
                return cluster.endpoints().get(0).port();
            }
        }
        return 0;
    }

    static Mono<Void> forbidden(ServerWebExchange exchange) {
        return write(exchange.getResponse(), HttpStatus.FORBIDDEN, AuthzEngine.ACCESS_DENIED);
    }

    private static Mono<Void> unauthorized(ServerWebExchange exchange, String message) {
        var request = exchange.getRequest();
        exchange.getResponse().getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"http://"
                + request.getHeaders().getFirst(HttpHeaders.HOST) + request.getURI().getRawPath()
                + "\", error=\"invalid_token\"");
        return write(exchange.getResponse(), HttpStatus.UNAUTHORIZED, message.getBytes(StandardCharsets.UTF_8));
    }

    private static Mono<Void> externalDenial(ServerWebExchange exchange, ExtAuthzClient authorizer,
            ExtAuthzClient.Answer answer) {
        HttpHeaders headers = exchange.getResponse().getHeaders();
        if (authorizer.headersToDownstreamOnDeny().isEmpty()) {
            answer.headers().forEach((name, values) -> {
                if (ExtAuthzClient.forwardable(name)) {
                    headers.put(name, values);
                }
            });
        } else {
            copy(answer.headers(), headers, authorizer.headersToDownstreamOnDeny());
        }
        return write(exchange.getResponse(), HttpStatusCode.valueOf(answer.status()), answer.body());
    }

    private static Mono<Void> write(ServerHttpResponse response, HttpStatusCode status, byte[] body) {
        response.setStatusCode(status);
        if (response.getHeaders().getContentType() == null) {
            response.getHeaders().setContentType(MediaType.TEXT_PLAIN);
        }
        response.getHeaders().setContentLength(body.length);
        DataBuffer buffer = response.bufferFactory().wrap(body);
        return response.writeWith(Mono.just(buffer));
    }

    @Override
    public int getOrder() {
        // after MeshPathNormalizationWebFilter (+50), before MeshDispatchWebFilter (+100)
        return Ordered.HIGHEST_PRECEDENCE + 60;
    }
}
