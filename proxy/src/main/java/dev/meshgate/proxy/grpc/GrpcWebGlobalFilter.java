package dev.meshgate.proxy.grpc;

import java.util.Arrays;
import java.util.Base64;
import java.util.Set;
import java.util.function.Predicate;

import org.jspecify.annotations.Nullable;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import dev.meshgate.proxy.cluster.ClusterRuntime;
import dev.meshgate.proxy.filter.MeshFilterOrder;
import dev.meshgate.proxy.stream.StreamInfo;

/**
 * Envoy's {@code grpc_web} filter, which Istio puts on the listener of a {@code GRPC-WEB} port (a Service port named
 * {@code grpc-web-*}, or declared with protocol {@code GRPC-WEB}; a Gateway server port of protocol
 * {@code GRPC-WEB}): a gRPC-Web request routed to such a port's cluster ({@code ClusterSpec.grpcWeb}), or received
 * on such a listener ({@code ListenerSpec.grpcWeb}: a gateway's {@code GRPC-WEB} port, whatever the destination),
 * goes upstream as gRPC, and its answer comes back as gRPC-Web.
 *
 * <p>Request ({@code content-type} exactly {@code application/grpc-web}, {@code application/grpc-web+proto},
 * {@code application/grpc-web-text} or {@code application/grpc-web-text+proto}): {@code content-type} becomes
 * {@code application/grpc}, {@code content-length} goes (the HTTP/1.1 length is not the HTTP/2 one), {@code te:
 * trailers} is added and {@code grpc-accept-encoding: identity,deflate,gzip} when the client sent none. A
 * {@code -text} body is base64 and is decoded (it is read whole first: browsers send gRPC-Web requests whole);
 * base64 that does not decode is answered 400 with {@code grpc-status: 13}. The binary body is gRPC's framing
 * already and streams as it is. The response is translated by {@link GrpcWebResponse}.
 *
 * <p>Runs after the destination is chosen (the cluster decides), so that faults and CORS before it see the request
 * as the client sent it (in Envoy the fault filter comes after {@code grpc_web}).
 */
public final class GrpcWebGlobalFilter implements GlobalFilter, Ordered {

    private static final Set<String> CONTENT_TYPES = Set.of("application/grpc-web", "application/grpc-web+proto",
            "application/grpc-web-text", "application/grpc-web-text+proto");
    private static final String GRPC_ACCEPT_ENCODING = "grpc-accept-encoding";
    /** Envoy's default {@code grpc-accept-encoding}. */
    private static final String ACCEPT_ENCODINGS = "identity,deflate,gzip";
    /** The largest {@code -text} request body read. */
    private static final int MAX_TEXT_BODY = 4 * 1024 * 1024;

    /** Whether a listener (by name) carries the filter itself. */
    private final Predicate<String> grpcWebListener;

    /** Translates for {@code GRPC-WEB} clusters only. */
    public GrpcWebGlobalFilter() {
        this(listener -> false);
    }

    /** @param grpcWebListener whether a listener (by name) carries the filter for every request it receives */
    public GrpcWebGlobalFilter(Predicate<String> grpcWebListener) {
        this.grpcWebListener = grpcWebListener;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        ServerHttpRequest request = exchange.getRequest();
        String type = request.getHeaders().getFirst(HttpHeaders.CONTENT_TYPE);
        if (type == null || !CONTENT_TYPES.contains(type)) {
            return chain.filter(exchange);
        }
        StreamInfo info = StreamInfo.of(exchange);
        ClusterRuntime cluster = info.cluster();
        if (cluster == null || !(cluster.spec().grpcWeb() || grpcWebListener.test(info.listener()))) {
            return chain.filter(exchange);
        }
        boolean textRequest = type.startsWith("application/grpc-web-text");
        boolean textResponse = textResponse(request);
        HttpHeaders headers = new HttpHeaders();
        headers.addAll(request.getHeaders());
        if (headers.getContentLength() > 0) {
            // The HTTP/1.1 length is not the HTTP/2 stream's: the body streams, as a chunked one does.
            headers.remove(HttpHeaders.CONTENT_LENGTH);
            headers.set(HttpHeaders.TRANSFER_ENCODING, "chunked");
        }
        headers.set(HttpHeaders.CONTENT_TYPE, "application/grpc");
        headers.set(HttpHeaders.TE, "trailers");
        if (!headers.containsHeader(GRPC_ACCEPT_ENCODING)) {
            headers.set(GRPC_ACCEPT_ENCODING, ACCEPT_ENCODINGS);
        }
        GrpcWebResponse response = new GrpcWebResponse(exchange.getResponse(), textResponse);
        if (!textRequest) {
            return chain.filter(exchange.mutate().request(new GrpcWebRequest(request, headers, null))
                    .response(response).build());
        }
        return DataBufferUtils.join(request.getBody(), MAX_TEXT_BODY)
                .map(joined -> {
                    byte[] text = new byte[joined.readableByteCount()];
                    joined.read(text);
                    DataBufferUtils.release(joined);
                    return text;
                })
                .defaultIfEmpty(new byte[0])
                .flatMap(text -> {
                    byte[] decoded = decodeText(text);
                    if (decoded == null) {
                        return badRequest(response);
                    }
                    headers.remove(HttpHeaders.TRANSFER_ENCODING);
                    headers.setContentLength(decoded.length);
                    return chain.filter(exchange.mutate().request(new GrpcWebRequest(request, headers, decoded))
                            .response(response).build());
                });
    }

    /** Whether the client's {@code accept} asks for the text encoding of the answer. */
    private static boolean textResponse(ServerHttpRequest request) {
        String accept = request.getHeaders().getFirst(HttpHeaders.ACCEPT);
        return "application/grpc-web-text".equals(accept) || "application/grpc-web-text+proto".equals(accept);
    }

    /**
     * The exchange whose answer is encoded in gRPC-Web, for a filter that answers a gRPC-Web request itself where
     * the {@code grpc_web} filter applies (a fault abort); null when the request is not gRPC-Web.
     */
    public static @Nullable ServerWebExchange answeringInGrpcWeb(ServerWebExchange exchange) {
        ServerHttpRequest request = exchange.getRequest();
        String type = request.getHeaders().getFirst(HttpHeaders.CONTENT_TYPE);
        if (type == null || !CONTENT_TYPES.contains(type)) {
            return null;
        }
        return exchange.mutate().response(new GrpcWebResponse(exchange.getResponse(), textResponse(request))).build();
    }

    /**
     * The bytes of a {@code grpc-web-text} body: base64 in groups of 4 characters, each group decoded on its own
     * so that messages encoded one by one (with padding in between) decode too; null when it is not base64.
     */
    static byte @Nullable [] decodeText(byte[] text) {
        if (text.length % 4 != 0) {
            return null;
        }
        Base64.Decoder decoder = Base64.getDecoder();
        byte[] out = new byte[text.length / 4 * 3];
        int n = 0;
        byte[] group = new byte[4];
        for (int i = 0; i < text.length; i += 4) {
            System.arraycopy(text, i, group, 0, 4);
            try {
                byte[] bytes = decoder.decode(group);
                System.arraycopy(bytes, 0, out, n, bytes.length);
                n += bytes.length;
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        return n == out.length ? out : Arrays.copyOf(out, n);
    }

    /** Envoy's local reply to undecodable base64, as its grpc_web filter turns it into gRPC-Web. */
    private static Mono<Void> badRequest(GrpcWebResponse response) {
        ServerHttpResponse out = response.getDelegate();
        out.setStatusCode(HttpStatus.BAD_REQUEST);
        HttpHeaders headers = out.getHeaders();
        headers.set(HttpHeaders.CONTENT_TYPE, response.contentType());
        headers.set(GrpcLocalReply.GRPC_STATUS, Integer.toString(GrpcLocalReply.grpcStatusOf(400)));
        headers.set(GrpcLocalReply.GRPC_MESSAGE,
                GrpcLocalReply.percentEncode("Bad gRPC-web request, invalid base64 data."));
        headers.setContentLength(0);
        return out.setComplete();
    }

    @Override
    public int getOrder() {
        return MeshFilterOrder.GRPC_WEB;
    }

    /** The client's request as the gRPC request it stands for: other headers, and a decoded body. */
    static final class GrpcWebRequest extends ServerHttpRequestDecorator {

        private final HttpHeaders headers;
        private final byte @Nullable [] body;

        GrpcWebRequest(ServerHttpRequest delegate, HttpHeaders headers, byte @Nullable [] body) {
            super(delegate);
            this.headers = HttpHeaders.readOnlyHttpHeaders(headers);
            this.body = body;
        }

        @Override
        public HttpHeaders getHeaders() {
            return headers;
        }

        @Override
        public Flux<DataBuffer> getBody() {
            byte[] b = body;
            if (b == null) {
                return super.getBody();
            }
            return b.length == 0 ? Flux.empty()
                    : Flux.defer(() -> Flux.just(DefaultDataBufferFactory.sharedInstance.wrap(b)));
        }
    }
}
