package dev.meshgate.controlplane.push;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import dev.meshgate.core.discovery.DiscoveryCodec;
import dev.meshgate.core.discovery.DiscoveryMessage;
import dev.meshgate.core.discovery.Hello;
import dev.meshgate.core.discovery.Push;
import dev.meshgate.core.discovery.TrustBundle;
import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.core.view.ProxyKind;
import dev.meshgate.core.view.ProxyView;

import org.jspecify.annotations.Nullable;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.client.ReactorNettyWebSocketClient;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.WebsocketClientSpec;

/** A proxy's side of the discovery protocol over a real WebSocket, for tests. */
public final class TestProxy implements AutoCloseable {

    final ProxyIdentity identity;
    private static final String PING = "\0ping";
    /** How long a push or frame may take to come: a rebuild and push took over 10 s at a load of 30 on 2 cores. */
    private static final int WAIT_SECONDS = 30;

    final BlockingQueue<ProxyView> pushes = new LinkedBlockingQueue<>();
    /** Every push and delta frame as it came, in order. */
    final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
    /** Every trust bundle announced, in order. */
    final BlockingQueue<TrustBundle> trustBundles = new LinkedBlockingQueue<>();
    final java.util.concurrent.atomic.AtomicInteger pongs = new java.util.concurrent.atomic.AtomicInteger();
    private final Sinks.Many<String> outbound = Sinks.many().unicast().onBackpressureBuffer();
    private final java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);
    private final Disposable connection;

    /** A frame the control plane sent, and its size on the wire. */
    record Frame(DiscoveryMessage message, int bytes) {
    }

    private TestProxy(int port, ProxyIdentity identity, @Nullable String appliedVersion,
            @Nullable String adminAddress) {
        this(port, identity, appliedVersion, adminAddress, false);
    }

    private TestProxy(int port, ProxyIdentity identity, @Nullable String appliedVersion,
            @Nullable String adminAddress, boolean deltas) {
        this.identity = identity;
        ReactorNettyWebSocketClient client = new ReactorNettyWebSocketClient(HttpClient.create(),
                () -> WebsocketClientSpec.builder().maxFramePayloadLength(16 * 1024 * 1024));
        send(new Hello(identity, appliedVersion, adminAddress, deltas));
        connection = client.execute(URI.create("ws://127.0.0.1:" + port + "/v1/discovery"), session -> {
            Mono<Void> in = session.receive()
                    .doOnNext(message -> {
                        if (message.getType() == WebSocketMessage.Type.PONG) {
                            pongs.incrementAndGet();
                        }
                    })
                    .filter(message -> message.getType() == WebSocketMessage.Type.TEXT)
                    .map(message -> {
                        int bytes = message.getPayload().readableByteCount();
                        return new Frame(DiscoveryCodec.decode(message.getPayloadAsText()), bytes);
                    })
                    .doOnNext(frame -> {
                        if (frame.message() instanceof TrustBundle bundle) {
                            trustBundles.add(bundle);
                            return;
                        }
                        frames.add(frame);
                        if (frame.message() instanceof Push push) {
                            pushes.add(push.view());
                        }
                    })
                    .then();
            Mono<Void> out = session.send(outbound.asFlux().map(frame -> frame.equals(PING)
                    ? session.pingMessage(buffers -> buffers.allocateBuffer(0)) : session.textMessage(frame)));
            return Mono.firstWithSignal(in, out.then(Mono.never()));
        }).doFinally(signal -> closed.countDown()).subscribe(null, e -> { });
    }

    public static TestProxy connect(int port, String name) {
        return connect(port, name, null);
    }

    public static TestProxy connect(int port, String name, @Nullable String appliedVersion) {
        return connect(port, new ProxyIdentity(name, "default", ProxyKind.SIDECAR, Map.of("app", name), "default"),
                appliedVersion);
    }

    public static TestProxy connect(int port, ProxyIdentity identity, @Nullable String appliedVersion) {
        return new TestProxy(port, identity, appliedVersion, null);
    }

    /** A proxy whose hello says it takes deltas. */
    public static TestProxy takingDeltas(int port, String name) {
        return new TestProxy(port, new ProxyIdentity(name, "default", ProxyKind.SIDECAR, Map.of("app", name),
                "default"), null, null, true);
    }

    /** A proxy whose hello announces its admin address. */
    public static TestProxy withAdminAddress(int port, String name, String adminAddress) {
        return new TestProxy(port, new ProxyIdentity(name, "default", ProxyKind.SIDECAR, Map.of("app", name),
                "default"), null, adminAddress);
    }

    /** A proxy of the given identity whose hello announces its admin address. */
    public static TestProxy withAdminAddress(int port, ProxyIdentity identity, String adminAddress) {
        return new TestProxy(port, identity, null, adminAddress);
    }

    public synchronized void send(DiscoveryMessage message) {
        outbound.tryEmitNext(DiscoveryCodec.encode(message));
    }

    /** Sends a WebSocket ping, as proxies do for keepalive; {@link #pongs()} counts the answers. */
    public synchronized void ping() {
        outbound.tryEmitNext(PING);
    }

    public int pongs() {
        return pongs.get();
    }

    /** The next view pushed, waiting up to 30 s. */
    public ProxyView nextPush() throws InterruptedException {
        ProxyView view = pushes.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        if (view == null) {
            throw new AssertionError(identity.id() + " got no push within " + WAIT_SECONDS + " s");
        }
        return view;
    }

    /**
     * The next view pushed that {@code wanted} accepts, skipping the views pushed before it, each within 30 s: a
     * change the control plane sees in two steps (a file created empty, then written) may be pushed twice.
     */
    public ProxyView nextPushWhere(Predicate<ProxyView> wanted) throws InterruptedException {
        List<String> skipped = new ArrayList<>();
        while (true) {
            ProxyView view = pushes.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            if (view == null) {
                throw new AssertionError(identity.id() + " got no push as wanted within " + WAIT_SECONDS
                        + " s; skipped " + skipped);
            }
            if (wanted.test(view)) {
                return view;
            }
            skipped.add(view.version());
        }
    }

    /** The next push or delta frame, waiting up to 30 s. */
    public Frame nextFrame() throws InterruptedException {
        Frame frame = frames.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        if (frame == null) {
            throw new AssertionError(identity.id() + " got no frame within " + WAIT_SECONDS + " s");
        }
        return frame;
    }

    public List<ProxyView> pushesSoFar() {
        return List.copyOf(pushes);
    }

    /** Whether the control plane (or this side) ended the connection. */
    public boolean isClosed() {
        return closed.getCount() == 0;
    }

    @Override
    public void close() {
        connection.dispose();
        try {
            closed.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
