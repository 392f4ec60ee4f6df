package dev.meshgate.proxy.upstream;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

import io.netty.handler.codec.http.HttpHeaders;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * A real HTTP backend on a random loopback port whose n-th request (from 1) gets the answer its script gives:
 * a status after a delay, or a closed connection. It counts requests, remembers the client ports it saw (one per
 * connection), the headers and uri of every request, the time each arrived, and answers {@code x-backend: <name>} with a body
 * {@code <name> <request number> <received body>}.
 */
final class ScriptedBackend implements AutoCloseable {

    /** What the backend does with one request; {@code until}: the answer waits for it to complete too. */
    record Answer(int status, long delayMillis, boolean close, Mono<?> until) {
        Answer(int status, long delayMillis, boolean close) {
            this(status, delayMillis, close, Mono.empty());
        }

        static Answer status(int status) {
            return new Answer(status, 0, false);
        }

        static Answer delayed(int status, long millis) {
            return new Answer(status, millis, false);
        }

        static Answer closeConnection() {
            return new Answer(0, 0, true);
        }

        /** {@code status}, answered once {@code until} completes (the test releases it: no timing involved). */
        static Answer held(int status, Mono<?> until) {
            return new Answer(status, 0, false, until);
        }
    }

    private final String name;
    private final DisposableServer server;
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    private final Set<Integer> clientPorts = ConcurrentHashMap.newKeySet();
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private volatile IntFunction<Answer> script;

    ScriptedBackend(String name, IntFunction<Answer> script) {
        this.name = name;
        this.script = script;
        this.server = HttpServer.create().host("127.0.0.1").port(0)
                .handle((req, res) -> {
                    seen.add(new Seen(req.uri(), req.requestHeaders().copy(), System.nanoTime()));
                    int n = requests.incrementAndGet();
                    clientPorts.add(((java.net.InetSocketAddress) req.remoteAddress()).getPort());
                    int now = inFlight.incrementAndGet();
                    maxInFlight.accumulateAndGet(now, Math::max);
                    Answer answer = this.script.apply(n);
                    return req.receive().aggregate().asString(StandardCharsets.UTF_8).defaultIfEmpty("")
                            .delayElement(Duration.ofMillis(answer.delayMillis()))
                            .flatMap(body -> answer.until().then(Mono.just(body)))
                            .flatMap(body -> {
                                if (answer.close()) {
                                    return Mono.<Void>fromRunnable(() -> res.withConnection(c -> c.channel().close()));
                                }
                                res.status(answer.status()).header("x-backend", name);
                                return res.sendString(Mono.just(name + " " + n + " " + body)).then();
                            })
                            .doFinally(s -> inFlight.decrementAndGet());
                })
                .bindNow();
    }

    /** One request as it arrived: its uri, headers and arrival time. */
    record Seen(String uri, HttpHeaders headers, long nanos) {
    }

    /** The requests received so far, in arrival order. */
    List<Seen> seen() {
        return seen;
    }

    void script(IntFunction<Answer> script) {
        this.script = script;
    }

    int port() {
        return server.port();
    }

    int requests() {
        return requests.get();
    }

    int maxInFlight() {
        return maxInFlight.get();
    }

    Set<Integer> clientPorts() {
        return clientPorts;
    }

    @Override
    public void close() {
        server.disposeNow();
    }

    @Override
    public String toString() {
        return name;
    }
}
