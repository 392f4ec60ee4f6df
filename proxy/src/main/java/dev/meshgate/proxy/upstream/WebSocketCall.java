package dev.meshgate.proxy.upstream;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.web.server.ServerWebExchange;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.netty.Connection;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientResponse;
import reactor.netty.http.client.WebsocketClientSpec;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.WebsocketServerSpec;
import reactor.netty.http.websocket.WebsocketInbound;
import reactor.netty.http.websocket.WebsocketOutbound;

import dev.meshgate.proxy.cluster.ClusterConnectionPool;
import dev.meshgate.proxy.cluster.ClusterRuntime;
import dev.meshgate.proxy.filter.LocalResponse;
import dev.meshgate.proxy.filter.ResponseFlag;
import dev.meshgate.proxy.filter.UpstreamFailureGlobalFilter;
import dev.meshgate.proxy.filter.UpstreamUrl;
import dev.meshgate.proxy.loadbalancer.LbEndpoint;
import dev.meshgate.proxy.stream.StreamInfo;

/**
 * One WebSocket upgrade ({@code Upgrade: websocket} on HTTP/1.1) forwarded to a cluster through the mesh path, as
 * Envoy's router forwards an upgrade that Istio enables on every HTTP route. Each try: admission by the cluster's
 * pool (an upgraded connection holds one of the cluster's {@code maxConnections} for its whole life, and the
 * request counts against {@code http2MaxRequests}; beyond them it waits as a pending request, up to
 * {@code http1MaxPendingRequests}, or is answered 503 UO), an endpoint from the load balancer, the handshake on a
 * connection of the cluster's pool (its connect timeout, mutual TLS when the endpoint takes it) carrying the
 * route's request headers, the client's {@code Origin}, subprotocols and path. The try's outcome is reported to
 * outlier detection: 503 for a connect failure or reset, the upstream's status for a refused upgrade, 101 for one
 * accepted. A try with no answer, or an answer {@code retryOn} covers, is retried as a plain request would be
 * (nothing has reached the client yet).
 *
 * <p>Once the upstream answers 101 the client is answered 101 with the upstream's headers and the subprotocol it
 * chose, and frames are relayed both ways as they are (opcode, FIN and RSV bits, payload; pings and pongs
 * included), with back-pressure: a frame is read from one side only when the other side can take it. Envoy relays
 * the bytes after the 101 without reading frames; relaying frames gives the same messages, with two differences:
 * a close handshake is completed by the proxy on each leg (the close code and reason are passed on), and
 * extensions ({@code permessage-deflate}) are not negotiated, so frames go uncompressed. A frame's payload is
 * bounded by {@link #MAX_FRAME_PAYLOAD} (1009 beyond it).
 *
 * <p>Timeouts: the route's {@code timeout} bounds the handshake (504 UT), as Envoy applies it to an upgrade
 * request until its response headers; the upgraded connection then lives until one side closes it. The request's
 * record ({@link StreamInfo}) is completed when the connection closes: status 101, the connection's lifetime as
 * its duration, frame bytes (headers and payload) each way as request and response bytes.
 */
final class WebSocketCall {

    private static final Logger log = LoggerFactory.getLogger(WebSocketCall.class);

    /** The largest frame payload relayed: a frame is held whole in memory while it is relayed. */
    static final int MAX_FRAME_PAYLOAD = 16 * 1024 * 1024;

    private final ServerWebExchange exchange;
    private final StreamInfo info;
    private final ClusterRuntime cluster;
    private final ClusterConnectionPool pool;
    private final UpstreamHeaders upstreamHeaders;
    private final HttpHeaders headers;
    private final @Nullable RetryPolicy retry;
    private final TryTimer timer;
    private final UpstreamTransport transport;
    private final String authority;
    private final String pathAndQuery;
    /** Whether the client offered subprotocols (passed on as they are, in the client's header). */
    private final boolean subprotocolsOffered;
    private final long startNanos = System.nanoTime();

    private int retries;
    private boolean exhausted;

    private final Tries tries;
    // The current try.
    private @Nullable Connection connection;
    private @Nullable Handshake handshake;

    private WebSocketCall(ServerWebExchange exchange, StreamInfo info, ClusterRuntime cluster, UpstreamPolicy policy,
            HttpHeaders headers, UpstreamHeaders upstreamHeaders, UpstreamTransport transport) {
        this.exchange = exchange;
        this.info = info;
        this.cluster = cluster;
        this.pool = cluster.pool();
        this.tries = new Tries(cluster, info);
        this.upstreamHeaders = upstreamHeaders;
        this.retry = policy.retry();
        this.timer = new TryTimer(policy.timeoutMillis(), startNanos);
        this.transport = transport;
        ServerHttpRequest request = exchange.getRequest();
        String host = request.getHeaders().getFirst(org.springframework.http.HttpHeaders.HOST);
        this.authority = host == null || host.isEmpty() ? cluster.spec().host() : host;
        this.pathAndQuery = UpstreamUrl.pathAndQuery(request);
        this.subprotocolsOffered = request.getHeaders().getFirst("Sec-WebSocket-Protocol") != null;
        // The handshake's own headers are made per leg by each side's handshaker.
        headers.remove(HttpHeaderNames.SEC_WEBSOCKET_KEY);
        headers.remove(HttpHeaderNames.SEC_WEBSOCKET_VERSION);
        headers.remove(HttpHeaderNames.SEC_WEBSOCKET_EXTENSIONS);
        headers.remove(HttpHeaderNames.CONTENT_LENGTH);
        this.headers = headers;
    }

    /**
     * Whether the request asks for a WebSocket upgrade (RFC 6455 §4.1) that this class can forward: on a Reactor
     * Netty server. Another one goes on as a plain request.
     */
    static boolean isUpgrade(ServerWebExchange exchange) {
        ServerHttpRequest request = exchange.getRequest();
        org.springframework.http.HttpHeaders h = request.getHeaders();
        String upgrade = h.getFirst(org.springframework.http.HttpHeaders.UPGRADE);
        if (upgrade == null || !upgrade.equalsIgnoreCase("websocket") || !"GET".equals(request.getMethod().name())
                || h.getFirst("Sec-WebSocket-Key") == null) {
            return false;
        }
        try {
            return ServerHttpResponseDecorator.getNativeResponse(exchange.getResponse())
                    instanceof HttpServerResponse;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Forwards the upgrade and relays the upgraded connection; completes when the connection is closed. */
    static Mono<Void> forward(ServerWebExchange exchange, StreamInfo info, ClusterRuntime cluster,
            UpstreamPolicy policy, HttpHeaders headers, UpstreamHeaders upstreamHeaders,
            UpstreamTransport transport) {
        WebSocketCall call = new WebSocketCall(exchange, info, cluster, policy, headers, upstreamHeaders, transport);
        return call.attempt().doFinally(signal -> {
            if (signal == SignalType.CANCEL) {
                call.endTry();
            }
        });
    }

    private Mono<Void> attempt() {
        long timeout = timer.nextTryMillis(retry == null ? 0 : retry.perTryTimeoutMillis());
        if (timeout == 0) {
            return UpstreamCall.TIMEOUT.write(exchange);
        }
        Mono<Connection> oneTry = pool.admit().then(Mono.defer(this::connect));
        if (timeout > 0) {
            oneTry = oneTry.timeout(Duration.ofMillis(timeout), Schedulers.parallel());
        }
        return oneTry.<Object>map(c -> c)
                .onErrorResume(error -> Mono.just(error))
                .flatMap(outcome -> outcome instanceof Connection c ? upgraded(c) : failed((Throwable) outcome));
    }

    private Mono<Connection> connect() {
        LbEndpoint chosen = tries.start(exchange, retry);
        if (chosen == null) {
            return Mono.error(NoEndpoint.INSTANCE);
        }
        // An upgrade is HTTP/1.1 (RFC 6455); the TLS client of a request that came in over HTTP/1.1.
        HttpClient tls = transport.tlsClient(cluster, chosen, false);
        InetSocketAddress address = InetSocketAddress.createUnresolved(chosen.address(), chosen.port());
        headers.set(UpstreamCall.ATTEMPT_COUNT, Integer.toString(tries.count()));
        WebsocketClientSpec spec = WebsocketClientSpec.builder()
                .handlePing(true)
                .maxFramePayloadLength(MAX_FRAME_PAYLOAD)
                .build();
        Handshake h = new Handshake(authority);
        handshake = h;
        // A relative URI: the connection goes to the endpoint (ws or wss as the client is secured). The handshake's
        // Host, which the handshaker makes from the endpoint, is set back to the request's authority, and the
        // subprotocols go as the client offered them (see Handshake).
        return (tls == null ? pool.client() : tls)
                .remoteAddress(() -> address)
                .headers(out -> out.add(headers))
                .doOnRequest((request, c) -> c.addHandlerFirst(Handshake.NAME, h))
                .websocket(spec)
                .uri(pathAndQuery)
                .connect()
                .map(c -> {
                    connection = c;
                    return c;
                });
    }

    private Mono<Void> failed(Throwable error) {
        LbEndpoint ep = tries.endpoint();
        if (error instanceof ClusterConnectionPool.Overflow) {
            endTry();
            exchange.getResponse().getHeaders().set(UpstreamCall.OVERLOADED, "true");
            return UpstreamCall.OVERFLOW.write(exchange);
        }
        if (error == NoEndpoint.INSTANCE) {
            endTry();
            return UpstreamCall.NO_HEALTHY_UPSTREAM.write(exchange);
        }
        if (error instanceof WebSocketClientHandshakeException refused && refused.response() != null
                && refused.response().status().code() != 101) {
            return refused(refused.response());
        }
        TryFailure failure;
        LocalResponse answer;
        if (error instanceof TimeoutException) {
            failure = TryFailure.PER_TRY_TIMEOUT;
            answer = UpstreamCall.TIMEOUT;
        } else if (UpstreamFailureGlobalFilter.classify(error) == UpstreamFailureGlobalFilter.CONNECT_FAILURE) {
            failure = TryFailure.CONNECT_FAILURE;
            answer = UpstreamCall.CONNECT_FAILURE;
        } else {
            log.debug("WebSocket upgrade {} to {}: {}", pathAndQuery, ep, error.toString());
            failure = TryFailure.RESET;
            answer = UpstreamCall.RESET;
        }
        if (ep != null) {
            cluster.report(ep, answer.status().value());
        }
        endTry();
        boolean global = error instanceof TimeoutException && timer.lastTryBoundByRoute();
        if (!global && retry != null && retry.retriesFailure(failure) && startRetry()) {
            return backOffAndRetry();
        }
        return (exhausted && !global ? answer.withFlag(ResponseFlag.URX) : answer).write(exchange);
    }

    /** The upstream answered the upgrade with something else than 101: retried, or relayed without a body. */
    private Mono<Void> refused(HttpResponse response) {
        int status = response.status().code();
        LbEndpoint ep = tries.endpoint();
        if (ep != null) {
            cluster.report(ep, status);
        }
        endTry();
        if (retry != null && retry.retriesResponse(status, response.headers()) && startRetry()) {
            return backOffAndRetry();
        }
        info.upstreamHeadersReceived();
        ServerHttpResponse out = exchange.getResponse();
        out.setStatusCode(HttpStatusCode.valueOf(status));
        HttpHeaders relayed = response.headers().copy();
        // The upstream's body is not kept by the handshaker: the answer goes on without one.
        relayed.remove(HttpHeaderNames.CONTENT_LENGTH);
        relayed.remove(HttpHeaderNames.TRANSFER_ENCODING);
        upstreamHeaders.copyResponseHeaders(relayed, exchange, info);
        out.getHeaders().setContentLength(0);
        return out.setComplete();
    }

    private boolean startRetry() {
        if (retries >= retry.attempts()) {
            exhausted = true;
            return false;
        }
        if (!pool.tryStartRetry()) {
            return false;
        }
        retries++;
        tries.holdRetry();
        return true;
    }

    private Mono<Void> backOffAndRetry() {
        long delay = timer.backoffMillis(retry.backoffMillis(retries));
        if (delay <= 0) {
            return attempt();
        }
        return Mono.delay(Duration.ofMillis(delay), Schedulers.parallel()).then(Mono.defer(this::attempt));
    }

    /** The upstream accepted the upgrade: the client is upgraded too, and frames flow until either side closes. */
    private Mono<Void> upgraded(Connection upstream) {
        info.upstreamHeadersReceived();
        LbEndpoint ep = tries.endpoint();
        if (ep != null) {
            cluster.report(ep, 101);
        }
        // A retry permit (maxRetries) covers a retry until it is answered, not the connection's life.
        tries.releaseRetry();
        HttpClientResponse answer = (HttpClientResponse) upstream;
        WebsocketInbound upstreamIn = (WebsocketInbound) upstream;
        WebsocketOutbound upstreamOut = (WebsocketOutbound) upstream;
        ServerHttpResponse response = exchange.getResponse();
        HttpServerResponse nativeResponse = ServerHttpResponseDecorator.getNativeResponse(response);
        response.setStatusCode(HttpStatus.SWITCHING_PROTOCOLS);
        HttpHeaders relayed = answer.responseHeaders().copy();
        // Made by the downstream handshake for this leg.
        relayed.remove(HttpHeaderNames.SEC_WEBSOCKET_ACCEPT);
        relayed.remove(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL);
        relayed.remove(HttpHeaderNames.SEC_WEBSOCKET_EXTENSIONS);
        relayed.remove(HttpHeaderNames.CONTENT_LENGTH);
        upstreamHeaders.copyResponseHeaders(relayed, exchange, info);
        response.getHeaders().set(UpstreamCall.UPSTREAM_SERVICE_TIME,
                Long.toString((System.nanoTime() - startNanos) / 1_000_000));
        Handshake h = handshake;
        String subprotocol = h == null || !subprotocolsOffered ? null : h.subprotocol;
        WebsocketServerSpec.Builder spec = WebsocketServerSpec.builder()
                .handlePing(true)
                .maxFramePayloadLength(MAX_FRAME_PAYLOAD);
        if (subprotocol != null) {
            spec.protocols(subprotocol);
        }
        // Committing first runs the response's before-commit actions (the route's response header operations)
        // into the headers the 101 carries; nothing is written until the handshake.
        // Reactor Netty's upgrade completes after the handshake and runs the relay on its own; the request ends
        // when the relay does (or the client's connection goes), so that its record spans the connection's life.
        Sinks.Empty<Void> closed = Sinks.empty();
        nativeResponse.withConnection(c -> c.onDispose(closed::tryEmitEmpty));
        return response.setComplete()
                .then(Mono.defer(() -> nativeResponse.sendWebsocket((in, out) -> relay(in, out, upstreamIn,
                        upstreamOut).doFinally(signal -> closed.tryEmitEmpty()), spec.build())))
                .then(closed.asMono())
                .doFinally(signal -> endTry());
    }

    private Mono<Void> relay(WebsocketInbound clientIn, WebsocketOutbound clientOut,
            WebsocketInbound upstreamIn, WebsocketOutbound upstreamOut) {
        Mono<Void> toUpstream = pipe(clientIn, upstreamOut, true)
                .then(Mono.defer(() -> close(clientIn.receiveCloseStatus(), upstreamOut)));
        Mono<Void> toClient = pipe(upstreamIn, clientOut, false)
                .then(Mono.defer(() -> close(upstreamIn.receiveCloseStatus(), clientOut)));
        return Mono.when(toUpstream, toClient);
    }

    /**
     * Relays one side's frames to the other, with back-pressure: frames are read as the other side's connection
     * can take them. Errors (a side gone) end the direction; the close is passed on after it.
     */
    private Mono<Void> pipe(WebsocketInbound from, WebsocketOutbound to, boolean fromClient) {
        return to.sendObject(from.receiveFrames().map(frame -> {
                    long bytes = wireBytes(frame, fromClient);
                    if (fromClient) {
                        info.addRequestBodyBytes(bytes);
                    } else {
                        info.addResponseBodyBytes(bytes);
                    }
                    return frame.retain();
                }))
                .then()
                .onErrorResume(e -> Mono.empty());
    }

    /** Passes one side's close on to the other: its code and reason, or a close without code. */
    private static Mono<Void> close(Mono<WebSocketCloseStatus> status, WebsocketOutbound other) {
        return status
                .flatMap(s -> sendable(s.code()) ? other.sendClose(s.code(), s.reasonText()) : other.sendClose())
                .switchIfEmpty(Mono.defer(other::sendClose))
                .onErrorResume(e -> Mono.empty());
    }

    /** Whether a close code may go in a close frame (1005, 1006 and 1015 only report what happened). */
    private static boolean sendable(int code) {
        return code >= 1000 && code != 1005 && code != 1006 && code != 1015;
    }

    /** The frame's size on the wire: header (with a mask from a client) and payload. */
    static long wireBytes(WebSocketFrame frame, boolean masked) {
        int length = frame.content().readableBytes();
        int header = 2 + (length <= 125 ? 0 : length <= 0xFFFF ? 2 : 8) + (masked ? 4 : 0);
        return header + (long) length;
    }

    /** Ends the current try ({@link Tries#end()}) and closes its connection. */
    private synchronized void endTry() {
        tries.end();
        Connection c = connection;
        if (c != null) {
            connection = null;
            c.dispose();
        }
    }

    /**
     * The upstream handshake as Envoy would forward it: the request's Host is the downstream request's authority
     * (the handshaker would name the endpoint), and the subprotocol header goes both ways untouched. The client's
     * offer travels in its own header; the upstream's choice is taken out of the 101 before Netty's handshaker
     * checks it (which would fail an offer the server declined, a valid answer), and given to the client's leg.
     */
    private static final class Handshake extends ChannelDuplexHandler {
        static final String NAME = "meshgate.websocketHandshake";
        private final String authority;
        volatile @Nullable String subprotocol;

        Handshake(String authority) {
            this.authority = authority;
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
            if (msg instanceof HttpRequest request) {
                request.headers().set(HttpHeaderNames.HOST, authority);
            }
            ctx.write(msg, promise);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
            if (msg instanceof HttpResponse response && response.status().code() == 101) {
                subprotocol = response.headers().get(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL);
                response.headers().remove(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL);
            }
            ctx.fireChannelRead(msg);
        }
    }

    /** The load balancer found no endpoint: 503 UH. Stackless: a flow signal. */
    private static final class NoEndpoint extends RuntimeException {
        private static final long serialVersionUID = 1L;
        static final NoEndpoint INSTANCE = new NoEndpoint();

        private NoEndpoint() {
            super("no healthy upstream", null, false, false);
        }
    }
}
