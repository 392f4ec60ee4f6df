package dev.meshgate.proxy.discovery;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;

import dev.meshgate.core.discovery.Ack;
import dev.meshgate.core.discovery.DiscoveryCodec;
import dev.meshgate.core.discovery.DiscoveryMessage;
import dev.meshgate.core.discovery.Hello;
import dev.meshgate.core.discovery.Nack;
import dev.meshgate.core.discovery.Push;
import dev.meshgate.core.view.ProxyView;

import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.Connection;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.WebsocketServerSpec;

/**
 * A minimal control plane on a real loopback socket: speaks the discovery protocol at {@code /v1/discovery},
 * pushes its current view after each hello, and records every frame the proxies send.
 */
public final class TestControlPlane implements AutoCloseable {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private final BlockingQueue<DiscoveryMessage> received = new LinkedBlockingQueue<>();
    private final List<Sinks.Many<String>> sessions = new CopyOnWriteArrayList<>();
    private final List<Connection> connections = new CopyOnWriteArrayList<>();
    private final List<Long> helloNanos = new CopyOnWriteArrayList<>();
    private volatile ProxyView current;
    private final DisposableServer server;

    /** Listens on 127.0.0.1:{@code port} (0: any free port) and pushes {@code initial} to every proxy. */
    public TestControlPlane(int port, ProxyView initial) {
        this(port, initial, false, false);
    }

    /** A control plane that closes every stream right after the hello, without pushing. */
    public static TestControlPlane closingAfterHello() {
        return new TestControlPlane(0, null, true, false);
    }

    /** A control plane that pushes, then says nothing more, not even a pong: as if its host had vanished. */
    public static TestControlPlane notAnsweringPings(ProxyView initial) {
        return new TestControlPlane(0, initial, false, true);
    }

    private TestControlPlane(int port, ProxyView initial, boolean closeAfterHello, boolean silent) {
        this.current = initial;
        this.server = HttpServer.create()
                .host("127.0.0.1")
                .port(port)
                .route(routes -> routes.ws("/v1/discovery", (in, out) -> {
                    Sinks.Many<String> outbound = Sinks.many().unicast().onBackpressureBuffer();
                    sessions.add(outbound);
                    in.withConnection(connections::add);
                    Mono<Void> input = in.receiveFrames()
                            .ofType(TextWebSocketFrame.class)
                            .map(TextWebSocketFrame::text)
                            .doOnNext(text -> onFrame(outbound, text))
                            .takeUntil(text -> closeAfterHello)
                            .doFinally(signal -> {
                                sessions.remove(outbound);
                                outbound.tryEmitComplete();
                            })
                            .then();
                    return Mono.when(out.sendString(outbound.asFlux()).then(), input);
                }, WebsocketServerSpec.builder().maxFramePayloadLength(DiscoveryClient.MAX_FRAME_BYTES)
                        .handlePing(silent).build()))
                .bindNow();
    }

    public int port() {
        return server.port();
    }

    /** Makes {@code view} current and pushes it to every connected proxy. */
    public void push(ProxyView view) {
        current = view;
        String frame = DiscoveryCodec.encode(new Push(view));
        sessions.forEach(session -> emit(session, frame));
    }

    /** Sends {@code message} (e.g. a delta) to every connected proxy, leaving the current view as it is. */
    public void send(DiscoveryMessage message) {
        String frame = DiscoveryCodec.encode(message);
        sessions.forEach(session -> emit(session, frame));
    }

    /** When each hello arrived ({@link System#nanoTime()}), in order. */
    public List<Long> helloNanos() {
        return helloNanos;
    }

    /**
     * Blocks until a frame of this type arrives and returns it. The bound is generous on purpose: it only limits
     * how long a broken client is waited for, and a 2-core machine under heavy load took over 10 s for a first
     * WebSocket handshake.
     */
    public <T extends DiscoveryMessage> T next(Class<T> type) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            DiscoveryMessage message = received.poll(100, java.util.concurrent.TimeUnit.MILLISECONDS);
            if (type.isInstance(message)) {
                return type.cast(message);
            }
        }
        throw new AssertionError("no " + type.getSimpleName() + " frame within " + WAIT.toSeconds() + " s");
    }

    /** Blocks until an ACK or NACK of this version arrives (within the same bound), skipping others, and returns it. */
    public DiscoveryMessage answerTo(String version) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            DiscoveryMessage message = received.poll(100, java.util.concurrent.TimeUnit.MILLISECONDS);
            if (message instanceof Ack ack && ack.version().equals(version)
                    || message instanceof Nack nack && nack.version().equals(version)) {
                return message;
            }
        }
        throw new AssertionError("no answer to view " + version + " within " + WAIT.toSeconds() + " s");
    }

    private void onFrame(Sinks.Many<String> session, String text) {
        DiscoveryMessage message = DiscoveryCodec.decode(text);
        received.add(message);
        if (message instanceof Hello) {
            helloNanos.add(System.nanoTime());
        }
        if (message instanceof Hello && current != null) {
            emit(session, DiscoveryCodec.encode(new Push(current)));
        }
    }

    private static synchronized void emit(Sinks.Many<String> session, String frame) {
        session.tryEmitNext(frame);
    }

    @Override
    public void close() {
        connections.forEach(Connection::dispose);
        server.disposeNow();
    }
}
