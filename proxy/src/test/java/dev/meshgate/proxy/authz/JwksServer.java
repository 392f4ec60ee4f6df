package dev.meshgate.proxy.authz;

import java.util.concurrent.atomic.AtomicInteger;

import com.nimbusds.jose.jwk.JWKSet;

import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/** A real JWKS endpoint on a random loopback port serving the public part of a key set at {@code /jwks.json}. */
final class JwksServer implements AutoCloseable {

    private final DisposableServer server;
    private final AtomicInteger fetches = new AtomicInteger();

    JwksServer(JWKSet keys) {
        String json = keys.toPublicJWKSet().toString();
        server = HttpServer.create().host("127.0.0.1").port(0)
                .route(routes -> routes.get("/jwks.json", (req, res) -> {
                    fetches.incrementAndGet();
                    return res.header("content-type", "application/json").sendString(Mono.just(json)).then();
                }))
                .bindNow();
    }

    String uri() {
        return "http://127.0.0.1:" + server.port() + "/jwks.json";
    }

    int fetches() {
        return fetches.get();
    }

    @Override
    public void close() {
        server.disposeNow();
    }
}
