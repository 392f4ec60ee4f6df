package dev.meshgate.proxy.mirror;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.server.ServerWebExchange;

import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpHeaderNames;
import reactor.core.publisher.Mono;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import dev.meshgate.proxy.cluster.ClusterRuntime;
import dev.meshgate.proxy.loadbalancer.LbEndpoint;
import dev.meshgate.proxy.server.DownstreamHttp2;
import dev.meshgate.proxy.upstream.UpstreamTransport;

/**
 * Sends mirror copies, fire and forget, on its own HTTP client and small connection pool, so that a slow or
 * failing mirror never holds the primary request, its connections or its latency. Each copy is bounded in time
 * ({@link #TIMEOUT}, connecting included) and the copies in flight to each mirror cluster are bounded in number
 * ({@link #MAX_IN_FLIGHT}): a copy beyond the bound is dropped, not queued. The copy's answer is read and
 * discarded; failures are logged at debug and reported to the mirror cluster like any try (outlier detection).
 * A copy goes in the HTTP version the mirror cluster's primary requests would use (HTTP/2 with prior knowledge for
 * an {@code HTTP2}/{@code GRPC} port, the client's version under {@code USE_DOWNSTREAM}), on a pool of its own.
 *
 * <p>A copy goes over TLS exactly when the primary request to the same endpoint would: the {@link UpstreamTransport}
 * of the main upstream call decides (auto mutual TLS, DestinationRule {@code tls} ISTIO_MUTUAL, SIMPLE, MUTUAL) and
 * supplies the cluster's TLS client (workload certificate, SPIFFE server identity check, SNI), so a TLS copy shares
 * the cluster's TLS connections, as Envoy's shadow goes through the cluster. A copy whose TLS cannot be set up
 * (origination certificates not loaded) is not sent, never sent in plaintext instead: security fails closed.
 */
public final class MirrorClient {

    /** Copies in flight at most to one mirror cluster; more are dropped (a hanging mirror does not starve others). */
    public static final int MAX_IN_FLIGHT = 64;
    /** Connections per mirror endpoint. */
    public static final int MAX_CONNECTIONS = 16;
    /** How long one copy may take, from choosing its endpoint to its last response byte. */
    public static final Duration TIMEOUT = Duration.ofSeconds(5);
    /** Bodies up to this size are buffered and mirrored; requests with larger or chunked bodies are not. */
    public static final int MAX_BODY_BYTES = 64 * 1024;

    private static final Logger log = LoggerFactory.getLogger(MirrorClient.class);

    private final HttpClient http;
    private final HttpClient http2;
    private final int maxInFlight;
    private final Duration timeout;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Map<String, AtomicInteger> inFlightByCluster = new ConcurrentHashMap<>();
    private final LongAdder sent = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder notSecured = new LongAdder();
    private final Supplier<UpstreamTransport> transport;

    /** A client with its own plaintext connection pool, every copy in plaintext. */
    public MirrorClient(int maxInFlight, Duration timeout) {
        this(maxInFlight, timeout, () -> UpstreamTransport.PLAINTEXT);
    }

    /**
     * A client with its own plaintext connection pool, whose copies go over TLS where {@code transport} says.
     *
     * @param transport the main upstream call's transport, asked for on the first copy (it is made after the
     *     route table, which it depends on)
     */
    public MirrorClient(int maxInFlight, Duration timeout, Supplier<UpstreamTransport> transport) {
        this.maxInFlight = maxInFlight;
        this.transport = transport;
        this.timeout = timeout;
        ConnectionProvider pool = ConnectionProvider.builder("meshgate-mirror")
                .maxConnections(MAX_CONNECTIONS)
                .pendingAcquireMaxCount(maxInFlight)
                .pendingAcquireTimeout(timeout)
                .maxIdleTime(Duration.ofSeconds(30))
                .build();
        this.http = client(pool, timeout);
        this.http2 = client(ConnectionProvider.builder("meshgate-mirror-h2")
                .maxConnections(MAX_CONNECTIONS)
                .pendingAcquireMaxCount(maxInFlight)
                .pendingAcquireTimeout(timeout)
                .maxIdleTime(Duration.ofSeconds(30))
                .build(), timeout).protocol(HttpProtocol.H2C);
    }

    private static HttpClient client(ConnectionProvider pool, Duration timeout) {
        return HttpClient.create(pool)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(timeout.toMillis(), 2_000))
                // A copy is sent once: reactor-netty would otherwise resend a request whose connection closed.
                .disableRetry(true);
    }

    private static final class Shared {
        static final MirrorClient INSTANCE = new MirrorClient(MAX_IN_FLIGHT, TIMEOUT);
    }

    /** The process's plaintext mirror client, created on first use: for route tables of proxies without TLS. */
    public static MirrorClient shared() {
        return Shared.INSTANCE;
    }

    /**
     * Sends {@code copy} to an endpoint of {@code cluster} chosen by its load balancer, unless
     * {@link #MAX_IN_FLIGHT} copies are already in flight. Returns at once; never fails.
     */
    void send(MirrorRequest copy, ClusterRuntime cluster, ServerWebExchange exchange) {
        AtomicInteger clusterInFlight = inFlightByCluster.computeIfAbsent(cluster.name(), name -> new AtomicInteger());
        if (clusterInFlight.incrementAndGet() > maxInFlight) {
            clusterInFlight.decrementAndGet();
            dropped.increment();
            log.debug("mirror to {} dropped: {} copies in flight", cluster.name(), maxInFlight);
            return;
        }
        inFlight.incrementAndGet();
        LbEndpoint endpoint;
        try {
            endpoint = cluster.choose(exchange);
        } catch (RuntimeException e) {
            endpoint = null;
            log.debug("mirror to {}: choosing an endpoint failed", cluster.name(), e);
        }
        if (endpoint == null) {
            clusterInFlight.decrementAndGet();
            inFlight.decrementAndGet();
            failed.increment();
            log.debug("mirror to {} not sent: no endpoint", cluster.name());
            return;
        }
        boolean downstreamHttp2 = DownstreamHttp2.isHttp2(exchange.getRequest());
        HttpClient tls;
        try {
            tls = transport.get().tlsClient(cluster, endpoint, downstreamHttp2);
        } catch (RuntimeException e) {
            clusterInFlight.decrementAndGet();
            inFlight.decrementAndGet();
            notSecured.increment();
            cluster.report(endpoint, 503);
            log.debug("mirror to {} ({}) not sent: its TLS cannot be set up: {}", cluster.name(), endpoint,
                    e.toString());
            return;
        }
        LbEndpoint target = endpoint;
        target.requestStarted();
        sent.increment();
        HttpClient client = tls != null ? tls : cluster.pool().http2(downstreamHttp2) ? http2 : http;
        client.request(copy.method())
                .uri((tls != null ? "https://" : "http://") + target.hostPort() + copy.pathAndQuery())
                .send((request, out) -> {
                    request.headers(copy.headers());
                    // headers() keeps the Host reactor-netty derived from the URI (the endpoint's address).
                    String host = copy.headers().get(HttpHeaderNames.HOST);
                    if (host != null) {
                        request.header(HttpHeaderNames.HOST, host);
                    }
                    return copy.body().length == 0 ? out : out.sendByteArray(Mono.just(copy.body()));
                })
                .response((response, body) -> body.then(Mono.just(response.status().code())))
                .next()
                .timeout(timeout)
                .doFinally(signal -> {
                    target.requestCompleted();
                    clusterInFlight.decrementAndGet();
                    inFlight.decrementAndGet();
                })
                .subscribe(status -> cluster.report(target, status), error -> {
                    failed.increment();
                    cluster.report(target, isTimeout(error) ? 504 : 503);
                    log.debug("mirror {} {} to {} ({}) failed: {}", copy.method(), copy.pathAndQuery(),
                            cluster.name(), target, error.toString());
                });
    }

    private static boolean isTimeout(Throwable error) {
        return error instanceof TimeoutException;
    }

    /** Copies in flight now, to every mirror cluster. */
    public int inFlight() {
        return inFlight.get();
    }

    /** Copies sent so far. */
    public long sent() {
        return sent.sum();
    }

    /** Copies dropped because {@link #MAX_IN_FLIGHT} were in flight. */
    public long dropped() {
        return dropped.sum();
    }

    /** Copies not sent because their cluster's TLS could not be set up (never sent in plaintext instead). */
    public long notSecured() {
        return notSecured.sum();
    }

    /** Copies that failed, timed out or found no endpoint. */
    public long failed() {
        return failed.sum();
    }
}
