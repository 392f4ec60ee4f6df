package dev.meshgate.proxy.upstream;

import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBuffer;
import org.springframework.core.io.buffer.NettyDataBuffer;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.web.server.ServerWebExchange;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.util.AsciiString;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;
import reactor.core.scheduler.Schedulers;
import reactor.netty.Connection;
import reactor.netty.NettyOutbound;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientRequest;
import reactor.netty.http.client.HttpClientResponse;
import reactor.netty.http.server.HttpServerResponse;
import reactor.util.context.Context;

import dev.meshgate.proxy.cluster.ClusterConnectionPool;
import dev.meshgate.proxy.cluster.ClusterRuntime;
import dev.meshgate.proxy.cluster.ConnectTime;
import dev.meshgate.proxy.filter.LocalResponse;
import dev.meshgate.proxy.filter.NativeHeaders;
import dev.meshgate.proxy.filter.ResponseFlag;
import dev.meshgate.proxy.filter.UpstreamFailureGlobalFilter;
import dev.meshgate.proxy.filter.UpstreamRequestHeadersFilter;
import dev.meshgate.proxy.filter.UpstreamUrl;
import dev.meshgate.proxy.grpc.GrpcLocalReply;
import dev.meshgate.proxy.grpc.GrpcMessageCounter;
import dev.meshgate.proxy.grpc.GrpcTimeout;
import dev.meshgate.proxy.grpc.ResponseTrailers;
import dev.meshgate.proxy.server.DownstreamHttp2;
import dev.meshgate.proxy.loadbalancer.LbEndpoint;
import dev.meshgate.proxy.stream.StreamInfo;

/**
 * One request forwarded to a cluster, try after try, the way Envoy's router does it. Each try: admission by the
 * cluster's pool (or 503 UO), an endpoint from the load balancer (a retry prefers one not tried yet), the
 * request sent on a pooled connection, and the response status and headers read. Then, before any byte goes to
 * the client, the retry policy decides: retry (after Envoy's jittered back-off, draining the refused answer so
 * that its connection is reused), or forward this answer and stream its body.
 *
 * <p>Timeouts: the route's {@code timeout} bounds the whole request from the moment it reaches this filter,
 * back-offs and retries included, until the response is complete; when it passes before the response headers the
 * proxy answers 504 UT and does not retry, and when it passes while the body streams the response is reset (as
 * Envoy's router resets a stream whose headers went out: an HTTP/2 stream is reset, an HTTP/1.1 connection
 * closed), flagged UT and reported as a timeout. {@code perTryTimeout} bounds one try up to its response headers;
 * a try cut by it counts as a try with no response and is retried when {@code retryOn} covers it (Envoy ignores a
 * per-try timeout once the response has begun).
 *
 * <p>Every try is reported once to {@link ClusterRuntime#report} (the upstream's status, 503 for a connect
 * failure or reset, 504 for a timeout) and counted in flight on its endpoint from start to end (the end of the
 * body for the answer forwarded). An overflow touches no endpoint and is not reported.
 *
 * <p>Envoy's headers: every try's request carries {@code x-envoy-attempt-count} (1 for the first try; Istio turns
 * Envoy's {@code include_request_attempt_count} on for every virtual host), a relayed answer carries
 * {@code x-envoy-upstream-service-time} (ms from the moment the whole request was at hand, as Envoy counts from
 * the end of the downstream request, to the response headers of the try that answers, retries and back-offs
 * included), and an overflow 503 carries {@code x-envoy-overloaded: true}.
 *
 * <p>HTTP versions: a cluster speaking HTTP/2 gets its requests on the multiplexed connections of its pool; one
 * using the client's protocol gets an HTTP/2 request when the client's came in over HTTP/2. The upstream
 * response's trailers (gRPC's status) are relayed to the client. A gRPC request, whose body streams, is copied
 * as it streams to the first try ({@link ReplayBuffer}); it is retried only when that copy holds the whole body.
 *
 * <p>gRPC timeouts: the timeout of a gRPC request is its {@code grpc-timeout} header capped by the route's
 * {@code timeout}, and every try's request carries {@code grpc-timeout} set to what that try has left
 * ({@link GrpcTimeout}), as Envoy does under Istio's {@code max_grpc_timeout}.
 *
 * <p>Tries run one after the other, so the fields need no locking; {@link #endTry()} is the one step a
 * cancellation (client gone) may race with, and it is idempotent and synchronized.
 */
final class UpstreamCall {

    private static final Logger log = LoggerFactory.getLogger(UpstreamCall.class);

    static final LocalResponse NO_HEALTHY_UPSTREAM = new LocalResponse(503, ResponseFlag.UH, "no healthy upstream");
    static final LocalResponse OVERFLOW = new LocalResponse(503, ResponseFlag.UO, "upstream connection pool overflow");
    static final LocalResponse CONNECT_FAILURE = UpstreamFailureGlobalFilter.CONNECT_FAILURE;
    static final LocalResponse RESET = UpstreamFailureGlobalFilter.CONNECTION_TERMINATED;
    static final LocalResponse TIMEOUT = UpstreamFailureGlobalFilter.TIMEOUT;
    static final LocalResponse CONNECT_FAILURE_EXHAUSTED = CONNECT_FAILURE.withFlag(ResponseFlag.URX);
    static final LocalResponse RESET_EXHAUSTED = RESET.withFlag(ResponseFlag.URX);
    static final LocalResponse TIMEOUT_EXHAUSTED = TIMEOUT.withFlag(ResponseFlag.URX);

    private static final byte[] NO_BODY = new byte[0];

    /** Envoy's request header counting the tries, 1 for the first. */
    static final String ATTEMPT_COUNT = "x-envoy-attempt-count";
    /** Envoy's response header: ms the upstream took to answer. */
    static final String UPSTREAM_SERVICE_TIME = "x-envoy-upstream-service-time";
    /** Envoy's response header on a 503 the proxy answers because a circuit breaker overflowed. */
    static final String OVERLOADED = "x-envoy-overloaded";

    /** x-envoy-attempt-count as Netty's byte string: its hash is computed once, its bytes copied as they are. */
    private static final AsciiString ATTEMPT_COUNT_NAME = AsciiString.cached(ATTEMPT_COUNT);
    private static final AsciiString UPSTREAM_SERVICE_TIME_NAME = AsciiString.cached(UPSTREAM_SERVICE_TIME);
    /** Header values 0-255, made once: the usual tries and the usual upstream service times in ms. */
    private static final AsciiString[] NUMBERS = new AsciiString[256];

    static {
        for (int i = 0; i < NUMBERS.length; i++) {
            NUMBERS[i] = AsciiString.cached(Integer.toString(i));
        }
    }

    private static CharSequence number(long n) {
        return n >= 0 && n < NUMBERS.length ? NUMBERS[(int) n] : Long.toString(n);
    }

    /** How the current try ended when it got no response. */
    private enum Failure {
        OVERFLOW, NO_ENDPOINT, CONNECT_FAILURE, RESET, PER_TRY_TIMEOUT, TIMEOUT
    }

    private final ServerWebExchange exchange;
    private final StreamInfo info;
    private final ClusterRuntime cluster;
    private final ClusterConnectionPool pool;
    private final UpstreamHeaders upstreamHeaders;
    private final HttpMethod method;
    private final String pathAndQuery;
    private final UpstreamRequestHeadersFilter.Prepared headers;
    private final TryTimer timer;
    /** The client's request came in over HTTP/2 (for a cluster that uses the client's protocol). */
    private final boolean downstreamHttp2;
    /** A gRPC request: its response's trailers are relayed. */
    private final boolean grpc;
    /** gRPC only: the messages of each direction, for Istio's message metrics. */
    private final @Nullable GrpcMessageCounter requestMessages;
    private final @Nullable GrpcMessageCounter responseMessages;
    /** Null when the route does not retry, or when its request body cannot be replayed. */
    private @Nullable RetryPolicy retry;
    /** The request body kept for every try; null when the body is streamed to the one try. */
    private byte @Nullable [] body;
    /** A retried gRPC request whose body streams: the copy a retry may replay. */
    private @Nullable ReplayBuffer replay;
    /** The current try's timeout in ms (-1: none), for a gRPC request's grpc-timeout. */
    private long tryTimeoutMillis = -1;

    private int retries;
    /** When the whole request was at hand (the start of x-envoy-upstream-service-time). */
    private long requestCompleteNanos;
    private boolean exhausted;

    private final Tries tries;
    // The current try.
    /** A retry permit taken for the next try, not yet handed to it (held over the drain and back-off). */
    private boolean nextTryHoldsRetry;
    private @Nullable HttpClientResponse response;
    private @Nullable Connection connection;
    private @Nullable Failure failure;
    /**
     * The context every try's publisher sees: the call alone. The shared body function reads the call from it, and
     * nothing under it reads the request's context (observations are off in a proxy).
     */
    private final Context tryContext = Context.of(UpstreamCall.class, this);
    private final UpstreamTransport transport;

    private UpstreamCall(ServerWebExchange exchange, StreamInfo info, ClusterRuntime cluster, UpstreamPolicy policy,
            UpstreamRequestHeadersFilter.Prepared headers, UpstreamHeaders upstreamHeaders,
            UpstreamTransport transport) {
        this.transport = transport;
        this.exchange = exchange;
        this.info = info;
        this.cluster = cluster;
        this.pool = cluster.pool();
        this.tries = new Tries(cluster, info);
        this.upstreamHeaders = upstreamHeaders;
        this.retry = policy.retry();
        this.headers = headers;
        ServerHttpRequest request = exchange.getRequest();
        this.method = HttpMethod.valueOf(request.getMethod().name());
        this.pathAndQuery = UpstreamUrl.pathAndQuery(request);
        this.downstreamHttp2 = DownstreamHttp2.isHttp2(request);
        this.grpc = GrpcLocalReply.isGrpc(request);
        long timeout = grpc ? GrpcTimeout.effectiveMillis(request.getHeaders().getFirst(GrpcTimeout.HEADER),
                policy.timeoutMillis()) : policy.timeoutMillis();
        this.timer = new TryTimer(timeout, System.nanoTime());
        this.requestMessages = grpc ? new GrpcMessageCounter() : null;
        this.responseMessages = grpc ? new GrpcMessageCounter() : null;
    }

    /** Forwards the exchange's request to the cluster and writes the answer; completes when it is written. */
    static Mono<Void> forward(ServerWebExchange exchange, StreamInfo info, ClusterRuntime cluster,
            UpstreamPolicy policy, UpstreamRequestHeadersFilter.Prepared headers, UpstreamHeaders upstreamHeaders,
            long retryBufferBytes, String routeId, UpstreamTransport transport) {
        UpstreamCall call = new UpstreamCall(exchange, info, cluster, policy, headers, upstreamHeaders, transport);
        return call.start(retryBufferBytes, routeId).doFinally(signal -> {
            if (signal == SignalType.CANCEL) {
                call.abandon();
            }
        });
    }

    private Mono<Void> start(long retryBufferBytes, String routeId) {
        ServerHttpRequest request = exchange.getRequest();
        long length = NativeHeaders.contentLength(request);
        boolean hasBody = length > 0 || NativeHeaders.first(request, HttpHeaderNames.TRANSFER_ENCODING) != null;
        if (!hasBody) {
            body = NO_BODY;
            return attempt();
        }
        if (retry == null) {
            return attempt();
        }
        if (length < 0 && grpc) {
            // A gRPC call's messages stream (bidirectional calls need no end before the answer): they go to the
            // first try at once, and a copy is kept for a retry while it fits the buffer.
            replay = new ReplayBuffer(retryBufferBytes);
            return attempt();
        }
        if (length < 0 || length > retryBufferBytes) {
            log.info("Route {}: request body of {} is over meshgate.proxy.upstream.retry-buffer-bytes ({} bytes); "
                    + "sent once, not retried", routeId, length < 0 ? "unknown length" : length + " bytes",
                    retryBufferBytes);
            retry = null;
            return attempt();
        }
        // Kept whole for the tries, as Envoy buffers a request it may retry (up to its buffer limit).
        return DataBufferUtils.join(exchange.getRequest().getBody(), (int) retryBufferBytes)
                .map(joined -> {
                    byte[] bytes = new byte[joined.readableByteCount()];
                    joined.read(bytes);
                    DataBufferUtils.release(joined);
                    return bytes;
                })
                .defaultIfEmpty(NO_BODY)
                .flatMap(bytes -> {
                    body = bytes;
                    info.addRequestBodyBytes(bytes.length);
                    if (requestMessages != null) {
                        info.addRequestMessages(requestMessages.accept(Unpooled.wrappedBuffer(bytes)));
                    }
                    return attempt();
                });
    }

    private Mono<Void> attempt() {
        if (requestCompleteNanos == 0) {
            // The first try starts once the request is at hand (a body streamed to its one try: at its start).
            requestCompleteNanos = System.nanoTime();
        }
        long timeout = timer.nextTryMillis(retry == null ? 0 : retry.perTryTimeoutMillis());
        tryTimeoutMillis = timeout;
        if (timeout == 0) {
            // The route's timeout passed while backing off: Envoy's global timer answers 504 UT.
            endTry();
            return TIMEOUT.write(exchange);
        }
        return new OneTry(tryContext) {
            @Override
            Publisher<?> response() {
                Mono<Void> oneTry = pool.gated() ? pool.admit().then(Mono.defer(UpstreamCall.this::send)) : send();
                return timeout > 0 ? oneTry.timeout(Duration.ofMillis(timeout), Schedulers.parallel()) : oneTry;
            }

            @Override
            void failed(Throwable error) {
                UpstreamCall.this.failed(error);
            }

            @Override
            Mono<Void> decide() {
                return UpstreamCall.this.decide();
            }
        };
    }

    /** Starts a try; it completes once the response's headers are read ({@link #received}) or the try failed. */
    private Mono<Void> send() {
        LbEndpoint chosen = tries.start(exchange, retry);
        if (chosen == null) {
            failure = Failure.NO_ENDPOINT;
            return Mono.empty();
        }
        HttpClient tls = transport.tlsClient(cluster, chosen, downstreamHttp2);
        HttpClient client = tls == null ? pool.client(downstreamHttp2) : tls;
        // A path (the client bound to the endpoint and prepared for the method: no URL parsed and one copy of the
        // client's configuration per request), or, should the path not start with '/', the absolute URL.
        return (pathAndQuery.startsWith("/") ? chosen.sending(client, method, SEND).uri(pathAndQuery)
                : client.request(method).uri((tls == null ? "http://" : "https://") + chosen.hostPort() + pathAndQuery)
                        .send(SEND))
                // Empty: the response is kept by received(). A connection closed before any response ends the try
                // with none, a reset (decide()).
                .responseConnection(this::received)
                .then();
    }

    /**
     * Writes a try's request: the body function of every prepared client ({@link LbEndpoint#sending}). It is shared,
     * so it finds its call in the context {@link OneTry} gives the try's publisher.
     */
    private static final BiFunction<HttpClientRequest, NettyOutbound, Publisher<Void>> SEND = (request, out) ->
            request.currentContextView().<UpstreamCall>get(UpstreamCall.class).sendRequest(request, out);

    private Publisher<Void> sendRequest(HttpClientRequest request, NettyOutbound out) {
        info.upstreamConnectionReady();
        // Written straight into the try's request (read only: a retry writes them again).
        upstreamHeaders.writeRequest(headers, info, request.requestHeaders());
        int n = tries.count();
        request.header(ATTEMPT_COUNT_NAME, number(n));
        String host = NativeHeaders.first(exchange.getRequest(), HttpHeaderNames.HOST);
        // The upstream sees the request's authority (as Envoy forwards :authority); without one, the endpoint's.
        request.header(HttpHeaderNames.HOST, host != null ? host : tries.endpoint().hostPort());
        if (grpc) {
            // TE is hop-by-hop and dropped with the others, but "te: trailers" goes on, as Envoy passes it: gRPC
            // servers expect it.
            request.header(HttpHeaderNames.TE, "trailers");
            if (tryTimeoutMillis > 0) {
                // Envoy rewrites grpc-timeout with the try's timeout (per-try or what the route has left), so that
                // the server knows the deadline the proxy enforces.
                request.header(GrpcTimeout.HEADER, GrpcTimeout.format(tryTimeoutMillis));
            }
        }
        byte[] b = body;
        if (b == null) {
            Flux<ByteBuf> streamed = exchange.getRequest().getBody().map(this::countedByteBuf);
            ReplayBuffer r = replay;
            return out.send(r == null ? streamed : r.keep(streamed));
        }
        return b.length == 0 ? out : out.send(Mono.just(Unpooled.wrappedBuffer(b)));
    }

    private Mono<Void> received(HttpClientResponse res, Connection conn) {
        info.upstreamHeadersReceived();
        long connect = ConnectTime.takeFirstUse(conn.channel());
        if (connect > 0) {
            info.upstreamConnected(connect);
        }
        this.response = res;
        this.connection = conn;
        return Mono.empty();
    }

    private void failed(Throwable error) {
        Connection c = connection;
        if (c != null) {
            // A timeout raced with the response headers: that answer is dropped with its connection.
            c.dispose();
            connection = null;
            response = null;
        }
        if (error instanceof ClusterConnectionPool.Overflow) {
            failure = Failure.OVERFLOW;
        } else if (error instanceof TimeoutException) {
            failure = timer.lastTryBoundByRoute() ? Failure.TIMEOUT : Failure.PER_TRY_TIMEOUT;
        } else if (UpstreamFailureGlobalFilter.classify(error) == UpstreamFailureGlobalFilter.CONNECT_FAILURE) {
            failure = Failure.CONNECT_FAILURE;
        } else {
            if (log.isDebugEnabled()) {
                log.debug("{} {} to {}: {}", method, pathAndQuery, tries.endpoint(), error.toString());
            }
            failure = Failure.RESET;
        }
    }

    private Mono<Void> decide() {
        HttpClientResponse res = response;
        LbEndpoint ep = tries.endpoint();
        if (res == null && failure == null) {
            // The connection closed before any response.
            log.debug("{} {} to {}: connection closed before a response", method, pathAndQuery, ep);
            failure = Failure.RESET;
        }
        if (res != null && ep != null) {
            int status = res.status().code();
            cluster.report(ep, status);
            if (retry != null && retry.retriesResponse(status, res.responseHeaders()) && replayable()
                    && startRetry()) {
                Connection c = connection;
                connection = null;
                response = null;
                return drain(c).then(Mono.defer(this::backOffAndRetry));
            }
            return forwardResponse();
        }
        Failure f = failure;
        if (f == Failure.OVERFLOW || f == Failure.NO_ENDPOINT) {
            endTry();
            if (f == Failure.OVERFLOW) {
                exchange.getResponse().getHeaders().set(OVERLOADED, "true");
                return OVERFLOW.write(exchange);
            }
            return NO_HEALTHY_UPSTREAM.write(exchange);
        }
        if (ep != null) {
            cluster.report(ep, f == Failure.TIMEOUT || f == Failure.PER_TRY_TIMEOUT ? 504 : 503);
        }
        endTry();
        if (f != Failure.TIMEOUT && retry != null && retry.retriesFailure(tryFailure(f)) && replayable()
                && startRetry()) {
            return backOffAndRetry();
        }
        return local(f).write(exchange);
    }

    /**
     * Whether the request can go to another try: its body is kept, or it streams and either never left (the try
     * failed before sending it) or was copied whole. A streamed body still open or over the buffer is not.
     */
    private boolean replayable() {
        ReplayBuffer r = replay;
        if (body != null || r == null || !r.started()) {
            return true;
        }
        byte[] kept = r.body();
        if (kept == null) {
            log.debug("{} {}: streamed request body not kept whole, not retried", method, pathAndQuery);
            return false;
        }
        body = kept;
        return true;
    }

    private static TryFailure tryFailure(Failure f) {
        return switch (f) {
            case CONNECT_FAILURE -> TryFailure.CONNECT_FAILURE;
            case PER_TRY_TIMEOUT -> TryFailure.PER_TRY_TIMEOUT;
            default -> TryFailure.RESET;
        };
    }

    private LocalResponse local(Failure f) {
        return switch (f) {
            case CONNECT_FAILURE -> exhausted ? CONNECT_FAILURE_EXHAUSTED : CONNECT_FAILURE;
            case PER_TRY_TIMEOUT -> exhausted ? TIMEOUT_EXHAUSTED : TIMEOUT;
            case TIMEOUT -> TIMEOUT;
            default -> exhausted ? RESET_EXHAUSTED : RESET;
        };
    }

    /**
     * Whether one more retry may start: attempts left, and room in the cluster's {@code maxRetries}. When the
     * attempts are used up the answer carries URX; when the retry budget is spent it goes out as it is.
     */
    private boolean startRetry() {
        if (retries >= retry.attempts()) {
            exhausted = true;
            return false;
        }
        if (!pool.tryStartRetry()) {
            log.debug("Retry budget (maxRetries) of {} spent: answering without retry", cluster.name());
            return false;
        }
        retries++;
        nextTryHoldsRetry = true;
        return true;
    }

    private Mono<Void> drain(@Nullable Connection c) {
        if (c == null) {
            endTry();
            return Mono.empty();
        }
        // Reading the refused answer to its end lets its keep-alive connection go back to the pool. The try ends
        // before the retry starts (not in a doFinally, which would run after the retry had begun); a cancelled
        // drain is ended by abandon().
        return c.inbound().receive().then()
                .onErrorResume(e -> {
                    c.dispose();
                    return Mono.empty();
                })
                .doOnCancel(c::dispose)
                .then(Mono.fromRunnable(this::endTry));
    }

    private Mono<Void> backOffAndRetry() {
        // The retry permit of http.maxRetries is held until the retry ends.
        synchronized (this) {
            if (nextTryHoldsRetry) {
                tries.holdRetry();
            }
            nextTryHoldsRetry = false;
        }
        long delay = timer.backoffMillis(retry.backoffMillis(retries));
        if (delay <= 0) {
            return attempt();
        }
        return Mono.delay(Duration.ofMillis(delay), Schedulers.parallel()).then(Mono.defer(this::attempt));
    }

    private Mono<Void> forwardResponse() {
        HttpClientResponse res = response;
        Connection c = connection;
        response = null;
        connection = null;
        ServerHttpResponse out = exchange.getResponse();
        out.setStatusCode(HttpStatusCode.valueOf(res.status().code()));
        upstreamHeaders.copyResponseHeaders(res.responseHeaders(), exchange, info);
        CharSequence serviceTime = number((System.nanoTime() - requestCompleteNanos) / 1_000_000);
        HttpHeaders ownHeaders = NativeHeaders.response(out);
        if (ownHeaders != null) {
            // The server's own map: a byte-string name and a value made once, no string per response.
            ownHeaders.set(UPSTREAM_SERVICE_TIME_NAME, serviceTime);
        } else {
            out.getHeaders().set(UPSTREAM_SERVICE_TIME, serviceTime.toString());
        }
        if (grpc && res.responseHeaders().contains(GrpcLocalReply.GRPC_STATUS)) {
            // A trailers-only answer (the status in the headers, no message): relayed as one, since a gRPC client
            // takes a status in the headers only from a HEADERS frame that ends the stream.
            out.getHeaders().remove(org.springframework.http.HttpHeaders.CONTENT_LENGTH);
            return c.inbound().receive().then().onErrorResume(e -> Mono.empty())
                    .then(Mono.defer(out::setComplete))
                    .doFinally(signal -> endTry());
        }
        NettyDataBufferFactory factory = out.bufferFactory() instanceof NettyDataBufferFactory f ? f : null;
        // One operator per part: the retain is in the map (a part's signals pass every operator of the chain).
        Flux<DataBuffer> bodyFlux = c.inbound().receive().map(buf -> {
            buf.retain();
            info.addResponseBodyBytes(buf.readableBytes());
            if (responseMessages != null) {
                info.addResponseMessages(responseMessages.accept(buf));
            }
            return wrap(buf, factory, out);
        });
        ResponseTrailers trailers = grpc || res.responseHeaders().contains(HttpHeaderNames.TRAILER)
                ? ResponseTrailers.attach(out, info) : null;
        if (trailers != null) {
            bodyFlux = bodyFlux.concatWith(res.trailerHeaders().flatMap(t -> {
                trailers.received(t);
                return Mono.<DataBuffer>empty();
            }));
        }
        long left = timer.remainingMillis();
        if (left > 0) {
            // The route's deadline (a gRPC call's grpc-timeout) also bounds the body, trailers included.
            bodyFlux = bodyFlux.takeUntilOther(Mono.delay(Duration.ofMillis(left), Schedulers.parallel())
                    .then(Mono.error(ResponseTimeout::new)));
        }
        long length = trailers == null ? NativeHeaders.contentLength(res.responseHeaders()) : -1;
        Mono<Void> write = upstreamHeaders.isStreaming(out)
                ? out.writeAndFlushWith(bodyFlux.map(Flux::just))
                : length > 0 ? writeBody(out, bodyFlux, length) : out.writeWith(bodyFlux);
        if (left > 0) {
            // Only a deadline raises ResponseTimeout: without one (Istio's default route) no operator waits for it.
            write = write.onErrorResume(ResponseTimeout.class, e -> {
                info.addFlag(ResponseFlag.UT);
                c.dispose();
                LbEndpoint ep = tries.endpoint();
                if (ep != null) {
                    cluster.report(ep, 504);
                }
                return resetDownstream(out) ? Mono.empty() : Mono.error(e);
            });
        }
        return write.doFinally(signal -> {
            if (signal != SignalType.ON_COMPLETE) {
                c.dispose();
            }
            endTry();
        });
    }

    /**
     * Writes a body of {@code length} bytes (the upstream's Content-Length). When its first part is all of it (an
     * answer read in one go, the usual small one), that part goes out as one buffer, which Reactor Netty writes
     * with the response headers in one flush: one system call and one segment, as Envoy writes it, where a stream
     * of parts has its headers flushed before the first part (two). A body that comes in parts is written part by
     * part as it comes, as before: nothing waits for the rest.
     */
    private static Mono<Void> writeBody(ServerHttpResponse out, Flux<DataBuffer> body, long length) {
        // fromDirect, not then(): switchOnFirst's Flux<Void> emits nothing and needs no operator to become a Mono.
        return Mono.fromDirect(body.switchOnFirst((first, all) -> first.hasValue()
                && first.get().readableByteCount() == length
                // The rest is the end of the body only (no more bytes): singleOrEmpty waits for it, so the upstream
                // connection is read to its end and goes back to the pool.
                ? out.writeWith(all.singleOrEmpty())
                : out.writeWith(all)));
    }

    /**
     * Resets the client's stream whose response has begun, as Envoy does when its router gives up after the headers
     * went out: the HTTP/2 stream (RST_STREAM) or the HTTP/1.1 connection is closed, so that the client cannot take
     * the cut body for a whole one. Closed here rather than by an error thrown up the chain, which WebFlux and
     * Reactor Netty would log as a server error with its stack trace; the close is queued on the channel's event
     * loop before the end of the response that follows, which then finds the channel closed.
     */
    private static boolean resetDownstream(ServerHttpResponse out) {
        if (ServerHttpResponseDecorator.getNativeResponse(out) instanceof HttpServerResponse nativeResponse) {
            nativeResponse.withConnection(Connection::dispose);
            return true;
        }
        return false;
    }

    /** The route's deadline passed while the response body streamed: the response is reset. */
    static final class ResponseTimeout extends TimeoutException {
        ResponseTimeout() {
            super("upstream request timeout while the response streamed");
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }

    /** Ends the current try ({@link Tries#end()}). Idempotent. */
    private synchronized void endTry() {
        tries.end();
        failure = null;
    }

    /** The client went away: the current try is dropped with its connection. */
    private void abandon() {
        Connection c = connection;
        if (c != null) {
            connection = null;
            c.dispose();
        }
        endTry();
        synchronized (this) {
            if (nextTryHoldsRetry) {
                nextTryHoldsRetry = false;
                pool.retryDone();
            }
        }
    }

    private static DataBuffer wrap(ByteBuf buf, @Nullable NettyDataBufferFactory factory, ServerHttpResponse out) {
        if (factory != null) {
            return factory.wrap(buf);
        }
        DataBuffer copy = out.bufferFactory().allocateBuffer(buf.readableBytes());
        copy.write(buf.nioBuffer());
        buf.release();
        return copy;
    }

    private ByteBuf countedByteBuf(DataBuffer buffer) {
        info.addRequestBodyBytes(buffer.readableByteCount());
        ByteBuf buf = toByteBuf(buffer);
        if (requestMessages != null) {
            info.addRequestMessages(requestMessages.accept(buf));
        }
        return buf;
    }

    private static ByteBuf toByteBuf(DataBuffer buffer) {
        if (buffer instanceof NettyDataBuffer netty) {
            return netty.getNativeBuffer();
        }
        if (buffer instanceof DefaultDataBuffer plain) {
            return Unpooled.wrappedBuffer(plain.getNativeBuffer());
        }
        byte[] bytes = new byte[buffer.readableByteCount()];
        buffer.read(bytes);
        DataBufferUtils.release(buffer);
        return Unpooled.wrappedBuffer(bytes);
    }
}
