package dev.meshgate.proxy.authz;

import java.util.concurrent.atomic.AtomicInteger;

import com.nimbusds.jose.jwk.JWKSet;

import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * A real issuer on a random loopback port: the public part of a key set at {@code /jwks.json} (replaceable, as an
 * issuer rotates keys) and an OpenID configuration naming it at {@code /.well-known/openid-configuration}.
 */
final class JwksServer implements AutoCloseable {

    private final DisposableServer server;
    private final AtomicInteger fetches = new AtomicInteger();
    private final AtomicInteger discoveries = new AtomicInteger();
    private volatile String json;

    JwksServer(JWKSet keys) {
        serve(keys);
        server = HttpServer.create().host("127.0.0.1").port(0)
                .route(routes -> routes.get("/jwks.json", (req, res) -> {
                    fetches.incrementAndGet();
                    return res.header("content-type", "application/json").sendString(Mono.just(json)).then();
                }).get("/.well-known/openid-configuration", (req, res) -> {
                    discoveries.incrementAndGet();
                    return res.header("content-type", "application/json").sendString(Mono.just("{\"issuer\": \""
                            + issuer() + "\", \"jwks_uri\": \"" + uri() + "\"}")).then();
                }))
                .bindNow();
    }

    /** Serves {@code keys} (their public part) from now on. */
    void serve(JWKSet keys) {
        json = keys.toPublicJWKSet().toString();
    }

    String uri() {
        return issuer() + "/jwks.json";
    }

    /** The issuer whose OpenID configuration this server publishes. */
    String issuer() {
        return "http://127.0.0.1:" + server.port();
    }

    int fetches() {
        return fetches.get();
    }

    int discoveries() {
        return discoveries.get();
    }

    @Override
    public void close() {
        server.disposeNow();
    }
}
