package dev.meshgate.proxy.testapp;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
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
    private final List<Received> received = new CopyOnWriteArrayList<>();

    /** What one request brought: method, path and query, Host, the value of each header, body. */
    public record Received(String method, String uri, String host, Map<String, String> headers, String body) {
    }

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
                    Map<String, String> headers = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
                    req.requestHeaders().forEach(h -> headers.merge(h.getKey(), h.getValue(), (a, b) -> a + "," + b));
                    return req.receive().aggregate().asString().defaultIfEmpty("")
                            .doOnNext(body -> received.add(new Received(req.method().name(), req.uri(),
                                    String.valueOf(req.requestHeaders().get("host")), java.util.Collections.unmodifiableMap(headers), body)))
                            .then(res.sendString(Mono.just(name)).then());
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

    /** Every request received so far, in order of arrival. */
    public List<Received> received() {
        return List.copyOf(received);
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
