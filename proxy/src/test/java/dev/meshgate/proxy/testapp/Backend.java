package dev.meshgate.proxy.testapp;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * A real HTTP backend on a random loopback port. It answers {@code x-backend: <name>} and echoes what it saw:
 * {@code x-seen-path} (path and query), {@code x-seen-host}, and every request header as {@code x-echo-<name>}.
 */
public final class Backend implements AutoCloseable {

    private final String name;
    private final DisposableServer server;
    private final AtomicInteger requests = new AtomicInteger();

    public Backend(String name) {
        this(name, Map.of());
    }

    /** @param responseHeaders headers the backend adds to every response */
    public Backend(String name, Map<String, String> responseHeaders) {
        this.name = name;
        this.server = HttpServer.create().host("127.0.0.1").port(0)
                .handle((req, res) -> {
                    requests.incrementAndGet();
                    res.header("x-backend", name);
                    res.header("x-seen-path", req.uri());
                    res.header("x-seen-host", String.valueOf(req.requestHeaders().get("host")));
                    req.requestHeaders().forEach(h -> res.addHeader("x-echo-" + h.getKey().toLowerCase(), h.getValue()));
                    responseHeaders.forEach(res::header);
                    return req.receive().then().then(res.sendString(Mono.just(name)).then());
                })
                .bindNow();
    }

    public String name() {
        return name;
    }

    /** Requests received so far. */
    public int requests() {
        return requests.get();
    }

    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.disposeNow();
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
