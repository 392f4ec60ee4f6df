package dev.meshgate.proxy.cluster;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.netty.channel.ChannelOption;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import org.jspecify.annotations.Nullable;

import dev.meshgate.core.view.ClusterSpec.UpstreamProtocol;
import dev.meshgate.core.view.ConnectionPoolSpec;

/**
 * Implements {@code DestinationRule.spec.trafficPolicy.connectionPool} for one cluster: the cluster's own HTTP/1.1
 * client and connection pool, and Envoy's circuit-breaker counters.
 *
 * <p>Envoy's limits are per cluster, while a Reactor Netty pool is per remote address (per endpoint). So the
 * cluster-wide limits are an admission gate in front of the pools, counted per try (one upstream request):
 * <ul>
 * <li>{@code http.http2MaxRequests}: a try finding that many requests in flight to the cluster overflows;</li>
 * <li>{@code tcp.maxConnections}: as many requests as connections may be in flight (HTTP/1.1 carries one request
 * per connection); further ones wait for a connection,</li>
 * <li>{@code http.http1MaxPendingRequests}: up to that many wait; beyond, the try overflows.</li>
 * </ul>
 * An overflowing try fails at once with {@link Overflow} (the proxy answers 503 UO without touching an
 * endpoint). Each endpoint's Reactor Netty pool is capped at {@code maxConnections} too, so connections in use
 * never exceed it; idle connections are closed after {@code http.idleTimeout}; a connection that carried
 * {@code http.maxRequestsPerConnection} requests is closed after its response; {@code tcp.connectTimeout} is the
 * connect timeout. {@code http.maxRetries} bounds the retries in flight to the cluster at once
 * ({@link #tryStartRetry()}): a resilience4j semaphore {@link Bulkhead} that never waits, since that is exactly
 * Envoy's {@code max_retries} circuit breaker. A cluster with Istio's default (unlimited) pool skips the gate and
 * the bulkhead entirely.
 *
 * <p>Lives in the cluster's {@link ClusterRuntime}, so limits and connections survive pushes that leave the
 * cluster unchanged; {@link #dispose()} closes the connections of a cluster that is gone.
 */
public final class ClusterConnectionPool {

    /** Connections a pool holds per endpoint when the cluster is unlimited (Envoy's default is 2^32-1). */
    private static final int UNLIMITED_CONNECTIONS = 100_000;
    private static final AttributeKey<int[]> REQUESTS_ON_CONNECTION = AttributeKey.valueOf("meshgate.requests");
    private static final Mono<Void> TLS_PREPARED = Mono.<Void>fromRunnable(ClusterConnectionPool::prepareTls)
            .subscribeOn(Schedulers.boundedElastic()).cache();

    private final ConnectionPoolSpec spec;
    private final UpstreamProtocol protocol;
    private final String clusterName;
    /**
     * The HTTP/1.1 connections, one pool per {@link EventLoopLane} when the cluster is unlimited, else one pool (its
     * limits are the cluster's); made when a lane first sends.
     */
    private final AtomicReferenceArray<Lane> lanes;
    private boolean disposed;
    /** The HTTP/2 connections of a cluster that speaks HTTP/2 (always or when the client does); else null. */
    private final @Nullable Http2Connections http2;
    private final boolean gated;
    private final int maxConnections;
    private final int maxRequests;
    private final int maxPending;
    /** {@code http.maxRetries} as a bulkhead of retries in flight; null when unlimited (Istio's default). */
    private final @Nullable Bulkhead retryBudget;
    /** Envoy's {@code upstream_rq_retry_overflow}: retries not made because the budget was spent. */
    private final LongAdder retryOverflows = new LongAdder();
    /** Requests admitted and not released; guarded by {@code this}. */
    private int active;
    /** Requests waiting for a connection; guarded by {@code this}. */
    private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();

    ClusterConnectionPool(String clusterName, ConnectionPoolSpec spec) {
        this(clusterName, spec, UpstreamProtocol.HTTP1);
    }

    ClusterConnectionPool(String clusterName, ConnectionPoolSpec spec, UpstreamProtocol protocol) {
        this.spec = spec;
        this.protocol = protocol;
        this.http2 = protocol == UpstreamProtocol.HTTP1 ? null : Http2Connections.of(clusterName, spec);
        // HTTP/2 multiplexes: tcp.maxConnections bounds connections, not requests (only http2MaxRequests does).
        this.maxConnections = protocol == UpstreamProtocol.HTTP2 ? Integer.MAX_VALUE : spec.maxConnections();
        this.maxRequests = spec.http2MaxRequests();
        this.maxPending = spec.http1MaxPendingRequests();
        this.gated = maxConnections != Integer.MAX_VALUE || maxRequests != Integer.MAX_VALUE;
        this.retryBudget = spec.maxRetries() == Integer.MAX_VALUE ? null : retryBudget(clusterName, spec.maxRetries());
        this.clusterName = clusterName;
        this.lanes = new AtomicReferenceArray<>(gated ? 1 : EventLoopLane.MAX);
    }

    /** A pool of its own and the client bound to it, with the cluster's connection settings. */
    private record Lane(ConnectionProvider provider, HttpClient client) {
    }

    private Lane newLane() {
        ConnectionProvider.Builder builder = ConnectionProvider.builder("meshgate|" + clusterName)
                .maxConnections(Math.min(maxConnections, UNLIMITED_CONNECTIONS))
                // The gate bounds waiting requests; the pools' own queues only see the short hand-over of a
                // connection being released while the next admitted request acquires.
                .pendingAcquireMaxCount(-1)
                .pendingAcquireTimeout(Duration.ofDays(1))
                .maxIdleTime(Duration.ofMillis(spec.idleTimeoutMillis()));
        if (spec.maxConnectionDurationMillis() > 0) {
            // Envoy's max_connection_duration: a connection older than it is not reused, but closed on release.
            builder.maxLifeTime(Duration.ofMillis(spec.maxConnectionDurationMillis()));
        }
        long evictEvery = Math.min(spec.idleTimeoutMillis() < ConnectionPoolSpec.DEFAULT.idleTimeoutMillis()
                ? spec.idleTimeoutMillis() : Long.MAX_VALUE, spec.maxConnectionDurationMillis() > 0
                        ? spec.maxConnectionDurationMillis() : Long.MAX_VALUE);
        if (evictEvery != Long.MAX_VALUE) {
            // Envoy closes an idle (or too old) connection when its timer fires, not when it is next acquired.
            builder.evictInBackground(Duration.ofMillis(Math.max(100, evictEvery / 2)));
        }
        ConnectionProvider provider = builder.build();
        HttpClient c = ConnectTime.recorded(TcpKeepalive.apply(HttpClient.create(provider)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, spec.connectTimeoutMillis()))
                .option(ChannelOption.TCP_NODELAY, true), spec));
        int perConnection = spec.maxRequestsPerConnection();
        if (perConnection > 0) {
            c = c.doOnResponse((response, connection) -> {
                int[] count = connection.channel().attr(REQUESTS_ON_CONNECTION).setIfAbsent(new int[1]);
                if (count == null) {
                    count = connection.channel().attr(REQUESTS_ON_CONNECTION).get();
                }
                if (++count[0] >= perConnection) {
                    // Closed after this response instead of going back to the pool.
                    connection.markPersistent(false);
                }
            });
        }
        return new Lane(provider, c);
    }

    public ConnectionPoolSpec spec() {
        return spec;
    }

    /** The cluster's HTTP/1.1 client, bound to the current thread's connection pool and connect timeout. */
    public HttpClient client() {
        return lane().client();
    }

    /** The current thread's lane in this pool ({@link EventLoopLane}; always 0 for a cluster with limits). */
    int laneIndex() {
        return gated ? 0 : EventLoopLane.current();
    }

    private Lane lane() {
        int index = laneIndex();
        Lane lane = lanes.get(index);
        return lane != null ? lane : addLane(index);
    }

    private synchronized Lane addLane(int index) {
        Lane lane = lanes.get(index);
        if (lane == null) {
            lane = newLane();
            if (disposed) {
                // A request still running on a retired pool: it gets what a retired pool gives, no connection.
                lane.provider().disposeLater().subscribe();
            }
            lanes.set(index, lane);
        }
        return lane;
    }

    /**
     * The client for one request: HTTP/2 (h2c) when the cluster speaks HTTP/2, or uses the client's protocol and
     * the request came in over HTTP/2; else {@link #client()}.
     */
    public HttpClient client(boolean downstreamHttp2) {
        return http2(downstreamHttp2) ? http2.client() : client();
    }

    /**
     * Whether a request goes to the endpoints over HTTP/2: the cluster speaks HTTP/2, or uses the client's
     * protocol and the request came in over HTTP/2.
     */
    public boolean http2(boolean downstreamHttp2) {
        return http2 != null && (protocol == UpstreamProtocol.HTTP2 || downstreamHttp2);
    }

    /**
     * The cluster's client over TLS with {@code context}'s keys and trust, each handshake's engine set up by
     * {@code engine}: HTTP/2 negotiated by ALPN {@code h2} on the cluster's HTTP/2 connections when {@code http2}
     * (see {@link #http2(boolean)}), HTTP/1.1 on its HTTP/1.1 pool otherwise.
     */
    public HttpClient tlsClient(boolean http2, SslContextBuilder context, Consumer<SSLEngine> engine)
            throws SSLException {
        return tlsClientWithHandler(http2, context, handler -> engine.accept(handler.engine()));
    }

    /**
     * As {@link #tlsClient(boolean, SslContextBuilder, Consumer)}, each connection's {@link SslHandler} given to
     * {@code handler} before its handshake starts (to set up the engine, or watch the handshake's outcome).
     */
    public HttpClient tlsClientWithHandler(boolean http2, SslContextBuilder context, Consumer<SslHandler> handler)
            throws SSLException {
        context.secureRandom(TlsRandom.SEEDED);
        Http2Connections h2 = this.http2;
        if (http2 && h2 != null) {
            return h2.overTls(context, handler);
        }
        var sslContext = context.build();
        return client().secure(spec -> spec.sslContext(sslContext).handlerConfigurator(handler));
    }

    /**
     * Builds an upstream TLS client context from {@code builder} with the pools' seeded randomness, offering ALPN
     * {@code h2} alone when {@code http2}; for {@link #tlsClientWithHandler(boolean, SslContext, Consumer)}. Building
     * checks keys and may be slow: done when a view is applied or a certificate changes, not per request.
     */
    public static SslContext tlsContext(SslContextBuilder builder, boolean http2) throws SSLException {
        builder.secureRandom(TlsRandom.SEEDED);
        return http2 ? Http2Connections.alpnH2(builder).build() : builder.build();
    }

    /**
     * As {@link #tlsClientWithHandler(boolean, SslContextBuilder, Consumer)} with a context already built by
     * {@link #tlsContext} (with ALPN {@code h2} when {@code http2}): cheap enough for an event loop. Clients of
     * different contexts keep their connections apart (Reactor Netty's pool key includes the TLS configuration), so
     * a new context leaves the connections of the previous one open for the requests they carry.
     */
    public HttpClient tlsClientWithHandler(boolean http2, SslContext context, Consumer<SslHandler> handler) {
        Http2Connections h2 = this.http2;
        if (http2 && h2 != null) {
            return h2.overTls(context, handler);
        }
        return client().secure(spec -> spec.sslContext(context).handlerConfigurator(handler));
    }

    /** The HTTP version the cluster speaks to its endpoints. */
    public UpstreamProtocol protocol() {
        return protocol;
    }

    /** Whether requests wait for {@link #admit()}: false when the cluster sets no limit (Istio's default). */
    public boolean gated() {
        return gated;
    }

    /**
     * Admits one upstream request: completes at once when the cluster has room, later when a connection frees
     * up for a waiting request, or fails at once with {@link Overflow}. Every request admitted must be
     * {@link #release() released} exactly once; a request cancelled while waiting leaves the queue.
     */
    public Mono<Void> admit() {
        if (!gated) {
            return Mono.empty();
        }
        return Mono.create(this::admit);
    }

    private void admit(MonoSink<Void> sink) {
        Waiter waiter = null;
        boolean admitted = false;
        synchronized (this) {
            if (active >= maxRequests) {
                // overflow below
            } else if (active < maxConnections) {
                active++;
                admitted = true;
            } else if (waiting.size() < maxPending) {
                waiter = new Waiter(sink);
                waiting.add(waiter);
            }
        }
        if (admitted) {
            sink.success();
        } else if (waiter == null) {
            sink.error(Overflow.INSTANCE);
        } else {
            Waiter w = waiter;
            sink.onCancel(() -> cancel(w));
        }
    }

    /** Releases a request {@link #admit() admitted} earlier: its connection goes to the next waiting request. */
    public void release() {
        if (!gated) {
            return;
        }
        Waiter next;
        synchronized (this) {
            next = waiting.poll();
            if (next == null) {
                active--;
            } else {
                next.admitted = true;
            }
        }
        if (next != null) {
            next.sink.success();
        }
    }

    private void cancel(Waiter waiter) {
        boolean handedOver;
        synchronized (this) {
            handedOver = !waiting.remove(waiter) && waiter.admitted;
        }
        if (handedOver) {
            // Admitted just as it was cancelled: the success signal was dropped, so nobody else releases it.
            release();
        }
    }

    /**
     * Does, once, what the JDK and Reactor Netty do on the first use of TLS and would block on (seeding entropy,
     * Reactor Netty's default TLS context), so that a cluster's TLS client can be made on an event loop later.
     * Called before a proxy's first TLS client, never at a start that needs none: by mutual TLS when the proxy has
     * credentials, by TLS origination at the first originating cluster, before a JWKS cache's first https fetch
     * ({@link #tlsPrepared()}).
     */
    public static void prepareTls() {
        TlsRandom.SEEDED.nextInt();
        HttpClient.create().protocol(reactor.netty.http.HttpProtocol.H2);
    }

    /**
     * The randomness of every upstream TLS context, seeded once by {@link #prepareTls()} (not when the first pool is
     * made: a plaintext proxy needs none): a TLS client is made on an event loop when a cluster first needs it, where
     * the JDK's default source would block reading the system's entropy.
     */
    private static final class TlsRandom {
        static final SecureRandom SEEDED = seeded();
    }

    /** {@link #prepareTls()} done on a bounded-elastic thread, once, for a TLS client first used on an event loop. */
    public static Mono<Void> tlsPrepared() {
        return TLS_PREPARED;
    }

    private static SecureRandom seeded() {
        try {
            SecureRandom random = SecureRandom.getInstance("DRBG");
            random.nextBytes(new byte[1]);
            return random;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no DRBG SecureRandom", e);
        }
    }

    /** Requests admitted and not yet released (0 when the cluster is unlimited). */
    public synchronized int active() {
        return active;
    }

    /** Requests waiting for a connection. */
    public synchronized int pending() {
        return waiting.size();
    }

    /**
     * Envoy's {@code max_retries} circuit breaker: a bulkhead of {@code maxRetries} permits that never waits
     * ({@code maxWaitDuration} 0: a permit is taken at once or refused, so no reactor thread ever blocks), unfair
     * since nobody queues.
     */
    private static Bulkhead retryBudget(String clusterName, int maxRetries) {
        return Bulkhead.of("meshgate|" + clusterName + "|maxRetries", BulkheadConfig.custom()
                .maxConcurrentCalls(maxRetries)
                .maxWaitDuration(Duration.ZERO)
                .fairCallHandlingStrategyEnabled(false)
                .build());
    }

    /**
     * Takes a retry permit if {@code http.maxRetries} allows one more retry in flight; pair a true answer with
     * {@link #retryDone()}. A refusal is counted ({@link #retryOverflows()}): Envoy then returns the last try's
     * answer instead of retrying.
     */
    public boolean tryStartRetry() {
        Bulkhead budget = retryBudget;
        if (budget == null || budget.tryAcquirePermission()) {
            return true;
        }
        retryOverflows.increment();
        return false;
    }

    /** Gives back a permit {@link #tryStartRetry()} granted. */
    public void retryDone() {
        Bulkhead budget = retryBudget;
        if (budget != null) {
            budget.onComplete();
        }
    }

    /** Retries in flight to the cluster now (0 when {@code maxRetries} is unlimited: nothing is counted). */
    public int retriesInFlight() {
        Bulkhead budget = retryBudget;
        return budget == null ? 0 : budget.getMetrics().getMaxAllowedConcurrentCalls()
                - budget.getMetrics().getAvailableConcurrentCalls();
    }

    /** Retries not made since the pool was created because {@code maxRetries} were in flight. */
    public long retryOverflows() {
        return retryOverflows.sum();
    }

    /** Closes the connections to one endpoint that left the cluster. */
    void disposeEndpoint(String address, int port) {
        for (int i = 0; i < lanes.length(); i++) {
            Lane lane = lanes.get(i);
            if (lane != null) {
                lane.provider().disposeWhen(java.net.InetSocketAddress.createUnresolved(address, port));
            }
        }
        if (http2 != null) {
            http2.provider().disposeWhen(java.net.InetSocketAddress.createUnresolved(address, port));
        }
    }

    /** Closes the pool's connections (idle ones now, busy ones when their request ends). */
    public void dispose() {
        synchronized (this) {
            disposed = true;
        }
        for (int i = 0; i < lanes.length(); i++) {
            Lane lane = lanes.get(i);
            if (lane != null) {
                lane.provider().disposeLater().subscribe();
            }
        }
        if (http2 != null) {
            http2.provider().disposeLater().subscribe();
        }
    }

    private static final class Waiter {
        final MonoSink<Void> sink;
        /** Set under the pool's lock when a released connection was handed to this waiter. */
        boolean admitted;

        Waiter(MonoSink<Void> sink) {
            this.sink = sink;
        }
    }

    /** A connection-pool limit was reached: the proxy answers 503 UO. Stackless: it is a flow signal. */
    public static final class Overflow extends RuntimeException {
        private static final long serialVersionUID = 1L;
        static final Overflow INSTANCE = new Overflow();

        private Overflow() {
            super("connection pool overflow", null, false, false);
        }
    }
}
