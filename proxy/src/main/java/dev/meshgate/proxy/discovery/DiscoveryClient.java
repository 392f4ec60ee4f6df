package dev.meshgate.proxy.discovery;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import dev.meshgate.core.discovery.Ack;
import dev.meshgate.core.discovery.Delta;
import dev.meshgate.core.discovery.DiscoveryCodec;
import dev.meshgate.core.discovery.DiscoveryMessage;
import dev.meshgate.core.discovery.Hello;
import dev.meshgate.core.discovery.Nack;
import dev.meshgate.core.discovery.Push;
import dev.meshgate.core.discovery.TrustBundle;
import dev.meshgate.core.index.ContentHash;
import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.core.view.ProxyView;
import dev.meshgate.proxy.discovery.DiscoveryState.Rejection;
import dev.meshgate.proxy.route.ViewRejectedException;

import io.netty.channel.ChannelOption;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;
import org.springframework.web.reactive.socket.client.ReactorNettyWebSocketClient;
import org.springframework.web.reactive.socket.client.WebSocketClient;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.WebsocketClientSpec;

/**
 * Keeps this proxy's view in step with the control plane over the discovery WebSocket: says hello (taking
 * deltas), applies every pushed view or delta and answers it with an ACK or a NACK. When the stream is lost, or the control plane cannot
 * be reached, the proxy keeps serving the last view it applied and reconnects with exponential backoff.
 *
 * <p>Views are applied one at a time on the bounded-elastic scheduler (applying may compile regexes or bind
 * ports), never on a Netty event loop.
 */
public final class DiscoveryClient implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(DiscoveryClient.class);

    /** The largest frame accepted, as docs/protocol.md says: 16 MiB. */
    public static final int MAX_FRAME_BYTES = 16 * 1024 * 1024;
    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;

    private final WebSocketClient client;
    private final URI uri;
    private final ProxyIdentity identity;
    private final Mono<Optional<String>> adminAddress;
    private final ViewApplier applier;
    private final ReconnectBackoff backoff;
    private final Duration keepalive;
    private final AtomicReference<DiscoveryState> state = new AtomicReference<>(DiscoveryState.INITIAL);
    private final AtomicInteger failures = new AtomicInteger();
    private volatile @Nullable Disposable connection;
    /** Set once an unreachable control plane has been logged; cleared on connect (log once per state change). */
    private volatile boolean unreachableLogged;
    private volatile boolean running;
    /** Completes when the client may connect (e.g. once the proxy has its workload certificate). */
    private volatile Mono<Void> ready = Mono.empty();
    /** Told the version of each trust bundle the control plane announces; none: announcements are ignored. */
    private volatile Consumer<String> trustBundles = version -> { };

    /**
     * @param keepalive how often to ping the control plane; a stream that brings no frame (pong or push) for three
     *     intervals is taken for dead and reconnected, so that a control plane whose host vanished without closing
     *     the connection is noticed
     */
    public DiscoveryClient(WebSocketClient client, URI uri, ProxyIdentity identity, ViewApplier applier,
            Duration initialBackoff, Duration maxBackoff, Duration keepalive) {
        this(client, uri, identity, Mono.just(Optional.empty()), applier, initialBackoff, maxBackoff, keepalive);
    }

    /**
     * @param adminAddress the admin server's {@code host:port} sent in each hello (subscribed at each connect; the
     *     hello waits for it: the admin port may be bound after the client starts), or empty for none
     */
    public DiscoveryClient(WebSocketClient client, URI uri, ProxyIdentity identity,
            Mono<Optional<String>> adminAddress, ViewApplier applier, Duration initialBackoff, Duration maxBackoff,
            Duration keepalive) {
        if (keepalive.isNegative() || keepalive.isZero()) {
            throw new IllegalArgumentException("keepalive: " + keepalive + " (expected: > 0)");
        }
        this.client = client;
        this.uri = uri;
        this.identity = identity;
        this.adminAddress = adminAddress;
        this.applier = applier;
        this.backoff = new ReconnectBackoff(initialBackoff, maxBackoff);
        this.keepalive = keepalive;
    }

    /**
     * The WebSocket client the discovery stream needs: frames up to {@value #MAX_FRAME_BYTES} bytes (a push
     * carries a whole view; Reactor Netty's default limit is 64 KiB), and a connect timeout short enough that an
     * unreachable control plane is retried within the backoff's bounds.
     */
    public static WebSocketClient webSocketClient() {
        return webSocketClient(HttpClient.create());
    }

    /** As {@link #webSocketClient()}, over TLS with {@code ssl} (a {@code wss://} URI). */
    public static WebSocketClient webSocketClient(io.netty.handler.ssl.SslContext ssl) {
        return webSocketClient(HttpClient.create().secure(spec -> spec.sslContext(ssl)));
    }

    private static WebSocketClient webSocketClient(HttpClient http) {
        return new ReactorNettyWebSocketClient(http.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS),
                () -> WebsocketClientSpec.builder().maxFramePayloadLength(MAX_FRAME_BYTES));
    }

    /** Connects only once {@code ready} completes (each attempt waits for it); call before {@link #start()}. */
    public void connectAfter(Mono<Void> ready) {
        this.ready = ready;
    }

    /**
     * Tells {@code listener} the version of each trust bundle the control plane announces ({@link TrustBundle}), on
     * a bounded-elastic thread; call before {@link #start()}.
     */
    public void onTrustBundle(Consumer<String> listener) {
        this.trustBundles = listener;
    }

    /** What the client knows now: connected or not, the view it serves, the last rejection. */
    public DiscoveryState state() {
        return state.get();
    }

    public ProxyIdentity identity() {
        return identity;
    }

    /**
     * Right after the proxy's listeners (the web server's phase, {@code DEFAULT_PHASE - 2048}) and before the admin
     * server's management context ({@code DEFAULT_PHASE - 1536}): the first view is fetched and applied while the
     * admin server starts, so a view never applies before the listeners it serves are bound.
     */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 1792;
    }

    @Override
    public void start() {
        running = true;
        log.info("Proxy {} ({}) connecting to control plane {}", identity.id(), identity.kind(), uri);
        // One subscription for the whole life of the client: connect, wait for the stream to end, back off, again.
        connection = Mono.defer(this::attempt)
                .materialize()
                .flatMap(end -> Mono.delay(disconnected(end.getThrowable())))
                .repeat(() -> running)
                .subscribe();
    }

    @Override
    public void stop() {
        running = false;
        Disposable current = connection;
        if (current != null) {
            current.dispose();
        }
        state.updateAndGet(s -> s.withConnected(false));
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /**
     * One connection, from connect to the end of the stream. A handshake that does not finish within three
     * keepalive intervals (a control plane that accepts connections but hangs) ends the attempt too.
     */
    private Mono<Void> attempt() {
        AtomicBoolean open = new AtomicBoolean();
        Mono<Long> handshakeTimeout = Mono.delay(keepalive.multipliedBy(3))
                .flatMap(tick -> open.get() ? Mono.<Long>never() : Mono.just(tick));
        return ready.then(Mono.defer(() -> client.execute(uri, session -> {
            open.set(true);
            return session(session);
        }).timeout(handshakeTimeout)));
    }

    /** Logs the end of an attempt (once per change of state) and returns the delay before the next one. */
    private Duration disconnected(@Nullable Throwable error) {
        DiscoveryState before = state.getAndUpdate(s -> s.withConnected(false));
        if (!running) {
            return Duration.ZERO;
        }
        String reason = error == null ? "stream closed" : describe(error);
        String serving = before.appliedVersion() == null ? "no view yet" : "serving view " + before.appliedVersion();
        if (before.connected()) {
            log.info("Lost control plane {} ({}); {}; reconnecting", uri, reason, serving);
            unreachableLogged = true;
        } else if (!unreachableLogged) {
            log.info("Control plane {} unreachable ({}); {}; retrying with backoff", uri, reason, serving);
            unreachableLogged = true;
        } else {
            log.debug("Control plane {} still unreachable ({})", uri, reason);
        }
        return backoff.delay(failures.getAndIncrement());
    }

    private Mono<Void> session(WebSocketSession session) {
        unreachableLogged = false;
        DiscoveryState now = state.updateAndGet(s -> s.withConnected(true));
        log.info("Connected to control plane {} (applied version {})", uri, now.appliedVersion());
        Sinks.Many<DiscoveryMessage> replies = Sinks.many().unicast().onBackpressureBuffer();
        Sinks.Empty<Void> ended = Sinks.empty();
        Mono<Void> input = session.receive()
                .timeout(keepalive.multipliedBy(3))
                .filter(message -> message.getType() == WebSocketMessage.Type.TEXT)
                .map(WebSocketMessage::getPayloadAsText)
                .concatMap(text -> Mono.fromCallable(() -> onFrame(text)).subscribeOn(Schedulers.boundedElastic()))
                .doOnNext(replies::tryEmitNext)
                .doFinally(signal -> {
                    replies.tryEmitComplete();
                    ended.tryEmitEmpty();
                })
                .then();
        Flux<WebSocketMessage> frames = Flux
                .concat(adminAddress.map(admin -> new Hello(identity, state.get().appliedVersion(),
                        admin.orElse(null), true)), replies.asFlux())
                .map(message -> session.textMessage(DiscoveryCodec.encode(message)));
        Flux<WebSocketMessage> pings = Flux.interval(keepalive, keepalive)
                .map(tick -> session.pingMessage(buffers -> buffers.allocateBuffer(0)))
                .takeUntilOther(ended.asMono());
        return Mono.when(session.send(Flux.merge(frames, pings)), input);
    }

    /** Handles one frame; returns the reply, or null for none. */
    private @Nullable DiscoveryMessage onFrame(String text) {
        DiscoveryMessage message;
        try {
            message = DiscoveryCodec.decode(text);
        } catch (IllegalArgumentException e) {
            log.warn("Ignoring a frame from {} that is not a discovery message: {}", uri, e.getMessage());
            return null;
        }
        if (message instanceof Push push) {
            DiscoveryMessage reply = onPush(push.view());
            if (state.get().pushed() == push.view()) {
                hashAhead(push.view());
            }
            return reply;
        }
        if (message instanceof Delta delta) {
            return onDelta(delta);
        }
        if (message instanceof TrustBundle bundle) {
            trustBundles.accept(bundle.version());
            return null;
        }
        log.warn("Ignoring an unexpected {} frame from {}", message.getClass().getSimpleName(), uri);
        return null;
    }

    /**
     * Applies a delta to the view last pushed; one that does not fit it (another base, or a result whose content
     * hash is not the delta's version) is answered with a NACK asking for the whole view, and nothing changes.
     */
    private DiscoveryMessage onDelta(Delta delta) {
        ProxyView base = state.get().pushed();
        ProxyView view;
        try {
            if (base == null) {
                throw new IllegalArgumentException("delta from view " + delta.base() + " but serving none");
            }
            view = delta.applyTo(base);
        } catch (IllegalArgumentException e) {
            log.info("Cannot apply the delta to view {}: {}; asking for the whole view", delta.version(),
                    e.getMessage());
            return new Nack(delta.version(), e.getMessage(), true);
        }
        return onPush(view);
    }

    /**
     * Hashes the parts of a view pushed whole once it is applied, off the ACK's path: the first delta to it checks
     * its result's content version ({@link Delta#applyTo}), which hashes every part the delta kept unless this object's
     * hash is held already ({@link ContentHash#ofPart}). Without this, the first change after a whole view waited
     * for the whole view's hashing (~0.1 s of CPU at 1,000 services, docs/performance.md).
     */
    private void hashAhead(ProxyView view) {
        Schedulers.boundedElastic().schedule(() -> {
            String content = view.contentVersion();
            if (!content.equals(view.version())) {
                // e.g. a control plane of another release: its deltas will not check and it resends whole views
                log.debug("View {} hashes to {} here: deltas to it will be resynced", view.version(), content);
            }
        });
    }

    private DiscoveryMessage onPush(ProxyView view) {
        // The backoff restarts only once the control plane has answered: one that accepts the connection and
        // closes it at once (e.g. for a duplicate proxy id) is retried with growing delays, not in a tight loop.
        failures.set(0);
        if (view.version().equals(state.get().appliedVersion())) {
            return new Ack(view.version());
        }
        long started = System.nanoTime();
        try {
            ProxyView served = applier.apply(view);
            state.updateAndGet(s -> s.withApplied(view, served));
            log.debug("Applied view {} (snapshot {}): {} listeners, {} clusters in {} ms", view.version(),
                    view.snapshotVersion(), served.listeners().size(), served.clusters().size(),
                    (System.nanoTime() - started) / 1_000_000);
            return new Ack(view.version());
        } catch (ViewRejectedException e) {
            return reject(view, e.getMessage());
        } catch (RuntimeException e) {
            // A bug, not a bad view: still NACK, so that the control plane shows it and the old view keeps serving.
            log.warn("Applying view {} failed", view.version(), e);
            return reject(view, "internal error: " + e);
        }
    }

    private Nack reject(ProxyView view, @Nullable String reason) {
        String why = reason == null ? "rejected" : reason;
        DiscoveryState now = state.updateAndGet(s -> s.withRejected(new Rejection(view.version(), why)));
        log.warn("Rejected view {}: {}; still serving {}", view.version(), why,
                now.appliedVersion() == null ? "no view" : "view " + now.appliedVersion());
        return new Nack(view.version(), why);
    }

    private String describe(Throwable error) {
        if (error instanceof TimeoutException) {
            return "no frame for " + keepalive.multipliedBy(3).toMillis() + " ms";
        }
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return message == null ? root.getClass().getSimpleName() : message;
    }
}
