package dev.meshgate.proxy.stream;

import org.jspecify.annotations.Nullable;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.web.server.ServerWebExchange;

import brave.propagation.TraceContext;

import dev.meshgate.proxy.cluster.ClusterRuntime;
import dev.meshgate.proxy.filter.ResponseFlag;
import dev.meshgate.proxy.loadbalancer.LbEndpoint;

/**
 * What happened to one request, as Envoy's stream info records it: the listener it came in on, the route and
 * cluster that served it, the endpoint of the last try, the number of tries, the response flags, the bytes and
 * the timings. One object per request, kept as an exchange attribute; its fields are plain values, not maps, so
 * that writing to it costs a field store. Routing and the upstream filters write to it as the request goes;
 * {@link StreamSink}s read it once the response is done (metrics, access logs, spans).
 *
 * <p>A request's steps run one after the other (Reactor hands each signal over with a happens-before edge), so
 * the fields need no locking. Times are {@link System#nanoTime()} values; 0 means "did not happen".
 */
public final class StreamInfo {

    /** The sidecar's inbound listener (the view's {@code inbound}). */
    public static final String INBOUND_LISTENER = "inbound";
    /** The sidecar's listener of inbound HTTP sniffed on a port with no declared protocol. */
    public static final String INBOUND_PASSTHROUGH_LISTENER = "inbound-passthrough";

    /** The exchange attribute holding a request's record. */
    public static final String ATTRIBUTE = "meshgate.streamInfo";

    private final long startNanos;
    private final long startEpochMillis;
    private final @Nullable String listener;

    private @Nullable Route route;
    private @Nullable String matchedUriPrefix;
    private @Nullable ClusterRuntime cluster;
    private @Nullable LbEndpoint upstreamHost;
    private int attempts;
    private int responseFlags;
    private int responseCode;
    private @Nullable String requestId;
    private @Nullable String downstreamPrincipal;
    private @Nullable String upstreamPeerMetadata;
    private long requestBodyBytes;
    private long responseBodyBytes;
    private long requestHeadBytes;
    private long responseHeadBytes;
    private long requestMessages;
    private long responseMessages;
    private long firstUpstreamTxNanos;
    private long tryStartNanos;
    private long connectionReadyNanos;
    private long upstreamConnectNanos;
    private long upstreamRxHeadersNanos;
    private long endNanos;
    private boolean downstreamReset;
    private @Nullable TraceContext traceContext;
    private @Nullable String grpcStatus;

    /**
     * @param listener the view listener the request arrived on ({@code outbound}, {@code inbound}, a gateway
     *     listener), or null when it came in elsewhere
     */
    public StreamInfo(@Nullable String listener) {
        this.startNanos = System.nanoTime();
        this.startEpochMillis = System.currentTimeMillis();
        this.listener = listener;
    }

    /**
     * The exchange's record; created (with no listener) when the request did not pass {@link StreamInfoWebFilter},
     * as in filter tests and the simulator, so that writers never need a null check.
     */
    public static StreamInfo of(ServerWebExchange exchange) {
        Object info = exchange.getAttributes().get(ATTRIBUTE);
        if (info instanceof StreamInfo s) {
            return s;
        }
        StreamInfo created = new StreamInfo(null);
        exchange.getAttributes().put(ATTRIBUTE, created);
        return created;
    }

    // Written by routing and the filters.

    /** The route the handler mapping chose (a mesh route, or one answering locally: no route, no host...). */
    public void route(Route route) {
        this.route = route;
    }

    /** The uri prefix of the match that selected the route when it was a prefix match (for a rewrite), or null. */
    public void matchedUriPrefix(@Nullable String prefix) {
        this.matchedUriPrefix = prefix;
    }

    /** The cluster the destination choice picked. */
    public void cluster(ClusterRuntime cluster) {
        this.cluster = cluster;
    }

    /** A try starts on this endpoint: it becomes the upstream host, and the tries are counted. */
    public void tryStarted(LbEndpoint endpoint) {
        this.upstreamHost = endpoint;
        long now = System.nanoTime();
        tryStartNanos = now;
        connectionReadyNanos = 0;
        upstreamConnectNanos = 0;
        if (attempts++ == 0) {
            firstUpstreamTxNanos = now;
        }
    }

    /** The current try has its connection (from the pool, or new) and is about to write its request. */
    public void upstreamConnectionReady() {
        this.connectionReadyNanos = System.nanoTime();
    }

    /** The current try's connection was made for it: {@code nanos} from the channel's creation to connected. */
    public void upstreamConnected(long nanos) {
        this.upstreamConnectNanos = nanos;
    }

    /** The response headers of the try whose answer goes to the client arrived. */
    public void upstreamHeadersReceived() {
        this.upstreamRxHeadersNanos = System.nanoTime();
    }

    /** Adds response flags, as bits of {@link ResponseFlags}. */
    public void addFlags(int flagBits) {
        this.responseFlags |= flagBits;
    }

    public void addFlag(ResponseFlag flag) {
        this.responseFlags |= ResponseFlags.bit(flag);
    }

    /** The {@code x-request-id} the request carries upstream (kept, or generated when absent). */
    public void requestId(String requestId) {
        this.requestId = requestId;
    }

    /** The downstream peer's authenticated identity (a SPIFFE URI), when the connection proved one. */
    public void downstreamPrincipal(@Nullable String principal) {
        this.downstreamPrincipal = principal;
    }

    /**
     * This proxy's span of the request (its ids and sampling decision), made when the request arrived and
     * propagated upstream; null when the mesh does not trace.
     */
    public void traceContext(@Nullable TraceContext context) {
        this.traceContext = context;
    }

    /** The {@code x-envoy-peer-metadata} the upstream answered with (Istio's encoding), decoded by the sinks. */
    public void upstreamPeerMetadata(@Nullable String header) {
        this.upstreamPeerMetadata = header;
    }

    /** The {@code grpc-status} the response ended with, when it came in trailers (not in the headers). */
    public void grpcStatus(@Nullable String status) {
        this.grpcStatus = status;
    }

    /** The {@code grpc-status} of the response's trailers, or null when it had none. */
    public @Nullable String grpcStatus() {
        return grpcStatus;
    }

    /** The size of the request's head as received ({@link HeadBytes}). */
    void requestHeadBytes(long bytes) {
        this.requestHeadBytes = bytes;
    }

    public void addRequestBodyBytes(long bytes) {
        this.requestBodyBytes += bytes;
    }

    /** gRPC messages that started in the request body (counted by the upstream call, gRPC only). */
    public void addRequestMessages(long messages) {
        this.requestMessages += messages;
    }

    /** gRPC messages that started in the response body. */
    public void addResponseMessages(long messages) {
        this.responseMessages += messages;
    }

    public void addResponseBodyBytes(long bytes) {
        this.responseBodyBytes += bytes;
    }

    /** The request is done: its status as answered, and whether the client went away first (DC). */
    void complete(int status, boolean reset, long requestContentLength, long responseContentLength,
            long responseHeadBytes) {
        this.endNanos = System.nanoTime();
        this.responseHeadBytes = responseHeadBytes;
        this.responseCode = status;
        this.downstreamReset = reset;
        if (reset) {
            responseFlags |= ResponseFlags.bit(ResponseFlag.DC);
        }
        if (requestBodyBytes == 0 && requestContentLength > 0) {
            requestBodyBytes = requestContentLength;
        }
        if (responseBodyBytes == 0 && responseContentLength > 0) {
            responseBodyBytes = responseContentLength;
        }
    }

    // Read by routing and the sinks.

    public @Nullable String listener() {
        return listener;
    }

    /**
     * Whether the request came to a sidecar's inbound side, for its workload ({@link #INBOUND_LISTENER}, or
     * {@link #INBOUND_PASSTHROUGH_LISTENER} for a port with no declared protocol): destination-side telemetry.
     */
    public boolean inbound() {
        return INBOUND_LISTENER.equals(listener) || INBOUND_PASSTHROUGH_LISTENER.equals(listener);
    }

    public @Nullable Route route() {
        return route;
    }

    public @Nullable String matchedUriPrefix() {
        return matchedUriPrefix;
    }

    public @Nullable ClusterRuntime cluster() {
        return cluster;
    }

    public @Nullable LbEndpoint upstreamHost() {
        return upstreamHost;
    }

    /** How many tries went upstream (0 when the proxy answered without one). */
    public int attempts() {
        return attempts;
    }

    /** The response flags as bits; {@link ResponseFlags#format} gives Envoy's text. */
    public int responseFlags() {
        return responseFlags;
    }

    public boolean hasFlag(ResponseFlag flag) {
        return (responseFlags & ResponseFlags.bit(flag)) != 0;
    }

    /** The status sent to the client; 0 before the request is done. */
    public int responseCode() {
        return responseCode;
    }

    public @Nullable String requestId() {
        return requestId;
    }

    public @Nullable String downstreamPrincipal() {
        return downstreamPrincipal;
    }

    public @Nullable String upstreamPeerMetadata() {
        return upstreamPeerMetadata;
    }

    /** Body bytes received from the downstream (Envoy's {@code %BYTES_RECEIVED%}, the span's request_size). */
    public long requestBodyBytes() {
        return requestBodyBytes;
    }

    /** The request's head (request line, header fields, blank line) as received; see {@link HeadBytes}. */
    public long requestHeadBytes() {
        return requestHeadBytes;
    }

    /** Head and body of the request on the downstream wire: what Istio's {@code istio_request_bytes} records. */
    public long requestTotalBytes() {
        return requestHeadBytes + requestBodyBytes;
    }

    /** The response's head (status line, header fields, blank line) as sent; see {@link HeadBytes}. */
    public long responseHeadBytes() {
        return responseHeadBytes;
    }

    /** Head and body of the response on the downstream wire: what Istio's {@code istio_response_bytes} records. */
    public long responseTotalBytes() {
        return responseHeadBytes + responseBodyBytes;
    }

    public long requestMessages() {
        return requestMessages;
    }

    public long responseMessages() {
        return responseMessages;
    }

    /** Body bytes sent to the downstream (Envoy's {@code %BYTES_SENT%}, the span's response_size). */
    public long responseBodyBytes() {
        return responseBodyBytes;
    }

    public @Nullable TraceContext traceContext() {
        return traceContext;
    }

    public boolean downstreamReset() {
        return downstreamReset;
    }

    public long startNanos() {
        return startNanos;
    }

    /** Wall-clock start, for access logs. */
    public long startEpochMillis() {
        return startEpochMillis;
    }

    /** Nanoseconds from the request's start to its end (Envoy's {@code %DURATION%}); -1 before the end. */
    public long durationNanos() {
        return endNanos == 0 ? -1 : endNanos - startNanos;
    }

    /** Nanoseconds from the start to the answering try's response headers (Envoy's {@code %RESPONSE_DURATION%}); -1 without. */
    public long responseDurationNanos() {
        return upstreamRxHeadersNanos == 0 ? -1 : upstreamRxHeadersNanos - startNanos;
    }

    /**
     * Nanoseconds the last try waited for its connection: from its start to its request being written (the
     * pool's acquire; a new connection's connect and TLS handshake included); -1 when it got none.
     */
    public long upstreamAcquireNanos() {
        return connectionReadyNanos == 0 ? -1 : connectionReadyNanos - tryStartNanos;
    }

    /** Nanoseconds the last try's connection took to connect (TCP and TLS) when it was new for it; 0 when reused. */
    public long upstreamConnectNanos() {
        return upstreamConnectNanos;
    }

    /** Nanoseconds from the first try's start to the answering try's response headers; -1 without. */
    public long upstreamServiceTimeNanos() {
        return upstreamRxHeadersNanos == 0 || firstUpstreamTxNanos == 0 ? -1
                : upstreamRxHeadersNanos - firstUpstreamTxNanos;
    }
}
